from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment


class ImportBatch(models.Model):
    """One MIS file, checked in full before anything is written, then loaded in the background."""

    class Kind(models.TextChoices):
        CHILDREN = "children", "Children"
        STAFF = "staff", "Staff"

    class Status(models.TextChoices):
        CHECKED = "checked", "Checked, waiting to be loaded"
        LOADING = "loading", "Loading"
        LOADED = "loaded", "Loaded"
        FAILED = "failed", "Stopped before the end"

    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="imports")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CHECKED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    # The checked rows as JSON, encrypted at rest: they hold children's names and dates of birth.
    rows = EncryptedTextField()
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "establishment": NOT_PERSONAL, "kind": NOT_PERSONAL, "status": NOT_PERSONAL,
        "created_by": PERSONAL, "created_at": NOT_PERSONAL, "file_name": PERSONAL, "rows": SPECIAL,
        "total_rows": NOT_PERSONAL, "processed_rows": NOT_PERSONAL, "created_count": NOT_PERSONAL,
        "updated_count": NOT_PERSONAL, "unchanged_count": NOT_PERSONAL, "finished_at": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        return 100 if not self.total_rows else int(100 * self.processed_rows / self.total_rows)
