"""Giving and taking away roles. Ending a role keeps its row, so past access stays explainable.

Nobody gives a role to themselves. A role that reads case content (children's records, allegations)
takes effect only when a second person approves it: someone other than the person who gave it and the
person given it, who already holds that access for the same places or more (ADR 0008). An
administrator ("no case content") therefore cannot read a concern by giving a role to themselves, nor
to an account they made with an address of their choosing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.core import clock

from .access import NotVisible, require_permission
from .models import RoleMembership
from .roles import CASE_CONTENT, ROLES, Permission, Role, Scope
from .scope import forget_scope, scope_for
from .selectors import may_approve, someone_may_approve

SELF_GRANT = "Nobody may give a role to themselves: ask another administrator."


def role_grant(*, actor, person, role: Role, establishment=None, region=None, organisation=None) -> RoleMembership:
    """Give a role. One that reads case content waits for a second person's approval (role_grant_decide)."""
    organisation = organisation or (establishment or region).organisation
    if actor is not None and actor.pk == person.pk:
        # Refused and audited in its own transaction: the attempt is kept although nothing else is written.
        with transaction.atomic():
            audit_record(actor=actor, action="role.grant.self", obj=person, outcome="denied",
                         establishment_id=getattr(establishment, "pk", None), detail={"role": str(role)})
        raise ValidationError(SELF_GRANT)
    return _grant(actor=actor, person=person, role=role, establishment=establishment, region=region,
                  organisation=organisation)


@transaction.atomic
def _grant(*, actor, person, role, establishment, region, organisation) -> RoleMembership:
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
    open_rows = RoleMembership.objects.filter(user=person, role=role, establishment=establishment, region=region,
                                              organisation=organisation, ended_at__isnull=True)
    if open_rows.filter(awaiting_approval=True).exists():
        raise ValidationError(f"{person} has already been given this role there: it is waiting for approval.")
    if open_rows.exists():
        raise ValidationError(f"{person} already has this role there.")
    pending = ROLES[Role(role)].reads_case_content
    membership = RoleMembership.objects.create(user=person, role=role, scope=scope, organisation=organisation,
                                               region=region, establishment=establishment, granted_by=actor,
                                               awaiting_approval=pending)
    audit_record(actor=actor, action="role.grant", obj=person, role=actor_role,
                 establishment_id=getattr(establishment, "pk", None),
                 detail={"role": str(role), "scope": str(scope), "membership": membership.pk,
                         "awaiting_approval": pending})
    forget_scope(person)
    return membership


@transaction.atomic
def role_grant_decide(*, actor, membership: RoleMembership, approve: bool) -> RoleMembership:
    """A second person approves (the role takes effect) or refuses (it never does) a role that reads case
    content. actor=None is the platform operator, from a command, for an organisation's first such role,
    when nobody in it could approve."""
    membership = RoleMembership.objects.select_for_update().filter(pk=membership.pk).first()
    if membership is None or not membership.awaiting_approval or membership.ended_at is not None:
        raise NotVisible("role.grant.approve", "rolemembership", getattr(membership, "pk", ""))
    if actor is None:
        if someone_may_approve(membership):
            raise ValidationError("Someone in the organisation can approve this: ask them.")
        role = "platform operator"
    else:
        if not may_approve(actor, membership):
            raise NotVisible("role.grant.approve", "rolemembership", membership.pk, membership.establishment_id)
        role = _approving_role(actor, membership)
    now = clock.now()
    if approve:
        membership.awaiting_approval, membership.approved_by, membership.approved_at = False, actor, now
        membership.save(update_fields=["awaiting_approval", "approved_by", "approved_at"])
    else:
        membership.ended_at, membership.ended_by = now, actor
        membership.save(update_fields=["ended_at", "ended_by"])
    audit_record(actor=actor, action="role.grant.approve" if approve else "role.grant.refuse", obj=membership.user,
                 role=role, establishment_id=membership.establishment_id,
                 detail={"role": membership.role, "membership": membership.pk,
                         "granted_by": membership.granted_by_id})
    forget_scope(membership.user)
    return membership


def _approving_role(actor, membership) -> str:
    scope = scope_for(actor)
    wanted = sorted(ROLES[Role(membership.role)].permissions & CASE_CONTENT)
    return str(scope.role_for(wanted[0]) or "") if wanted else ""


@transaction.atomic
def role_end(*, actor, membership: RoleMembership) -> None:
    actor_role = require_permission(actor, Permission.ROLE_MANAGE, action="role.end",
                                    organisation_id=membership.organisation_id, obj=membership.user)
    if membership.ended_at is None:
        membership.ended_at, membership.ended_by = clock.now(), actor
        membership.save(update_fields=["ended_at", "ended_by"])
        audit_record(actor=actor, action="role.end", obj=membership.user, role=actor_role,
                     establishment_id=membership.establishment_id,
                     detail={"role": membership.role, "membership": membership.pk})
    forget_scope(membership.user)
