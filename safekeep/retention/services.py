"""Every change to the retention of a child's file or an allegation about an adult: permission checked, then the
change, its chronology entry and its audit event in one transaction (house rule 4). Nothing is destroyed without a
review, a legal hold stops destruction, and destruction takes two people: one proposes, a different one approves
(docs/domain/records-lifecycle.md).

Destruction removes every row that records something about the child, in every app, in the one transaction:
the rows that point at the child, then the rows that point at those, down to the last. A concern that also names
another child is kept for them: only the destroyed child's part of it goes (ADR 0016). It is the only place
written-once rows are deleted (core.models.reviewed_destruction). The audit log is never touched: its rows name
the child by id only, so the hash chain keeps verifying, and a tombstone keeps what was destroyed, under which
rule, when and by whom, and no content.
"""

from collections import Counter
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max

from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, granting_role
from safekeep.authz.roles import Permission
from safekeep.children.models import Child
from safekeep.chronology.services import chronology_add
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.core import clock
from safekeep.core.models import WrittenOnce, reviewed_destruction
from safekeep.policy.retention import add_years

from .models import LegalHold, RetentionReview, Tombstone
from .selectors import (FileStanding, allegation_standing_of, allegations_visible_to, destruction_blockers,
                        files_visible_to, shared_records, standing_of)

# How much longer a review may keep a file at a time; the next review then comes round.
LONGEST_KEEP_YEARS = 25
CHILDS_FILE = "child's file"
ALLEGATION = "allegation about an adult"


def _place(actor, permission, standing: FileStanding, action: str, *, everywhere=False):
    """The establishment and role through which the actor acts on this record, or 404. `everywhere`: the actor
    must hold the permission at every establishment the child was at (destruction removes the whole file). For
    an allegation, granting_role also asks that they read allegations there and are not its subject."""
    if standing.is_allegation:
        role = granting_role(actor, permission, standing.concern)
        if role is None:
            raise NotVisible(action, "concern", standing.concern.pk)
        return standing.concern.establishment, str(role)
    held = [(place, granting_role(actor, permission, place)) for place in standing.establishments]
    granted = [(place, role) for place, role in held if role is not None]
    if not granted or (everywhere and len(granted) < len(held)):
        raise NotVisible(action, "child", standing.child.pk)
    return granted[0][0], str(granted[0][1])


def _record(actor, permission, action, child=None, allegation=None) -> FileStanding:
    """The child's file or the allegation (exactly one is given), as the actor may act on it, or 404."""
    if allegation is not None:
        if not allegations_visible_to(actor, permission).filter(pk=allegation.pk).exists():
            raise NotVisible(action, "concern", allegation.pk)
        return allegation_standing_of(allegation)
    if not files_visible_to(actor, permission).filter(pk=child.pk).exists():
        raise NotVisible(action, "child", child.pk)
    return standing_of(child)


def _held_record(standing: FileStanding) -> dict:
    return {"concern": standing.concern} if standing.is_allegation else {"child": standing.child}


def _audit_detail(standing: FileStanding) -> dict:
    return {"allegation": standing.concern.pk} if standing.is_allegation else {"child": standing.child.pk}


def _chronicle(actor, standing: FileStanding, place, kind, obj, summary) -> None:
    """A child's file: an entry in their chronology. An allegation: one in the chronology of each child it names,
    carrying the allegation (the hold or review records it), so only those who read allegations see it."""
    if not standing.is_allegation:
        chronology_add(actor=actor, child=standing.child, establishment=place, kind=kind, obj=obj, summary=summary)
        return
    for involved in standing.concern.children_involved.select_related("child"):
        chronology_add(actor=actor, child=involved.child, establishment=place, kind=kind, obj=obj, summary=summary)


@transaction.atomic
def retention_hold_place(*, actor, child: Child | None = None, allegation: Concern | None = None, kind: str,
                         reason: str) -> LegalHold:
    """A legal hold on the child's file, or on an allegation: it cannot be destroyed until the hold is lifted."""
    standing = _record(actor, Permission.RETENTION_HOLD, "retention.hold.place", child, allegation)
    place, role = _place(actor, Permission.RETENTION_HOLD, standing, "retention.hold.place")
    errors = {}
    if kind not in LegalHold.Kind.values:
        errors["kind"] = "Say why the file is held: litigation, an inquiry, a police request or another legal reason."
    if not (reason or "").strip():
        errors["reason"] = "Say what the hold is for, for example the claim, inquiry or police request."
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(**_held_record(standing), kind=kind, reason=reason.strip(), placed_by=actor,
                                    placed_at=clock.now())
    what = "the allegation" if standing.is_allegation else "the file"
    _chronicle(actor, standing, place, "retention.hold.placed", hold,
               f"Legal hold placed on {what}: {hold.get_kind_display().lower()}.")
    audit_record(actor=actor, action="retention.hold.place", obj=hold, role=role, establishment_id=place.pk,
                 detail=_audit_detail(standing) | {"kind": kind})
    return hold


