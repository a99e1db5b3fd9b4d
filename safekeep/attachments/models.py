"""Photos and screenshots kept with a concern, and the marks on a body map.

The bytes of every file are encrypted (AES-GCM, see files.py) and live in the database, so a
concern and its files are written in one transaction and restored from one backup (ADR 0007).
"""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.concerns.models import Concern
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce

from .regions import REGION_CHOICES


class Attachment(WrittenOnce):
    """A photo or screenshot added to a concern. Checked by its content, re-encoded without metadata,
    encrypted at rest, only ever served as a download. Never edited."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="attachments")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    # Display text only (sanitised): never a path, never in a URL.
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()  # bytes of the cleaned file, before encryption
    ciphertext = models.BinaryField()

    data_classification = {"id": NOT_PERSONAL, "concern": SPECIAL, "added_by": PERSONAL, "added_at": PERSONAL,
                           "filename": SPECIAL, "content_type": NOT_PERSONAL, "size": NOT_PERSONAL,
                           "ciphertext": SPECIAL}

    class Meta:
        ordering = ["added_at", "id"]

    never_changed = "An attachment is never changed: add another"


class BodyMark(WrittenOnce):
    """One mark seen on a child's body, numbered in the order the recorder listed it."""

    class Side(models.TextChoices):
        FRONT = "front", "Front"
        BACK = "back", "Back"

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="body_marks")
    number = models.PositiveSmallIntegerField()
    side = models.CharField(max_length=5, choices=Side.choices)
    region = models.CharField(max_length=30, choices=REGION_CHOICES)
    description = EncryptedTextField()

    data_classification = {"id": NOT_PERSONAL, "concern": SPECIAL, "number": NOT_PERSONAL, "side": SPECIAL,
                           "region": SPECIAL, "description": SPECIAL}

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["concern", "number"], name="body_mark_number_unique")]

    never_changed = "A body mark is part of the concern as sent: add an addendum"


class PendingUpload(models.Model):
    """A file chosen on the recording page before the concern is sent, kept (encrypted) on the server
    so a round trip of the page does not lose it and nothing is kept in the browser. Attached on send;
    removed after a day otherwise (tasks.py)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    draft_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    ciphertext = models.BinaryField()

    data_classification = {"id": NOT_PERSONAL, "user": PERSONAL, "draft_key": NOT_PERSONAL,
                           "created_at": PERSONAL, "filename": SPECIAL, "content_type": NOT_PERSONAL,
                           "size": NOT_PERSONAL, "ciphertext": SPECIAL}

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["user", "draft_key"]), models.Index(fields=["created_at"])]
