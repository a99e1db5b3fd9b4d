"""What several apps' models share."""

from django.db import models


class WrittenOnce(models.Model):
    """A record kept as it was written (DESIGN.md: concerns, decisions and logs are never edited).
    A correction is a new row; saving an existing row again is a programming error."""

    # Fields a service may still set after creation (a concern being marked as read), and nothing else.
    changeable_fields: frozenset[str] = frozenset()
    never_changed = "This record is never changed: add a new one"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = set(kwargs.get("update_fields") or ())
        if self.pk is not None and not (fields and fields <= self.changeable_fields):
            raise TypeError(self.never_changed)
        super().save(*args, **kwargs)
