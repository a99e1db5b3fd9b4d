from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The fictional demo world (manage.py demo_data, demo_totp). It is built through every app's services, so
    it sits at the top of the layers, above everything it uses (ADR 0001, pyproject.toml [tool.importlinter])."""

    name = "safekeep.demo"
    label = "demo"
