from crontask import cron
from django.conf import settings
from django.tasks import task

from safekeep.accounts.models import User
from safekeep.actions.notifications import deliver

from . import notifications
from .models import Concern


@task()
def send_concern_alert(concern_id: int, user_ids: list[int]) -> int:
    urgent = Concern.objects.filter(pk=concern_id, immediate_risk=True).exists()
    subject = ("Safekeep: URGENT: a child may be at risk now: a new concern" if urgent
               else "Safekeep: a new concern has been recorded")
    opening = ("A concern marked as an immediate risk to a child has just been recorded. Please look at it now."
               if urgent else "A new safeguarding concern has been recorded for your establishment.")
    link = f"{settings.SAFEKEEP_BASE_URL}/concerns/{concern_id}/"
    emails = list(User.objects.filter(pk__in=user_ids, is_active=True).values_list("email", flat=True))
    for address in emails:
        # Never held (CE 10.1); it carries anything held for the person since their last email.
        deliver(address, subject, opening, link, at_once=True)
    return len(emails)


@cron("* * * * *")
@task()
def concern_alerts_sweep() -> str:
    """Every minute (manage.py crontask enqueues it; the database worker runs it): CE 10.1, no concern
    goes unannounced to the safeguarding team."""
    return f"{notifications.alerts_sweep()} missing alerts queued"
