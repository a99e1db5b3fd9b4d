"""The child protection file's two forms, built from the chronology export the DSL's own pages read: a PDF for
people (the chronology PDF's own rendering) and a JSON file in Safekeep's open format (format version 1.0,
docs/transfers/child-protection-file.schema.json). No database here.

Both are stored encrypted as attachments are (ADR 0007): AES-GCM under a key derived from the field key with
a label of its own, so a file and an attachment never share a key."""

import dataclasses
import hashlib
import json
from pathlib import Path

import jsonschema
from django.conf import settings

from safekeep.chronology.forms import TYPES
from safekeep.chronology.pdf import chronology_pdf
from safekeep.core import clock
from safekeep.core.sealed import Sealer

FORMAT = "safekeep-child-protection-file"
FORMAT_VERSION = "1.0"
SCHEMA_PATH = Path(settings.BASE_DIR) / "docs" / "transfers" / "child-protection-file.schema.json"

# Both files, stored encrypted at rest (core.sealed), under a key of their own.
_SEALER = Sealer(what="child protection file", key_label=b"child protection files v1",
                 bound=b"safekeep child protection file v1")
encrypt, decrypt = _SEALER.encrypt, _SEALER.decrypt


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# The part for the entries of no chronology type (a missing episode, its return, the police description).
OTHER = "other"
PART_CODES = frozenset(TYPES) | {OTHER}


def chosen(export, parts):
    """The export with only the entries of the chosen parts (chronology types, and OTHER for those of none)."""
    return dataclasses.replace(export, entries=[entry for entry in export.entries
                                                if (entry.type or OTHER) in parts])


def file_pdf(export) -> bytes:
    return chronology_pdf(export)


def _moment(value) -> str:
    return value.astimezone(clock.LONDON).isoformat(timespec="seconds")


def file_json(export, *, leaving, parts) -> bytes:
    """The file for systems: what each entry says, by whom and when, as the DSL's chronology page shows it."""
    child, establishment = export.child, export.establishment
    document = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": _moment(export.printed_at),
        "sent_by": {"establishment": establishment.name, "organisation": establishment.organisation.name,
                    "person": export.printed_by, "role": export.printed_role},
        "child": {"first_name": child.first_name, "last_name": child.last_name,
                  "preferred_name": child.preferred_name or "", "date_of_birth": child.date_of_birth.isoformat()},
        "leaving": {"leaves_on": leaving.leaves_on.isoformat(), "destination": leaving.destination},
        "parts": sorted(parts),
        "entries": [{
            "occurred_at": _moment(entry.occurred_at), "recorded_at": _moment(entry.recorded_at),
            "type": entry.type, "kind": entry.kind, "kind_words": entry.kind_words,
            "place": entry.establishment.name,
            "recorded_by": entry.recorded_by.full_name if entry.recorded_by else "",
            "summary": entry.summary, "narrative": entry.narrative, "childs_words": entry.childs_words,
            "categories": list(entry.category_labels), "key_event": bool(entry.is_key),
        } for entry in export.entries],
    }
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True).encode()


def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def problems(document) -> list[str]:
    """What is wrong with a file against the committed schema, in words, at most five."""
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    found = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(str(p) for p in error.absolute_path) or 'the file'}: {error.message}"[:200]
            for error in found[:5]]
