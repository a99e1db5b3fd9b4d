from django.apps import AppConfig


class SafetyPlansConfig(AppConfig):
    name = "safekeep.safetyplans"
    label = "safetyplans"
    verbose_name = "Safety plans and sanctions"
