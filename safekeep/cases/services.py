"""Closing and reopening a child's case (issue 5, part 8). A closed case keeps its chronology; closing is
refused while actions for the child are still open there, so nothing required is left behind."""

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_visible_to
from safekeep.chronology.services import chronology_add

from .models import CaseStatusChange
from .selectors import case_status


@transaction.atomic
def case_close(*, actor, child, establishment, reason: str) -> CaseStatusChange:
    return _change(actor, child, establishment, CaseStatusChange.Status.CLOSED, reason)


@transaction.atomic
def case_reopen(*, actor, child, establishment, reason: str) -> CaseStatusChange:
    return _change(actor, child, establishment, CaseStatusChange.Status.OPEN, reason)


def _change(actor, child, establishment, status, reason):
    action = "case.close" if status == CaseStatusChange.Status.CLOSED else "case.reopen"
    role = require_permission(actor, Permission.CHILD_VIEW, action=action, establishment_id=establishment.pk)
    if not children_visible_to(actor).filter(pk=child.pk, enrolments__establishment=establishment).exists():
        raise NotVisible(action, "child", child.pk, establishment.pk)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ("Say why the case is being closed." if action == "case.close"
                            else "Say why the case is being opened again.")
    current = case_status(child, establishment)
    if current == status:
        errors["status"] = f"The case is already {CaseStatusChange.Status(status).label.lower()}."
    if status == CaseStatusChange.Status.CLOSED:
        still_open = Action.objects.filter(child=child, establishment=establishment,
                                           status=Action.Status.OPEN).count()
        if still_open:
            errors["status"] = (f"{still_open} action{'s are' if still_open > 1 else ' is'} still open for this "
                                "child here: complete or cancel them first.")
    if errors:
        raise ValidationError(errors)
    change = CaseStatusChange.objects.create(child=child, establishment=establishment, status=status,
                                             reason=reason.strip(), changed_by=actor)
    verb = "closed" if status == CaseStatusChange.Status.CLOSED else "opened again"
    chronology_add(actor=actor, child=child, establishment=establishment, kind=action,
                   obj=change, key_event=True, summary=f"Case {verb} by {actor.full_name}: {change.reason}")
    audit_record(actor=actor, action=action, obj=change, role=role, establishment_id=establishment.pk)
    return change
