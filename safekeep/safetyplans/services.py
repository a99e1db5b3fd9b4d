"""Every write about safety plans, decisions and sanctions (DESIGN.md section 4: one write path).

Each service checks the actor may read the child's record at the establishment, validates with
plain-English messages per field, and writes the change, its chronology entry and its audit event in
one transaction. A plan's review date joins the action list as an action owned by the DSL; recording a
review (a new version, or "reviewed, no change") completes it and sets the next one.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, require_permission
from safekeep.authz.roles import Permission, Role
from safekeep.children.selectors import require_child_at
from safekeep.chronology.services import chronology_add
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from safekeep.packs.selectors import packs_for

from .models import (
    DECIDED_ROLES,
    PlanDecision,
    PlanRole,
    Sanction,
    SafetyPlan,
    SafetyPlanReview,
    SafetyPlanVersion,
    SanctionWithdrawal,
)

LONDON = ZoneInfo("Europe/London")
# A review more than a year away is a typing mistake (plans are reviewed, CoC 11; DESIGN.md section 2).
LONGEST_REVIEW_DAYS = 366
MAX_TEXT = 5000
# The sections of a version, in the order the form shows them.
SECTIONS = ("situations_to_avoid", "check_ins_who", "check_ins_how_often", "reporting", "mental_health",
            "wellbeing_support", "coping_strategies", "reach_out", "long_term_support", "timetable_changes",
            "location_changes", "transport_changes")
# What every plan must say: how the child keeps away from harm, who checks in and how often, how they report.
REQUIRED_SECTIONS = {
    "situations_to_avoid": "Say which situations, places, groups or people the child will avoid.",
    "check_ins_who": "Say who the child checks in with.",
    "check_ins_how_often": "Say how often they check in.",
    "reporting": "Say how the child reports a worry.",
}


def _today() -> date:
    return clock.today()


def _permitted(actor, establishment, action, obj=None) -> str:
    return require_permission(actor, Permission.CHILD_VIEW, action=action, establishment_id=establishment.pk,
                              obj=obj)


def _concern_checked(actor, concern, child, establishment, action, errors):
    """A linked concern must be one the actor may see, raised at this establishment, naming the child."""
    if concern is None:
        return
    if not concerns_visible_to(actor).filter(pk=concern.pk).exists():
        raise NotVisible(action, "concern", concern.pk, establishment.pk)
    if concern.establishment_id != establishment.pk or not concern.children_involved.filter(child=child).exists():
        errors["concern"] = "Choose a concern about this child, recorded at this establishment."


def _text(value) -> str:
    return (value or "").strip()


def _review_date_errors(review_due, errors, field="review_due") -> None:
    if not isinstance(review_due, date):
        errors[field] = "Enter the date the plan will be reviewed, for example 27 3 2026."
    elif review_due <= _today():
        errors[field] = "The review date must be in the future."
    elif (review_due - _today()).days > LONGEST_REVIEW_DAYS:
        errors[field] = "The review date must be within a year: review the plan at least once a year."


def _content(values: dict, errors: dict) -> dict:
    """The version's fields from what was typed, checked. values holds SECTIONS, support_chosen (names),
    agreed_with_child, agreed_with_parents, agreed_with_others, agreed_on, review_due."""
    content = {name: _text(values.get(name)) for name in SECTIONS}
    for name, message in REQUIRED_SECTIONS.items():
        if not content[name]:
            errors[name] = message
    for name, text in content.items():
        if len(text) > MAX_TEXT:
            errors[name] = f"Keep this to {MAX_TEXT:,} characters or fewer."
    support = [_text(name) for name in values.get("support_chosen") or () if _text(name)]
    content["support_chosen"] = "\n".join(dict.fromkeys(name[:300] for name in support))
    content["agreed_with_child"] = bool(values.get("agreed_with_child"))
    content["agreed_with_parents"] = bool(values.get("agreed_with_parents"))
    content["agreed_with_others"] = _text(values.get("agreed_with_others"))[:1000]
    if not (content["agreed_with_child"] or content["agreed_with_parents"] or content["agreed_with_others"]):
        errors["agreed_with"] = "Say who the plan was agreed with: the child, their parents or carers, or others."
    agreed_on = values.get("agreed_on")
    if not isinstance(agreed_on, date):
        errors["agreed_on"] = "Enter the date the plan was agreed, for example 27 3 2026."
    elif agreed_on > _today():
        errors["agreed_on"] = "The date it was agreed cannot be in the future."
    content["agreed_on"] = agreed_on
    _review_date_errors(values.get("review_due"), errors)
    content["review_due"] = values.get("review_due")
    return content


def support_offered(establishment) -> list[str]:
    """Names a plan may choose from: the adopted policies' support services (CoC Appendix 2) and the
    establishment's local contacts."""
    names = [str(service.get("name", "")) for pack in packs_for(establishment) for service in pack.support_services]
    names += [contact.name for contact in establishment.local_contacts.all()]
    return list(dict.fromkeys(name for name in names if name))


