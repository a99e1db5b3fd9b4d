from crontask import cron
from django.tasks import task

from .escalation import escalate_overdue, send_reminders
from .notifications import send_digests


@cron("* * * * *")
@task()
def reminders_and_escalation() -> str:
    """Every minute (manage.py crontask enqueues it; the database worker runs it)."""
    return f"{send_reminders()} reminders, {escalate_overdue()} escalations"


@cron("* * * * *")
@task()
def email_digests() -> str:
    """Every minute: each person whose digest window has passed gets what was held for them, in one email."""
    return f"{send_digests()} digests sent"
