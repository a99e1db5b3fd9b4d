"""Recording the exploitation risk review of a governance or SLT meeting (CE 10.6): the review, the report as
it stood, and the actions agreed (through the actions service), in one transaction with its audit event. And
the annual review of the child-on-child abuse policy (CoC 1.4, 5.5, 14.2-14.3): opened, answered, heard through
anonymous questionnaires, given its action plan, and closed when the revised policy is adopted."""

import secrets
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from safekeep.actions.models import Action
from safekeep.actions.services import action_for_review
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission, Role
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON

from . import selectors
from .models import ExploitationReview, PolicyReview, PolicyReviewAnswer, VoiceAnswer, VoiceLink

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


# --- the annual policy review (CoC 1.4, 5.5, 14.2-14.3) ----------------------------------------------------

LEAD = Permission.POLICY_REVIEW_LEAD
MAX_ANSWER = 10_000
MAX_SUMMARY = 2_000
PLAN_CODE = "policy-review-plan"
# The items of the plan are for the head and the safeguarding lead, who review the policy (CoC 1.4, 14.3).
PLAN_OWNERS = (Role.DSL.value, Role.HEAD.value)


class VoiceClosed(Exception):
    """The questionnaire takes no more answers: its lead closed it, it has all it may take, or its review ended."""


def _lead(actor, review_or_establishment, action: str) -> str:
    establishment = getattr(review_or_establishment, "establishment", review_or_establishment)
    return require_permission(actor, LEAD, action=action, establishment_id=establishment.pk)


def _still_open(review: PolicyReview):
    if review.closed_at is not None:
        raise ValidationError("This review is closed: the revised policy has been adopted.")


def _rules(review: PolicyReview):
    pack, _ = selectors.reviewed_pack(review.establishment)
    if pack is None:
        raise ValidationError("The policies adopted here no longer have an annual review.")
    return pack.policy_review


@transaction.atomic
def policy_review_open(*, actor, establishment) -> PolicyReview:
    """The head or the DSL opens the annual review as the policy's review date nears (CoC 1.4): from the pack's
    window before the date, and after it while it is overdue. The figures beside the questions are kept as
    they stand today."""
    role = _lead(actor, establishment, "governance.policy_review.open")
    packs = selectors.packs_for(establishment)
    pack, version = selectors.reviewed_pack(establishment)
    if pack is None:
        raise ValidationError("No policy adopted here has an annual review.")
    first_day = selectors.opens_on(pack)
    if clock.today() < first_day:
        raise ValidationError(f"The review of the {pack.title} can be opened from {first_day:%-d %B %Y}, "
                              f"{pack.policy_review.open_before_days} days before its review date "
                              f"({pack.review_due:%-d %B %Y}).")
    if selectors.open_policy_review(establishment, pack.pack) is not None:
        raise ValidationError("A review of this policy is already open here.")
    review = PolicyReview.objects.create(
        organisation=establishment.organisation, establishment=establishment, pack=pack.pack,
        reviewed_version=version, evidence=selectors.policy_review_evidence(actor, establishment, packs),
        opened_by=actor, opened_at=clock.now())
    audit_record(actor=actor, action="governance.policy_review.open", obj=review, role=role,
                 establishment_id=establishment.pk, detail={"pack": pack.pack, "version": version.version})
    return review


@transaction.atomic
def policy_review_answer(*, actor, review: PolicyReview, answers: dict[str, str], summary: str) -> PolicyReview:
    """Write the answers to the review questions (CoC 14.2; an empty answer is removed) and the summary of what
    the review decided, which the governors and the policy page read."""
    role = _lead(actor, review, "governance.policy_review.answer")
    _still_open(review)
    known = {q.code for q in _rules(review).questions}
    errors = {}
    for code, text in answers.items():
        if code not in known:
            errors["__all__"] = "Answer the questions of the policy reviewed."
        elif len(text or "") > MAX_ANSWER:
            errors[code] = f"Keep this answer under {MAX_ANSWER:,} characters."
    if len(summary or "") > MAX_SUMMARY:
        errors["summary"] = f"Keep the summary under {MAX_SUMMARY:,} characters: the plan holds the detail."
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    for code, text in answers.items():
        if (text or "").strip():
            PolicyReviewAnswer.objects.update_or_create(review=review, question=code, defaults={
                "text": text.strip(), "written_by": actor, "written_at": now})
        else:
            PolicyReviewAnswer.objects.filter(review=review, question=code).delete()
    review.summary = (summary or "").strip()
    review.save(update_fields=["summary"])
    audit_record(actor=actor, action="governance.policy_review.answer", obj=review, role=role,
                 establishment_id=review.establishment_id,
                 detail={"answered": sum(bool((t or "").strip()) for t in answers.values())})
    return review