def _support_errors(establishment, values, errors) -> None:
    chosen = [_text(name) for name in values.get("support_chosen") or () if _text(name)]
    if chosen and not set(chosen) <= set(support_offered(establishment)):
        errors["support_chosen"] = "Choose services and contacts from the list."


def _review_due_at(review_due: date) -> datetime:
    """The review action is due at 9 in the morning, London time, on the review date."""
    return datetime.combine(review_due, time(9, 0), tzinfo=LONDON)


def _review_action(actor, plan: SafetyPlan, review_due: date):
    return actions.action_add(actor=actor, establishment=plan.establishment, child=plan.child,
                              what=f"Review the safety plan ({plan.get_role_display().lower()})",
                              owner_role=Role.DSL.value, due_at=_review_due_at(review_due),
                              concern_id=plan.concern_id)


def _complete_review_action(actor, plan: SafetyPlan, note: str) -> None:
    if plan.review_action_id is None:
        return
    action = Action.objects.get(pk=plan.review_action_id)
    if action.is_open:
        actions.action_complete(actor=actor, action=action, note=note)


def _one_open_plan_error(establishment, child, role, errors) -> None:
    if SafetyPlan.objects.filter(establishment=establishment, child=child, role=role,
                                 status=SafetyPlan.Status.OPEN).exists():
        errors["role"] = "This child already has a safety plan in place in this role: revise that plan instead."


def latest_decision(child, establishment, concern=None):
    decisions = PlanDecision.objects.filter(child=child, establishment=establishment)
    if concern is not None:
        decisions = decisions.filter(concern=concern)
    return decisions.order_by("-decided_at", "-id").first()


@transaction.atomic
def safety_plan_create(*, actor, establishment, child, role: str, values: dict, concern=None) -> SafetyPlan:
    """A first version of a plan for one child in one role (CoC 11.1, Appendix 3), with its review action."""
    audit_role = _permitted(actor, establishment, "plan.create")
    require_child_at(actor, child, establishment, "plan.create")
    errors = {}
    _concern_checked(actor, concern, child, establishment, "plan.create", errors)
    if role not in PlanRole.values:
        errors["role"] = "Choose the child's part in what happened."
    else:
        _one_open_plan_error(establishment, child, role, errors)
        if role in DECIDED_ROLES:
            decision = latest_decision(child, establishment, concern)
            if decision is None or decision.decision != PlanDecision.Decision.NEEDED:
                errors["role"] = ("For a witness or bystander, first record your decision that a plan is needed "
                                  "(CoC 11.4).")
    content = _content(values, errors)
    _support_errors(establishment, values, errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            plan = SafetyPlan.objects.create(establishment=establishment, child=child, concern=concern, role=role,
                                             created_by=actor, review_due=content["review_due"])
    except IntegrityError:
        raise ValidationError({"role": "This child already has a safety plan in place in this role: revise that "
                                       "plan instead."}) from None
    version = SafetyPlanVersion.objects.create(plan=plan, number=1, created_by=actor, **content)
    plan.review_action = _review_action(actor, plan, version.review_due)
    plan.save(update_fields=["review_action"])
    actions.actions_met_by(actor=actor, record=plan, event="safety_plan", child=child, concern_id=plan.concern_id)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="plan.created", obj=plan,
                   summary=f"Safety plan put in place by {actor.full_name} ({plan.get_role_display().lower()}). "
                           f"Agreed {version.agreed_on:%-d %B %Y}; review by {version.review_due:%-d %B %Y}.")
    audit_record(actor=actor, action="plan.create", obj=plan, role=audit_role, establishment_id=establishment.pk,
                 detail={"child": child.pk, "version": 1})
    return plan


