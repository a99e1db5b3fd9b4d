from django.apps import AppConfig
from django.core.checks import Tags, register

from .checks import demo_code_check


class AccountsConfig(AppConfig):
    name = "safekeep.accounts"
    label = "accounts"

    def ready(self):
        # Every start, not only `check --deploy`: a production server must never show the codes.
        register(demo_code_check, Tags.security)
        # In ready(), as Django asks: the signal handlers import models, which load after the app configs.
        from . import signals  # noqa: F401
