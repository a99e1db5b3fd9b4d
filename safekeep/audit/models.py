from django.db import models

from safekeep.core.classification import NOT_PERSONAL, PERSONAL

from .actions import describe


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The audit log is append-only")

    def delete(self):
        raise TypeError("The audit log is append-only")


class AuditEvent(models.Model):
    """One row per read, write, export or denial. Append-only and HMAC-chained.

    No foreign keys: an audit row must outlive the person, child or establishment it names,
    and must never be changed by a cascade. See docs/adr/0002-audit-log.md.
    """

    class Outcome(models.TextChoices):
        ALLOWED = "allowed", "Allowed"
        DENIED = "denied", "Denied"

    # A gapless counter: a missing number means a deleted row, a repeated or lower one an insertion.
    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_email = models.CharField(max_length=254, blank=True)
    role = models.CharField(max_length=30, blank=True)
    establishment_id = models.BigIntegerField(null=True)
    action = models.CharField(max_length=100)
    object_type = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    request_id = models.CharField(max_length=32, blank=True)
    # Structured, never free text from a case: counts, field names, ids.
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    data_classification = {
        "id": NOT_PERSONAL, "seq": NOT_PERSONAL, "occurred_at": PERSONAL, "actor_id": PERSONAL,
        "actor_email": PERSONAL, "role": PERSONAL, "establishment_id": PERSONAL, "action": PERSONAL,
        "object_type": PERSONAL, "object_id": PERSONAL, "outcome": PERSONAL, "request_id": NOT_PERSONAL,
        "detail": PERSONAL, "prev_hash": NOT_PERSONAL, "row_hash": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "seq"]),
            models.Index(fields=["actor_id", "seq"]),
            # The log filtered by an action: an exact name or a range of names, newest first. A plain btree
            # serves both; LIKE 'prefix%' could not use it under PostgreSQL's C.UTF-8 collation.
            models.Index(fields=["action", "seq"], name="audit_action_seq"),
        ]

    @property
    def action_words(self) -> str:
        return describe(self.action, self.object_type)

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The audit log is append-only")


class AuditCheckpointQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit checkpoints are append-only")

    def delete(self):
        raise TypeError("Audit checkpoints are append-only")


class AuditCheckpoint(models.Model):
    """The head of the audit chain, signed with the audit key and kept outside the audit table.

    The chain alone cannot show that its newest rows were removed: what is left still links up.
    A checkpoint says "the log reached seq N, whose hash was H", so the verifier can name a
    truncation. Append-only like the log; see docs/adr/0010-audit-checkpoints.md.
    """

    seq = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    taken_at = models.DateTimeField()
    signature = models.CharField(max_length=64)

    objects = AuditCheckpointQuerySet.as_manager()

    data_classification = {
        "id": NOT_PERSONAL, "seq": NOT_PERSONAL, "row_hash": NOT_PERSONAL, "taken_at": NOT_PERSONAL,
        "signature": NOT_PERSONAL,
    }

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["seq"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit checkpoints are append-only")