def _locked_open(plan: SafetyPlan) -> SafetyPlan:
    plan = SafetyPlan.objects.select_for_update().select_related("establishment", "child").get(pk=plan.pk)
    if not plan.is_open:
        raise ValidationError("This safety plan is closed: start a new plan if the child needs one.")
    return plan


def _next_review(actor, plan: SafetyPlan, review_due: date, note: str) -> None:
    """Complete the open review action and set the next one."""
    _complete_review_action(actor, plan, note)
    plan.review_due = review_due
    plan.review_action = _review_action(actor, plan, review_due)
    plan.save(update_fields=["review_due", "review_action"])


@transaction.atomic
def safety_plan_revise(*, actor, plan: SafetyPlan, values: dict, reason: str) -> SafetyPlanVersion:
    """A revision is a new version with who, when and why; the earlier versions stay as they were.
    It counts as a review: the open review action is completed and the next one set."""
    audit_role = _permitted(actor, plan.establishment, "plan.revise", plan)
    require_child_at(actor, plan.child, plan.establishment, "plan.revise")
    plan = _locked_open(plan)
    errors = {}
    if not _text(reason):
        errors["reason"] = "Say why the plan is being revised."
    content = _content(values, errors)
    _support_errors(plan.establishment, values, errors)
    if errors:
        raise ValidationError(errors)
    previous = plan.versions.order_by("-number").first()
    version = SafetyPlanVersion.objects.create(plan=plan, number=previous.number + 1, created_by=actor,
                                               reason=_text(reason)[:MAX_TEXT], **content)
    SafetyPlanReview.objects.create(plan=plan, version=version, reviewed_by=actor,
                                    outcome=SafetyPlanReview.Outcome.REVISED, note=version.reason,
                                    next_review_due=version.review_due)
    _next_review(actor, plan, version.review_due, f"Safety plan revised (version {version.number}).")
    chronology_add(actor=actor, child=plan.child, establishment=plan.establishment, kind="plan.revised", obj=plan,
                   summary=f"Safety plan revised by {actor.full_name} (version {version.number}): {version.reason} "
                           f"Next review by {version.review_due:%-d %B %Y}.")
    audit_record(actor=actor, action="plan.revise", obj=plan, role=audit_role,
                 establishment_id=plan.establishment_id, detail={"child": plan.child_id, "version": version.number})
    return version


@transaction.atomic
def safety_plan_review(*, actor, plan: SafetyPlan, note: str, next_review_due) -> SafetyPlanReview:
    """Reviewed, no change: the note says what was considered; the next review is set."""
    audit_role = _permitted(actor, plan.establishment, "plan.review", plan)
    require_child_at(actor, plan.child, plan.establishment, "plan.review")
    plan = _locked_open(plan)
    errors = {}
    if not _text(note):
        errors["note"] = "Say what the review considered and why the plan stays as it is."
    elif len(_text(note)) > MAX_TEXT:
        errors["note"] = f"Keep this to {MAX_TEXT:,} characters or fewer."
    _review_date_errors(next_review_due, errors, "next_review_due")
    if errors:
        raise ValidationError(errors)
    current = plan.versions.order_by("-number").first()
    review = SafetyPlanReview.objects.create(plan=plan, version=current, reviewed_by=actor,
                                             outcome=SafetyPlanReview.Outcome.NO_CHANGE, note=_text(note),
                                             next_review_due=next_review_due)
    _next_review(actor, plan, next_review_due, "Safety plan reviewed: no change.")
    chronology_add(actor=actor, child=plan.child, establishment=plan.establishment, kind="plan.reviewed", obj=plan,
                   summary=f"Safety plan reviewed by {actor.full_name}, no change: {review.note} "
                           f"Next review by {next_review_due:%-d %B %Y}.")
    audit_record(actor=actor, action="plan.review", obj=plan, role=audit_role,
                 establishment_id=plan.establishment_id, detail={"child": plan.child_id})
    return review


