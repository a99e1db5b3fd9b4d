from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "safekeep.imports"
    label = "imports"
