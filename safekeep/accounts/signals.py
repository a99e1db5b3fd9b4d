"""Sign-in events go to the audit log; setting up a second factor counts as passing it for this session;
a new password or a removed second factor revokes the person's API tokens."""

from allauth.account.signals import password_changed, password_reset, password_set
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from safekeep.audit.models import AuditEvent
from safekeep.audit.services import audit_record

from .mfa import ENROLLED_THIS_SESSION
from .forms import ACTIVATION_STEP
from .services import api_tokens_revoke_all, email_address_verify, second_factor_removed, totp_remember_step


@receiver(authenticator_added)
def remember_enrolment(sender, request, user, authenticator, **kwargs):
    request.session[ENROLLED_THIS_SESSION] = user.pk
    step = request.session.pop(ACTIVATION_STEP, None)
    if step is not None and authenticator.type == Authenticator.Type.TOTP:
        totp_remember_step(authenticator=authenticator, step=step)
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


@receiver(password_changed)
@receiver(password_set)
def revoke_tokens_on_new_password(sender, request, user, **kwargs):
    api_tokens_revoke_all(actor=user, reason="password changed")


@receiver(password_reset)
def password_set_from_emailed_link(sender, request, user, **kwargs):
    # An invitation or "Forgotten your password?": the link came to their address, which proves it.
    email_address_verify(actor=user)
    api_tokens_revoke_all(actor=user, reason="password changed")


@receiver(authenticator_removed)
def audit_removed_factor(sender, request, user, authenticator, **kwargs):
    second_factor_removed(actor=user, authenticator=authenticator)