@transaction.atomic
def safety_plan_close(*, actor, plan: SafetyPlan, reason: str) -> SafetyPlan:
    """Closing a plan, with a reason, completes its open review action."""
    audit_role = _permitted(actor, plan.establishment, "plan.close", plan)
    require_child_at(actor, plan.child, plan.establishment, "plan.close")
    plan = _locked_open(plan)
    if not _text(reason):
        raise ValidationError({"reason": "Say why the plan is no longer needed."})
    _complete_review_action(actor, plan, "Safety plan closed.")
    plan.status, plan.closed_at, plan.closed_by = SafetyPlan.Status.CLOSED, clock.now(), actor
    plan.close_reason, plan.review_due = _text(reason)[:MAX_TEXT], None
    plan.save(update_fields=["status", "closed_at", "closed_by", "close_reason", "review_due"])
    chronology_add(actor=actor, child=plan.child, establishment=plan.establishment, kind="plan.closed", obj=plan,
                   summary=f"Safety plan closed by {actor.full_name}: {plan.close_reason}")
    audit_record(actor=actor, action="plan.close", obj=plan, role=audit_role,
                 establishment_id=plan.establishment_id, detail={"child": plan.child_id})
    return plan


@transaction.atomic
def plan_decision_record(*, actor, establishment, child, role: str, decision: str, reason: str,
                         concern=None) -> PlanDecision:
    """The DSL's decision, with a reason, whether a child without a plan needs one (CoC 11.2, 11.4)."""
    audit_role = _permitted(actor, establishment, "plan.decision")
    require_child_at(actor, child, establishment, "plan.decision")
    errors = {}
    _concern_checked(actor, concern, child, establishment, "plan.decision", errors)
    if role not in PlanRole.values:
        errors["role"] = "Choose the child's part in what happened."
    if decision not in PlanDecision.Decision.values:
        errors["decision"] = "Choose whether a safety plan is needed."
    if not _text(reason):
        errors["reason"] = "Say why: what you considered about the risk to this child."
    elif len(_text(reason)) > MAX_TEXT:
        errors["reason"] = f"Keep this to {MAX_TEXT:,} characters or fewer."
    if errors:
        raise ValidationError(errors)
    row = PlanDecision.objects.create(establishment=establishment, child=child, concern=concern, role=role,
                                      decision=decision, reason=_text(reason), decided_by=actor)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="plan.decision", obj=row,
                   summary=f"Decision by {actor.full_name} ({row.get_role_display().lower()}): "
                           f"{row.get_decision_display().lower()}. {row.reason}")
    audit_record(actor=actor, action="plan.decision", obj=row, role=audit_role, establishment_id=establishment.pk,
                 detail={"child": child.pk, "decision": decision})
    return row


def is_child_on_child(concern) -> bool:
    """A concern where any child's categories (or their latest triage's) carry a child-on-child tag in the
    establishment's adopted packs."""
    tagged = {c.code for pack in packs_for(concern.establishment) for c in pack.categories
              if "child_on_child" in c.tags}
    for involved in concern.children_involved.all():
        latest = involved.triages.all()[:1]
        codes = set(latest[0].categories if latest else involved.categories) | set(involved.categories)
        if codes & tagged:
            return True
    return False


