"""Recording a concern: one transaction writes the concern, each child's part in it, their chronology
entries, the actions the adopted policies require, and the audit events; the safeguarding team's
alert is queued in the same transaction (no case content)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from safekeep.actions import services as actions
from safekeep.attachments import services as attachment_services
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, deny_if_subject_of_allegation, require_permission, role_for
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_visible_to, current_enrolments
from safekeep.chronology.services import chronology_add, chronology_concern_written
from safekeep.establishments.selectors import locations_for
from safekeep.packs.selectors import packs_for
from safekeep.referrals import services as referrals
from safekeep.core import clock

from . import notifications
from .models import Addendum, AdultRelationship, Concern, ConcernChild, SubjectNaming, Triage
from .peers import peer_links_record
from .selectors import adults_to_name

MAX_CHILDREN = 20
# CoC Appendix 1: a child under 13 can never consent to sexual activity, so "normal" behaviour with no
# further action needs the DSL to say why, having seen this warning.
UNDER_13_NORMAL = ("This child is under 13, and a child under 13 can never consent to sexual activity (CoC "
                   "Appendix 1). Say why the behaviour is normal for their age and needs no further action, or "
                   "change the decision.")


def _age_on(child, day) -> int:
    born = child.date_of_birth
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _flags(concern: Concern, child, linked_places=None) -> set[str]:
    flags = {name for name in ("immediate_risk", "disclosure", "about_adult") if getattr(concern, name)}
    if concern.images_shared:
        flags.add("images_shared_online")
    if _age_on(child, concern.occurred_at.astimezone(clock.LONDON).date()) < 13:
        flags.add("under_13")
    if child.looked_after:
        flags.add("looked_after")
    if linked_places is None:
        linked_places = _linked_places(concern, [child])[child.pk]
    if linked_places:
        flags.add("integrated_pair")
    return flags


def _linked_places(concern: Concern, children, peers=None) -> dict[int, list]:
    """For each child, the linked school or home (CE 11.3) where they are also enrolled or placed: one
    query for all the children. peers: the establishment's linked peers, when the caller has read them."""
    linked = {e.pk: e for e in (concern.establishment.linked_peers if peers is None else peers)}
    places = {child.pk: [] for child in children}
    if not linked:
        return places
    enrolled = set(current_enrolments().filter(child__in=list(places), establishment_id__in=linked).values_list(
        "child_id", "establishment_id"))
    for child_id, establishment_id in sorted(enrolled):
        places[child_id].append(linked[establishment_id])
    return places


def _note_on_linked_files(actor, concern: Concern, child, child_role: str, linked_places) -> None:
    """CE 11.3: the child's file at the linked school or home shows that a concern was recorded, and its
    safeguarding lead acknowledges it (the pack's "note on linked file" action). An allegation about an
    adult is not noted there: its DSL decides what the linked setting is told."""
    if concern.about_adult:
        return
    for place in linked_places:
        chronology_add(actor=actor, child=child, establishment=place, kind="concern.linked_note", obj=concern,
                       occurred_at=concern.occurred_at,
                       summary=f"Note from {concern.establishment.name}: a concern about this child was recorded "
                               f"there ({ConcernChild.Role(child_role).label.lower()}). Their safeguarding lead "
                               f"will share what you need to know (CE 11.3).")


