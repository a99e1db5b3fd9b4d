from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "safekeep.transfers"
    label = "transfers"
    verbose_name = "Child protection files sent and received"
