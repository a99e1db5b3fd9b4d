from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "safekeep.sharing"
    label = "sharing"
    verbose_name = "Information-sharing register"