def concern_submit(*, actor, establishment, children: list[dict], occurred_at: datetime, narrative: str,
                   idempotency_key: str, occurred_approximately: bool = False, location: str = "",
                   childs_words: str = "", action_taken: str = "", disclosure: bool = False,
                   immediate_risk: bool = False, images_shared: bool = False, told_dsl_in_person: bool | None = None,
                   language_prompts_shown: int = 0, place=None, about_adult: bool = False, subject=None,
                   subject_relationship: str = "", subject_description: str = "", body_marks=(),
                   attachments=()) -> tuple[Concern, bool]:
    """Record a concern. `children`: [{"child": Child or its id, "role": ConcernChild.Role, "categories": [codes],
    "indicators": [signs as the packs word them]}]. Each child is read again here, among those the recorder may
    see at the establishment: a child they may not see is never recorded (NotVisible).

    `place` is one of the establishment's Locations. `about_adult` sends it down the allegations route:
    `subject` is the adult's Safekeep account when they have one, `subject_description` says who they are.
    `body_marks`: [{"side", "region", "description"}] in order; `attachments`: PendingUpload rows (files
    chosen on the recording page) or attachments.files.CleanFile values (safekeep/attachments).

    Returns (concern, created). The same idempotency key from the same person returns the first concern.
    """
    role = require_permission(actor, Permission.CHILD_SEARCH, action="concern.create",
                              establishment_id=establishment.pk)
    children = [entry | {"child": getattr(entry["child"], "pk", entry["child"])} for entry in children]
    submitted = {"establishment": establishment.pk, "children": children, "occurred_at": occurred_at,
                 "narrative": narrative, "childs_words": childs_words, "action_taken": action_taken,
                 "location": location.strip()[:200], "disclosure": disclosure, "immediate_risk": immediate_risk,
                 "images_shared": images_shared, "about_adult": about_adult,
                 "subject_description": subject_description.strip() if about_adult else ""}
    # A retry (the same key from the same person) is found by the key's unique constraint, below, not by a read
    # first: the first send, by far the most common, costs no query for it (issue 12's recording budget).
    children = _validate(actor, establishment, children, occurred_at, narrative, idempotency_key)
    _validate_place_and_adult(actor, establishment, place, about_adult, subject, subject_relationship,
                              subject_description)
    attachment_services.extras_check(actor, body_marks, attachments)
    try:
        # One batch: the concern's steps, chronology entries, audit rows and emails are each written in one
        # go at its end, inside the transaction (a recording costs the same queries however many steps).
        with transaction.atomic(), actions.steps_batch():
            concern = _record(actor, establishment, children, role, occurred_at=occurred_at, narrative=narrative,
                              idempotency_key=idempotency_key, occurred_approximately=occurred_approximately,
                              location=location.strip()[:200], childs_words=childs_words, action_taken=action_taken,
                              disclosure=disclosure, immediate_risk=immediate_risk, images_shared=images_shared,
                              told_dsl_in_person=told_dsl_in_person,
                              language_prompts_shown=min(language_prompts_shown, 100), place=place,
                              about_adult=about_adult, subject=subject if about_adult else None,
                              subject_relationship=subject_relationship if about_adult else "",
                              subject_description=subject_description.strip() if about_adult else "")
            # Marks and files in the same transaction: a failure writes nothing at all.
            attachment_services.concern_save_extras(actor=actor, concern=concern, body_marks=body_marks,
                                                    attachments=attachments)
            # Last, so nothing after it can fail: queued with the concern or not at all (CE 10.1).
            notifications.alert_safeguarding_team(concern)
    except IntegrityError:
        # The key was sent before (a double click, a lost answer) or two submissions with it raced: the first is
        # the concern. Any other refusal (the audit log cannot be written) is the error itself: nothing was
        # recorded.
        winner = Concern.objects.filter(recorded_by=actor, idempotency_key=idempotency_key).first()
        if winner is None:
            raise
        return _replayed(winner, submitted), False
    return concern, True


KEY_REUSED = ("A different concern was already sent with this one-time key, so this one has not been recorded. "
              "Send it with a new key to record it as well.")


def _submission(concern: Concern) -> dict:
    """What was submitted for a stored concern, in the form concern_submit compares a retry with."""
    return {"establishment": concern.establishment_id, "children": {
        (c.child_id, c.role, tuple(sorted(set(c.categories))), tuple(c.indicators))
        for c in concern.children_involved.all()}, "occurred_at": concern.occurred_at,
        "narrative": concern.narrative, "childs_words": concern.childs_words or "",
        "action_taken": concern.action_taken or "", "location": concern.location, "disclosure": concern.disclosure,
        # Not the adult's account: the DSL may name it after submission (a retry must still match).
        "immediate_risk": concern.immediate_risk, "images_shared": concern.images_shared,
        "about_adult": concern.about_adult,
        "subject_description": concern.subject_description or ""}


def _replayed(existing: Concern, submitted: dict) -> Concern:
    """The same key again is a retry (a double click, a lost answer): it returns the first concern. A key sent
    with different words (Back, edit, Send) is not: dropping those words would lose what the recorder wrote."""
    children = {(c["child"], c["role"], tuple(sorted(set(c.get("categories") or []))),
                 tuple(dict.fromkeys(c.get("indicators") or []))) for c in submitted["children"]}
    if _submission(existing) != submitted | {"children": children}:
        raise ValidationError({"idempotency_key": KEY_REUSED})
    return existing


def indicators_offered(establishment) -> set[str]:
    """The signs the establishment's adopted policies list, in their own words: the indicators and the risk
    factors a recorder knows of (CE 5.3, 7.8, 8.2), so the safeguarding team sees both over time."""
    return {note.text for pack in packs_for(establishment) for category in pack.categories
            for note in category.indicators + category.risk_factors}


