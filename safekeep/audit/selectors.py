from django.db.models import Max

from safekeep.accounts.models import User

from . import checkpoint_file
from .chain import ChainBreak, Checkpoint, checkpoint_break, first_break
from .models import AuditCheckpoint, AuditEvent


def child_access_log(child, *, limit=200):
    """Who looked at or changed this child's record, newest first, with the person's current name."""
    events = list(
        AuditEvent.objects.filter(object_type="child", object_id=str(child.pk)).order_by("-seq")[:limit]
    )
    names = dict(User.objects.filter(pk__in={e.actor_id for e in events}).values_list("pk", "full_name"))
    for event in events:
        event.actor_name = names.get(event.actor_id, event.actor_email or "Unknown")
    return events


def audit_log(*, organisation_ids, action_prefix="", limit=200):
    """The audit log for people in the given organisations. Rows name ids, never case content."""
    people = User.objects.filter(organisation_id__in=organisation_ids).values_list("pk", flat=True)
    events = AuditEvent.objects.filter(actor_id__in=people).order_by("-seq")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return list(events[:limit])


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
