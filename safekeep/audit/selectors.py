from safekeep.accounts.models import User

from .chain import first_break
from .models import AuditEvent


def child_access_log(child, *, limit=200):
    """Who looked at or changed this child's record, newest first, with the person's current name."""
    events = list(
        AuditEvent.objects.filter(object_type="child", object_id=str(child.pk)).order_by("-seq")[:limit]
    )
    names = dict(User.objects.filter(pk__in={e.actor_id for e in events}).values_list("pk", "full_name"))
    for event in events:
        event.actor_name = names.get(event.actor_id, event.actor_email or "Unknown")
    return events


def audit_log(*, organisation_ids, action_prefix="", limit=200):
    """The audit log for people in the given organisations. Rows name ids, never case content."""
    people = User.objects.filter(organisation_id__in=organisation_ids).values_list("pk", flat=True)
    events = AuditEvent.objects.filter(actor_id__in=people).order_by("-seq")
    if action_prefix:
        events = events.filter(action__startswith=action_prefix)
    return list(events[:limit])


def verify_chain(batch_size=5000):
    """Return the first break in the chain, or None. Streams rows so a long log needs little memory."""
    fields = ("id", "seq", "occurred_at", "actor_id", "actor_email", "role", "establishment_id", "action",
              "object_type", "object_id", "outcome", "request_id", "detail", "prev_hash", "row_hash")
    rows = AuditEvent.objects.order_by("id").values(*fields).iterator(chunk_size=batch_size)
    return first_break(rows)
