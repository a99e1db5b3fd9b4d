"""Reminders and escalation for late actions: run every minute, safe to run twice at once.

Each action is claimed with a conditional UPDATE (on its escalation level, or on its reminder not
yet sent); only the run whose update changed the row goes on to notify, so two workers never tell
anyone twice (the healthchecks `sendalerts` pattern).
"""

from django.db import transaction
from django.db.models import F

from safekeep.audit.services import audit_record
from safekeep.chronology.services import chronology_add
from safekeep.core import clock
from safekeep.policy.deadlines import Deadline, Unit
from safekeep.policy.escalation import next_step_after

from . import notifications
from .models import Action

BATCH = 200


def send_reminders(now=None) -> int:
    now = now or clock.now()
    sent = 0
    due = Action.objects.filter(status=Action.Status.OPEN, reminded_at__isnull=True, remind_at__lte=now)
    for action in due.select_related("establishment").order_by("remind_at")[:BATCH]:
        with transaction.atomic():
            if Action.objects.filter(pk=action.pk, reminded_at__isnull=True).update(reminded_at=now):
                audit_record(actor=None, action="action.remind", obj=action, establishment_id=action.establishment_id)
                notifications.tell_owners([action], "reminder")
                sent += 1
    return sent


def _pace(action) -> Deadline:
    """How fast the ladder climbs: as the deadline's own unit; an action due by a date ("by 5 March
    2026", a plan review or a meeting's action) climbs a working day at a time."""
    try:
        return Deadline.parse(action.deadline)
    except ValueError:
        return Deadline(Unit.WORKING_DAYS, 1)


def escalate_overdue(now=None) -> int:
    now = now or clock.now()
    escalated = 0
    due = Action.objects.filter(status=Action.Status.OPEN, next_escalation_at__lte=now)
    for action in due.select_related("establishment", "child").order_by("next_escalation_at")[:BATCH]:
        level = action.escalation_level
        ladder = action.escalation_ladder or []
        following = (next_step_after(now, _pace(action), nation=action.establishment.nation)
                     if level + 1 < len(ladder) else None)
        with transaction.atomic():
            claimed = Action.objects.filter(pk=action.pk, status=Action.Status.OPEN, escalation_level=level).update(
                escalation_level=F("escalation_level") + 1, next_escalation_at=following)
            if not claimed or level >= len(ladder):
                continue
            step = ladder[level]
            audit_record(actor=None, action="action.escalate", obj=action, establishment_id=action.establishment_id,
                         detail={"level": level + 1, "role": step})
            chronology_add(actor=None, child=action.child, establishment=action.establishment,
                           kind="action.escalated", obj=action, key_event=True,
                           summary=f"Overdue: {action.what}. Passed to {step.replace('_', ' ')} (step {level + 1}).")
            notifications.tell_roles(action, [(action.establishment, step)], "escalated")
            escalated += 1
    return escalated
