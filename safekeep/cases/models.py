"""A child's safeguarding case at an establishment: open while the safeguarding team works on it,
closed with a reason, reopened with a reason (issue 5, part 8). Closing removes nothing: the
chronology keeps every entry, and the closure is one more of them.
"""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Establishment


class CaseStatusChange(WrittenOnce):
    """One opening or closing. The latest for a child and establishment is the case's status; with none,
    the case is open (a child with records is a case until a DSL closes it)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="case_changes")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = EncryptedTextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL, "status": SPECIAL,
                           "reason": SPECIAL, "changed_by": PERSONAL, "changed_at": PERSONAL}

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["child", "establishment", "changed_at"])]

    never_changed = "A case's closing or reopening is never changed: record the next one"


class Case(WrittenOnce):
    """A child's case at an establishment as it stands: the status of its latest CaseStatusChange, kept on one
    row by case_close and case_reopen in the transaction that records the change, so the home pages count the
    open cases without finding every child's latest change (issue 12). With no row, the case is open."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=CaseStatusChange.Status.choices)
    changed_at = models.DateTimeField()

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL, "status": SPECIAL,
                           "changed_at": PERSONAL}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "establishment"], name="one_case_per_child_here")]

    changeable_fields = frozenset({"status", "changed_at"})
    never_changed = "A case's status changes only by closing or reopening it"


class Leaving(WrittenOnce):
    """A child leaving for another school or college. The child protection file follows them, separately
    from the pupil file, within 5 school days, and its receipt is confirmed (KCSIE 2025 Annex C)."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="leavings")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(max_length=200)
    leaves_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    data_classification = {"id": NOT_PERSONAL, "child": PERSONAL, "establishment": PERSONAL, "destination": PERSONAL,
                           "leaves_on": PERSONAL, "recorded_by": PERSONAL, "recorded_at": PERSONAL}

    class Meta:
        ordering = ["-leaves_on", "-id"]

    never_changed = "A leaving record is never changed: record it again if the plan changes"
