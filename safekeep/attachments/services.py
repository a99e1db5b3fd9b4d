"""Every write of attachments and body marks.

Marks and files that come with a new concern are saved by `concern_save_extras`, which
concerns.services.concern_submit calls inside its own transaction: if anything fails, nothing
is written. After submission, `attachment_add` adds a file (recorder or safeguarding team), with a
chronology entry for each child and an audit event in one transaction.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, role_for
from safekeep.authz.roles import Permission
from safekeep.chronology.services import chronology_add
from safekeep.concerns import notifications

from . import files
from .models import Attachment, BodyMark, PendingUpload
from .regions import REGION_WORDS

MAX_MARKS = 30
MAX_DESCRIPTION = 2000


def body_marks_check(marks) -> dict[str, str]:
    """Errors for a list of marks [{"side", "region", "description"}], keyed as the page shows them."""
    if len(marks) > MAX_MARKS:
        return {"body_marks": f"A body map can hold up to {MAX_MARKS} marks."}
    for mark in marks:
        if mark.get("side") not in BodyMark.Side.values:
            return {"body_marks": "Say whether each mark is on the front or the back of the body."}
        if mark.get("region") not in REGION_WORDS:
            return {"body_marks": "Choose where on the body each mark is."}
        description = (mark.get("description") or "").strip()
        if not description:
            return {"body_marks": "Describe each mark: its size, colour and shape."}
        if len(description) > MAX_DESCRIPTION:
            return {"body_marks": f"Describe each mark in {MAX_DESCRIPTION} characters or fewer."}
    return {}


def attachments_check(actor, attachments) -> dict[str, str]:
    if len(attachments) > settings.SAFEKEEP_ATTACHMENT_MAX_FILES:
        return {"attachments": f"A concern can have up to {settings.SAFEKEEP_ATTACHMENT_MAX_FILES} photos "
                               "or screenshots."}
    for item in attachments:
        if isinstance(item, PendingUpload) and item.user_id != actor.pk:
            raise NotVisible("concern.create", "pendingupload", item.pk)
        if not isinstance(item, (PendingUpload, files.CleanFile)):
            raise TypeError("attachments are PendingUpload rows or files.CleanFile values")
    return {}


def concern_save_extras(*, actor, concern, body_marks=(), attachments=()) -> None:
    """Called by concern_submit inside its transaction, after its checks passed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("concern_save_extras runs inside concern_submit's transaction")
    BodyMark.objects.bulk_create([
        BodyMark(concern=concern, number=number, side=mark["side"], region=mark["region"],
                 description=mark["description"].strip())
        for number, mark in enumerate(body_marks, start=1)])
    for item in attachments:
        _store(actor, concern, item)
    PendingUpload.objects.filter(pk__in=[i.pk for i in attachments if isinstance(i, PendingUpload)]).delete()


def _store(actor, concern, item) -> Attachment:
    if isinstance(item, PendingUpload):
        # Already checked, cleaned and encrypted when it was chosen: the ciphertext moves as it is.
        return Attachment.objects.create(concern=concern, added_by=actor, filename=item.filename,
                                         content_type=item.content_type, size=item.size,
                                         ciphertext=bytes(item.ciphertext))
    return Attachment.objects.create(concern=concern, added_by=actor, filename=item.filename,
                                     content_type=item.content_type, size=len(item.data),
                                     ciphertext=files.encrypt(item.data))


@transaction.atomic
def attachment_add(*, actor, concern, upload) -> Attachment:
    """Add a photo or screenshot to a concern already sent: the recorder or the safeguarding team."""
    team_role = role_for(actor, Permission.CHILD_VIEW, concern)
    if concern.recorded_by_id != actor.pk and not team_role:
        raise NotVisible("attachment.add", "concern", concern.pk, concern.establishment_id)
    if concern.attachments.count() >= settings.SAFEKEEP_ATTACHMENT_MAX_FILES:
        raise ValidationError({"attachment": f"A concern can have up to {settings.SAFEKEEP_ATTACHMENT_MAX_FILES} "
                                             "photos or screenshots."})
    try:
        clean = files.clean(upload)
    except ValidationError as error:
        raise ValidationError({"attachment": error.messages}) from None
    attachment = _store(actor, concern, clean)
    for involved in concern.children_involved.select_related("child"):
        chronology_add(actor=actor, child=involved.child, establishment=concern.establishment,
                       kind="concern.attachment", obj=concern,
                       summary=f"Photo or screenshot added to the concern by {actor.full_name}.")
    audit_record(actor=actor, action="attachment.add", obj=attachment, role=team_role,
                 establishment_id=concern.establishment_id, detail={"concern": concern.pk, "bytes": attachment.size})

    notifications.alert_team_of_addition(concern)
    return attachment


@transaction.atomic
def pending_upload_keep(*, actor, draft_key: str, upload) -> PendingUpload:
    """A file chosen on the recording page before sending: checked now (so the error shows beside
    the file input at once), kept encrypted on the server until the concern is sent."""
    if not draft_key or len(draft_key) > 64:
        raise ValidationError({"attachment": "The form was missing its one-time key: reload the page."})
    try:
        clean = files.clean(upload)
    except ValidationError as error:
        raise ValidationError({"attachment": error.messages}) from None
    if PendingUpload.objects.filter(user=actor, draft_key=draft_key).count() >= \
            settings.SAFEKEEP_ATTACHMENT_MAX_FILES:
        raise ValidationError({"attachment": f"A concern can have up to {settings.SAFEKEEP_ATTACHMENT_MAX_FILES} "
                                             "photos or screenshots."})
    pending = PendingUpload.objects.create(user=actor, draft_key=draft_key, filename=clean.filename,
                                           content_type=clean.content_type, size=len(clean.data),
                                           ciphertext=files.encrypt(clean.data))
    audit_record(actor=actor, action="attachment.keep", obj=pending, detail={"bytes": pending.size})
    return pending


@transaction.atomic
def pending_upload_remove(*, actor, draft_key: str, pending_id: int) -> None:
    deleted, _ = PendingUpload.objects.filter(user=actor, draft_key=draft_key, pk=pending_id).delete()
    if deleted:
        audit_record(actor=actor, action="attachment.discard", object_type="pendingupload", object_id=pending_id)


def pending_uploads_expire(*, older_than) -> int:
    """Files chosen for a concern that was never sent are deleted after a day (tasks.py)."""
    deleted, _ = PendingUpload.objects.filter(created_at__lt=older_than).delete()
    return deleted


def extras_check(actor, body_marks, attachments) -> None:
    """concern_submit's check of the marks and files it was given (before anything is written)."""
    errors = body_marks_check(list(body_marks)) | attachments_check(actor, list(attachments))
    if errors:
        raise ValidationError(errors)
