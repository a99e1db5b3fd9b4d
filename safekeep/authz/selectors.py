from django.db.models import IntegerField, Q, Value

from safekeep.accounts.models import User
from safekeep.establishments.models import Establishment

from .models import RoleMembership
from .roles import CASE_CONTENT, ROLES, Permission, Role, Scope
from .scope import scope_for


def _reaching(establishment) -> Q:
    reach = Q(establishment=establishment) | Q(organisation_id=establishment.organisation_id, scope="organisation")
    if establishment.region_id:
        reach |= Q(region_id=establishment.region_id)
    return reach


def people_with_role_at(role: Role | str, establishment):
    """Everyone who currently holds the role for this establishment: there, for its region, or organisation-wide."""
    holders = RoleMembership.objects.current().filter(_reaching(establishment), role=str(role)).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True)


def people_with_roles_at(places_and_roles) -> dict[tuple[int, str], set[int]]:
    """people_with_role_at for many (establishment, role) pairs in one query: {(establishment id, role):
    the holders' user ids}, for a change that tells several roles at once (a concern's steps)."""
    pairs = list(dict.fromkeys((place, str(role)) for place, role in places_and_roles))
    found = {(place.pk, role): set() for place, role in pairs}
    if not pairs:
        return found
    asked = [RoleMembership.objects.current().filter(_reaching(place), role=role, user__is_active=True)
             .annotate(pair=Value(index, output_field=IntegerField())).values_list("pair", "user_id")
             for index, (place, role) in enumerate(pairs)]
    for index, user_id in asked[0].union(*asked[1:], all=True):
        place, role = pairs[index]
        found[(place.pk, role)].add(user_id)
    return found


def people_at(establishment):
    """Everyone who currently holds any role for this establishment, by name."""
    holders = RoleMembership.objects.current().filter(_reaching(establishment)).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "id")


# How far a role reaches, to compare a grant with what its approver holds.
_SCOPE_RANK = {Scope.ESTABLISHMENT: 0, Scope.REGION: 1, Scope.ORGANISATION: 2}


def _reach(membership) -> set[int]:
    """The establishments a membership covers."""
    places = Establishment.objects.filter(organisation_id=membership.organisation_id)
    if membership.scope == Scope.ESTABLISHMENT:
        return {membership.establishment_id}
    if membership.scope == Scope.REGION:
        places = places.filter(region_id=membership.region_id)
    return set(places.values_list("pk", flat=True))


def may_approve(approver, membership) -> bool:
    """A grant that reads case content is approved by a second person: not the person who gave it, not the
    person given it, who already holds every case permission the role gives, for every establishment it
    covers, through a role of the same scope or wider (an organisation-wide role needs an organisation-wide
    approver)."""
    if approver is None or not approver.is_authenticated or not approver.is_active:
        return False
    if approver.pk in (membership.user_id, membership.granted_by_id):
        return False
    if approver.organisation_id != membership.organisation_id:
        return False
    wanted = ROLES[Role(membership.role)].permissions & CASE_CONTENT
    holdings = [m for m in RoleMembership.objects.current().filter(user=approver, organisation_id=membership.organisation_id)
                if ROLES[Role(m.role)].permissions >= wanted
                and _SCOPE_RANK[Scope(m.scope)] >= _SCOPE_RANK[Scope(membership.scope)]]
    if not holdings:
        return False
    reach = _reach(membership)
    return any(reach <= _reach(holding) for holding in holdings)


def approvers_for(membership):
    """Everyone who may approve this grant."""
    wanted = ROLES[Role(membership.role)].permissions & CASE_CONTENT
    roles = [role.value for role, definition in ROLES.items() if definition.permissions >= wanted]
    candidates = User.objects.filter(pk__in=RoleMembership.objects.current().filter(
        organisation_id=membership.organisation_id, role__in=roles).values("user_id"), is_active=True)
    return [person for person in candidates.order_by("id") if may_approve(person, membership)]


def someone_may_approve(membership) -> bool:
    return bool(approvers_for(membership))


def grants_visible_to(actor):
    """The group head sees every grant in the organisation, pending and decided, with who gave and who
    approved it; anyone else who may approve grants sees those waiting for them."""
    scope = scope_for(actor)
    rows = RoleMembership.objects.select_related("user", "granted_by", "approved_by", "ended_by", "establishment",
                                                 "region").order_by("-started_at", "-id")
    overseen = scope.organisations_with(Permission.ALLEGATION_VIEW) & scope.organisations_with(Permission.AUDIT_LOG_VIEW)
    if overseen:
        return rows.filter(organisation_id__in=overseen)
    if not scope.has(Permission.CHILD_VIEW):
        return RoleMembership.objects.none()
    waiting = rows.filter(awaiting_approval=True, ended_at__isnull=True, organisation_id=actor.organisation_id)
    return waiting.filter(pk__in=[m.pk for m in waiting if may_approve(actor, m)])
