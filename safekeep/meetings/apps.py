from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "safekeep.meetings"
    label = "meetings"
    verbose_name = "Multi-agency, strategy and professionals meetings"
