"""Every change to a child's file's retention: permission checked, then the change, its chronology entry and its
audit event in one transaction (house rule 4). Nothing is destroyed without a review, a legal hold stops
destruction, and destruction takes two people: one proposes, a different one approves
(docs/domain/records-lifecycle.md).

Destruction removes every row that records something about the child, in every app, in the one transaction:
the rows that point at the child, then the rows that point at those, down to the last. It is the only place
written-once rows are deleted (core.models.reviewed_destruction). The audit log is never touched: its rows name
the child by id only, so the hash chain keeps verifying, and a tombstone keeps what was destroyed, under which
rule, when and by whom, and no content.
"""

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import models, transaction

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
from .selectors import FileStanding, destruction_blockers, files_visible_to, shared_records, standing_of

# How much longer a review may keep a file at a time; the next review then comes round.
LONGEST_KEEP_YEARS = 25
CHILDS_FILE = "child's file"


def _place(actor, permission, standing: FileStanding, action: str, *, everywhere=False):
    """The establishment and role through which the actor acts on this file, or 404. `everywhere`: the actor
    must hold the permission at every establishment the child was at (destruction removes the whole file)."""
    held = [(place, granting_role(actor, permission, place)) for place in standing.establishments]
    granted = [(place, role) for place, role in held if role is not None]
    if not granted or (everywhere and len(granted) < len(held)):
        raise NotVisible(action, "child", standing.child.pk)
    return granted[0][0], str(granted[0][1])


def _file(actor, child, permission, action) -> FileStanding:
    if not files_visible_to(actor, permission).filter(pk=child.pk).exists():
        raise NotVisible(action, "child", child.pk)
    return standing_of(child)


@transaction.atomic
def retention_hold_place(*, actor, child: Child, kind: str, reason: str) -> LegalHold:
    """A legal hold on the child's file: it cannot be destroyed until the hold is lifted."""
    standing = _file(actor, child, Permission.RETENTION_HOLD, "retention.hold.place")
    place, role = _place(actor, Permission.RETENTION_HOLD, standing, "retention.hold.place")
    errors = {}
    if kind not in LegalHold.Kind.values:
        errors["kind"] = "Say why the file is held: litigation, an inquiry, a police request or another legal reason."
    if not (reason or "").strip():
        errors["reason"] = "Say what the hold is for, for example the claim, inquiry or police request."
    if errors:
        raise ValidationError(errors)
    hold = LegalHold.objects.create(child=child, kind=kind, reason=reason.strip(), placed_by=actor,
                                    placed_at=clock.now())
    chronology_add(actor=actor, child=child, establishment=place, kind="retention.hold.placed", obj=hold,
                   summary=f"Legal hold placed on the file: {hold.get_kind_display().lower()}.")
    audit_record(actor=actor, action="retention.hold.place", obj=hold, role=role, establishment_id=place.pk,
                 detail={"child": child.pk, "kind": kind})
    return hold


@transaction.atomic
def retention_hold_lift(*, actor, hold: LegalHold, reason: str) -> LegalHold:
    """The hold is no longer needed; the reason is kept with it."""
    standing = _file(actor, hold.child, Permission.RETENTION_HOLD, "retention.hold.lift")
    place, role = _place(actor, Permission.RETENTION_HOLD, standing, "retention.hold.lift")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if not hold.is_active:
        raise ValidationError("This hold has already been lifted.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the hold can be lifted, for example the claim was settled."})
    hold.lifted_by, hold.lifted_at, hold.lift_reason = actor, clock.now(), reason.strip()
    hold.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
    chronology_add(actor=actor, child=hold.child, establishment=place, kind="retention.hold.lifted", obj=hold,
                   summary=f"Legal hold lifted: {hold.get_kind_display().lower()}.")
    audit_record(actor=actor, action="retention.hold.lift", obj=hold, role=role, establishment_id=place.pk,
                 detail={"child": hold.child_id, "kind": hold.kind})
    return hold


def _require_due(standing: FileStanding) -> None:
    if standing.held:
        raise ValidationError("A legal hold stops this file being destroyed: lift the hold first, with its reason.")
    if not standing.due:
        raise ValidationError(f"This file is not due for review until {standing.review_on:%-d %B %Y}."
                              if standing.review_on else "No retention rule applies to this file.")


def _decide(actor, standing, place, role, outcome, action, summary, **fields) -> RetentionReview:
    decision = RetentionReview.objects.create(
        child=standing.child, outcome=outcome, rule_code=standing.review.rule.code, due_on=standing.review.due_on,
        decided_by=actor, decided_at=clock.now(), **fields)
    chronology_add(actor=actor, child=standing.child, establishment=place, kind=action, obj=decision,
                   summary=summary)
    audit_record(actor=actor, action=action, obj=decision, role=role, establishment_id=place.pk,
                 detail={"child": standing.child.pk, "rule": decision.rule_code})
    return decision