@transaction.atomic
def retention_hold_lift(*, actor, hold: LegalHold, reason: str) -> LegalHold:
    """The hold is no longer needed; the reason is kept with it."""
    standing = _record(actor, Permission.RETENTION_HOLD, "retention.hold.lift", hold.child, hold.concern)
    place, role = _place(actor, Permission.RETENTION_HOLD, standing, "retention.hold.lift")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise ValidationError("This hold has already been lifted.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the hold can be lifted, for example the claim was settled."})
    hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, clock.now(), reason.strip()
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    _chronicle(actor, standing, place, "retention.hold.lifted", hold,
               f"Legal hold lifted: {hold.get_kind_display().lower()}.")
    audit_record(actor=actor, action="retention.hold.lift", obj=hold, role=role, establishment_id=place.pk,
                 detail=_audit_detail(standing) | {"kind": hold.kind})
    return hold


@transaction.atomic
def child_death_record(*, actor, child: Child, died_on: date | None) -> Child:
    """The safeguarding lead or the head records the date a child died (or corrects it). A children's home then
    keeps the case records 15 years from the death if the child died before 18 (CH(E)R 2015 reg 36(2)(b)), and
    the file's review date is worked out from it."""
    standing = _record(actor, Permission.CHILD_DEATH_RECORD, "child.death.record", child)
    place, role = _place(actor, Permission.CHILD_DEATH_RECORD, standing, "child.death.record")
    child = Child.objects.select_for_update().get(pk=child.pk)
    if not isinstance(died_on, date):
        raise ValidationError({"died_on": "Give the date the child died, for example 27/03/2031."})
    if died_on > clock.today():
        raise ValidationError({"died_on": "The date the child died must be today or in the past."})
    if died_on < child.date_of_birth:
        raise ValidationError({"died_on": f"The date the child died must be on or after their date of birth, "
                                          f"{child.date_of_birth:%-d %B %Y}."})
    corrected = child.died_on is not None
    if child.died_on == died_on:
        return child
    child.died_on = died_on
    child.save(update_fields=["died_on", "updated_at"])
    chronology_add(actor=actor, child=child, establishment=place, kind="child.died", obj=child,
                   summary=f"Date of death {'corrected to' if corrected else 'recorded:'} {died_on:%-d %B %Y}.",
                   occurred_at=clock.now())
    audit_record(actor=actor, action="child.death.record", obj=child, role=role, establishment_id=place.pk,
                 detail={"corrected": corrected})
    return child


def _what(standing: FileStanding) -> str:
    return "allegation" if standing.is_allegation else "file"


def _require_reviewable(standing: FileStanding) -> None:
    if standing.review_on is None or standing.today < standing.review_on:
        raise ValidationError(f"This {_what(standing)} is not due for review until {standing.review_on:%-d %B %Y}."
                              if standing.review_on else f"No retention rule applies to this {_what(standing)}.")


def _require_due(standing: FileStanding) -> None:
    if standing.held:
        raise ValidationError(f"A legal hold stops this {_what(standing)} being destroyed: lift the hold first, "
                              "with its reason.")
    _require_reviewable(standing)


def _decide(actor, standing, place, role, outcome, action, summary, **fields) -> RetentionReview:
    decision = RetentionReview.objects.create(
        **_held_record(standing), outcome=outcome, rule_code=standing.review.rule.code, due_on=standing.review.due_on,
        decided_by=actor, decided_at=clock.now(), **fields)
    _chronicle(actor, standing, place, action, decision, summary)
    audit_record(actor=actor, action=action, obj=decision, role=role, establishment_id=place.pk,
                 detail=_audit_detail(standing) | {"rule": decision.rule_code})
    return decision


