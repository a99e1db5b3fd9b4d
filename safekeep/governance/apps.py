from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "safekeep.governance"
    label = "governance"
    verbose_name = ("Governor and SLT reports, the exploitation risk review (CE 10.6) and the annual policy review "
                    "(CoC 1.4, 14.2-14.3)")

    def ready(self):
        # In ready(), as Django asks: the receivers import models, which load after the app configs.
        from . import receivers  # noqa: F401
