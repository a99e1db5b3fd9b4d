"""The copy of the audit checkpoints kept in a file (SAFEKEEP_AUDIT_CHECKPOINT_FILE), outside the database.

Someone who can change the database cannot reach the file if it lives elsewhere (another volume,
made append-only by the operating system, or shipped off the host). One JSON line per checkpoint;
only the newest is read, so the file's size never slows verification.
"""

import json
import os
from datetime import datetime
from pathlib import Path

from django.conf import settings

from .chain import Checkpoint

# A line is about 200 bytes: the tail holds many, so the newest whole line is always in it.
_TAIL_BYTES = 16 * 1024


def configured_path() -> Path | None:
    value = getattr(settings, "SAFEKEEP_AUDIT_CHECKPOINT_FILE", "")
    return Path(value) if value else None


def append(checkpoint: Checkpoint) -> None:
    path = configured_path()
    if path is None:
        return
    line = json.dumps({"seq": checkpoint.seq, "row_hash": checkpoint.row_hash,
                       "taken_at": checkpoint.taken_at.isoformat(), "signature": checkpoint.signature})
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())  # the checkpoint must survive a crash as surely as the row it seals


def last() -> Checkpoint | None:
    """The newest whole line of the file; a line cut short by a crash is passed over."""
    path = configured_path()
    if path is None or not path.exists():
        return None
    with path.open("rb") as source:
        source.seek(0, os.SEEK_END)
        source.seek(max(0, source.tell() - _TAIL_BYTES))
        lines = source.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        try:
            entry = json.loads(line)
            return Checkpoint(seq=int(entry["seq"]), row_hash=str(entry["row_hash"]),
                              taken_at=datetime.fromisoformat(entry["taken_at"]),
                              signature=str(entry["signature"]), kept_in="checkpoint file")
        except (ValueError, KeyError, TypeError):
            continue
    return None