def _validate(actor, establishment, children, occurred_at, narrative, idempotency_key) -> list[dict]:
    """The entries with each child's row, read among those the recorder may see at the establishment."""
    errors = {}
    if not children:
        errors["children"] = "Choose at least one child."
    if len(children) > MAX_CHILDREN:
        errors["children"] = f"A concern can name up to {MAX_CHILDREN} children."
    if len({c["child"] for c in children}) != len(children):
        errors["children"] = "Each child is named once, with their own role."
    for entry in children:
        if entry["role"] not in ConcernChild.Role.values:
            errors["children"] = "Choose each child's role."
    if any(entry.get("indicators") for entry in children):
        known = indicators_offered(establishment)
        if any(sign not in known for entry in children for sign in entry.get("indicators") or []):
            errors["indicators"] = "Choose signs from the list the adopted policies give."
    if not (narrative or "").strip():
        errors["narrative"] = "Say what happened, in your own words."
    if occurred_at is None or occurred_at > clock.now():
        errors["occurred_at"] = "Say when it happened: it cannot be in the future."
    if not idempotency_key or len(idempotency_key) > 64:
        errors["idempotency_key"] = "The form was missing its one-time key: reload the page (your words are kept)."
    if errors:
        raise ValidationError(errors)
    visible = {child.pk: child for child in children_visible_to(actor, Permission.CHILD_SEARCH).filter(
        pk__in=[c["child"] for c in children], enrolments__establishment=establishment)}
    for entry in children:
        if entry["child"] not in visible:
            raise NotVisible("concern.create", "child", entry["child"], establishment.pk)
    return [entry | {"child": visible[entry["child"]]} for entry in children]


def _validate_place_and_adult(actor, establishment, place, about_adult, subject, relationship, description):
    errors = {}
    if place is not None and not locations_for(establishment).filter(pk=place.pk).exists():
        errors["place"] = "Choose a place from this establishment's list, or say where in words."
    if about_adult:
        if relationship not in AdultRelationship.values:
            errors["subject_relationship"] = "Say whether the adult is a member of staff, a volunteer or a contractor."
        if subject is None and not (description or "").strip():
            errors["subject_description"] = "Say who the adult is: their name and what they do here."
        if subject is not None and not adults_to_name(establishment).filter(pk=subject.pk).exists():
            errors["subject"] = "Choose the adult from the list, or describe them in words."
    elif subject is not None or (description or "").strip():
        errors["about_adult"] = "Say that the concern is about an adult before naming them."
    if errors:
        raise ValidationError(errors)


def _require_actions(actor, concern: Concern, child, categories, child_role: str, concern_categories,
                     *, tell_owners: bool, linked_places=None) -> set[str]:
    """The steps the adopted policies require for one child, here and at the linked school or home where the
    child also is: that place's own duties (a children's home notifies Ofsted, CH(E)R 2015 reg 40) are owned
    there and its team is told. Not for an allegation about an adult: its DSL decides what the linked
    setting is told. Returns the flags. linked_places: the child's, when the caller has looked them up."""
    if linked_places is None:
        linked_places = _linked_places(concern, [child])[child.pk]
    flags = _flags(concern, child, linked_places)
    actions.actions_require(actor=actor, establishment=concern.establishment, child=child, categories=categories,
                            flags=flags, concern_id=concern.pk, tell_owners=tell_owners, child_role=child_role,
                            concern_categories=concern_categories)
    if not concern.about_adult:
        for place in linked_places:
            actions.actions_require(actor=actor, establishment=concern.establishment, child=child,
                                    categories=categories, flags=flags, concern_id=concern.pk, child_role=child_role,
                                    concern_categories=concern_categories, linked_place=place)
    return flags