@transaction.atomic
def sanction_record(*, actor, establishment, child, concern, kind: str, what: str, why: str,
                    safeguarding_considerations: str, decided_on, last_resort_reason: str = "",
                    police_or_childrens_services: bool = False, partnership_note: str = "") -> Sanction:
    """A sanction for a child in a child-on-child case (CoC 13): the child's welfare considered (13.3),
    exclusion only as a last resort with the reason (13.6), partnership with police or children's
    services when they are involved (13.1)."""
    audit_role = _permitted(actor, establishment, "sanction.record")
    require_child_at(actor, child, establishment, "sanction.record")
    errors = {}
    if concern is None:
        errors["concern"] = "Choose the child-on-child concern the sanction follows."
    else:
        _concern_checked(actor, concern, child, establishment, "sanction.record", errors)
        if "concern" not in errors and not is_child_on_child(concern):
            errors["concern"] = "Sanctions are recorded here for child-on-child cases only."
    if kind not in Sanction.Kind.values:
        errors["kind"] = "Choose what the sanction is."
    for name, value, message in (
            ("what", what, "Say what the sanction is: what the child will do or lose, and for how long."),
            ("why", why, "Say why this sanction was chosen."),
            ("safeguarding_considerations", safeguarding_considerations,
             "Say how the child's welfare and safety were considered, and the reasons behind the behaviour "
             "(CoC 13.3).")):
        if not _text(value):
            errors[name] = message
        elif len(_text(value)) > MAX_TEXT:
            errors[name] = f"Keep this to {MAX_TEXT:,} characters or fewer."
    if kind in Sanction.EXCLUSIONS and not _text(last_resort_reason):
        errors["last_resort_reason"] = ("Say why other options were not enough: exclusion is a last resort, only "
                                        "where other pupils' safety and wellbeing are at risk (CoC 13.6).")
    if police_or_childrens_services and not _text(partnership_note):
        errors["partnership_note"] = "Say how the decision was agreed with the police or children's services (CoC 13.1)."
    if not isinstance(decided_on, date):
        errors["decided_on"] = "Enter the date of the decision, for example 27 3 2026."
    elif decided_on > _today():
        errors["decided_on"] = "The date of the decision cannot be in the future."
    if errors:
        raise ValidationError(errors)
    sanction = Sanction.objects.create(
        establishment=establishment, child=child, concern=concern, kind=kind, what=_text(what), why=_text(why),
        safeguarding_considerations=_text(safeguarding_considerations),
        last_resort_reason=_text(last_resort_reason) if kind in Sanction.EXCLUSIONS else "",
        police_or_childrens_services=bool(police_or_childrens_services),
        partnership_note=_text(partnership_note) if police_or_childrens_services else "", decided_on=decided_on,
        recorded_by=actor)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="sanction.recorded", obj=sanction,
                   key_event=sanction.is_exclusion,
                   summary=f"Sanction recorded by {actor.full_name}: {sanction.get_kind_display().lower()}. "
                           f"{sanction.what} Why: {sanction.why}")
    audit_record(actor=actor, action="sanction.record", obj=sanction, role=audit_role,
                 establishment_id=establishment.pk, detail={"child": child.pk, "kind": kind})
    return sanction


@transaction.atomic
def sanction_withdraw(*, actor, sanction: Sanction, reason: str) -> SanctionWithdrawal:
    """A sanction is never edited: withdrawing it is a new record, with the reason."""
    audit_role = _permitted(actor, sanction.establishment, "sanction.withdraw", sanction)
    require_child_at(actor, sanction.child, sanction.establishment, "sanction.withdraw")
    if SanctionWithdrawal.objects.filter(sanction=sanction).exists():
        raise ValidationError({"reason": "This sanction has already been withdrawn."})
    if not _text(reason):
        raise ValidationError({"reason": "Say why the sanction is withdrawn."})
    try:
        with transaction.atomic():
            withdrawal = SanctionWithdrawal.objects.create(sanction=sanction, reason=_text(reason)[:MAX_TEXT],
                                                           withdrawn_by=actor)
    except IntegrityError:
        raise ValidationError({"reason": "This sanction has already been withdrawn."}) from None
    chronology_add(actor=actor, child=sanction.child, establishment=sanction.establishment,
                   kind="sanction.withdrawn", obj=sanction,
                   summary=f"Sanction withdrawn by {actor.full_name} ({sanction.get_kind_display().lower()}): "
                           f"{withdrawal.reason}")
    audit_record(actor=actor, action="sanction.withdraw", obj=sanction, role=audit_role,
                 establishment_id=sanction.establishment_id, detail={"child": sanction.child_id})
    return withdrawal
