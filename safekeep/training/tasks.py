from crontask import cron
from django.tasks import task

from .reminders import send_training_reminders


@cron("0 7 * * *")
@task()
def training_reminders() -> str:
    """Each morning (manage.py crontask enqueues it; the database worker runs it)."""
    return f"{send_training_reminders()} training reminders"