def _record(actor, establishment, children, role, **fields) -> Concern:
    """Runs in concern_submit's steps batch: the writes below are queued and made together at its end."""
    concern = Concern.objects.create(establishment=establishment, recorded_by=actor, **fields)
    actions.concern_is_new(concern.pk)
    everyone = {code for entry in children for code in entry.get("categories") or []}
    ConcernChild.objects.bulk_create([
        ConcernChild(concern=concern, child=entry["child"], role=entry["role"],
                     categories=sorted(set(entry.get("categories") or [])),
                     indicators=list(dict.fromkeys(entry.get("indicators") or []))) for entry in children])
    # The peer graph's edges with the concern, in its transaction (ADR 0015).
    peer_links_record(concern, [(entry["child"].pk, entry["role"]) for entry in children])
    chronology_concern_written(concern.pk, {entry["child"].pk: sorted(set(entry.get("categories") or []))
                                            for entry in children})
    linked = _linked_places(concern, [entry["child"] for entry in children], actions.peers_in_batch(establishment))
    packs = actions.packs_in_batch(establishment)
    for entry in children:
        child, child_role = entry["child"], entry["role"]
        categories = sorted(set(entry.get("categories") or []))
        chronology_add(actor=actor, child=child, establishment=establishment, kind="concern.recorded", obj=concern,
                       occurred_at=concern.occurred_at, key_event=concern.disclosure or concern.immediate_risk,
                       summary=f"Concern recorded by {actor.full_name}. Role: "
                               f"{ConcernChild.Role(child_role).label.lower()}.")
        flags = _require_actions(actor, concern, child, categories, child_role, everyone, tell_owners=False,
                                 linked_places=linked[child.pk])
        actions.actions_met_by(actor=actor, record=concern, event="concern.sent", child=child, concern_id=concern.pk)
        if "integrated_pair" in flags:
            _note_on_linked_files(actor, concern, child, child_role, linked[child.pk])
        referrals.nrm_track_if_trafficking(actor=actor, establishment=establishment, child=child,
                                           categories=categories, concern=concern, packs=packs)
    audit_record(actor=actor, action="concern.create", obj=concern, role=role, establishment_id=establishment.pk,
                 detail={"children": len(children), "immediate_risk": concern.immediate_risk})
    return concern


def team_permission(concern: Concern) -> Permission:
    """Who decides on a concern: the safeguarding team; for an allegation, those who may read allegations."""
    return Permission.ALLEGATION_VIEW if concern.about_adult else Permission.CHILD_VIEW


@transaction.atomic
def concern_mark_read(*, actor, concern: Concern) -> Concern:
    """The safeguarding team says it has read the concern; the recorder sees that it has."""
    role = require_permission(actor, team_permission(concern), action="concern.read",
                              establishment_id=concern.establishment_id, obj=concern)
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.read_by_dsl_at is None:
        concern.read_by_dsl_at = clock.now()
        concern.save(update_fields=["read_by_dsl_at"])
        for involved in concern.children_involved.select_related("child"):
            chronology_add(actor=actor, child=involved.child, establishment=concern.establishment,
                           kind="concern.read", obj=concern, summary=f"Concern read by {actor.full_name}.")
        audit_record(actor=actor, action="concern.read", obj=concern, role=role,
                     establishment_id=concern.establishment_id)
    return concern


@transaction.atomic
def addendum_add(*, actor, concern: Concern, text: str):
    """The recorder (or the safeguarding team) adds to a concern; the original stays as it was sent."""
    team_role = role_for(actor, Permission.CHILD_VIEW, concern)
    if concern.recorded_by_id != actor.pk and not team_role:
        raise NotVisible("concern.addendum", "concern", concern.pk, concern.establishment_id)
    if not text.strip():
        raise ValidationError({"text": "Write what you want to add."})
    addendum = Addendum.objects.create(concern=concern, added_by=actor, text=text.strip())
    for involved in concern.children_involved.select_related("child"):
        chronology_add(actor=actor, child=involved.child, establishment=concern.establishment,
                       kind="concern.addendum", obj=addendum, summary=f"Addendum by {actor.full_name}: {addendum.text}")
    audit_record(actor=actor, action="concern.addendum", obj=concern, role=team_role,
                 establishment_id=concern.establishment_id)
    notifications.alert_team_of_addition(concern)
    return addendum


