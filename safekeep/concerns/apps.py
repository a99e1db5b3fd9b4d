from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "safekeep.concerns"
    label = "concerns"

    def ready(self):
        from safekeep.authz.access import register_allegation_subject_check

        from .selectors import is_subject_of

        register_allegation_subject_check(is_subject_of)
