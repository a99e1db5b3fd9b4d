from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "safekeep.concerns"
    label = "concerns"

    def ready(self):
        # In ready(): both modules import models, which load after the app configs. Authz asks this check
        # without importing concerns, which sit above it (the layers in pyproject.toml, ADR 0008).
        from safekeep.authz.access import register_allegation_subject_check

        from .selectors import is_subject_of

        register_allegation_subject_check(is_subject_of)
