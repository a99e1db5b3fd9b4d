"""Retention with review, never silent deletion (issue 15 section 4; docs/domain/records-lifecycle.md).

A child's file, and an allegation about an adult (kept under its own rule, KCSIE Part four), is kept under the
statutory baseline's retention rules, then reviewed. A legal hold stops its
destruction until lifted with a reason; a review keeps it for another period, or one person proposes its
destruction and a different person approves it. What was destroyed is kept as a tombstone that holds no
content and no name: the record's kind and former id, the child's initials, the rule, when and by whom.
"""

from django.conf import settings
from django.db import models
from encrypted_fields.fields import EncryptedTextField

from safekeep.children.models import Child
from safekeep.concerns.models import Concern
from safekeep.core.classification import NOT_PERSONAL, PERSONAL, SPECIAL
from safekeep.core.models import WrittenOnce
from safekeep.establishments.models import Organisation


# A hold or a review is about exactly one record: a child's file or an allegation.
_ONE_RECORD = (models.Q(child__isnull=False, concern__isnull=True)
               | models.Q(child__isnull=True, concern__isnull=False))


class LegalHold(models.Model):
    """A reason the file must not be destroyed, whatever its review date says: a claim, an inquiry, a police
    request. Lifted, never deleted, and the lifting says why."""

    class Kind(models.TextChoices):
        LITIGATION = "litigation", "Litigation (a claim or the prospect of one)"
        INQUIRY = "inquiry", "A public inquiry or review"
        POLICE = "police", "A police request"
        OTHER = "other", "Another legal reason"

    # What is held: a child's file, or an allegation about an adult (exactly one of the two).
    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds")
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="legal_holds")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    reason = EncryptedTextField()  # the claim, inquiry or request, in the words of the person placing it
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = EncryptedTextField(null=True, blank=True)

    data_classification = {
        "id": NOT_PERSONAL, "child": PERSONAL, "concern": SPECIAL, "kind": SPECIAL, "reason": SPECIAL,
        "placed_by": PERSONAL,
        "placed_at": PERSONAL, "lifted_by": PERSONAL, "lifted_at": PERSONAL, "lift_reason": SPECIAL,
    }

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["child", "lifted_at"], name="retention_hold_open")]
        constraints = [models.CheckConstraint(condition=_ONE_RECORD, name="retention_hold_one_record")]

    def __str__(self):
        return f"Legal hold {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class RetentionReview(WrittenOnce):
    """One decision at a file's review: keep it for another period (with the reason), propose its destruction,
    or decline a proposal made by someone else. The latest decision is where the file stands."""

    class Outcome(models.TextChoices):
        KEEP = "keep", "Kept for another period"
        PROPOSE = "propose", "Destruction proposed"
        DECLINE = "decline", "Proposed destruction declined"

    child = models.ForeignKey(Child, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="retention_reviews")
    concern = models.ForeignKey(Concern, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="retention_reviews")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    rule_code = models.CharField(max_length=100)  # the retention rule the file was reviewed under
    due_on = models.DateField()  # the review date the rule gave
    kept_until = models.DateField(null=True, blank=True)  # keep: the next review
    reason = EncryptedTextField(null=True, blank=True)  # keep and decline: why
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    never_changed = "A review decision is never changed: record the next one"
    data_classification = {
        "id": NOT_PERSONAL, "child": PERSONAL, "concern": SPECIAL, "outcome": PERSONAL, "rule_code": NOT_PERSONAL, "due_on": PERSONAL,
        "kept_until": PERSONAL, "reason": SPECIAL, "decided_by": PERSONAL, "decided_at": PERSONAL,
    }

    class Meta:
        ordering = ["-decided_at", "-id"]
        indexes = [models.Index(fields=["child", "decided_at"], name="retention_review_latest")]
        constraints = [models.CheckConstraint(condition=_ONE_RECORD, name="retention_review_one_record")]

    def __str__(self):
        return f"Retention review {self.pk}"


class Tombstone(WrittenOnce):
    """What was destroyed, under which rule, when and by whom: never what it said. The child's initials let
    the organisation answer "was this file destroyed?" against its other records (a subject access request, a
    claim) without keeping a name or a date of birth here."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    record_type = models.CharField(max_length=50)  # "child's file" or "allegation about an adult"
    record_id = models.CharField(max_length=64)  # the former id (the child's, the concern's), as the audit log names it
    initials = models.CharField(max_length=8)  # the child's; for an allegation, the adult's when their account was named
    establishments = models.CharField(max_length=500)  # where the file was held, by name
    rule_code = models.CharField(max_length=100)
    rule_source = models.TextField()
    due_on = models.DateField()
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    destroyed_at = models.DateTimeField()
    # How many rows of each kind went (model label -> count): evidence the destruction was whole, no content.
    rows = models.JSONField(default=dict)
    # Records the file shared with other children's files, kept for them (ADR 0016): for each kind, how many
    # records and how many other children they name ({"concerns.Concern": {"records": 1, "other_children": 2}}).
    # Counts only: no id, no name, no content.
    shared_kept = models.JSONField(default=dict)

    never_changed = "A tombstone is never changed"
    data_classification = {
        "id": NOT_PERSONAL, "organisation": NOT_PERSONAL, "record_type": NOT_PERSONAL, "record_id": PERSONAL,
        "initials": PERSONAL, "establishments": NOT_PERSONAL, "rule_code": NOT_PERSONAL,
        "rule_source": NOT_PERSONAL, "due_on": PERSONAL, "proposed_by": PERSONAL, "proposed_at": NOT_PERSONAL,
        "approved_by": PERSONAL, "destroyed_at": NOT_PERSONAL, "rows": NOT_PERSONAL,
        "shared_kept": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["-destroyed_at", "-id"]

    def __str__(self):
        return f"Tombstone {self.pk}"
