from django.db import connection

from safekeep.core import clock

from .models import ChronologyEntry


def chronology_add(*, actor, child, establishment, kind: str, summary: str, obj=None, occurred_at=None):
    """Called by other services inside their transaction; it checks nothing itself."""
    if not connection.in_atomic_block:
        raise RuntimeError("chronology_add must run inside the transaction of the change it records")
    return ChronologyEntry.objects.create(
        child=child, establishment=establishment, occurred_at=occurred_at or clock.now(), recorded_by=actor,
        kind=kind, summary=summary, object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "")
