"""Every read of attachments, body marks and files kept for a draft."""

from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.concerns.selectors import access_concern

from . import files
from .models import Attachment, BodyMark, PendingUpload
from .regions import REGION_WORDS, dot_position


def attachments_of(concern):
    """A concern's attachments without their bytes (the listing never loads a file)."""
    return list(Attachment.objects.filter(concern=concern).defer("ciphertext").order_by("added_at", "id"))


def body_marks_of(concern):
    return list(BodyMark.objects.filter(concern=concern).order_by("number"))


def marks_for_display(marks):
    """Marks (model rows or draft dicts) numbered in order, with words and a place on the outline."""
    shown, seen = [], {}
    for number, mark in enumerate(marks, start=1):
        get = mark.get if isinstance(mark, dict) else lambda name, m=mark: getattr(m, name)
        side, region = get("side"), get("region")
        nth = seen.get((side, region), 0)
        seen[(side, region)] = nth + 1
        x, y = dot_position(side, region, nth)
        shown.append({"number": number, "side": side, "side_words": "Front" if side == "front" else "Back",
                      "region": region, "region_words": REGION_WORDS.get(region, region),
                      "description": get("description"), "x": x, "y": y})
    return shown


def pending_uploads(actor, draft_key: str):
    if not draft_key:
        return []
    return list(PendingUpload.objects.filter(user=actor, draft_key=draft_key).defer("ciphertext"))


def pending_uploads_with_bytes(actor, draft_key: str):
    return list(PendingUpload.objects.filter(user=actor, draft_key=draft_key))


def read_attachment(actor, concern_id, attachment_id) -> tuple[Attachment, bytes]:
    """The file and its decrypted bytes, for whoever may see the concern; the read is audited in the
    same transaction (fail closed). Missing and not-yours both answer 404."""
    with transaction.atomic():
        concern = access_concern(actor, concern_id, "attachment.download")
        attachment = get_visible(Attachment.objects.filter(concern=concern), attachment_id, "attachment.download")
        audit_record(actor=actor, action="attachment.download", obj=attachment,
                     role=role_for(actor, Permission.CHILD_VIEW, concern),
                     establishment_id=concern.establishment_id, detail={"concern": concern.pk})
    return attachment, files.decrypt(attachment.ciphertext)
