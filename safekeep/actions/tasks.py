from crontask import cron
from django.tasks import task


@cron("* * * * *")
@task()
def reminders_and_escalation() -> str:
    """Every minute (manage.py crontask enqueues it; the database worker runs it)."""
    from .escalation import escalate_overdue, send_reminders

    return f"{send_reminders()} reminders, {escalate_overdue()} escalations"
