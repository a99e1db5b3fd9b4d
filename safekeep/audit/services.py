"""Writing the audit log. Every read of a child's record, write, export and denial comes through here.

audit_record() must run inside the transaction of the access it records: if the audit row
cannot be written, the transaction fails and the data is not shown or saved (fail closed).

audit_batch() lets one change that writes many rows (a concern and its steps) append them to the chain
with one read of its head and one insert, still inside that change's transaction.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

from safekeep.core import clock
from safekeep.core.middleware import current_request_id

from . import checkpoint_file
from .chain import GENESIS, ChainBreak, Checkpoint, first_break, seal, sign_checkpoint
from .models import AuditCheckpoint, AuditEvent
from .selectors import CHAIN_FIELDS, head_break, latest_checkpoints

# Any constant: PostgreSQL's transaction-level advisory lock that serialises appends to the chain.
_CHAIN_LOCK = 7_305_119


def _lock_chain():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    # SQLite: transactions are IMMEDIATE (config/settings.py), so we already hold the only write lock.


# The rows of the batch being written in this thread's transaction (audit_batch), or None.
_batch: ContextVar[list | None] = ContextVar("audit_batch", default=None)


def audit_record(*, actor, action: str, outcome: str = AuditEvent.Outcome.ALLOWED, obj=None,
                 object_type: str = "", object_id="", establishment_id=None, role: str = "",
                 detail: dict | None = None) -> AuditEvent:
    """Append one row to the chain. In an audit_batch the row is sealed and written when the batch ends,
    in the order recorded (so `obj` may be a row the batch's change has not saved yet)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the access it records")
    occurred = clock.now()
    row = {
        # Milliseconds only: the canonical JSON form must survive a round trip through either database.
        "occurred_at": occurred.replace(microsecond=occurred.microsecond // 1000 * 1000),
        "actor_id": getattr(actor, "pk", None),
        "actor_email": getattr(actor, "email", "") or "",
        "role": str(role or ""),
        "establishment_id": establishment_id,
        "action": action,
        "object_type": object_type or (obj._meta.model_name if obj is not None else ""),
        "outcome": str(outcome),
        "request_id": "" if (request_id := current_request_id()) == "-" else request_id,
        "detail": detail or {},
    }
    pending = _batch.get()
    if pending is not None:
        pending.append((row, obj, object_id))
        return None
    return _append([(row, obj, object_id)])[0]


def _append(rows) -> list[AuditEvent]:
    """Seal the rows onto the head of the chain, under its lock, and write them in one insert."""
    _lock_chain()
    last = AuditEvent.objects.order_by("-seq").values("seq", "row_hash").first()
    seq, prev_hash = (last["seq"], last["row_hash"]) if last else (0, GENESIS)
    events = []
    for row, obj, object_id in rows:
        seq += 1
        object_id = object_id or (obj.pk if obj is not None else "")
        row = row | {"seq": seq, "object_id": "" if object_id in (None, "") else str(object_id)}
        events.append(AuditEvent(**row, prev_hash=prev_hash, row_hash=seal(prev_hash, row)))
        prev_hash = events[-1].row_hash
    return AuditEvent.objects.bulk_create(events)


@contextmanager
def audit_batch():
    """Collect the audit rows of one change and append them together when it is done, inside its
    transaction: a failure to write them fails the change (fail closed). Nothing is written if the change
    raises. Inside a batch audit_record returns None. Nested batches join the outer one."""
    if _batch.get() is not None:
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("audit_batch must run inside the transaction of the change it records")
    token = _batch.set([])
    try:
        yield
        rows = _batch.get()
    finally:
        _batch.reset(token)
    if rows:
        _append(rows)


def audit_denial(request, denial) -> None:
    """Record a refusal. Runs in its own transaction, after the request's own work was rolled back."""
    user = request.user if getattr(request, "user", None) and request.user.is_authenticated else None
    with transaction.atomic():
        audit_record(
            actor=user,
            action=denial.action,
            outcome=AuditEvent.Outcome.DENIED,
            object_type=denial.object_type,
            object_id=denial.object_id,
            establishment_id=denial.establishment_id,
            detail={"method": request.method},
        )


class AuditChainBroken(Exception):
    """The log no longer extends its last checkpoint: no new checkpoint may seal what is left."""

    def __init__(self, problem: ChainBreak):
        super().__init__(str(problem))
        self.problem = problem


def audit_checkpoint() -> AuditCheckpoint | None:
    """Seal the log's head in a signed checkpoint, in its own table and in the checkpoint file.

    Run every minute by the scheduler and after each verification. It first checks that the log
    still reaches the last checkpoint and that the rows written since then chain on from it, so a
    truncation is never sealed over. Returns None when nothing was written since the last one.
    """
    # The long walk (the whole log, the first time) holds no lock, so audited requests carry on;
    # only the rows appended meanwhile are walked again under the lock.
    if problem := head_break():
        raise AuditChainBroken(problem)
    trusted = _newest(latest_checkpoints())
    walked = _checked_after(*((trusted.seq, trusted.row_hash) if trusted else (0, GENESIS)))
    with transaction.atomic():
        _lock_chain()  # no row is appended while the head is read and sealed
        if problem := head_break():
            raise AuditChainBroken(problem)
        anchors = latest_checkpoints()
        still = AuditEvent.objects.filter(seq=walked[0]).values_list("row_hash", flat=True).first()
        if walked[0] and still != walked[1]:
            raise AuditChainBroken(ChainBreak(walked[0], None, "was changed or removed while it was being checked"))
        head_seq, head_hash = _checked_after(*walked)
        trusted = _newest(anchors)
        if head_seq == 0 or (trusted and trusted.seq == head_seq and len(anchors) == _copies()):
            return None
        taken = clock.now()
        taken = taken.replace(microsecond=taken.microsecond // 1000 * 1000)  # as the database keeps it
        signature = sign_checkpoint(head_seq, head_hash, taken)
        saved = AuditCheckpoint(seq=head_seq, row_hash=head_hash, taken_at=taken, signature=signature)
        saved.save()
        # Written inside the transaction: if the file cannot be written, the database row is not kept either.
        checkpoint_file.append(Checkpoint(seq=saved.seq, row_hash=saved.row_hash, taken_at=taken,
                                          signature=signature, kept_in="checkpoint file"))
        return saved


def _newest(checkpoints):
    return max(checkpoints, key=lambda checkpoint: checkpoint.seq, default=None)


def _checked_after(after_seq: int, after_hash: str) -> tuple[int, str]:
    """Walk the rows after one already trusted; return the last row that chains on, or raise."""
    last = [after_seq, after_hash]

    def remembering(rows):
        for row in rows:
            yield row
            last[:] = [row["seq"], row["row_hash"]]  # reached only once first_break has accepted the row

    rows = AuditEvent.objects.filter(seq__gt=after_seq).order_by("id").values(*CHAIN_FIELDS)
    if problem := first_break(remembering(rows.iterator(chunk_size=5000)), after_seq=after_seq,
                              after_hash=after_hash):
        raise AuditChainBroken(problem)
    return last[0], last[1]


def _copies() -> int:
    """Where each checkpoint is kept: the database, and the file when one is configured."""
    return 1 + (checkpoint_file.configured_path() is not None)
