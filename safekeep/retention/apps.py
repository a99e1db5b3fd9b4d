from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "safekeep.retention"
    label = "retention"
    verbose_name = "Retention and review"
