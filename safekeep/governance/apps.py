from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "safekeep.governance"
    label = "governance"
    verbose_name = "Governor and SLT reports, and the exploitation risk review (CE 10.6)"
