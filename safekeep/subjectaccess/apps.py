from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "safekeep.subjectaccess"
    label = "subjectaccess"
    verbose_name = "Subject access requests"
