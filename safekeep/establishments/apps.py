from django.apps import AppConfig


class EstablishmentsConfig(AppConfig):
    name = "safekeep.establishments"
    label = "establishments"
