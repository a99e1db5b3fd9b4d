from django.db.models import Prefetch

from safekeep.authz.access import get_visible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for

from .models import PersonalApiToken, User


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


def person_is_locked_out(person: User) -> bool:
    """True while too many wrong passwords keep this person out (django-axes)."""
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(username=person.email,
                                        failures_since_start__gte=settings.AXES_FAILURE_LIMIT).exists()
