"""Sending a child's child protection file to their new school, opening it there, confirming it arrived, and
importing a file received (KCSIE 2025 Annex C). Each change of state writes its chronology entry and its audit
event in one transaction (house rule 1)."""

import json
import secrets
from datetime import date, datetime

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from safekeep.actions.services import actions_met_by
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import require_child_at
from safekeep.chronology.kinds import words_for
from safekeep.chronology.selectors import read_chronology_for_export
from safekeep.chronology.services import chronology_add
from safekeep.core import clock

from . import package
from .links import link_rules
from .models import CodeAttempt, ImportedFile, TransferDownload, TransferLink, TransferPackage, TransferReceipt
from .tasks import send_transfer_link


class LinkClosed(Exception):
    """The link has expired, been used, or locked after too many wrong codes: each looks the same."""


def new_code() -> str:
    """Eight digits, read out over the phone."""
    return f"{secrets.randbelow(10 ** 8):08d}"


@transaction.atomic
def transfer_send(*, actor, leaving, parts, recipient_name: str, recipient_email: str,
                  recipient_school: str) -> tuple[TransferPackage, str]:
    """Build the file from what the sender may read of the child's record (the chronology export the DSL's own
    pages use, audited there), store it encrypted, and email the receiving DSL a link that holds nothing of it.
    Returns the package and the code, shown once to the sender to give by phone; only its hash is kept."""
    role = require_permission(actor, Permission.TRANSFER_SEND, action="transfer.send",
                              establishment_id=leaving.establishment_id)
    require_child_at(actor, leaving.child, leaving.establishment, "transfer.send")
    errors = {}
    parts = [part for part in parts if part in package.PART_CODES]
    if not parts:
        errors["parts"] = "Choose at least one part of the record to send."
    for field, value, words in (("recipient_name", recipient_name, "Give the name of the receiving DSL."),
                                ("recipient_school", recipient_school, "Give the name of the receiving school.")):
        if not (value or "").strip():
            errors[field] = words
    try:
        validate_email((recipient_email or "").strip())
    except ValidationError:
        errors["recipient_email"] = "Give the receiving DSL's email address, like name@school.org.uk."
    if errors:
        raise ValidationError(errors)
    export = package.chosen(read_chronology_for_export(actor, leaving.child_id, redact=False), set(parts))
    pdf, document = package.file_pdf(export), package.file_json(export, leaving=leaving, parts=parts)
    code = new_code()
    sent = TransferPackage.objects.create(
        leaving=leaving, child=leaving.child, establishment=leaving.establishment, built_by=actor, parts=sorted(parts),
        entries=len(export.entries), pdf=package.encrypt(pdf), json=package.encrypt(document),
        pdf_sha256=package.sha256(pdf), json_sha256=package.sha256(document),
        recipient_name=recipient_name.strip()[:120], recipient_email=recipient_email.strip().lower(),
        recipient_school=recipient_school.strip()[:200], code_hash=make_password(code))
    audit_record(actor=actor, action="transfer.build", obj=sent, role=role, establishment_id=sent.establishment_id,
                 detail={"parts": sent.parts, "entries": sent.entries, "pdf_sha256": sent.pdf_sha256,
                         "json_sha256": sent.json_sha256})
    chronology_add(actor=actor, child=sent.child, establishment=sent.establishment, kind="transfer.sent", obj=sent,
                   summary=f"Child protection file sent to {sent.recipient_name}, {sent.recipient_school}: "
                           f"{sent.entries} entries.")
    actions_met_by(actor=actor, record=sent, event="transfer.sent", child=sent.child)
    audit_record(actor=actor, action="transfer.send", obj=sent, role=role, establishment_id=sent.establishment_id)
    # In the transaction: the email goes only if the file was stored (the database task queue commits with it).
    send_transfer_link.enqueue(sent.pk)
    return sent, code


def wrong_codes(link: TransferLink) -> int:
    return link.attempts.filter(right=False).count()


def wrong_codes_allowed(sent: TransferPackage) -> int:
    return link_rules(sent.establishment).wrong_codes_allowed


def attempts_left(link: TransferLink) -> int:
    return max(wrong_codes_allowed(link.package) - wrong_codes(link), 0)


def is_open(link: TransferLink) -> bool:
    return (link.expires_at > clock.now() and wrong_codes(link) < wrong_codes_allowed(link.package)
            and not TransferReceipt.objects.filter(link=link).exists())


@transaction.atomic
def transfer_code_try(*, link: TransferLink, code: str) -> bool:
    """One try of the code. Each is kept; at the limit of wrong ones the link locks for good."""
    link = TransferLink.objects.select_for_update().get(pk=link.pk)
    if not is_open(link):
        raise LinkClosed
    right = check_password((code or "").strip().replace(" ", ""), link.package.code_hash)
    CodeAttempt.objects.create(link=link, right=right)
    audit_record(actor=None, action="transfer.code", obj=link, establishment_id=link.package.establishment_id,
                 outcome="allowed" if right else "denied", detail={"wrong_so_far": wrong_codes(link)})
    return right


