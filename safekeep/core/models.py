"""What several apps' models share."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

# Set only while the retention service destroys a child's file that two people reviewed (retention.services).
_reviewed_destruction: ContextVar[bool] = ContextVar("reviewed_destruction", default=False)


@contextmanager
def reviewed_destruction():
    """The one way written-once rows are deleted: the destruction of a record whose review date has passed,
    proposed by one person and approved by another (docs/domain/records-lifecycle.md). Only the retention
    service enters it; anywhere else a delete of a written-once record is refused."""
    token = _reviewed_destruction.set(True)
    try:
        yield
    finally:
        _reviewed_destruction.reset(token)


class WrittenOnceQuerySet(models.QuerySet):
    """WrittenOnce for many rows at once, as save() is for one: an update may set only the fields a service
    may still set, and no record is deleted through the ORM (a record's end is a tombstone, never a DELETE)."""

    def _only_changeable(self, fields):
        if not fields or not set(fields) <= self.model.changeable_fields:
            raise TypeError(self.model.never_changed)

    def update(self, **kwargs):
        self._only_changeable(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        self._only_changeable(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def update_or_create(self, *args, **kwargs):
        raise TypeError(self.model.never_changed)

    def delete(self):
        if not _reviewed_destruction.get():
            raise TypeError(self.model.never_changed)
        return super().delete()


class WrittenOnce(models.Model):
    """A record kept as it was written (DESIGN.md: concerns, decisions and logs are never edited).
    A correction is a new row; saving an existing row again is a programming error."""

    # Fields a service may still set after creation (a concern being marked as read), and nothing else.
    changeable_fields: frozenset[str] = frozenset()
    never_changed = "This record is never changed: add a new one"

    objects = WrittenOnceQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = set(kwargs.get("update_fields") or ())
        if self.pk is not None and not (fields and fields <= self.changeable_fields):
            raise TypeError(self.never_changed)
        super().save(*args, **kwargs)