@transaction.atomic
def voice_link_create(*, actor, review: PolicyReview, audience: str) -> VoiceLink:
    """A questionnaire link for pupils, parents or staff (CoC 1.4, 5.5): its address is its only key."""
    role = _lead(actor, review, "governance.voice.create")
    _still_open(review)
    if _rules(review).questionnaire(audience) is None:
        raise ValidationError({"audience": "Choose who the questionnaire is for."})
    link = VoiceLink.objects.create(review=review, audience=audience, token=secrets.token_urlsafe(32),
                                    created_by=actor, created_at=clock.now())
    audit_record(actor=actor, action="governance.voice.create", obj=link, role=role,
                 establishment_id=review.establishment_id, detail={"audience": audience})
    return link


@transaction.atomic
def voice_link_close(*, actor, link: VoiceLink) -> VoiceLink:
    role = _lead(actor, link.review, "governance.voice.close")
    if link.closed_at is None:
        link.closed_at = clock.now()
        link.save(update_fields=["closed_at"])
    audit_record(actor=actor, action="governance.voice.close", obj=link, role=role,
                 establishment_id=link.review.establishment_id, detail={"answers": link.answers})
    return link


def voice_questionnaire(link: VoiceLink):
    """The questions this link asks, from the pack; None when it takes no more answers."""
    if link.closed_at is not None or link.review.closed_at is not None:
        return None
    rules = _rules(link.review)
    if link.answers >= rules.answers_per_link:
        return None
    return rules.questionnaire(link.audience)


@transaction.atomic
def voice_answer_record(*, link: VoiceLink, choices: dict[str, str]) -> None:
    """One anonymous answer: no actor, no address, no time; each choice its own row. The count is claimed with
    a conditional update, so two answers at once cannot take a link past the pack's cap."""
    questionnaire = voice_questionnaire(link)
    if questionnaire is None:
        raise VoiceClosed
    asked = {q.code: q.options for q in questionnaire.questions}
    chosen = {code: option for code, option in choices.items() if option}
    if not chosen:
        raise ValidationError("Choose an answer to at least one question.")
    if any(code not in asked or option not in asked[code] for code, option in chosen.items()):
        raise ValidationError("Choose from the answers given.")
    cap = _rules(link.review).answers_per_link
    claimed = VoiceLink.objects.filter(pk=link.pk, closed_at__isnull=True, answers__lt=cap).update(
        answers=F("answers") + 1)
    if not claimed:
        raise VoiceClosed
    VoiceAnswer.objects.bulk_create([VoiceAnswer(link=link, question=code, option=option)
                                     for code, option in chosen.items()])
    audit_record(actor=None, action="governance.voice.answer", obj=link, establishment_id=link.review.establishment_id)


@transaction.atomic
def policy_review_action_add(*, actor, review: PolicyReview, what: str, owner_role: str, due_on) -> Action:
    """An item of the child-on-child abuse action plan (CoC 14.3): a real Action about no child (ADR 0012)."""
    role = _lead(actor, review, "governance.policy_review.action")
    _still_open(review)
    errors = {}
    if not (what or "").strip():
        errors["what"] = "Say what must be done."
    if owner_role not in PLAN_OWNERS:
        errors["owner_role"] = "Choose who must do it."
    if not isinstance(due_on, date):
        errors["due_on"] = "Enter the date it must be done by."
    elif datetime.combine(due_on, DUE_TIME, tzinfo=LONDON) <= clock.now():
        errors["due_on"] = "The date it must be done by must be today (before 5pm) or later."
    if errors:
        raise ValidationError(errors)
    action = action_for_review(actor=actor, establishment=review.establishment, what=what, owner_role=owner_role,
                               due_at=datetime.combine(due_on, DUE_TIME, tzinfo=LONDON), source="CoC 14.3",
                               code=PLAN_CODE)
    review.actions.add(action)
    audit_record(actor=actor, action="governance.policy_review.action", obj=review, role=role,
                 establishment_id=review.establishment_id, detail={"action": action.pk})
    return action


def policy_reviews_close_on_adoption(*, adoption, actor, role="") -> list[PolicyReview]:
    """Adopting a revision of the reviewed pack ends the review (CoC 1.4): for the establishment it was adopted
    for, or for every establishment of the organisation. Runs inside the adoption's transaction."""
    reviews = PolicyReview.objects.filter(organisation_id=adoption.organisation_id,
                                          pack=adoption.pack_version.pack, closed_at__isnull=True)
    if adoption.establishment_id is not None:
        reviews = reviews.filter(establishment_id=adoption.establishment_id)
    closed = []
    for review in reviews.select_for_update():
        review.closed_at = clock.now()
        review.closed_by_version = adoption.pack_version
        review.save(update_fields=["closed_at", "closed_by_version"])
        VoiceLink.objects.filter(review=review, closed_at__isnull=True).update(closed_at=review.closed_at)
        audit_record(actor=actor, action="governance.policy_review.close", obj=review, role=role,
                     establishment_id=review.establishment_id, detail={"version": adoption.pack_version.version})
        closed.append(review)
    return closed
