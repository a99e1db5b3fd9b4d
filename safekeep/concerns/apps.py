from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "safekeep.concerns"
    label = "concerns"
