"""Every change to people and their API tokens: permission checked and audited in one transaction."""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.core.internal.cryptokit import compare_user_code
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from safekeep.audit.models import AuditEvent
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, require_permission
from safekeep.authz.roles import Permission
from safekeep.core import clock

from . import selectors
from .models import PersonalApiToken, TotpLastStep, User, WrongCode
from .tasks import send_invitation

TOKEN_LIFETIME = timedelta(days=90)
PERSON_FIELDS = ("full_name", "email", "job_title", "staff_mis_id", "is_active")
# Whoever controls the address can set the password through "Forgotten your password?", so an administrator
# ("no case content") who changes the address of someone who reads case content would take over their access
# without the second person's approval a role needs (ADR 0008). Ending the role first closes that door: the
# role given again waits for approval.
EMAIL_OF_CASE_READER = ("This person has a role that reads children's records or allegations, so their email address "
                        "cannot be changed here: whoever has the address can set their password. End that role, "
                        "change the address, then give the role again; it takes effect when a second person "
                        "approves it.")


@transaction.atomic
def person_create(*, actor, organisation, email: str, full_name: str, job_title: str = "",
                  staff_mis_id: str = "") -> User:
    """Add a person and email them an invitation: a link that sets their password and proves their address,
    then leads into two-factor set-up. The email says nothing about the organisation's cases."""
    role = require_permission(actor, Permission.PERSON_MANAGE, action="person.create",
                              organisation_id=organisation.pk)
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone with this email address already has an account."})
    person = User(email=email, full_name=full_name.strip(), job_title=job_title.strip(),
                  staff_mis_id=staff_mis_id.strip(), organisation=organisation)
    person.set_unusable_password()
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="person.create", obj=person, role=role)
    send_invitation.enqueue(person.pk)
    return person


@transaction.atomic
def person_update(*, actor, person: User, **fields) -> User:
    role = require_permission(actor, Permission.PERSON_MANAGE, action="person.update",
                              organisation_id=person.organisation_id, obj=person)
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=person.pk).exists():
            raise ValidationError({"email": "Someone else already has an account with this email address."})
        if fields["email"] != person.email and email_change_refused(person):
            raise ValidationError({"email": EMAIL_OF_CASE_READER})
    if fields.get("is_active") is False and person.pk == actor.pk:
        raise ValidationError({"is_active": "You cannot switch off your own account."})
    changed = sorted(name for name, value in fields.items() if getattr(person, name) != value)
    switched_off = "is_active" in changed and fields["is_active"] is False
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean(exclude=["session_generation"])
    person.save()
    audit_record(actor=actor, action="person.update", obj=person, role=role, detail={"fields": changed})
    if switched_off:
        # Every session of theirs ends now, and none comes back if the account is switched on again.
        end_sessions_and_tokens(actor=actor, person=person, reason="account switched off")
    if "email" in changed:
        email_changed(actor=actor, person=person)
    return person


def email_change_refused(person: User) -> bool:
    """An administrator alone may not change the address of someone who reads case content (EMAIL_OF_CASE_READER)."""
    return selectors.reads_case_content(person)


def end_sessions_and_tokens(*, actor, person: User, reason: str) -> None:
    """Every session of the person's ends (their session hash changes) and every API token of theirs is revoked."""
    User.objects.filter(pk=person.pk).update(session_generation=F("session_generation") + 1)
    person.refresh_from_db(fields=["session_generation"])
    _revoke_tokens(actor=actor, user=person, reason=reason)


def email_changed(*, actor, person: User) -> None:
    """After a new address: the old one proves nothing and gets no password link, the new one is proved by the
    next emailed link, and whoever was signed in (or held a token) signs in afresh. Runs in the change's
    transaction."""
    EmailAddress.objects.filter(user=person).delete()
    audit_record(actor=actor, action="account.email.changed", obj=person)
    end_sessions_and_tokens(actor=actor, person=person, reason="email address changed")


@transaction.atomic
def person_invite(*, actor, person: User) -> None:
    """Email the invitation again (it went astray, or its link ran out): the same email as when the person was
    added. Someone who has set a password already uses "Forgotten your password?" instead."""
    role = require_permission(actor, Permission.PERSON_MANAGE, action="person.invite",
                              organisation_id=person.organisation_id, obj=person)
    if not person.is_active:
        raise ValidationError("This account is switched off: switch it on before sending an invitation.")
    if person.has_usable_password():
        raise ValidationError(f"{person.full_name} has already set a password. If they have forgotten it, they can "
                              "use “Forgotten your password?” on the sign-in page.")
    audit_record(actor=actor, action="person.invite", obj=person, role=role)
    send_invitation.enqueue(person.pk)


@transaction.atomic
def person_unlock(*, actor, person: User) -> None:
    """Let someone who mistyped their password too often try again straight away."""
    role = require_permission(actor, Permission.PERSON_MANAGE, action="person.unlock",
                              organisation_id=person.organisation_id, obj=person)
    axes_reset(username=person.email)
    WrongCode.objects.filter(user=person).delete()
    audit_record(actor=actor, action="person.unlock", obj=person, role=role)


