from django.apps import AppConfig


class PacksConfig(AppConfig):
    name = "safekeep.packs"
    label = "packs"
