"""What a person may reach: for each permission, the set of establishments where they hold it.

Built once per request from their current role memberships (two queries), then every
selector and access check asks it. Someone with no membership reaches nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from safekeep.establishments.models import Establishment

from .models import RoleMembership
from .roles import ROLES, Permission, Role, Scope


@dataclass
class ActorScope:
    roles: set[Role] = field(default_factory=set)
    # permission -> establishment id -> the first role that grants it there (for the audit row)
    grants: dict[Permission, dict[int, Role]] = field(default_factory=lambda: defaultdict(dict))
    organisation_ids: set[int] = field(default_factory=set)
    # Organisation-level permissions that need no establishment (e.g. managing people).
    organisation_grants: dict[Permission, dict[int, Role]] = field(default_factory=lambda: defaultdict(dict))
    # role -> the establishments where the person holds it (directly, or through a region or organisation)
    places: dict[Role, set[int]] = field(default_factory=lambda: defaultdict(set))
    # Where each current role is held, as the header names them ("Manor Field School"), read with the roles.
    places_named: list[str] = field(default_factory=list)

    def establishment_ids(self, permission: Permission) -> set[int]:
        return set(self.grants.get(permission, {}))

    def role_at(self, permission: Permission, establishment_id: int | None) -> Role | None:
        return self.grants.get(permission, {}).get(establishment_id)

    def has(self, permission: Permission) -> bool:
        return bool(self.grants.get(permission)) or bool(self.organisation_grants.get(permission))

    def organisations_with(self, permission: Permission) -> set[int]:
        return set(self.organisation_grants.get(permission, {}))

    def role_for(self, permission: Permission) -> Role | None:
        """Any one role that grants the permission, preferring an organisation-wide one (for audit rows)."""
        granted = [*self.organisation_grants.get(permission, {}).values(), *self.grants.get(permission, {}).values()]
        return granted[0] if granted else None


EMPTY = ActorScope()


def scope_for(user) -> ActorScope:
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY
    cached = getattr(user, "_safekeep_scope", None)
    if cached is not None:
        return cached
    scope = _build(user)
    user._safekeep_scope = scope
    return scope


def forget_scope(user) -> None:
    """Call after changing someone's roles within the same request."""
    user.__dict__.pop("_safekeep_scope", None)


def _build(user) -> ActorScope:
    scope = ActorScope()
    # With the places' names: every page's header shows them, and one read serves both (issue 12).
    memberships = list(RoleMembership.objects.current().filter(user=user)
                       .select_related("establishment", "region", "organisation").order_by("id"))
    if not memberships:
        return scope
    scope.places_named = sorted({m.where for m in memberships})
    regions = {m.region_id for m in memberships if m.scope == Scope.REGION}
    organisations = {m.organisation_id for m in memberships if m.scope == Scope.ORGANISATION}
    by_region, by_organisation = defaultdict(set), defaultdict(set)
    if regions or organisations:
        for est_id, region_id, org_id in Establishment.objects.filter(
            Q(region_id__in=regions) | Q(organisation_id__in=organisations)
        ).values_list("id", "region_id", "organisation_id"):
            by_region[region_id].add(est_id)
            by_organisation[org_id].add(est_id)
    for membership in memberships:
        role = Role(membership.role)
        scope.roles.add(role)
        scope.organisation_ids.add(membership.organisation_id)
        if membership.scope == Scope.ESTABLISHMENT:
            reach = {membership.establishment_id}
        elif membership.scope == Scope.REGION:
            reach = by_region[membership.region_id]
        else:
            reach = by_organisation[membership.organisation_id]
        scope.places[role] |= reach
        for permission in ROLES[role].permissions:
            for est_id in reach:
                scope.grants[permission].setdefault(est_id, role)
            if membership.scope == Scope.ORGANISATION:
                scope.organisation_grants[permission].setdefault(membership.organisation_id, role)
    return scope
