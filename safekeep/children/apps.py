from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "safekeep.children"
    label = "children"
