"""Every change to referrals, consultations and NRM trackers: permission checked, then the change, its
chronology entries and audit event in one transaction."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions import services as actions
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, can, require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import require_child_at
from safekeep.chronology.services import chronology_add
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from safekeep.packs.selectors import packs_for
from safekeep.policy.deadlines import Deadline, Unit
from safekeep.policy.engine import ConcernFacts, Taxonomy, required_actions
from safekeep.sharing.services import share_record

from .models import CHASE_STEP, Agency, Consent, Consultation, NrmTracker, Referral, ReferralOutcome

# The LADO deals with allegations about adults: a referral or consultation to them follows the allegation,
# so it takes the allegation's restricted route (ADR 0008) and never reaches the adult it is about.
_LADO_NEEDS_ALLEGATION = ("Choose the allegation about an adult this follows: the LADO deals with allegations, "
                          "and linking it keeps it as restricted as the allegation.")
# A referral runs the rules written for it in the adopted packs (flags_all names this flag), not the
# rules a concern runs: the DSL told when someone else referred (CoC 9.3), consent first (CoC 8.2).
REFERRAL = "referral_planned"
# The step the referral's own consent answer meets (CoC 8.2): where the packs require it, the referral is
# not recorded without that answer, so the step is never left open.
CONSENT_STEP = "discuss-and-record-consent"


def _check_concern(actor, concern, child, action):
    if concern is None:
        return
    if not concerns_visible_to(actor).filter(pk=concern.pk, children_involved__child=child).exists():
        raise NotVisible(action, "concern", concern.pk)


@transaction.atomic
def referral_record(*, actor, establishment, child, agency: str, made_at: datetime, how: str, what_shared: str,
                    consent: str, lawful_basis: str, secure_handling_agreed: bool, concern=None, contact=None,
                    agency_name: str = "", reference: str = "", urgent: bool = False, consent_note: str = "",
                    secure_handling_note: str = "") -> Referral:
    """Record a referral someone made. Anyone who can record a concern can record a referral (CoC 9.3).
    The adopted packs' rules for a referral run (REFERRAL): when it is not the safeguarding team, the DSL is
    told and asked to review it; where the packs require consent first, it is asked for.

    The clock to chase the agency's answer starts now, as long as the packs give that agency; the referral
    goes into the information-sharing register (CoC 12.1) in the same transaction.
    """
    role = require_permission(actor, Permission.CHILD_SEARCH, action="referral.create",
                              establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "referral.create", Permission.CHILD_SEARCH)
    _check_concern(actor, concern, child, "referral.create")
    if contact is not None and contact.establishment_id != establishment.pk:
        raise NotVisible("referral.create", "local_contact", contact.pk, establishment.pk)
    agency_name = (agency_name or (contact.name if contact else "") or "").strip()
    packs = packs_for(establishment)
    flags = {REFERRAL} | ({"immediate_risk"} if urgent else set())
    if not can(actor, Permission.CHILD_VIEW, establishment):
        flags.add("referral_by_non_dsl")
    if concern is not None and concern.about_adult:
        flags.add("about_adult")  # its steps go round the adult the allegation is about (CE 11.7)
    consent_first = [step for step in required_actions(packs, ConcernFacts(
        frozenset(), frozenset(flags), establishment.kind, establishment.nation, clock.now()), event=REFERRAL)
        if step.code == CONSENT_STEP]
    errors = {}
    if agency not in Agency.values:
        errors["agency"] = "Choose who the referral went to."
    elif agency == Agency.LADO and not (concern is not None and concern.about_adult):
        errors["concern"] = _LADO_NEEDS_ALLEGATION
    elif not agency_name and agency != Agency.OTHER:
        agency_name = Agency(agency).label
    if not agency_name:
        errors["agency_name"] = "Say which agency it went to."
    if how not in Referral.How.values:
        errors["how"] = "Say how the referral was made."
    if made_at is None or made_at > clock.now():
        errors["made_at"] = "Say when the referral was made: it cannot be in the future."
    if not (what_shared or "").strip():
        errors["what_shared"] = "Say what was shared with the agency."
    if consent not in Consent.values:
        errors["consent"] = "Say whether consent was discussed with the child and their parents or carers."
    elif consent != Consent.GIVEN and consent_first and not (consent_note or "").strip():
        # The packs' rule (CoC 8.2): discuss a referral with the pupil and parents first, unless it must be
        # made at once.
        errors["consent_note"] = "Say why the referral went ahead without agreement, or why it was not discussed."
    if errors:
        raise ValidationError(errors)
    referral = Referral.objects.create(
        establishment=establishment, child=child, concern=concern, agency=agency, contact=contact,
        agency_name=agency_name[:200], made_by=actor, made_at=made_at, how=how, reference=reference.strip()[:100],
        what_shared=what_shared.strip(), urgent=urgent, consent=consent, consent_note=(consent_note or "").strip())
    concern_id = concern.pk if concern else None
    window = next((w for pack in packs for w in pack.response_windows if w.agency == agency), None)
    if window:
        reference = f" (reference {referral.reference})" if referral.reference else ""
        referral.chase_action = actions.action_follow_up(
            actor=actor, establishment=establishment, child=child, concern_id=concern_id, code=CHASE_STEP,
            what=f"Get the decision of {agency_name} on the referral{reference}; chase if it has not come",
            deadline=window.deadline, source=window.source, started=made_at)
        referral.awaiting_answer = True
        referral.save(update_fields=["chase_action", "awaiting_answer"])
    chronology_add(actor=actor, child=child, establishment=establishment, kind="referral.made", obj=referral,
                   occurred_at=made_at, key_event=True,
                   summary=f"Referral to {agency_name} by {actor.full_name}"
                           f"{f', reference {referral.reference}' if referral.reference else ''}. "
                           f"Consent: {Consent(consent).label.lower()}.")
    _register_share(actor, referral, lawful_basis, secure_handling_agreed, secure_handling_note)
    actions.actions_met_by(actor=actor, record=referral, event=f"referral.{agency}", child=child, concern_id=concern_id)
    actions.actions_require(actor=actor, establishment=establishment, child=child, categories=(), flags=flags,
                            concern_id=concern_id, packs=packs, event=REFERRAL, met_by_record=(CONSENT_STEP,))
    audit_record(actor=actor, action="referral.create", obj=referral, role=role, establishment_id=establishment.pk,
                 detail={"agency": agency, "urgent": urgent})
    return referral


def _register_share(actor, referral: Referral, lawful_basis, secure_handling_agreed, secure_handling_note):
    share_record(actor=actor, establishment=referral.establishment, children=[referral.child],
                 recipient=referral.agency_name, recipient_organisation=Agency(referral.agency).label,
                 what="A referral: " + Referral.How(referral.how).label.lower(),
                 purpose=f"Referral to {Agency(referral.agency).label.lower()}", lawful_basis=lawful_basis,
                 consent={"given": "given", "refused": "refused"}.get(referral.consent, "not_sought"),
                 consent_note=referral.consent_note or ("Urgent referral" if referral.urgent else ""),
                 authorised_by=actor, secure_handling_agreed=secure_handling_agreed,
                 secure_handling_note=secure_handling_note, source_kind="referral", source_id=referral.pk,
                 shared_at=referral.made_at, concern=referral.concern)


@transaction.atomic
def referral_outcome_record(*, actor, referral: Referral, outcome: str, received_at: datetime, response: str,
                            note: str = "", challenge: str = "") -> ReferralOutcome:
    """The agency's answer, and whether the DSL agrees. A challenge (CoC 2.5 h) is kept with its reasons
    and starts its own follow-up; the first real decision stops the chase."""
    role = require_permission(actor, Permission.CHILD_VIEW, action="referral.outcome",
                              establishment_id=referral.establishment_id, obj=referral)
    errors = {}
    if outcome not in ReferralOutcome.Outcome.values:
        errors["outcome"] = "Choose what the agency decided."
    if received_at is None or received_at > clock.now():
        errors["received_at"] = "Say when you heard: it cannot be in the future."
    if response not in ReferralOutcome.Response.values:
        errors["response"] = "Say whether you agree with the decision."
    elif response == ReferralOutcome.Response.CHALLENGE and not (challenge or "").strip():
        errors["challenge"] = "Say why you are challenging the decision, and what you asked for."
    if errors:
        raise ValidationError(errors)
    answer = ReferralOutcome.objects.create(referral=referral, outcome=outcome, received_at=received_at,
                                            response=response, note=(note or "").strip(),
                                            challenge=(challenge or "").strip(), recorded_by=actor)
    label = ReferralOutcome.Outcome(outcome).label
    chase = referral.chase_action
    if chase is not None and chase.status == chase.Status.OPEN and outcome != ReferralOutcome.Outcome.ACKNOWLEDGED:
        actions.action_complete(actor=actor, action=chase, note=f"The agency decided: {label.lower()}.")
    words = f"{referral.agency_name} decided: {label.lower()}."
    if response == ReferralOutcome.Response.CHALLENGE:
        words += f" {actor.full_name} challenged the decision: {answer.challenge}"
        actions.action_follow_up(actor=actor, establishment=referral.establishment, child=referral.child,
                                 concern_id=referral.concern_id, code="referral-challenge", source="CoC 2.5 h",
                                 deadline=Deadline(Unit.WORKING_DAYS, 5),
                                 what=f"Follow up the challenge to the decision of {referral.agency_name} (use the "
                                      "local escalation procedure if it is not resolved)")
    chronology_add(actor=actor, child=referral.child, establishment=referral.establishment,
                   kind="referral.outcome", obj=referral, occurred_at=received_at,
                   key_event=outcome in ("s47", "police", "strategy") or response == "challenge", summary=words)
    audit_record(actor=actor, action="referral.outcome", obj=referral, role=role,
                 establishment_id=referral.establishment_id, detail={"outcome": outcome, "response": response})
    return answer


@transaction.atomic
def consultation_record(*, actor, establishment, child, agency: str, spoke_to: str, held_at: datetime,
                        advice: str, concern=None) -> Consultation:
    """A no-names consultation (CoC 10.4). The child was not named to the agency, so nothing is shared."""
    role = require_permission(actor, Permission.CHILD_VIEW, action="consultation.create",
                              establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "consultation.create")
    _check_concern(actor, concern, child, "consultation.create")
    errors = {}
    if agency not in Consultation.With.values:
        errors["agency"] = "Choose who you consulted."
    elif agency == Consultation.With.LADO and not (concern is not None and concern.about_adult):
        errors["concern"] = _LADO_NEEDS_ALLEGATION
    if not (spoke_to or "").strip():
        errors["spoke_to"] = "Say who you spoke to (their name or role)."
    if held_at is None or held_at > clock.now():
        errors["held_at"] = "Say when you spoke: it cannot be in the future."
    if not (advice or "").strip():
        errors["advice"] = "Write down the advice you were given."
    if errors:
        raise ValidationError(errors)
    consultation = Consultation.objects.create(establishment=establishment, child=child, concern=concern,
                                               agency=agency, spoke_to=spoke_to.strip()[:200], held_at=held_at,
                                               advice=advice.strip(), recorded_by=actor)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="referral.consultation",
                   obj=consultation, occurred_at=held_at,
                   summary=f"No-names consultation with {Consultation.With(agency).label.lower()} "
                           f"({consultation.spoke_to}). Advice: {consultation.advice}")
    audit_record(actor=actor, action="consultation.create", obj=consultation, role=role,
                 establishment_id=establishment.pk)
    return consultation


NRM_WORDS = {"first_responder": "submitted by", "submitted_on": "submitted on", "reference": "reference",
             "reasonable_grounds": "reasonable grounds decision", "reasonable_grounds_on": "reasonable grounds decided on",
             "conclusive_grounds": "conclusive grounds decision", "conclusive_grounds_on": "conclusive grounds decided on",
             "guardian": "independent child trafficking guardian", "guardian_contact": "guardian's contact details"}
NRM_FIELDS = tuple(NRM_WORDS)


def nrm_track(*, actor, establishment, child, concern=None) -> NrmTracker:
    """Open the child's NRM tracker, if they have none open here. Runs inside the caller's transaction
    (a trafficking concern, or the DSL starting one by hand)."""
    existing = NrmTracker.objects.filter(establishment=establishment, child=child).first()
    if existing is not None:
        return existing
    tracker = NrmTracker.objects.create(establishment=establishment, child=child, concern=concern)
    chronology_add(actor=actor, child=child, establishment=establishment, kind="referral.nrm_opened", obj=tracker,
                   summary="NRM tracker opened: the local authority (or police) refers the child to the National "
                           "Referral Mechanism as first responder (CE 6.5).")
    audit_record(actor=actor, action="nrm.create", obj=tracker, establishment_id=establishment.pk)
    return tracker


def nrm_track_if_trafficking(*, actor, establishment, child, categories, concern, packs=None) -> NrmTracker | None:
    """Called when a concern is recorded or triaged: a category the packs follow through the NRM
    (trafficking or modern slavery, CE 6.4-6.6) opens the tracker. packs: the establishment's, if read."""
    packs = packs_for(establishment) if packs is None else packs
    expanded, _ = Taxonomy(packs).expand(set(categories))
    if not expanded & {code for pack in packs for code in pack.nrm_categories}:
        return None
    return nrm_track(actor=actor, establishment=establishment, child=child, concern=concern)


