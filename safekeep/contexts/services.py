"""Assessing a context and keeping its plan. Each service checks permission, writes the change and its audit event
in one transaction (house rule 1). A context is not a child: nothing here writes a child's chronology, and the
plan's actions are about no child (ADR 0012), each with an owner and a due date, on the action list."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.models import Action
from safekeep.actions.services import action_complete, action_for_review
from safekeep.audit.services import audit_record
from safekeep.authz.access import can, require_permission
from safekeep.authz.roles import Permission, Role
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON

from .models import (ContextAnswer, ContextAssessment, ContextMeeting, ContextPlanAction, ContextReferral,
                     ContextReview)
from .selectors import context_rules

ASSESS = Permission.CONTEXTS_ASSESS
# An action is due by the end of the working day of its date, as a governance review's are.
DUE_TIME = time(17, 0)
# Who may own a plan's action: people at the establishment who act on a context (the team and the head).
PLAN_OWNERS = (Role.DSL.value, Role.DEPUTY_DSL.value, Role.HEAD.value)
PLAN_ACTION_CODE = "context-plan"
MAX_ANSWER = 5000
# Who reviews a plan: the safeguarding lead, climbing the ladder if it is late.
REVIEWER = Role.DSL.value


def _review_action(actor, assessment, due_on: date, source: str) -> Action:
    """The plan's next review on the action list. It names the place (a place's name is not personal) but never a
    peer group's name, which is the team's own words and encrypted."""
    about = assessment.location.name if assessment.location_id else "a peer group"
    return action_for_review(actor=actor, establishment=assessment.establishment,
                             what=f"Review the context plan for {about}", owner_role=REVIEWER,
                             due_at=datetime.combine(due_on, DUE_TIME, tzinfo=LONDON), source=source[:200],
                             code=PLAN_ACTION_CODE)


def _today() -> date:
    return clock.now().astimezone(LONDON).date()


def _rules(establishment):
    rules, version = context_rules(establishment)
    if rules is None:
        raise ValidationError("The policies this establishment follows give no context assessment: adopt the "
                              "child-on-child abuse pack.")
    return rules, version


def _text(errors, key, value, message, limit=MAX_ANSWER) -> str:
    value = (value or "").strip()
    if not value:
        errors[key] = message
    elif len(value) > limit:
        errors[key] = f"Keep it to {limit:,} characters."
    return value


@transaction.atomic
def context_assess(*, actor, establishment, answers: dict, summary: str, location=None,
                   peer_group=None) -> ContextAssessment:
    """Assess a place or an online space (a Location of the establishment) or a saved peer group with the triangle
    the pack gives for it (CoC 2.4-2.5, 2.5(e)-(f); CE 5.1-5.2). answers: side code -> the team's answer. The plan's
    first review falls the pack's review_every_days later."""
    role = require_permission(actor, ASSESS, action="context.assess", establishment_id=establishment.pk)
    if (location is None) == (peer_group is None):
        raise ValidationError({"subject": "Choose one place, online space or peer group to assess."})
    if location is not None:
        if location.establishment_id != establishment.pk or location.retired:
            raise ValidationError({"subject": "Choose a place on this establishment's list."})
        kind = location.kind
    else:
        if peer_group.establishment_id != establishment.pk or not can(actor, Permission.PEER_GROUPS_VIEW, peer_group):
            raise ValidationError({"subject": "Choose a peer group saved at this establishment."})
        kind = ContextAssessment.Kind.PEER_GROUP.value
    rules, version = _rules(establishment)
    triangle = rules.triangle(kind)
    errors = {}
    given = {side.code: _text(errors, f"side_{side.code}", answers.get(side.code),
                              f"Answer this side of the triangle: {side.question}") for side in triangle.sides}
    summary = _text(errors, "summary", summary, "Say what most needs to change in this context.")
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    assessment = ContextAssessment.objects.create(
        establishment=establishment, kind=kind, location=location, peer_group=peer_group, triangle=triangle.code,
        pack_version=version, summary=summary, assessed_by=actor, assessed_at=now,
        review_due_on=_today() + timedelta(days=rules.review_every_days))
    ContextAnswer.objects.bulk_create([ContextAnswer(assessment=assessment, side=side.code,
                                                     question=side.question[:300], answer=given[side.code])
                                       for side in triangle.sides])
    assessment.review_action = _review_action(actor, assessment, assessment.review_due_on, rules.review_source)
    assessment.save(update_fields=["review_action"])
    audit_record(actor=actor, action="context.assess", obj=assessment, role=role, establishment_id=establishment.pk,
                 detail={"kind": kind, "triangle": triangle.code, "pack_version": version})
    return assessment


def _open_for_change(actor, assessment, action: str) -> tuple[str, ContextAssessment]:
    role = require_permission(actor, ASSESS, action=action, establishment_id=assessment.establishment_id,
                              obj=assessment)
    assessment = ContextAssessment.objects.select_for_update().get(pk=assessment.pk)
    if not assessment.is_open:
        raise ValidationError("This plan is closed: assess the context again if it needs a new plan.")
    return role, assessment


