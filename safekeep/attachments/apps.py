from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "safekeep.attachments"
    label = "attachments"
