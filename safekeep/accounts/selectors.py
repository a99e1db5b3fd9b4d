from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Prefetch

from safekeep.core import clock

from safekeep.authz.access import get_visible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import ROLES, Permission, Role
from safekeep.authz.scope import scope_for

from .models import PersonalApiToken, User, WrongCode


def people_managed_by(actor):
    organisations = scope_for(actor).organisations_with(Permission.PERSON_MANAGE)
    if not organisations:
        return User.objects.none()
    return User.objects.filter(organisation_id__in=organisations)


def access_person(actor, user_id, *, action="person.view") -> User:
    # Roles in force and roles given but waiting for a second person's approval (shown as such).
    current = RoleMembership.objects.filter(ended_at__isnull=True).select_related("establishment", "region",
                                                                                  "organisation")
    people = people_managed_by(actor).prefetch_related(
        Prefetch("memberships", queryset=current, to_attr="current_memberships"))
    return get_visible(people, user_id, action)


def api_tokens_of(user):
    return PersonalApiToken.objects.filter(user=user, revoked_at__isnull=True)


def access_own_token(user, token_id) -> PersonalApiToken:
    return get_visible(api_tokens_of(user), token_id, "api_token.revoke")


def recent_wrong_codes(person: User) -> int:
    """Wrong second-factor codes for this person within the lockout time, since the last right one."""
    return WrongCode.objects.filter(user=person, at__gt=clock.now() - settings.AXES_COOLOFF_TIME).count()


def code_entry_locked(person: User) -> bool:
    return recent_wrong_codes(person) >= settings.SAFEKEEP_CODE_FAILURES


def person_is_locked_out(person: User) -> bool:
    """True while too many wrong passwords (from some address: django-axes) or wrong codes keep this person out."""
    return code_entry_locked(person) or AccessAttempt.objects.filter(
        username=person.email, failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()


def reads_case_content(person: User) -> bool:
    """Holds, or has been given and awaits approval of, a role that reads children's records or allegations."""
    roles = RoleMembership.objects.filter(user=person, ended_at__isnull=True).values_list("role", flat=True)
    return any(ROLES[Role(role)].reads_case_content for role in roles)