@transaction.atomic
def retention_keep(*, actor, child: Child | None = None, allegation: Concern | None = None, years: int | None,
                   reason: str) -> RetentionReview:
    """The record's review has come and it is kept for another period, for a reason (for an allegation, until
    the adult reaches normal pension age, for instance)."""
    standing = _record(actor, Permission.RETENTION_REVIEW, "retention.keep", child, allegation)
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.keep")
    _require_reviewable(standing)
    errors = {}
    if not isinstance(years, int) or not 1 <= years <= LONGEST_KEEP_YEARS:
        errors["years"] = f"Say how many more years to keep the file, from 1 to {LONGEST_KEEP_YEARS}."
    if not (reason or "").strip():
        errors["reason"] = "Say why the file is kept for longer."
    if errors:
        raise ValidationError(errors)
    kept_until = add_years(clock.today(), years)
    return _decide(actor, standing, place, role, RetentionReview.Outcome.KEEP, "retention.keep",
                   f"{_what(standing).capitalize()} reviewed and kept until {kept_until:%-d %B %Y}.",
                   kept_until=kept_until,
                   reason=reason.strip())


@transaction.atomic
def retention_destruction_propose(*, actor, child: Child | None = None,
                                  allegation: Concern | None = None) -> RetentionReview:
    """The record's review has come and nothing keeps it: the first of the two people proposes its destruction.
    For an allegation, the proposer has confirmed on the page that the adult has reached normal pension age."""
    standing = _record(actor, Permission.RETENTION_REVIEW, "retention.propose", child, allegation)
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.propose", everywhere=True)
    _require_due(standing)
    if standing.proposal is not None:
        raise ValidationError("Its destruction is already proposed: a second reviewer approves or declines it.")
    if not standing.is_allegation and (blockers := destruction_blockers(child)):
        raise ValidationError(blockers)
    return _decide(actor, standing, place, role, RetentionReview.Outcome.PROPOSE, "retention.propose",
                   f"{_what(standing).capitalize()} reviewed: its destruction is proposed, for a second reviewer "
                   "to approve.")


@transaction.atomic
def retention_destruction_decline(*, actor, child: Child | None = None, allegation: Concern | None = None,
                                  reason: str) -> RetentionReview:
    """A reviewer declines the proposed destruction (the proposer may withdraw it this way too)."""
    standing = _record(actor, Permission.RETENTION_REVIEW, "retention.decline", child, allegation)
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.decline")
    if standing.proposal is None:
        raise ValidationError(f"No destruction of this {_what(standing)} is waiting for approval.")
    if not (reason or "").strip():
        raise ValidationError({"reason": f"Say why the {_what(standing)} should not be destroyed."})
    return _decide(actor, standing, place, role, RetentionReview.Outcome.DECLINE, "retention.decline",
                   f"The proposed destruction of the {_what(standing)} was declined.", reason=reason.strip())


@transaction.atomic
def retention_destruction_approve(*, actor, child: Child | None = None,
                                  allegation: Concern | None = None) -> Tombstone:
    """The second person approves the proposed destruction: the child's file (or the allegation) goes, in this
    one transaction, and its tombstone stays."""
    # Locked first: a decline or a hold recorded at the same moment is seen before anything is destroyed.
    if allegation is not None:
        Concern.objects.select_for_update().filter(pk=allegation.pk).first()
    else:
        Child.objects.select_for_update().filter(pk=child.pk).first()
    standing = _record(actor, Permission.RETENTION_REVIEW, "retention.destroy", child, allegation)
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.destroy", everywhere=True)
    proposal = standing.proposal
    if proposal is None:
        raise ValidationError(f"No destruction of this {_what(standing)} is waiting for approval: propose it first.")
    if proposal.decided_by_id == actor.pk:
        raise ValidationError("You proposed this destruction, so another reviewer must approve it.")
    _require_due(standing)
    if standing.is_allegation:
        concern = standing.concern
        record = {"record_type": ALLEGATION, "record_id": str(concern.pk),
                  "initials": _initials_of(*concern.subject.full_name.split()) if concern.subject_id else "",
                  "organisation_id": concern.establishment.organisation_id}
        rows, shared_kept = _destroy_allegation(concern), {}
    else:
        if blockers := destruction_blockers(child):
            raise ValidationError(blockers)
        record = {"record_type": CHILDS_FILE, "record_id": str(child.pk), "initials": initials(child),
                  "organisation_id": child.organisation_id}
        rows, shared_kept = _destroy(child)
    tombstone = Tombstone.objects.create(
        **record, establishments=", ".join(dict.fromkeys(p.name for p in standing.establishments)),
        rule_code=standing.review.rule.code, rule_source=standing.review.rule.source, due_on=standing.review_on,
        proposed_by_id=proposal.decided_by_id, proposed_at=proposal.decided_at, approved_by=actor,
        destroyed_at=clock.now(), rows=rows, shared_kept=shared_kept)
    audit_record(actor=actor, action="retention.destroy", obj=tombstone, role=role, establishment_id=place.pk,
                 detail={("allegation" if standing.is_allegation else "child"): int(record["record_id"]),
                         "rule": tombstone.rule_code, "proposed_by": proposal.decided_by_id,
                         "rows": sum(tombstone.rows.values()),
                         "shared_kept": sum(kept["records"] for kept in shared_kept.values())})
    return tombstone