@transaction.atomic
def context_plan_action_add(*, actor, assessment: ContextAssessment, kind: str, what: str, owner_role: str = "",
                            due_on: date | None = None) -> Action:
    """An action of the context plan, about the context and no child: staff on duty at the place, a changed route, a
    report to the platform, a referral to the local partnership about the place (CoC 2.5, 2.5(h), 7.3). Without a
    date it is due the pack's due_days from today; without an owner, the pack's owner."""
    role, assessment = _open_for_change(actor, assessment, "context.plan.action")
    rules, _version = _rules(assessment.establishment)
    chosen = rules.action_kind(kind or "")
    errors = {}
    if chosen is None:
        errors["kind"] = "Choose what kind of action it is."
    what = _text(errors, "what", what, "Say what must be done about the context.", limit=300)
    owner_role = owner_role or (chosen.owner if chosen else "")
    if owner_role not in PLAN_OWNERS:
        errors["owner_role"] = "Choose who must do it."
    if due_on is None and chosen is not None:
        due_on = _today() + timedelta(days=chosen.due_days)
    if due_on is not None and datetime.combine(due_on, DUE_TIME, tzinfo=LONDON) <= clock.now():
        errors["due_on"] = "The date it must be done by must be today (before 5pm) or later."
    if errors:
        raise ValidationError(errors)
    action = action_for_review(actor=actor, establishment=assessment.establishment, what=what, owner_role=owner_role,
                               due_at=datetime.combine(due_on, DUE_TIME, tzinfo=LONDON), source=chosen.source[:200],
                               code=PLAN_ACTION_CODE)
    ContextPlanAction.objects.create(assessment=assessment, action=action, kind=chosen.code)
    audit_record(actor=actor, action="context.plan.action", obj=assessment, role=role,
                 establishment_id=assessment.establishment_id, detail={"action": action.pk, "kind": chosen.code})
    return action


@transaction.atomic
def context_review_record(*, actor, assessment: ContextAssessment, outcome: str, notes: str) -> ContextReview:
    """A review of the plan (CoC 14.3, 2.5(g)): what changed, and whether it goes on (the next review the pack's
    review_every_days later) or is closed."""
    role, assessment = _open_for_change(actor, assessment, "context.review")
    errors = {}
    if outcome not in ContextReview.Outcome.values:
        errors["outcome"] = "Say whether the plan is changed, kept or closed."
    notes = _text(errors, "notes", notes, "Say what changed in the context since the plan was made or last reviewed.")
    if errors:
        raise ValidationError(errors)
    rules, _version = _rules(assessment.establishment)
    closed = outcome == ContextReview.Outcome.CLOSED
    next_review = None if closed else _today() + timedelta(days=rules.review_every_days)
    review = ContextReview.objects.create(assessment=assessment, outcome=outcome, notes=notes,
                                          next_review_on=next_review, reviewed_by=actor, reviewed_at=clock.now())
    due = assessment.review_action
    if due is not None and due.status == Action.Status.OPEN:
        action_complete(actor=actor, action=due, note=f"Reviewed: {ContextReview.Outcome(outcome).label}.")
    if closed:
        assessment.closed_at = clock.now()
        assessment.save(update_fields=["closed_at"])
    else:
        assessment.review_due_on = next_review
        assessment.review_action = _review_action(actor, assessment, next_review, rules.review_source)
        assessment.save(update_fields=["review_due_on", "review_action"])
    audit_record(actor=actor, action="context.review", obj=assessment, role=role,
                 establishment_id=assessment.establishment_id, detail={"review": review.pk, "outcome": outcome})
    return review


@transaction.atomic
def context_meeting_record(*, actor, assessment: ContextAssessment, held_on: date | None, attendees: str,
                           notes: str) -> ContextMeeting:
    """A meeting about the context, not a child (CoC 2.5, 2.5(h), 7.3): with the local partnership, the police, a
    transport company or the platform. It may be recorded after the plan is closed, as meetings happen late."""
    role = require_permission(actor, ASSESS, action="context.meeting", establishment_id=assessment.establishment_id,
                              obj=assessment)
    errors = {}
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting."
    elif held_on > _today():
        errors["held_on"] = "The date of the meeting must be today or in the past."
    attendees = _text(errors, "attendees", attendees, "Say who came, and from which agency.", limit=1000)
    notes = _text(errors, "notes", notes, "Say what the meeting discussed and agreed about the context.")
    if errors:
        raise ValidationError(errors)
    meeting = ContextMeeting.objects.create(assessment=assessment, held_on=held_on, attendees=attendees, notes=notes,
                                            recorded_by=actor, recorded_at=clock.now())
    audit_record(actor=actor, action="context.meeting", obj=assessment, role=role,
                 establishment_id=assessment.establishment_id, detail={"meeting": meeting.pk})
    return meeting


@transaction.atomic
def context_referral_record(*, actor, assessment: ContextAssessment, agency: str, made_on: date | None, reason: str,
                            reference: str = "") -> ContextReferral:
    """A referral about the context, not a child (CoC 2.5(h), 7.3): the place reported to the police or the
    community safety partnership, the platform to its operator. Like a meeting, it may be recorded after the plan
    is closed. A referral about a child is made from the child's case, with its own answer and clock."""
    role = require_permission(actor, ASSESS, action="context.referral", establishment_id=assessment.establishment_id,
                              obj=assessment)
    errors = {}
    if agency not in ContextReferral.Agency.values:
        errors["agency"] = "Choose who the referral was made to."
    if made_on is None:
        errors["made_on"] = "Enter the date the referral was made."
    elif made_on > _today():
        errors["made_on"] = "The date of the referral must be today or in the past."
    reason = _text(errors, "reason", reason, "Say what was referred about the context, and what was asked for.")
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors["reference"] = "Keep the reference to 100 characters."
    if errors:
        raise ValidationError(errors)
    referral = ContextReferral.objects.create(assessment=assessment, agency=agency, made_on=made_on, reason=reason,
                                              reference=reference or None, recorded_by=actor, recorded_at=clock.now())
    audit_record(actor=actor, action="context.referral", obj=assessment, role=role,
                 establishment_id=assessment.establishment_id, detail={"referral": referral.pk, "agency": agency})
    return referral
