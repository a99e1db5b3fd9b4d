from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "safekeep.referrals"
    label = "referrals"

    def ready(self):
        # In ready(), as Django asks: the receivers import models, which load after the app configs.
        from . import receivers  # noqa: F401
