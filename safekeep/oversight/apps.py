from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The top layer: home pages that count what the apps below record. Nothing below imports it."""

    name = "safekeep.oversight"
    label = "oversight"
