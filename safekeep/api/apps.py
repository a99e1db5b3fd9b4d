from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safekeep.api"
    label = "api"

    def ready(self):
        # In ready(), as Django asks: the schema imports models, which load after the app configs.
        from . import schema  # noqa: F401  (registers the authentication schemes)
