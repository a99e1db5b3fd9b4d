"""Writing the chronology: entries from the services whose changes they record, and a DSL's key event marks.

chronology_batch() lets one change that writes many entries (a concern and its steps) write them in one
insert at its end, inside its transaction, with one look-up of the categories they carry."""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import JSONField, OuterRef, Q, Subquery

from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import access_child, current_enrolments, establishment_for
from safekeep.concerns.models import Concern, ConcernChild, Triage
from safekeep.core import clock

from .models import ChronologyEntry, ChronologyPdfRequest, KeyEventMark
from .selectors import access_entry, export_length
from .tasks import chronology_pdf_build


def _concern_id_of(obj) -> int | None:
    """The concern an entry is about: the concern itself, or the concern of its addendum, triage or action."""
    if obj is None:
        return None
    if isinstance(obj, Concern):
        return obj.pk
    if isinstance(obj, Triage):
        return obj.involved.concern_id
    return getattr(obj, "concern_id", None)


def _categories_for(obj, concern_id, child) -> list[str]:
    """The categories that apply to this child for this concern now: the triage being recorded, else the
    child's latest triage, else what the member of staff chose for this child (never another child's)."""
    if isinstance(obj, Triage):
        return list(obj.categories)
    if concern_id is None:
        return []
    involved = ConcernChild.objects.filter(concern_id=concern_id, child=child).first()
    if involved is None:
        return []
    latest = Triage.objects.filter(involved=involved).order_by("-triaged_at", "-id").only("categories").first()
    return list(latest.categories if latest else involved.categories)


def _categories_of_all(pairs) -> dict[tuple[int, int], list[str]]:
    """_categories_for for many (concern, child) pairs, in one query: each child's latest triage, else
    what the member of staff chose for them."""
    if not pairs:
        return {}
    wanted = Q()
    for concern_id, child_id in pairs:
        wanted |= Q(concern_id=concern_id, child_id=child_id)
    latest = Triage.objects.filter(involved=OuterRef("pk")).order_by("-triaged_at", "-id").values("categories")[:1]
    rows = ConcernChild.objects.filter(wanted).annotate(latest=Subquery(latest, output_field=JSONField()))
    return {(row.concern_id, row.child_id): list(row.latest if row.latest is not None else row.categories)
            for row in rows}


@dataclass
class _Batch:
    entries: list = field(default_factory=list)  # (entry, obj), in the order written
    known: dict = field(default_factory=dict)  # (concern, child): categories, for a concern of this batch


# The batch being written in this thread's transaction (chronology_batch), or None.
_batch: ContextVar[_Batch | None] = ContextVar("chronology_batch", default=None)


def chronology_concern_written(concern_id: int, categories_by_child: dict[int, list[str]]) -> None:
    """A concern written in this batch has no triage yet: each child's entries carry the categories chosen
    for them (what _categories_for would read back), with no look-up."""
    _batch.get().known.update({(concern_id, child_id): list(codes) for child_id, codes in categories_by_child.items()})


@contextmanager
def chronology_batch():
    """Collect the entries of one change and write them together when it is done, inside its transaction.
    Nothing is written if the change raises. Inside a batch chronology_add returns None, and `obj` may be a
    row the change saves before the batch ends (a step written with its siblings). Nested batches join."""
    if _batch.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("chronology_batch must run inside the transaction of the change it records")
    token = _batch.set(_Batch())
    try:
        yield
        batch = _batch.get()
    finally:
        _batch.reset(token)
    if batch.entries:
        _write(batch)


def _write(batch: _Batch) -> None:
    pending = batch.entries
    categories = batch.known | _categories_of_all({
        (entry.concern_id, entry.child_id) for entry, obj in pending
        if entry.concern_id is not None and not _is_triage(obj)} - set(batch.known))
    for entry, obj in pending:
        entry.object_id = str(obj.pk) if obj is not None else ""
        if _is_triage(obj):
            entry.categories = ChronologyEntry.categories_text(obj.categories)
        else:
            entry.categories = ChronologyEntry.categories_text(categories.get((entry.concern_id, entry.child_id), []))
    ChronologyEntry.objects.bulk_create([entry for entry, _ in pending])


def _is_triage(obj) -> bool:
    return isinstance(obj, Triage)