@transaction.atomic
def transfer_download(*, link: TransferLink, format: str) -> tuple[bytes, str]:
    """The file, decrypted, for the receiving DSL who gave the code; every download is audited."""
    if format not in ("pdf", "json") or not is_open(link):
        raise LinkClosed
    TransferDownload.objects.create(link=link, format=format)
    sent = link.package
    audit_record(actor=None, action="transfer.download", obj=sent, establishment_id=sent.establishment_id,
                 detail={"format": format})
    data = package.decrypt(sent.pdf if format == "pdf" else sent.json)
    return data, "application/pdf" if format == "pdf" else "application/json"


@transaction.atomic
def transfer_receipt_confirm(*, link: TransferLink, name: str, role: str) -> TransferReceipt:
    """The receiving DSL says the file arrived: the sender's "confirm receipt" step is done, and the link is used."""
    link = TransferLink.objects.select_for_update().get(pk=link.pk)
    if not is_open(link):
        raise LinkClosed
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Give your name."
    if not (role or "").strip():
        errors["role"] = "Give your role, for example Designated safeguarding lead."
    if errors:
        raise ValidationError(errors)
    receipt = TransferReceipt.objects.create(link=link, name=name.strip()[:120], role=role.strip()[:120])
    sent = link.package
    chronology_add(actor=None, child=sent.child, establishment=sent.establishment, kind="transfer.received",
                   obj=sent, summary=f"{receipt.name}, {receipt.role} at {sent.recipient_school}, confirmed the child "
                                     "protection file arrived.")
    actions_met_by(actor=None, record=sent, event="transfer.received", child=sent.child)
    audit_record(actor=None, action="transfer.receipt", obj=sent, establishment_id=sent.establishment_id,
                 detail={"receipt": receipt.pk})
    return receipt


def _when(parse, text):
    """A date or time of the file, read as the format says (ISO 8601, a time with its offset)."""
    try:
        value = parse(text)
    except ValueError:
        value = None
    if value is None or (isinstance(value, datetime) and value.tzinfo is None):
        raise ValidationError({"file": f"This file has a date Safekeep cannot read: {str(text)[:40]}."})
    return value


def _headline(entry: dict, sender: str) -> str:
    """The entry's first line, its headline in the chronology: where it was written and what happened."""
    place = (entry.get("place") or "").strip() or sender
    return f"From {place[:200]}: {entry['kind_words'] or words_for(entry['kind'])}."


def _provenance(entry: dict, recorded_at: datetime) -> str:
    """Who wrote the entry and when, as the file says: kept in the entry's own (encrypted) words, so the
    chronology shows it wherever the entry is read, not only in the stored file."""
    who = (entry.get("recorded_by") or "").strip()
    by = f"Recorded by {who[:200]} on" if who else "Recorded on"
    return f"{by} {recorded_at.astimezone(clock.LONDON):%-d %B %Y} at the school it came from."


@transaction.atomic
def transfer_import(*, actor, establishment, child, data: bytes) -> ImportedFile:
    """A file another school sent, checked against the committed schema, added to this child's chronology as
    entries marked as transferred, each on the date it happened and saying who wrote it, where and when."""
    role = require_permission(actor, Permission.TRANSFER_SEND, action="transfer.import",
                              establishment_id=establishment.pk)
    require_child_at(actor, child, establishment, "transfer.import")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ValidationError({"file": "This is not a child protection file: it is not JSON."}) from None
    found = package.problems(document)
    if found:
        raise ValidationError({"file": ["This file does not follow the child protection file format 1.0."] + found})
    sender = document["sent_by"]["establishment"]
    born = _when(date.fromisoformat, document["child"]["date_of_birth"])
    if born != child.date_of_birth:
        raise ValidationError({"child": f"The file is about a child born {born:%-d %B %Y}; "
                                        f"{child.display_name} was born {child.date_of_birth:%-d %B %Y}. "
                                        "Choose the child the file is about."})
    happened = [_when(datetime.fromisoformat, entry["occurred_at"]) for entry in document["entries"]]
    written = [_when(datetime.fromisoformat, entry["recorded_at"]) for entry in document["entries"]]
    digest = package.sha256(data)
    earlier = ImportedFile.objects.filter(child=child, json_sha256=digest).first()
    if earlier is not None:
        raise ValidationError({"file": f"This file was imported for {child.display_name} on "
                                       f"{earlier.imported_at:%-d %B %Y}: it is in their chronology already."})
    imported = ImportedFile.objects.create(establishment=establishment, child=child, imported_by=actor,
                                           json_sha256=digest, sent_by=sender[:200],
                                           entries=len(document["entries"]))
    for entry, occurred_at, recorded_at in zip(document["entries"], happened, written, strict=True):
        words = [_headline(entry, sender), entry["summary"]]
        words += [text for text in (entry.get("narrative"), entry.get("childs_words")) if text]
        words.append(_provenance(entry, recorded_at))
        chronology_add(actor=actor, child=child, establishment=establishment, kind="transfer.entry", obj=imported,
                       occurred_at=occurred_at, summary="\n".join(words),
                       key_event=entry["key_event"])
    chronology_add(actor=actor, child=child, establishment=establishment, kind="transfer.imported", obj=imported,
                   summary=f"Child protection file from {sender} imported: {imported.entries} entries.")
    audit_record(actor=actor, action="transfer.import", obj=imported, role=role, establishment_id=establishment.pk,
                 detail={"entries": imported.entries, "json_sha256": imported.json_sha256})
    return imported
