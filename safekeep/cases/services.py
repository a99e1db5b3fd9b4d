"""Closing and reopening a child's case (issue 5, part 8). A closed case keeps its chronology; closing is
refused while actions for the child are still open there, so nothing required is left behind."""

from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import require_child_at
from safekeep.chronology.services import chronology_add
from safekeep.concerns.selectors import allegations_hidden_from
from safekeep.core import clock

from .models import Case, CaseStatusChange, Leaving


@transaction.atomic
def case_close(*, actor, child, establishment, reason: str) -> CaseStatusChange:
    return _change(actor, child, establishment, CaseStatusChange.Status.CLOSED, reason)


@transaction.atomic
def case_reopen(*, actor, child, establishment, reason: str) -> CaseStatusChange:
    return _change(actor, child, establishment, CaseStatusChange.Status.OPEN, reason)


def _change(actor, child, establishment, status, reason):
    action = "case.close" if status == CaseStatusChange.Status.CLOSED else "case.reopen"
    role = require_permission(actor, Permission.CHILD_VIEW, action=action, establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, action)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = ("Say why the case is being closed." if action == "case.close"
                            else "Say why the case is being opened again.")
    # Locked, and one row per child and establishment: two people closing the same case at once record one
    # closing, not two.
    case = Case.objects.select_for_update().filter(child=child, establishment=establishment).first()
    current = case.status if case else CaseStatusChange.Status.OPEN
    if current == status:
        errors["status"] = f"The case is already {CaseStatusChange.Status(status).label.lower()}."
    if status == CaseStatusChange.Status.CLOSED:
        # An allegation's steps follow their own route, and the reader may not even know of them.
        still_open = Action.objects.filter(child=child, establishment=establishment, status=Action.Status.OPEN
                                           ).exclude(concern_id__in=allegations_hidden_from(actor)).count()
        if still_open:
            errors["status"] = (f"{still_open} action{'s are' if still_open > 1 else ' is'} still open for this "
                                "child here: complete or cancel them first.")
    if errors:
        raise ValidationError(errors)
    change = CaseStatusChange.objects.create(child=child, establishment=establishment, status=status,
                                             reason=reason.strip(), changed_by=actor)
    if case is None:
        Case.objects.create(child=child, establishment=establishment, status=status, changed_at=change.changed_at)
    else:
        case.status, case.changed_at = status, change.changed_at
        case.save(update_fields=["status", "changed_at"])
    verb = "closed" if status == CaseStatusChange.Status.CLOSED else "opened again"
    chronology_add(actor=actor, child=child, establishment=establishment, kind=action,
                   obj=change, key_event=True, summary=f"Case {verb} by {actor.full_name}: {change.reason}")
    audit_record(actor=actor, action=action, obj=change, role=role, establishment_id=establishment.pk)
    return change


@transaction.atomic
def child_leaving_record(*, actor, child, establishment, destination: str, leaves_on) -> Leaving:
    """The child is leaving for another school or college: the adopted policies' "child leaving" steps
    start (send the child protection file within 5 school days of leaving, then confirm it arrived)."""
    role = require_permission(actor, Permission.CHILD_VIEW, action="case.leaving", establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "case.leaving")
    errors = {}
    if not (destination or "").strip():
        errors["destination"] = "Name the school or college the child is going to (or say it is not known yet)."
    today = clock.today()
    if leaves_on is None or abs((leaves_on - today).days) > 366:
        errors["leaves_on"] = "Give the date the child leaves, within a year of today."
    if errors:
        raise ValidationError(errors)
    leaving = Leaving.objects.create(child=child, establishment=establishment, destination=destination.strip()[:200],
                                     leaves_on=leaves_on, recorded_by=actor)
    # The file's clock starts when the child leaves: at the end of that day, or now if that has passed.
    starts = max(clock.now(), timezone.make_aware(datetime.combine(leaves_on, time(17, 0))))
    required = actions.actions_require(actor=actor, establishment=establishment, child=child, categories=[],
                                       flags={"child_leaving"}, event="child_leaving", started=starts)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="case.leaving", obj=leaving,
                   key_event=True, summary=f"Leaving on {leaves_on:%-d %B %Y} for {leaving.destination}. "
                                           f"{len(required)} step{'s' if len(required) != 1 else ''} for the "
                                           "child protection file.")
    audit_record(actor=actor, action="case.leaving", obj=leaving, role=role, establishment_id=establishment.pk)
    return leaving
