from django.apps import AppConfig


class TrendsConfig(AppConfig):
    name = "safekeep.trends"
    label = "trends"