@transaction.atomic
def triage_record(*, actor, involved, risk: str, rationale: str, categories: list[str], outcome: str,
                  categories_reason: str = "", hackett: str = "", hackett_rationale: str = "", outcome_note: str = "",
                  under_13_reason: str = ""):
    """The DSL decides for one child. Categories the DSL adds start their own policy clocks. A child under 13
    placed as "normal" with no further action needs under_13_reason (UNDER_13_NORMAL)."""
    concern = involved.concern
    role = require_permission(actor, team_permission(concern), action="concern.triage",
                              establishment_id=concern.establishment_id, obj=concern)
    previous = involved.triages.first()
    before = set(previous.categories if previous else involved.categories)
    categories = sorted(set(categories))
    errors = {}
    if risk not in Triage.Risk.values:
        errors["risk"] = "Choose the level of risk."
    if not rationale.strip():
        errors["rationale"] = "Say why you chose this level of risk."
    if set(categories) != before and not categories_reason.strip():
        errors["categories_reason"] = "Say why the categories changed: the reason is kept."
    if hackett and not hackett_rationale.strip():
        errors["hackett_rationale"] = "Say why you placed the behaviour there on the continuum."
    if outcome not in Triage.Outcome.values:
        errors["outcome"] = "Choose what happens next."
    under_13 = needs_under_13_reason(involved, hackett, outcome)
    if under_13 and not under_13_reason.strip():
        errors["under_13_reason"] = UNDER_13_NORMAL
    if errors:
        raise ValidationError(errors)
    triage = Triage.objects.create(involved=involved, triaged_by=actor, risk=risk, rationale=rationale.strip(),
                                   categories=categories, categories_reason=categories_reason.strip(),
                                   hackett=hackett, hackett_rationale=hackett_rationale.strip(), outcome=outcome,
                                   outcome_note=outcome_note.strip(),
                                   under_13_reason=under_13_reason.strip() if under_13 else "")
    actions.actions_met_by(actor=actor, record=triage, event="triage", child=involved.child, concern_id=concern.pk)
    words = f"Triage by {actor.full_name}: {triage.get_risk_display().lower()} risk. {triage.rationale} " \
            f"Outcome: {triage.get_outcome_display().lower()}."
    if set(categories) != before:
        words += f" Categories changed: {triage.categories_reason}"
    if under_13:
        words += f" Under 13, placed as normal with no further action: {triage.under_13_reason}"
    chronology_add(actor=actor, child=involved.child, establishment=concern.establishment, kind="concern.triaged",
                   obj=triage, summary=words, key_event=risk == Triage.Risk.HIGH or outcome in {
                       Triage.Outcome.CHILDRENS_SERVICES, Triage.Outcome.POLICE, Triage.Outcome.LADO})
    added = set(categories) - before
    if added:
        referrals.nrm_track_if_trafficking(actor=actor, establishment=concern.establishment, child=involved.child,
                                           categories=added, concern=concern)
        everyone = {code for other in concern.children_involved.all() for code in other.categories} | added
        _require_actions(actor, concern, involved.child, sorted(added), involved.role, everyone, tell_owners=True)
    _mark_read_and_decided(concern)
    audit_record(actor=actor, action="concern.triage", obj=concern, role=role,
                 establishment_id=concern.establishment_id, detail={"child": involved.child_id, "risk": risk,
                                                                    "outcome": outcome})
    return triage


def _mark_read_and_decided(concern):
    """A decision reads the concern, and the decision for its last child decides it (Concern.decided_at).
    The concern's row is locked first, so two leads deciding its two children at once cannot each see the
    other's child still waiting and leave it open for ever."""
    locked = Concern.objects.select_for_update().only("read_by_dsl_at", "decided_at").get(pk=concern.pk)
    changed = []
    if locked.read_by_dsl_at is None:
        concern.read_by_dsl_at = clock.now()
        changed.append("read_by_dsl_at")
    if locked.decided_at is None and not ConcernChild.objects.filter(concern_id=concern.pk,
                                                                     triages__isnull=True).exists():
        concern.decided_at = clock.now()
        changed.append("decided_at")
    if changed:
        concern.save(update_fields=changed)


def is_under_13(involved) -> bool:
    return "under_13" in _flags(involved.concern, involved.child)


def needs_under_13_reason(involved, hackett: str, outcome: str) -> bool:
    return hackett == "normal" and outcome == Triage.Outcome.NO_FURTHER_ACTION and is_under_13(involved)


def _may_decide_on_allegation(actor, concern: Concern, action: str) -> str:
    """Those who may read allegations at the establishment (the DSL, deputy, head, group head), never the
    adult it is about (named or proposed)."""
    role = require_permission(actor, Permission.ALLEGATION_VIEW, action=action,
                              establishment_id=concern.establishment_id, obj=concern)
    deny_if_subject_of_allegation(actor, concern, action)
    return role