@transaction.atomic
def retention_keep(*, actor, child: Child, years: int | None, reason: str) -> RetentionReview:
    """The file's review has come and it is kept for another period, for a reason."""
    standing = _file(actor, child, Permission.RETENTION_REVIEW, "retention.keep")
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.keep")
    if standing.review_on is None or standing.today < standing.review_on:
        raise ValidationError(f"This file is not due for review until {standing.review_on:%-d %B %Y}."
                              if standing.review_on else "No retention rule applies to this file.")
    errors = {}
    if not isinstance(years, int) or not 1 <= years <= LONGEST_KEEP_YEARS:
        errors["years"] = f"Say how many more years to keep the file, from 1 to {LONGEST_KEEP_YEARS}."
    if not (reason or "").strip():
        errors["reason"] = "Say why the file is kept for longer."
    if errors:
        raise ValidationError(errors)
    kept_until = add_years(clock.today(), years)
    return _decide(actor, standing, place, role, RetentionReview.Outcome.KEEP, "retention.keep",
                   f"File reviewed and kept until {kept_until:%-d %B %Y}.", kept_until=kept_until,
                   reason=reason.strip())


@transaction.atomic
def retention_destruction_propose(*, actor, child: Child) -> RetentionReview:
    """The file's review has come and nothing keeps it: the first of the two people proposes its destruction."""
    standing = _file(actor, child, Permission.RETENTION_REVIEW, "retention.propose")
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.propose", everywhere=True)
    _require_due(standing)
    if standing.proposal is not None:
        raise ValidationError("Its destruction is already proposed: a second reviewer approves or declines it.")
    if blockers := destruction_blockers(child):
        raise ValidationError(blockers)
    return _decide(actor, standing, place, role, RetentionReview.Outcome.PROPOSE, "retention.propose",
                   "File reviewed: its destruction is proposed, for a second reviewer to approve.")


@transaction.atomic
def retention_destruction_decline(*, actor, child: Child, reason: str) -> RetentionReview:
    """A reviewer declines the proposed destruction (the proposer may withdraw it this way too)."""
    standing = _file(actor, child, Permission.RETENTION_REVIEW, "retention.decline")
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.decline")
    if standing.proposal is None:
        raise ValidationError("No destruction of this file is waiting for approval.")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Say why the file should not be destroyed."})
    return _decide(actor, standing, place, role, RetentionReview.Outcome.DECLINE, "retention.decline",
                   "The proposed destruction of the file was declined.", reason=reason.strip())


@transaction.atomic
def retention_destruction_approve(*, actor, child: Child) -> Tombstone:
    """The second person approves the proposed destruction: the child's file goes, in this one transaction,
    and its tombstone stays."""
    # Locked first: a decline or a hold recorded at the same moment is seen before anything is destroyed.
    Child.objects.select_for_update().filter(pk=child.pk).first()
    standing = _file(actor, child, Permission.RETENTION_REVIEW, "retention.destroy")
    place, role = _place(actor, Permission.RETENTION_REVIEW, standing, "retention.destroy", everywhere=True)
    proposal = standing.proposal
    if proposal is None:
        raise ValidationError("No destruction of this file is waiting for approval: propose it first.")
    if proposal.decided_by_id == actor.pk:
        raise ValidationError("You proposed this destruction, so another reviewer must approve it.")
    _require_due(standing)
    if blockers := destruction_blockers(child):
        raise ValidationError(blockers)
    child_id, child_initials, organisation_id = child.pk, initials(child), child.organisation_id
    rows = _destroy(child)
    tombstone = Tombstone.objects.create(
        organisation_id=organisation_id, record_type=CHILDS_FILE, record_id=str(child_id), initials=child_initials,
        establishments=", ".join(dict.fromkeys(p.name for p in standing.establishments)),
        rule_code=standing.review.rule.code, rule_source=standing.review.rule.source, due_on=standing.review_on,
        proposed_by_id=proposal.decided_by_id, proposed_at=proposal.decided_at, approved_by=actor,
        destroyed_at=clock.now(), rows=rows)
    audit_record(actor=actor, action="retention.destroy", obj=tombstone, role=role, establishment_id=place.pk,
                 detail={"child": child_id, "rule": tombstone.rule_code, "proposed_by": proposal.decided_by_id,
                         "rows": sum(tombstone.rows.values())})
    return tombstone


def initials(child: Child) -> str:
    """The first letters of the child's first and last names: enough to match a later request, not a name."""
    return "".join(f"{name[:1].upper()}." for name in (child.first_name, child.last_name) if name)


def _destroy(child: Child) -> dict[str, int]:
    """Remove the child's file: the concerns and shared records (meetings, information shares) that name only
    them (destruction_blockers has refused any that name another child), then the child and every row that
    points at them. Returns how many rows of each kind went."""
    removed = Counter()
    seen = set()
    with reviewed_destruction():
        concern_ids = list(ConcernChild.objects.filter(child=child).values_list("concern_id", flat=True).distinct())
        shared = [(model, list(through.objects.filter(**{target: child.pk}).values_list(source, flat=True)))
                  for model, through, source, target in shared_records()]
        _remove(Concern, concern_ids, removed, seen)
        for model, ids in shared:
            _remove(model, ids, removed, seen)
        _remove(Child, [child.pk], removed, seen)
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
