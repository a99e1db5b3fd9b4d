"""The HMAC chain over the audit log: each row seals its content and the row before it.

row_hash = HMAC-SHA256(AUDIT_HMAC_KEY, prev_hash || canonical JSON of the row's content).
Pure functions: no database, so the chain rules can be read and tested on their own.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass

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
    row_id: int
    problem: str

    def __str__(self):
        return f"audit row seq {self.seq} (id {self.row_id}): {self.problem}"


def first_break(rows) -> ChainBreak | None:
    """Walk rows in id order and name the first one that was altered, deleted around or inserted."""
    prev_hash, prev_seq = GENESIS, 0
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