@transaction.atomic
def api_token_create(*, actor, name: str, mfa_passed: bool) -> tuple[PersonalApiToken, str]:
    """Make a personal API token. Returns the token and its secret, which is never shown again."""
    if not mfa_passed:
        raise NotVisible("api_token.create", "personalapitoken")
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter a name so you can recognise this token later."})
    key = PersonalApiToken.new_key()
    token = PersonalApiToken.objects.create(
        user=actor, name=name[:100], key_hash=PersonalApiToken.hash_key(key), hint=key[:8],
        expires_at=clock.now() + TOKEN_LIFETIME,
    )
    audit_record(actor=actor, action="api_token.create", obj=token)
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: PersonalApiToken) -> None:
    if token.user_id != actor.pk:
        raise NotVisible("api_token.revoke", "personalapitoken", token.pk)
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="api_token.revoke", obj=token)


def _revoke_tokens(*, actor, user: User, reason: str) -> int:
    tokens = list(selectors.api_tokens_of(user))
    PersonalApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=clock.now())
    for token in tokens:
        audit_record(actor=actor, action="api_token.revoke", obj=token, detail={"reason": reason})
    return len(tokens)


@transaction.atomic
def api_tokens_revoke_all(*, actor, reason: str) -> int:
    """Revoke every API token of the actor's own: their password or second factor changed, so a token made
    before may be in the wrong hands."""
    return _revoke_tokens(actor=actor, user=actor, reason=reason)


@transaction.atomic
def second_factor_removed(*, actor: User, authenticator: Authenticator) -> None:
    """The person took a second factor off their account: audited, and every API token of theirs revoked,
    since one made before may be in the wrong hands."""
    audit_record(actor=actor, action="account.mfa.removed", object_type="authenticator",
                 object_id=authenticator.pk, detail={"type": authenticator.type})
    _revoke_tokens(actor=actor, user=actor, reason="second factor removed")


@transaction.atomic
def email_address_verify(*, actor: User) -> None:
    """The person opened a link sent to their address, so it is theirs: two-factor set-up needs this."""
    already = EmailAddress.objects.filter(user=actor, email__iexact=actor.email, verified=True, primary=True).exists()
    EmailAddress.objects.filter(user=actor).exclude(email__iexact=actor.email).update(primary=False)
    EmailAddress.objects.update_or_create(user=actor, email=actor.email, defaults={"verified": True, "primary": True})
    if not already:
        audit_record(actor=actor, action="account.email.verified", obj=actor)


@dataclass(frozen=True)
class CodeCheck:
    authenticator: Authenticator | None = None
    locked: bool = False
    wrong_codes: int = 0
    # A right code already used (each code works once): the app's code for a moment already used, or a
    # recovery code used before. The kind of authenticator, so the person is told what to do instead of
    # that they typed it wrong; None for a wrong code.
    already_used: str | None = None


def totp_step_of(secret: str, code: str) -> int | None:
    """Which 30-second step, within the tolerance, this code belongs to; None for a wrong code."""
    return next((s for s in yield_hotp_counters_from_time()
                 if compare_user_code(actual=code, expected=format_hotp_value(hotp_value(secret, s)))), None)


def totp_remember_step(*, authenticator: Authenticator, step: int) -> None:
    """The code typed to set the app up is used too: it must not sign anyone in afterwards."""
    TotpLastStep.objects.update_or_create(authenticator=authenticator, defaults={"step": step})


def _totp_takes_step(authenticator: Authenticator, step: int) -> bool:
    """The step is later than any this authenticator accepted: it is taken, so its code never works again."""
    last, created = TotpLastStep.objects.get_or_create(authenticator=authenticator, defaults={"step": step})
    # Compare-and-set: of two requests with one code, in any worker, only one moves the step on.
    return created or TotpLastStep.objects.filter(pk=last.pk, step__lt=step).update(step=step) == 1


@transaction.atomic
def second_factor_code_check(*, user: User, code: str) -> CodeCheck:
    """Check a code typed as a second factor, one at a time per person.

    A wrong code is recorded and audited; after SAFEKEEP_CODE_FAILURES within the lockout time no code is taken,
    not even the right one, until the time passes or an administrator unlocks the person.
    """
    User.objects.select_for_update().filter(pk=user.pk).exists()
    if selectors.code_entry_locked(user):
        audit_record(actor=user, action="account.mfa.code_refused", outcome=AuditEvent.Outcome.DENIED,
                     object_type="user", object_id=user.pk, detail={"locked": True})
        return CodeCheck(locked=True, wrong_codes=selectors.recent_wrong_codes(user))
    already_used = None
    for authenticator in Authenticator.objects.filter(user=user).exclude(type=Authenticator.Type.WEBAUTHN):
        if authenticator.type == Authenticator.Type.TOTP:
            step = totp_step_of(decrypt(authenticator.data["secret"]), code)
            accepted = step is not None and _totp_takes_step(authenticator, step)
            right_but_used = step is not None and not accepted
        else:
            codes = authenticator.wrap()
            accepted = codes.validate_code(code)
            right_but_used = not accepted and code in codes.generate_codes()
        if right_but_used:
            already_used = authenticator.type
        if accepted:
            WrongCode.objects.filter(user=user).delete()
            return CodeCheck(authenticator=authenticator)
    # A used code is refused and counted like a wrong one: replaying a code seen over a shoulder is an attack.
    WrongCode.objects.create(user=user, at=clock.now())
    wrong = selectors.recent_wrong_codes(user)
    locked = wrong >= settings.SAFEKEEP_CODE_FAILURES
    # A sign-in (or re-authentication) refused at the second factor.
    audit_record(actor=user, action="account.mfa.code_refused", outcome=AuditEvent.Outcome.DENIED,
                 object_type="user", object_id=user.pk,
                 detail={"wrong_codes": wrong, "locked": locked, "already_used": already_used is not None})
    return CodeCheck(locked=locked, wrong_codes=wrong, already_used=already_used)