@transaction.atomic
def allegation_subject_propose(*, actor, concern: Concern, subject, reason: str = "") -> SubjectNaming:
    """A member of the team proposes the Safekeep account of the adult an allegation is about, when the
    recorder could only describe them, or a correction of a wrong name (with a reason). It takes effect only
    when a second person confirms it (allegation_subject_decide): the adult described must never be the one
    who names the subject. Meanwhile the proposed adult cannot see the allegation."""
    role = _may_decide_on_allegation(actor, concern, "concern.subject.propose")
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    errors = {}
    if not concern.about_adult:
        errors["subject"] = "Only a concern about an adult names the adult."
    elif SubjectNaming.objects.filter(concern=concern, outcome=SubjectNaming.Outcome.WAITING).exists():
        errors["subject"] = "A name is already waiting for a second person to confirm it."
    elif subject is None or not adults_to_name(concern.establishment).filter(pk=subject.pk).exists():
        errors["subject"] = "Choose the adult from the list of people at this establishment."
    elif concern.subject_id is not None and subject.pk == concern.subject_id:
        errors["subject"] = "They are already named: choose the right person to correct the name."
    if concern.subject_id is not None and not (reason or "").strip():
        errors["reason"] = "Say why the name is wrong: the correction and its reason are kept."
    if errors:
        raise ValidationError(errors)
    naming = SubjectNaming.objects.create(concern=concern, subject=subject, previous_subject=concern.subject,
                                          reason=(reason or "").strip(), proposed_by=actor)
    words = (f"{actor.full_name} proposed a correction of the adult's account named in this allegation: "
             f"{naming.reason}" if naming.previous_subject_id else
             f"{actor.full_name} proposed the adult's account this allegation is about.")
    for involved in concern.children_involved.select_related("child"):
        chronology_add(actor=actor, child=involved.child, establishment=concern.establishment,
                       kind="concern.subject_proposed", obj=concern,
                       summary=f"{words} It waits for a second person to confirm it.")
    audit_record(actor=actor, action="concern.subject.propose", obj=concern, role=role,
                 establishment_id=concern.establishment_id,
                 detail={"naming": naming.pk, "subject": subject.pk, "previous_subject": naming.previous_subject_id})
    return naming


@transaction.atomic
def allegation_subject_decide(*, actor, concern: Concern, confirm: bool, reason: str = "") -> SubjectNaming:
    """The group head, or a second person on the team, confirms or rejects the name waiting on an allegation.
    Not the proposer, not the adult proposed (who cannot see it), not the adult named before. Confirmed, the
    adult can no longer see the allegation (DESIGN.md section 1); rejected (with a reason), nothing changes."""
    role = _may_decide_on_allegation(actor, concern, "concern.subject.decide")
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    naming = SubjectNaming.objects.filter(concern=concern, outcome=SubjectNaming.Outcome.WAITING).first()
    if naming is None:
        raise ValidationError({"subject": "No name is waiting to be confirmed."})
    if actor.pk in (naming.proposed_by_id, naming.subject_id, naming.previous_subject_id):
        raise ValidationError({"subject": "A second person confirms a name: not the person who proposed it, and "
                                          "not the adult named."})
    if not confirm and not (reason or "").strip():
        raise ValidationError({"decision_reason": "Say why the name is wrong."})
    naming.outcome = SubjectNaming.Outcome.CONFIRMED if confirm else SubjectNaming.Outcome.REJECTED
    naming.decided_by, naming.decided_at, naming.decision_reason = actor, clock.now(), (reason or "").strip()
    naming.save(update_fields=["outcome", "decided_by", "decided_at", "decision_reason"])
    if confirm:
        concern.subject = naming.subject
        concern.save(update_fields=["subject"])
        actions.actions_move_from_subject(actor=actor, concern=concern)
        kind = "concern.subject_corrected" if naming.previous_subject_id else "concern.subject_named"
        words = (f"{actor.full_name} confirmed the correction of the adult's account, proposed by "
                 f"{naming.proposed_by.full_name}: {naming.reason}" if naming.previous_subject_id else
                 f"{actor.full_name} confirmed the adult's account, proposed by {naming.proposed_by.full_name}, "
                 "so they cannot see the allegation.")
    else:
        kind = "concern.subject_rejected"
        words = f"{actor.full_name} rejected the adult's account proposed by {naming.proposed_by.full_name}: " \
                f"{naming.decision_reason}"
    for involved in concern.children_involved.select_related("child"):
        chronology_add(actor=actor, child=involved.child, establishment=concern.establishment, kind=kind,
                       obj=concern, summary=words)
    audit_record(actor=actor, action="concern.subject" if confirm else "concern.subject.reject", obj=concern,
                 role=role, establishment_id=concern.establishment_id,
                 detail={"naming": naming.pk, "subject": naming.subject_id,
                         "previous_subject": naming.previous_subject_id, "proposed_by": naming.proposed_by_id})
    return naming
