"""Recording the exploitation risk review of a governance or SLT meeting (CE 10.6): the review, the report as
it stood, and the actions agreed (through the actions service), in one transaction with its audit event."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.services import action_for_review
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission, Role
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON

from .models import ExploitationReview

MAX_TEXT = 20_000
# An action agreed for a date is due at the end of that working day, UK time (as a meeting's are).
DUE_TIME = time(17, 0)
# Who a review's action may be for: the roles who work actions at an establishment and above it. A governor
# reads only the report, so their own tasks are the meeting's to follow up, not Safekeep actions.
REVIEW_OWNERS = (Role.DSL.value, Role.HEAD.value, Role.REGIONAL_DIRECTOR.value, Role.GROUP_HEAD.value)


def _text_errors(errors, **texts):
    for name, (value, missing) in texts.items():
        if not (value or "").strip():
            errors[name] = missing
        elif len(value) > MAX_TEXT:
            errors[name] = f"Keep this under {MAX_TEXT:,} characters."


@transaction.atomic
def review_record(*, actor, organisation, establishment=None, meeting: str, held_on: date, reviewed_by: str,
                  discussion: str, decisions: str, report: dict, actions: list[dict]) -> ExploitationReview:
    """actions: [{"what", "owner_role", "due_on", "establishment"}] (the establishment the action is at: the
    review's own, or for a trust review one of the trust's). establishment None: the trust's review."""
    if establishment is not None:
        role = require_permission(actor, Permission.GOVERNANCE_REVIEW_RECORD, action="governance.review.create",
                                  establishment_id=establishment.pk)
    else:
        role = require_permission(actor, Permission.GOVERNANCE_REVIEW_RECORD, action="governance.review.create",
                                  organisation_id=organisation.pk)
    errors = {}
    if meeting not in ExploitationReview.Meeting.values:
        errors["meeting"] = "Choose the kind of meeting."
    if not isinstance(held_on, date):
        errors["held_on"] = "Enter the date of the meeting."
    elif held_on > clock.today():
        errors["held_on"] = "The meeting's date must be today or earlier."
    _text_errors(errors, reviewed_by=(reviewed_by, "Say who reviewed the report."),
                 discussion=(discussion, "Record what the meeting discussed."),
                 decisions=(decisions, "Record what the meeting decided (write “No decisions” if none were made)."))
    for index, agreed in enumerate(actions):
        place = agreed.get("establishment") or establishment
        if not (agreed.get("what") or "").strip():
            errors[f"actions-{index}-what"] = "Say what must be done."
        if agreed.get("owner_role") not in REVIEW_OWNERS:
            errors[f"actions-{index}-owner_role"] = "Choose who must do it."
        due = agreed.get("due_on")
        if not isinstance(due, date):
            errors[f"actions-{index}-due_on"] = "Enter the date it must be done by."
        elif datetime.combine(due, DUE_TIME, tzinfo=LONDON) <= clock.now():
            errors[f"actions-{index}-due_on"] = "The date it must be done by must be today (before 5pm) or later."
        if place is None or place.organisation_id != organisation.pk or (
                establishment is not None and place.pk != establishment.pk):
            errors[f"actions-{index}-establishment"] = "Choose the establishment the action is for."
    if errors:
        raise ValidationError(errors)
    review = ExploitationReview.objects.create(
        organisation=organisation, establishment=establishment, meeting=meeting, held_on=held_on,
        reviewed_by=reviewed_by.strip(), discussion=discussion.strip(), decisions=decisions.strip(), report=report,
        recorded_by=actor)
    agreed_actions = [action_for_review(actor=actor, establishment=agreed.get("establishment") or establishment,
                                        what=agreed["what"], owner_role=agreed["owner_role"],
                                        due_at=datetime.combine(agreed["due_on"], DUE_TIME, tzinfo=LONDON))
                      for agreed in actions]
    review.actions.set(agreed_actions)
    audit_record(actor=actor, action="governance.review.create", obj=review, role=role,
                 establishment_id=getattr(establishment, "pk", None),
                 detail={"organisation": organisation.pk, "meeting": meeting, "actions": len(agreed_actions)})
    return review
