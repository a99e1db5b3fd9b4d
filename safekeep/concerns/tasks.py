from crontask import cron
from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task

from safekeep.accounts.models import User

from . import notifications


@task()
def send_concern_alert(concern_id: int, user_ids: list[int]) -> int:
    from .models import Concern

    urgent = Concern.objects.filter(pk=concern_id, immediate_risk=True).exists()
    subject = ("Safekeep: URGENT: a child may be at risk now: a new concern" if urgent
               else "Safekeep: a new concern has been recorded")
    body = ("Hello,\n\n"
            + ("A concern marked as an immediate risk to a child has just been recorded. Please look at it now.\n\n"
               if urgent else "A new safeguarding concern has been recorded for your establishment.\n\n")
            + f"Sign in to read it: {settings.SAFEKEEP_BASE_URL}/concerns/{concern_id}/\n\n"
            "Safekeep\nThis email never contains information about a child.\n")
    emails = list(User.objects.filter(pk__in=user_ids, is_active=True).values_list("email", flat=True))
    for address in emails:
        send_mail(subject, body, None, [address])
    return len(emails)


@cron("* * * * *")
@task()
def concern_alerts_sweep() -> str:
    """Every minute (manage.py crontask enqueues it; the database worker runs it): CE 10.1, no concern
    goes unannounced to the safeguarding team."""
    return f"{notifications.alerts_sweep()} missing alerts queued"
