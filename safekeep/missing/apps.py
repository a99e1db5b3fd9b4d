from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "safekeep.missing"
    label = "missing"
    verbose_name = "Missing episodes"
