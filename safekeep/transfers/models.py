"""The child protection file that follows a child to their new school (KCSIE 2025 Annex C): the package built
from the child's record, the one-time link it is sent by, each try of its code, each download, the receipt,
and a file another school sent that was imported here. Every row is written once."""

from django.conf import settings
from django.db import models

from safekeep.cases.models import Leaving
from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class TransferPackage(WrittenOnce):
    """The file as it was built and sent: a PDF for people and a JSON file for systems, each encrypted at rest
    (package.encrypt) with the SHA-256 of what was sent, and who it was sent to. The code that opens its link
    is kept only as a hash."""

    leaving = models.ForeignKey(Leaving, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    built_at = models.DateTimeField(auto_now_add=True)
    parts = models.JSONField(default=list)  # the chronology types the sender chose to include
    entries = models.PositiveIntegerField()
    pdf = models.BinaryField()
    json = models.BinaryField()
    pdf_sha256 = models.CharField(max_length=64)
    json_sha256 = models.CharField(max_length=64)
    recipient_name = models.CharField(max_length=120)
    recipient_email = models.EmailField()
    recipient_school = models.CharField(max_length=200)
    code_hash = models.CharField(max_length=200)

    data_classification = {"id": NOT_PERSONAL, "leaving": PERSONAL, "child": PERSONAL, "establishment": PERSONAL,
                           "built_by": PERSONAL, "built_at": PERSONAL, "parts": NOT_PERSONAL, "entries": PERSONAL,
                           "pdf": SPECIAL, "json": SPECIAL, "pdf_sha256": NOT_PERSONAL, "json_sha256": NOT_PERSONAL,
                           "recipient_name": PERSONAL, "recipient_email": PERSONAL, "recipient_school": PERSONAL,
                           "code_hash": NOT_PERSONAL}

    class Meta:
        ordering = ["-built_at", "-id"]

    never_changed = "A child protection file sent is never changed: build and send it again"


class TransferLink(WrittenOnce):
    """The one-time address the file is opened at. Made when the email goes, so its secret never waits in the
    task queue; only the SHA-256 of the secret is kept."""

    package = models.OneToOneField(TransferPackage, on_delete=models.PROTECT, related_name="link")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "package": PERSONAL, "token_hash": NOT_PERSONAL,
                           "created_at": PERSONAL, "expires_at": PERSONAL}


class CodeAttempt(WrittenOnce):
    """One try of the code on the link's page: the wrong ones are counted, and the link locks at the limit."""

    link = models.ForeignKey(TransferLink, on_delete=models.PROTECT, related_name="attempts")
    tried_at = models.DateTimeField(auto_now_add=True)
    right = models.BooleanField()

    data_classification = {"id": NOT_PERSONAL, "link": PERSONAL, "tried_at": PERSONAL, "right": NOT_PERSONAL}


class TransferDownload(WrittenOnce):
    link = models.ForeignKey(TransferLink, on_delete=models.PROTECT, related_name="downloads")
    downloaded_at = models.DateTimeField(auto_now_add=True)
    format = models.CharField(max_length=4)  # "pdf" or "json"

    data_classification = {"id": NOT_PERSONAL, "link": PERSONAL, "downloaded_at": PERSONAL, "format": NOT_PERSONAL}

    class Meta:
        ordering = ["downloaded_at", "id"]


class TransferReceipt(WrittenOnce):
    """The receiving DSL's word that the file arrived: the link is used once it is given."""

    link = models.OneToOneField(TransferLink, on_delete=models.PROTECT, related_name="receipt")
    received_at = models.DateTimeField(auto_now_add=True)
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=120)

    data_classification = {"id": NOT_PERSONAL, "link": PERSONAL, "received_at": PERSONAL, "name": PERSONAL,
                           "role": PERSONAL}


class ImportedFile(WrittenOnce):
    """A child protection file another school sent, imported into a child's chronology here."""

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)
    json_sha256 = models.CharField(max_length=64)
    sent_by = models.CharField(max_length=200)  # the sending establishment, as the file names it
    entries = models.PositiveIntegerField()

    data_classification = {"id": NOT_PERSONAL, "establishment": PERSONAL, "child": PERSONAL,
                           "imported_by": PERSONAL, "imported_at": PERSONAL, "json_sha256": NOT_PERSONAL,
                           "sent_by": PERSONAL, "entries": PERSONAL}
