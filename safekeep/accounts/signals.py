"""Sign-in events go to the audit log; setting up a second factor counts as passing it for this session."""

from allauth.mfa.signals import authenticator_added
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from safekeep.audit.models import AuditEvent
from safekeep.audit.services import audit_record

from .mfa import ENROLLED_THIS_SESSION


@receiver(authenticator_added)
def remember_enrolment(sender, request, user, authenticator, **kwargs):
    request.session[ENROLLED_THIS_SESSION] = user.pk
    with transaction.atomic():
        audit_record(actor=user, action="account.mfa.added", object_type="authenticator",
                     object_id=authenticator.pk, detail={"type": authenticator.type})


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    with transaction.atomic():
        audit_record(actor=user, action="account.login", object_type="user", object_id=user.pk)


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        with transaction.atomic():
            audit_record(actor=user, action="account.logout", object_type="user", object_id=user.pk)


@receiver(user_login_failed)
def audit_failed_login(sender, credentials, request=None, **kwargs):
    # Never the attempted password or the typed email: an id is enough to investigate.
    with transaction.atomic():
        audit_record(actor=None, action="account.login", outcome=AuditEvent.Outcome.DENIED,
                     object_type="user")