def chronology_add(*, actor, child, establishment, kind: str, summary: str, obj=None, occurred_at=None,
                   key_event: bool = False):
    """Called by other services inside their transaction; it checks nothing itself.

    key_event: the caller says whether this is a key event by the rules in docs/domain/chronology.md.
    child None: a change to something about no child (an action a governance meeting agreed, CE 10.6) has no
    chronology to join; its audit event is its record.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("chronology_add must run inside the transaction of the change it records")
    if child is None:
        return None
    concern_id = _concern_id_of(obj)
    if kind.startswith("concern.") and concern_id is None:
        # Entries about a concern must carry it: a restricted concern hides its entries by this column.
        raise ValueError(f"A {kind} chronology entry needs the concern it is about")
    entry = ChronologyEntry(
        child=child, establishment=establishment, occurred_at=occurred_at or clock.now(), recorded_by=actor,
        kind=kind, summary=summary, object_type=obj._meta.model_name if obj is not None else "",
        concern_id=concern_id, key_event=bool(key_event))
    batch = _batch.get()
    if batch is not None:
        batch.entries.append((entry, obj))
        return None
    entry.object_id = str(obj.pk) if obj is not None else ""
    entry.categories = ChronologyEntry.categories_text(_categories_for(obj, concern_id, child))
    entry.save()
    return entry


@transaction.atomic
def chronology_mark_key(*, actor, entry_id, key: bool, reason: str = "") -> KeyEventMark:
    """A DSL marks an entry in a child's chronology as a key event, or takes the mark away.

    The entry itself is never changed: the mark is a new row, the latest one wins, and the audit log
    says who did it. Whoever may decide on a concern about the child (triage) may mark.
    """
    entry = access_entry(actor, entry_id, "chronology.key_event.mark")
    # The establishment through which the actor reaches the child (recorded on the audit row).
    reachable = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
    establishment_id = (current_enrolments().filter(child_id=entry.child_id, establishment_id__in=reachable)
                        .order_by("establishment_id").values_list("establishment_id", flat=True).first())
    role = require_permission(actor, Permission.CHILD_VIEW, action="chronology.key_event.mark",
                              establishment_id=establishment_id, obj=entry)
    reason = (reason or "").strip()
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason to 2,000 characters or fewer."})
    mark = KeyEventMark.objects.create(entry=entry, marked_by=actor, key=bool(key), reason=reason)
    audit_action = "chronology.key_event.mark" if key else "chronology.key_event.unmark"
    audit_record(actor=actor, action=audit_action, obj=entry, role=role, establishment_id=establishment_id,
                 detail={"child": entry.child_id})
    return mark



@transaction.atomic
def chronology_pdf_request(*, actor, child_id, redact: bool) -> ChronologyPdfRequest:
    """Ask for a long chronology's PDF for a case conference, to be prepared by the worker (issue 15, section 3):
    the same check as a direct download (the child's chronology, as its page reads it; 404 otherwise), the
    request and its audit row (whether names are to be withheld and how many entries, nothing of the content),
    and the build queued in the same transaction, so a request is never written without its build nor a build
    queued for a request that was not. The build audits its read of the chronology as the download does."""
    child = access_child(actor, child_id, action="child.chronology.export.request")
    establishment_id = establishment_for(actor, child, Permission.CHILD_VIEW)
    entries = export_length(actor, child.pk)
    # Asked twice before the first is built (a double click, or asking again while waiting): the same PDF, so the
    # one already being prepared, rather than a second build.
    waiting = (ChronologyPdfRequest.objects.select_for_update()
               .filter(child=child, requested_by=actor, redact=bool(redact), entries=entries,
                       status=ChronologyPdfRequest.Status.WAITING).first())
    asked = waiting or ChronologyPdfRequest.objects.create(child=child, requested_by=actor, redact=bool(redact),
                                                           entries=entries)
    detail = {"child": child.pk, "redacted": asked.redact, "entries": asked.entries}
    audit_record(actor=actor, action="child.chronology.export.request", obj=asked, establishment_id=establishment_id,
                 role=role_for(actor, Permission.CHILD_VIEW, child),
                 detail=detail | ({"already_waiting": True} if waiting else {}))
    if waiting is None:
        chronology_pdf_build.enqueue(asked.pk)
    return asked
