"""Every change to people and their API tokens: permission checked and audited in one transaction."""

from datetime import timedelta

from axes.utils import reset as axes_reset
from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, require_permission
from safekeep.authz.roles import Permission
from safekeep.core import clock

from .models import PersonalApiToken, User

TOKEN_LIFETIME = timedelta(days=90)
PERSON_FIELDS = ("full_name", "email", "job_title", "staff_mis_id", "is_active")


@transaction.atomic
def person_create(*, actor, organisation, email: str, full_name: str, job_title: str = "",
                  staff_mis_id: str = "") -> User:
    """Add a person. They have no password until they use "Forgotten your password?" to set one."""
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
    return person


@transaction.atomic
def person_update(*, actor, person: User, **fields) -> User:
    role = require_permission(actor, Permission.PERSON_MANAGE, action="person.update",
                              organisation_id=person.organisation_id, obj=person)
    if "email" in fields:
        fields["email"] = fields["email"].strip().lower()
        if User.objects.filter(email__iexact=fields["email"]).exclude(pk=person.pk).exists():
            raise ValidationError({"email": "Someone else already has an account with this email address."})
    if fields.get("is_active") is False and person.pk == actor.pk:
        raise ValidationError({"is_active": "You cannot switch off your own account."})
    changed = sorted(name for name, value in fields.items() if getattr(person, name) != value)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    audit_record(actor=actor, action="person.update", obj=person, role=role, detail={"fields": changed})
    return person


@transaction.atomic
def person_unlock(*, actor, person: User) -> None:
    """Let someone who mistyped their password too often try again straight away."""
    role = require_permission(actor, Permission.PERSON_MANAGE, action="person.unlock",
                              organisation_id=person.organisation_id, obj=person)
    axes_reset(username=person.email)
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
