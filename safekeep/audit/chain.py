"""The HMAC chain over the audit log: each row seals its content and the row before it.

row_hash = HMAC-SHA256(AUDIT_HMAC_KEY, prev_hash || canonical JSON of the row's content).
A checkpoint anchors the head: HMAC-SHA256(AUDIT_HMAC_KEY, "checkpoint|seq|row_hash|taken_at in ms"),
kept outside the audit table, so removing the newest rows (or all of them) is named too
(docs/adr/0010-audit-checkpoints.md).
Pure functions: no database, so the chain rules can be read and tested on their own.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64
SEALED_FIELDS = ("seq", "occurred_at", "actor_id", "actor_email", "role", "establishment_id", "action",
                 "object_type", "object_id", "outcome", "request_id", "detail")


def canonical(row: dict) -> bytes:
    content = {name: row[name] for name in SEALED_FIELDS}
    return json.dumps(content, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")).encode()


def seal(prev_hash: str, row: dict) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, prev_hash.encode() + canonical(row), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    row_id: int | None
    problem: str

    def __str__(self):
        if self.row_id is None:  # the row is gone: there is no id to name
            return f"audit row seq {self.seq}: {self.problem}"
        return f"audit row seq {self.seq} (id {self.row_id}): {self.problem}"


def first_break(rows, *, after_seq: int = 0, after_hash: str = GENESIS) -> ChainBreak | None:
    """Walk rows in id order and name the first one that was altered, deleted around or inserted.

    after_seq/after_hash start the walk at a row already trusted (a checkpoint), so a checkpoint
    can be taken by checking only the rows written since the last one."""
    prev_hash, prev_seq = after_hash, after_seq
    for row in rows:
        if row["seq"] != prev_seq + 1:
            if row["seq"] > prev_seq + 1:
                problem = f"rows {prev_seq + 1} to {row['seq'] - 1} are missing (deleted)"
            else:
                problem = f"inserted out of order after seq {prev_seq}"
            return ChainBreak(row["seq"], row["id"], problem)
        if row["prev_hash"] != prev_hash:
            return ChainBreak(row["seq"], row["id"], "does not follow the row before it (inserted or replaced)")
        if not hmac.compare_digest(seal(prev_hash, row), row["row_hash"]):
            return ChainBreak(row["seq"], row["id"], "content was altered after it was written")
        prev_hash, prev_seq = row["row_hash"], row["seq"]
    return None


def _checkpoint_message(seq: int, row_hash: str, taken_at) -> bytes:
    # Milliseconds since the epoch: the same number whichever database and time zone stored it.
    # The "checkpoint" prefix keeps a signature from ever being mistaken for a row hash.
    return f"checkpoint|{seq}|{row_hash}|{round(taken_at.timestamp() * 1000)}".encode()


def sign_checkpoint(seq: int, row_hash: str, taken_at) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, _checkpoint_message(seq, row_hash, taken_at), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log reached seq, whose row_hash it gives, at taken_at."""

    seq: int
    row_hash: str
    taken_at: object
    signature: str
    kept_in: str  # "database" or "checkpoint file", to say which copy disagrees

    def signed(self) -> bool:
        return hmac.compare_digest(sign_checkpoint(self.seq, self.row_hash, self.taken_at), self.signature)


def checkpoint_break(checkpoint: Checkpoint, *, head_seq: int, hash_at_seq: str | None) -> ChainBreak | None:
    """Compare the log's head with a checkpoint: name a truncation, or rows written in place of removed ones.

    head_seq is the highest seq in the log (0 when it is empty); hash_at_seq the row_hash of the
    row at the checkpoint's seq, or None if there is no such row."""
    when = f"the checkpoint of {checkpoint.taken_at.astimezone(UTC):%d %b %Y %H:%M:%S} UTC in the {checkpoint.kept_in}"
    if not checkpoint.signed():
        return ChainBreak(checkpoint.seq, None, f"{when} is not signed with the audit key (forged or altered)")
    if head_seq < checkpoint.seq:
        return ChainBreak(head_seq + 1, None, f"rows after seq {head_seq} are missing (removed from the end): "
                                              f"{when} sealed the log up to seq {checkpoint.seq}")
    if hash_at_seq is None or not hmac.compare_digest(hash_at_seq, checkpoint.row_hash):
        return ChainBreak(checkpoint.seq, None, f"is not the row {when} sealed "
                                                "(rows were removed and others written in their place)")
    return None