def initials(child: Child) -> str:
    """The first letters of the child's first and last names: enough to match a later request, not a name."""
    return _initials_of(child.first_name, child.last_name)


def _initials_of(*names: str) -> str:
    names = [name for name in names if name]
    return "".join(f"{name[:1].upper()}." for name in names[:1] + names[1:][-1:])


def _destroy(child: Child) -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Remove the child's file: the concerns and shared records (meetings, information shares) that name only
    them (destruction_blockers has refused meetings and shares that name another child), then the child and
    every row that points at them. A concern that also names another child is kept for that child's file: what
    goes is the destroyed child's part of it, which points at the child (their place in the concern, their
    triage, their actions, the entries in their chronology, ADR 0016). Returns how many rows of each kind
    went, and how many shared concerns were kept for how many other children (counts only)."""
    removed = Counter()
    seen = set()
    with reviewed_destruction():
        concern_ids = set(ConcernChild.objects.filter(child=child).values_list("concern_id", flat=True))
        others = ConcernChild.objects.filter(concern_id__in=concern_ids).exclude(child=child)
        kept_ids = set(others.values_list("concern_id", flat=True))
        shared_kept = ({Concern._meta.label: {"records": len(kept_ids),
                                              "other_children": others.values("child_id").distinct().count()}}
                       if kept_ids else {})
        shared = [(model, list(through.objects.filter(**{target: child.pk}).values_list(source, flat=True)))
                  for model, through, source, target in shared_records()]
        gone = sorted(concern_ids - kept_ids)
        # Actions name their concern by id: a concern's actions about no child go with it.
        _remove(Action, list(Action.objects.filter(concern_id__in=gone).values_list("pk", flat=True)), removed, seen)
        _remove(Concern, gone, removed, seen)
        for model, ids in shared:
            _remove(model, ids, removed, seen)
        _remove(Child, [child.pk], removed, seen)
        _decide_what_was_waiting_only_for(kept_ids)
    return dict(sorted(removed.items())), shared_kept


def _decide_what_was_waiting_only_for(concern_ids) -> None:
    """A kept concern that waited only for the destroyed child's decision is decided once they are gone, at its
    last remaining child's decision (as triage_record decides it), so it does not wait in the inbox for ever."""
    waiting = (Concern.objects.filter(pk__in=concern_ids, decided_at__isnull=True)
               .exclude(children_involved__triages__isnull=True))
    for concern_id, last in waiting.annotate(last=Max("children_involved__triages__triaged_at")).values_list(
            "pk", "last"):
        Concern.objects.filter(pk=concern_id).update(decided_at=last)


def _destroy_allegation(concern: Concern) -> dict[str, int]:
    """Remove the allegation and every row that follows it: the children's places in it, the triage, addenda,
    attachments, referrals, meetings, shares and plans about it, the entries in the children's chronologies that
    record it, and its actions (which name their concern by id). The children's files stay."""
    removed = Counter()
    seen = set()
    with reviewed_destruction():
        _remove(Action, list(Action.objects.filter(concern_id=concern.pk).values_list("pk", flat=True)),
                removed, seen)
        _remove(Concern, [concern.pk], removed, seen)
    return dict(sorted(removed.items()))


# A row pointing at a removed row this way would otherwise stop the delete or be deleted with it.
_FOLLOWED = (models.PROTECT, models.CASCADE, models.RESTRICT)


def _remove(model, ids, removed: Counter, seen: set) -> None:
    """Delete these rows of the model after every row that points at them (depth first), whatever app it is in."""
    ids = [pk for pk in ids if (model._meta.label, pk) not in seen]
    if not ids:
        return
    seen.update((model._meta.label, pk) for pk in ids)
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one)):
            continue
        if relation.on_delete not in _FOLLOWED:
            continue
        pointing = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": ids})
        _remove(relation.related_model, list(pointing.values_list("pk", flat=True)), removed, seen)
    manager = model.objects if issubclass(model, WrittenOnce) else model._base_manager
    _, counts = manager.filter(pk__in=ids).delete()
    removed.update({label: count for label, count in counts.items() if count})
