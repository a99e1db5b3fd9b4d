from django.apps import AppConfig


class ContextsConfig(AppConfig):
    name = "safekeep.contexts"
    label = "contexts"
    verbose_name = "Context assessments"
