from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class ChronologyEntry(WrittenOnce):
    """One line of a child's professional record: what happened, when, and who recorded it.

    Written by the services in the same transaction as the change it describes; never edited.
    Concerns add theirs (recorded, read, addenda, triage decisions); actions add theirs here.
    Whether a DSL has since marked it as a key event is a separate record (KeyEventMark).
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="chronology")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    kind = models.CharField(max_length=40)  # stable dotted name, like audit actions: "action.completed"
    # Professional words, shown to those who may read the child's record. Encrypted at rest like the records
    # they summarise (an addendum, a triage rationale, a meeting's decisions, a consultation's advice), so the
    # chronology is never a plaintext copy of what is encrypted in its own table.
    summary = EncryptedTextField()
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    # The concern this entry belongs to (its own, its addendum's, its triage's, or its action's), so that
    # a restricted concern (an allegation) can hide every entry about it with one filter.
    concern = models.ForeignKey("concerns.Concern", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+")
    # The category codes that apply to THIS child for that concern when the entry was written, as
    # ",cat-a,cat-b," ("" when none). A delimited text column rather than a JSON list: "has category X"
    # is then `categories__contains=",X,"`, the same LIKE on SQLite and PostgreSQL (a JSONField's
    # __contains on a list does not work on SQLite), in the same query as the rest of the page.
    # Codes never contain a comma (safekeep/policy/packs.py CODE), and entries are never edited.
    categories = models.TextField(blank=True, default="")
    # Set when written, by the rule in docs/domain/chronology.md (disclosure, immediate risk, high risk,
    # referral, escalation). A DSL's later marking is a KeyEventMark: the latest one wins.
    key_event = models.BooleanField(default=False)

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL,
                           "occurred_at": PERSONAL, "recorded_at": PERSONAL, "recorded_by": PERSONAL,
                           "kind": SPECIAL, "summary": SPECIAL, "object_type": NOT_PERSONAL,
                           "object_id": NOT_PERSONAL, "concern": SPECIAL, "categories": SPECIAL,
                           "key_event": SPECIAL}

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["child", "occurred_at"])]
        verbose_name_plural = "chronology entries"

    never_changed = "Chronology entries are never changed: add another entry"

    @property
    def category_codes(self) -> list[str]:
        return [code for code in self.categories.split(",") if code]

    @staticmethod
    def categories_text(codes) -> str:
        codes = sorted({str(code) for code in codes or () if code})
        return f",{','.join(codes)}," if codes else ""


class KeyEventMark(WrittenOnce):
    """A DSL marking a chronology entry as a key event, or taking the mark away. Never edited: the latest wins."""

    entry = models.ForeignKey(ChronologyEntry, on_delete=models.PROTECT, related_name="key_marks")
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(auto_now_add=True)
    key = models.BooleanField()
    reason = EncryptedTextField(null=True, blank=True)  # professional words; optional (empty is stored as NULL)

    data_classification = {"id": NOT_PERSONAL, "entry": SPECIAL, "marked_by": PERSONAL, "marked_at": PERSONAL,
                           "key": SPECIAL, "reason": SPECIAL}

    class Meta:
        ordering = ["-marked_at", "-id"]
        indexes = [models.Index(fields=["entry", "marked_at"])]

    never_changed = "A key event mark is never changed: add another"


class ChronologyPdfRequest(models.Model):
    """A long chronology asked for as a PDF, built by the worker and offered to whoever asked when it is ready
    (issue 15, section 3: a 2,000-entry chronology takes WeasyPrint longer than a page may, docs/performance.md).

    The PDF is a copy of the child's record: encrypted at rest (pdf.seal) and deleted a day after it was asked for
    (tasks.chronology_pdfs_expire). Only the person who asked may open it. Its status changes as it is built, so
    it is not written once; what it holds never changes."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"
        EXPIRED = "expired", "Deleted after a day"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    # The one choice the export form offers: other people's names withheld.
    redact = models.BooleanField()
    entries = models.PositiveIntegerField()  # how many the chronology held when it was asked for
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    ready_at = models.DateTimeField(null=True, blank=True)
    pdf = models.BinaryField(null=True, blank=True)

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "requested_by": PERSONAL,
                           "requested_at": PERSONAL, "redact": NOT_PERSONAL, "entries": PERSONAL,
                           "status": NOT_PERSONAL, "ready_at": PERSONAL, "pdf": SPECIAL}

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["requested_at"])]
