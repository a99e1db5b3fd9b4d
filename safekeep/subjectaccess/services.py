"""Every change to subject access requests: permission checked, then the change, its chronology entry and its
audit event in one transaction (house rule 4).

A request is answered within the calendar months the adopted packs give (`subject_access:`, one month in the
statutory baseline), counted from the day it was received the ICO's way (policy/months.py), and is an action
with that due date for its owner (the data protection officer). Extending it once, for a complex request or
many from one person, moves the action's due date and keeps the reason told to the requester (UK GDPR Art.
12(3)). What the answer withholds is decided once, item by item, each withheld item with its exemption; that
decision finishes the answer, so it completes the request's action in the same transaction."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.services import action_due_move, action_for_request, action_met
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, can, require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import require_child_at
from safekeep.chronology.services import chronology_add
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON
from safekeep.policy.months import add_months

from .models import Exemption, RedactionDecision, SubjectAccessRequest
from .selectors import subject_access_rules

ANSWER = "subject-access-answer"


def _end_of(day: date) -> datetime:
    """An answer due on a day may be sent until that day ends, in UK time."""
    return datetime.combine(day, time(23, 59), tzinfo=LONDON)


@transaction.atomic
def request_record(*, actor, establishment, child, requester_name: str, relationship: str, received_how: str,
                   received_on: date | None) -> SubjectAccessRequest:
    """Someone has asked for the child's records: who, how it reached us and when. Sets the answer's due date."""
    role = require_permission(actor, Permission.SUBJECT_ACCESS_MANAGE, action="subjectaccess.create",
                              establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "subjectaccess.create", Permission.SUBJECT_ACCESS_MANAGE)
    rules = subject_access_rules(establishment)
    errors = {}
    if not (requester_name or "").strip():
        errors["requester_name"] = "Say who asked for the records."
    if relationship not in SubjectAccessRequest.Relationship.values:
        errors["relationship"] = "Say who they are to the child."
    if received_how not in SubjectAccessRequest.ReceivedHow.values:
        errors["received_how"] = "Say how the request reached you."
    if received_on is None:
        errors["received_on"] = "Say the date the request was received."
    elif received_on > clock.today():
        errors["received_on"] = "The date the request was received cannot be in the future."
    if rules is None:
        errors[None] = "The adopted policies say nothing about subject access: adopt the statutory baseline."
    if errors:
        raise ValidationError(errors)
    due_on = add_months(received_on, rules.respond_within_months)
    # The action names its source as briefly as other steps do ("UK GDPR Article 12(3)"), not the pack's gloss.
    action = action_for_request(actor=actor, establishment=establishment, child=child, what=rules.what,
                                owner_role=rules.owner, due_at=_end_of(due_on), source=rules.source.split(" (")[0],
                                code=ANSWER)
    request = SubjectAccessRequest.objects.create(
        establishment=establishment, child=child, requester_name=requester_name.strip()[:200],
        relationship=relationship, received_how=received_how, received_on=received_on, due_on=due_on, action=action,
        recorded_by=actor)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="subject_access.received", obj=request,
                   summary=f"Subject access request received on {received_on:%-d %B %Y} "
                           f"({request.get_relationship_display().lower()}); due by {due_on:%-d %B %Y}.")
    audit_record(actor=actor, action="subjectaccess.create", obj=request, role=role,
                 establishment_id=establishment.pk, detail={"child": child.pk, "due_on": due_on.isoformat()})
    return request


def _locked(request: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().select_related("establishment", "child", "action").get(
        pk=request.pk)


@transaction.atomic
def request_extend(*, actor, request: SubjectAccessRequest, reason: str) -> SubjectAccessRequest:
    """A complex request, or many from one person: the further months the packs allow, once, decided within the
    first month, with the reason the requester is told."""
    role = require_permission(actor, Permission.SUBJECT_ACCESS_MANAGE, action="subjectaccess.extend",
                              establishment_id=request.establishment_id, obj=request)
    request = _locked(request)
    rules = subject_access_rules(request.establishment)
    if request.is_extended:
        raise ValidationError("This request has already been extended: it can be extended only once.")
    if request.is_decided:
        raise ValidationError("The answer has already been prepared: there is nothing to extend.")
    if clock.today() > request.due_on:
        raise ValidationError({"reason": "The first month has passed: an extension must be told to the requester "
                                         "within one month of receiving the request."})
    if not (reason or "").strip():
        raise ValidationError({"reason": "Give the reason for the extension: it is told to the requester."})
    if rules is None:
        raise ValidationError("The adopted policies say nothing about subject access: adopt the statutory baseline.")
    due_on = add_months(request.received_on, rules.respond_within_months + rules.extend_by_months)
    request.due_on, request.extension_reason = due_on, reason.strip()
    request.extended_by, request.extended_at = actor, clock.now()
    request.save(update_fields=["due_on", "extension_reason", "extended_by", "extended_at"])
    action_due_move(actor=actor, action=request.action, due_at=_end_of(due_on), reason=request.extension_reason)
    chronology_add(actor=actor, child=request.child, establishment=request.establishment,
                   kind="subject_access.extended", obj=request,
                   summary=f"Subject access request extended: now due by {due_on:%-d %B %Y}.")
    audit_record(actor=actor, action="subjectaccess.extend", obj=request, role=role,
                 establishment_id=request.establishment_id, detail={"due_on": due_on.isoformat()})
    return request


@dataclass(frozen=True)
class Decision:
    """A person's answer to one proposed redaction."""
    item: str
    kind: str
    description: str
    withheld: bool
    exemption: str = ""


@transaction.atomic
def request_decide(*, actor, request: SubjectAccessRequest, decisions: list[Decision]) -> SubjectAccessRequest:
    """What the answer withholds, decided once for every proposed redaction: kept, or withheld with its
    exemption. Only someone who reads the child's records decides (they have read what is withheld)."""
    role = require_permission(actor, Permission.SUBJECT_ACCESS_MANAGE, action="subjectaccess.decide",
                              establishment_id=request.establishment_id, obj=request)
    if not can(actor, Permission.CHILD_VIEW, request):
        raise NotVisible("subjectaccess.decide", "subjectaccessrequest", request.pk, request.establishment_id)
    request = _locked(request)
    if request.is_decided:
        raise ValidationError("What this answer withholds has already been decided, and is kept as it was.")
    errors = [f"Choose the exemption for “{d.description}”." for d in decisions
              if d.withheld and d.exemption not in Exemption.values]
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    RedactionDecision.objects.bulk_create([
        RedactionDecision(request=request, item=d.item, kind=d.kind, description=d.description, withheld=d.withheld,
                          exemption=d.exemption if d.withheld else "", decided_by=actor, decided_at=now)
        for d in decisions])
    request.decided_by, request.decided_at = actor, now
    request.save(update_fields=["decided_by", "decided_at"])
    # The answer is ready to send: its action is done (unless someone already closed it by hand).
    if request.action.is_open:
        action_met(actor=actor, action=request.action, event="subject_access.answered", record=request)
    withheld = [d for d in decisions if d.withheld]
    chronology_add(actor=actor, child=request.child, establishment=request.establishment,
                   kind="subject_access.decided", obj=request,
                   summary=f"Subject access answer prepared: {len(withheld)} of {len(decisions)} proposed "
                           "redactions withheld.")
    audit_record(actor=actor, action="subjectaccess.decide", obj=request, role=role,
                 establishment_id=request.establishment_id,
                 detail={"proposed": len(decisions),
                         "withheld": {code: sum(d.exemption == code for d in withheld) for code in
                                      sorted({d.exemption for d in withheld})}})
    return request
