from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safekeep.cases"
    label = "cases"
