from django.conf import settings
from django.db import models

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.establishments.models import Establishment


class ChronologyEntry(models.Model):
    """One line of a child's professional record: what happened, when, and who recorded it.

    Written by the services in the same transaction as the change it describes; never edited.
    The concerns app (issue 4) adds concerns, triage and addenda; actions add theirs here.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="chronology")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    kind = models.CharField(max_length=40)  # stable dotted name, like audit actions: "action.completed"
    summary = models.TextField()  # professional words, shown to those who may read the child's record
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL,
                           "occurred_at": PERSONAL, "recorded_at": PERSONAL, "recorded_by": PERSONAL,
                           "kind": SPECIAL, "summary": SPECIAL, "object_type": NOT_PERSONAL,
                           "object_id": NOT_PERSONAL}

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["child", "occurred_at"])]
        verbose_name_plural = "chronology entries"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Chronology entries are never changed: add another entry")
        super().save(*args, **kwargs)
