"""Giving and taking away roles. Ending a role keeps its row, so past access stays explainable."""

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.core import clock

from .access import require_permission
from .models import RoleMembership
from .roles import ROLES, Permission, Role, Scope
from .scope import forget_scope


@transaction.atomic
def role_grant(*, actor, person, role: Role, establishment=None, region=None, organisation=None) -> RoleMembership:
    organisation = organisation or (establishment or region).organisation
    if person.organisation_id != organisation.pk:
        raise ValidationError("A role can only be given within the person's own organisation.")
    actor_role = require_permission(actor, Permission.ROLE_MANAGE, action="role.grant",
                                    organisation_id=organisation.pk, obj=person)
    scope = Scope.ESTABLISHMENT if establishment else Scope.REGION if region else Scope.ORGANISATION
    if scope not in ROLES[Role(role)].scopes:
        where = {Scope.ESTABLISHMENT: "an establishment", Scope.REGION: "a region",
                 Scope.ORGANISATION: "the whole organisation"}
        allowed = " or ".join(where[s] for s in ROLES[Role(role)].scopes)
        raise ValidationError(f"{Role(role).label} is given for {allowed}.")
    for place in (establishment, region):
        if place is not None and place.organisation_id != organisation.pk:
            raise ValidationError("Choose a place in the person's own organisation.")
    if RoleMembership.objects.current().filter(user=person, role=role, establishment=establishment,
                                               region=region, organisation=organisation).exists():
        raise ValidationError(f"{person} already has this role there.")
    membership = RoleMembership.objects.create(user=person, role=role, scope=scope, organisation=organisation,
                                               region=region, establishment=establishment)
    audit_record(actor=actor, action="role.grant", obj=person, role=actor_role,
                 establishment_id=getattr(establishment, "pk", None),
                 detail={"role": str(role), "scope": str(scope), "membership": membership.pk})
    forget_scope(person)
    return membership


@transaction.atomic
def role_end(*, actor, membership: RoleMembership) -> None:
    actor_role = require_permission(actor, Permission.ROLE_MANAGE, action="role.end",
                                    organisation_id=membership.organisation_id, obj=membership.user)
    if membership.ended_at is None:
        membership.ended_at = clock.now()
        membership.save(update_fields=["ended_at"])
        audit_record(actor=actor, action="role.end", obj=membership.user, role=actor_role,
                     establishment_id=membership.establishment_id,
                     detail={"role": membership.role, "membership": membership.pk})
    forget_scope(membership.user)
