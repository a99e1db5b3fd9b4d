from django.apps import AppConfig


class ActionsConfig(AppConfig):
    name = "safekeep.actions"
    label = "actions"