@transaction.atomic
def nrm_open(*, actor, establishment, child, concern=None) -> NrmTracker:
    require_permission(actor, Permission.CHILD_VIEW, action="nrm.create", establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "nrm.create")
    _check_concern(actor, concern, child, "nrm.create")
    return nrm_track(actor=actor, establishment=establishment, child=child, concern=concern)


@transaction.atomic
def nrm_update(*, actor, tracker: NrmTracker, **changes) -> NrmTracker:
    """What the DSL hears about the NRM referral: who submitted it, its reference, the reasonable and
    conclusive grounds decisions with their dates, and the independent child trafficking guardian."""
    role = require_permission(actor, Permission.CHILD_VIEW, action="nrm.update",
                              establishment_id=tracker.establishment_id, obj=tracker)
    unknown = set(changes) - set(NRM_FIELDS)
    if unknown:
        raise TypeError(f"Not NRM tracker fields: {sorted(unknown)}")
    tracker = NrmTracker.objects.select_for_update().get(pk=tracker.pk)
    for name, value in changes.items():
        setattr(tracker, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    today = clock.today()
    for decision in ("reasonable_grounds", "conclusive_grounds"):
        if getattr(tracker, decision) not in NrmTracker.Decision.values:
            errors[decision] = "Choose awaited, positive or negative."
        elif getattr(tracker, decision) != NrmTracker.Decision.AWAITED and not getattr(tracker, f"{decision}_on"):
            errors[f"{decision}_on"] = "Give the date of the decision."
    for day in ("submitted_on", "reasonable_grounds_on", "conclusive_grounds_on"):
        if getattr(tracker, day) and getattr(tracker, day) > today:
            errors[day] = "The date cannot be in the future."
    if tracker.conclusive_grounds != NrmTracker.Decision.AWAITED and tracker.reasonable_grounds == "awaited":
        errors["conclusive_grounds"] = "A conclusive grounds decision comes after the reasonable grounds decision."
    if errors:
        raise ValidationError(errors)
    before = NrmTracker.objects.get(pk=tracker.pk)
    changed = [name for name in NRM_FIELDS if getattr(before, name) != getattr(tracker, name)]
    if not changed:
        return tracker
    tracker.save(update_fields=changed)
    chronology_add(actor=actor, child=tracker.child, establishment=tracker.establishment, kind="referral.nrm_update",
                   obj=tracker, key_event=any(name.endswith("grounds") for name in changed),
                   summary="NRM: " + "; ".join(_nrm_words(tracker, name) for name in changed) + ".")
    audit_record(actor=actor, action="nrm.update", obj=tracker, role=role, establishment_id=tracker.establishment_id,
                 detail={"changed": changed})
    return tracker


def _nrm_words(tracker, name) -> str:
    value = getattr(tracker, name)
    if name in ("reasonable_grounds", "conclusive_grounds"):
        value = NrmTracker.Decision(value).label.lower()
    elif hasattr(value, "strftime"):
        value = value.strftime("%-d %B %Y")
    return f"{NRM_WORDS[name]}: {value or 'cleared'}"
