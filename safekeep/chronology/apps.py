from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "safekeep.chronology"
    label = "chronology"
