import functools
import operator

from django.apps import apps
from django.db.models import CharField, Max, Q
from django.db.models.functions import Cast

from safekeep.accounts.models import User
from safekeep.authz.roles import role_label
from safekeep.concerns.models import Concern
from safekeep.establishments.models import Establishment

from . import checkpoint_file
from .actions import ACTION_WORDS
from .chain import ChainBreak, Checkpoint, checkpoint_break, first_break
from .models import AuditCheckpoint, AuditEvent


# The audit log a page at a time: the newest first, each page from where the last ended (keyset, seq < the last
# one shown), so the thousandth page costs what the first does however long the log is.
PAGE_SIZE = 50


def child_access_log(child, *, actor, concern_ids=(), limit=200):
    """Who opened or changed this child's record, their chronology or the concerns about them, newest first, with
    the person's current name and the role they acted in. concern_ids: the concerns about the child the reader
    may see. Rows about an allegation are never shown to its subject (ADR 0008)."""
    about_child = Q(object_type="child", object_id=str(child.pk))
    if concern_ids:
        about_child |= Q(object_type="concern", object_id__in=[str(pk) for pk in concern_ids])
    events = AuditEvent.objects.filter(about_child).order_by("-seq")
    if about_them := _rows_about_allegations_concerning(actor):
        events = events.exclude(about_them)
    events = list(events[:limit])
    names = dict(User.objects.filter(pk__in={e.actor_id for e in events}).values_list("pk", "full_name"))
    # The role as it is called where it was used: a children's home's lead is its safeguarding lead.
    kinds = dict(Establishment.objects.filter(pk__in={e.establishment_id for e in events})
                 .values_list("pk", "kind"))
    for event in events:
        event.actor_name = names.get(event.actor_id, event.actor_email or "Unknown")
        event.role_name = role_label(event.role, kinds.get(event.establishment_id))
    return events


def audit_events(*, actor, organisation_ids, action_prefix="", actor_ids=None, records=(), object_type="",
                 object_id=None, occurred_from=None, occurred_before=None):
    """The audit log for people in the given organisations, newest first, filtered. Rows name ids, never case
    content. actor_ids: only rows by these people; records: (object type, ids) pairs, rows about any of them;
    object_type and object_id: rows about that kind of record, or that one record; occurred_from and occurred_before: a time range, the end left out.

    The adult an allegation is about never sees it, whatever their role (DESIGN.md section 1), so
    they are not shown who opened it, triaged it or referred it either (ADR 0008)."""
    people = User.objects.filter(organisation_id__in=organisation_ids).values_list("pk", flat=True)
    events = AuditEvent.objects.filter(actor_id__in=people).order_by("-seq")
    if actor_ids is not None:
        events = events.filter(actor_id__in=actor_ids)
    if records:
        about = [Q(object_type=object_type, object_id__in=[str(pk) for pk in ids]) for object_type, ids in records
                 if ids]
        events = events.filter(functools.reduce(operator.or_, about)) if about else events.none()
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id is not None:
        events = events.filter(object_id=str(object_id))
    if occurred_from is not None:
        events = events.filter(occurred_at__gte=occurred_from)
    if occurred_before is not None:
        events = events.filter(occurred_at__lt=occurred_before)
    if about_them := _rows_about_allegations_concerning(actor):
        events = events.exclude(about_them)
    if action_prefix:
        events = events.filter(_actions_starting(action_prefix))
    return events


def audit_page(events, *, before=None, size=PAGE_SIZE):
    """One page of a filtered log: the rows older than `before` (a seq), and the seq to start the next page
    from, or None on the last page. One query, reading one row more than it shows to know if there is more."""
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events[:size + 1])
    return rows[:size], (rows[size - 1].seq if len(rows) > size else None)


def _actions_starting(prefix: str) -> Q:
    """The actions named prefix, or whose names start with it, as conditions a plain btree index on
    (action, seq) serves: the exact name when it names one action and no others start with it, else a range.

    Action names are ASCII, compared by code point (C.UTF-8 on PostgreSQL, binary on SQLite), so the
    range from prefix up to prefix with its last character raised is exactly the names that start with it.
    startswith stays as the filter of record, so a collation that orders otherwise still never shows more.
    """
    if not prefix.isascii():
        return Q(pk__in=[])  # no action is named so
    if prefix in ACTION_WORDS and not any(name.startswith(prefix + ".") for name in ACTION_WORDS):
        return Q(action=prefix)
    following = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return Q(action__gte=prefix, action__lt=following, action__startswith=prefix)


def _as_object_ids(queryset):
    """Audit rows name their object by kind and id, as text (no foreign keys, ADR 0002)."""
    return queryset.annotate(object_key=Cast("pk", CharField())).values("object_key")


def _records_carrying_a_concern():
    """Every kind of record that follows from a concern carries it (ADR 0008): a `concern` or
    `concern_id` column. Found from the models, so a kind added later is covered without a change here."""
    return [model for model in apps.get_models() if model is not Concern
            and any(field.attname == "concern_id" for field in model._meta.concrete_fields)]


def _rows_about_allegations_concerning(actor) -> Q | None:
    """Rows about an allegation whose subject is actor, or about anything that follows from one
    (actions, referrals, plans, shares, chronology entries, attachments...), or that name it in their
    detail. None, at the cost of one small query, for the nearly everyone who is the subject of none."""
    concern_ids = list(Concern.objects.filter(about_adult=True, subject=actor).values_list("pk", flat=True))
    if not concern_ids:
        return None
    # has_key first: a row without the key must compare false, not unknown, or exclude() drops it too.
    about = (Q(object_type="concern", object_id__in=[str(pk) for pk in concern_ids])
             | Q(detail__has_key="concern", detail__concern__in=concern_ids))
    for model in _records_carrying_a_concern():
        about |= Q(object_type=model._meta.model_name,
                   object_id__in=_as_object_ids(model.objects.filter(concern_id__in=concern_ids)))
    return about


CHAIN_FIELDS = ("id", "seq", "occurred_at", "actor_id", "actor_email", "role", "establishment_id", "action",
                "object_type", "object_id", "outcome", "request_id", "detail", "prev_hash", "row_hash")


def verify_chain(batch_size=5000) -> ChainBreak | None:
    """Return the first break in the chain, or None. Streams rows so a long log needs little memory.

    An intact chain is then held against the newest checkpoints, which name rows removed from the end."""
    rows = AuditEvent.objects.order_by("id").values(*CHAIN_FIELDS).iterator(chunk_size=batch_size)
    return first_break(rows) or head_break()


def latest_checkpoints() -> list[Checkpoint]:
    """The newest checkpoint in the database and the newest in the checkpoint file, where there is one."""
    found = []
    newest = AuditCheckpoint.objects.order_by("-seq", "-id").first()
    if newest is not None:
        found.append(Checkpoint(seq=newest.seq, row_hash=newest.row_hash, taken_at=newest.taken_at,
                                signature=newest.signature, kept_in="database"))
    if (in_file := checkpoint_file.last()) is not None:
        found.append(in_file)
    return found


def head_break() -> ChainBreak | None:
    """Does the log still reach every checkpoint, with the rows each one sealed? Two small queries each."""
    head_seq = AuditEvent.objects.aggregate(head=Max("seq"))["head"] or 0
    for checkpoint in latest_checkpoints():
        hash_at_seq = AuditEvent.objects.filter(seq=checkpoint.seq).values_list("row_hash", flat=True).first()
        if problem := checkpoint_break(checkpoint, head_seq=head_seq, hash_at_seq=hash_at_seq):
            return problem
    return None
