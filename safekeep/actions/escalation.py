"""Reminders and escalation for late actions: run every minute, safe to run twice at once.

Each action is claimed with a conditional UPDATE (on its escalation level, or on its reminder not
yet sent); only the run whose update changed the row goes on to notify, so two workers never tell
anyone twice (the healthchecks `sendalerts` pattern).

One bad row never stops the sweep (sendalerts' habit too): its error is logged with the action's id
only, never what the action says, it is set aside for RETRY_AFTER so the next run does not pick it
again at once, and the sweep goes on to the next row.

Escalation reaches a person: a role on the ladder that nobody holds at the establishment is skipped,
and the next holder is told at the time the skipped role would have been, with the skip in the
chronology and the audit log. How fast a ladder climbs is the packs' (ladders.pace).
"""

import logging
from datetime import timedelta

from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.roles import Role, role_label
from safekeep.authz.selectors import people_with_role_at
from safekeep.chronology.services import chronology_add
from safekeep.core import clock
from safekeep.policy.escalation import next_step_after

from . import notifications
from .services import allegation_subject_of
from .ladders import ladders_for
from .models import Action

BATCH = 200
# A row that failed is tried again this much later: soon enough that a passing fault costs little, late
# enough that a lasting one is not retried (and logged) every minute.
RETRY_AFTER = timedelta(minutes=15)
logger = logging.getLogger(__name__)


def send_reminders(now=None) -> int:
    now = now or clock.now()
    sent = 0
    due = Action.objects.filter(status=Action.Status.OPEN, reminded_at__isnull=True, remind_at__lte=now)
    for action in due.select_related("establishment").order_by("remind_at")[:BATCH]:
        try:
            with transaction.atomic():
                if Action.objects.filter(pk=action.pk, reminded_at__isnull=True).update(reminded_at=now):
                    audit_record(actor=None, action="action.remind", obj=action,
                                 establishment_id=action.establishment_id)
                    notifications.tell_owners([action], "reminder")
                    sent += 1
        except Exception as problem:  # noqa: BLE001  (one bad row must not stop the reminders of the rest)
            logger.error("Reminder for action %s failed (%s): tried again at the next sweep after %s",
                         action.pk, type(problem).__name__, RETRY_AFTER)
            Action.objects.filter(pk=action.pk, reminded_at__isnull=True).update(remind_at=now + RETRY_AFTER)
    return sent


def escalate_overdue(now=None) -> int:
    now = now or clock.now()
    escalated, ladders = 0, {}
    due = Action.objects.filter(status=Action.Status.OPEN, next_escalation_at__lte=now)
    for action in due.select_related("establishment", "child").order_by("next_escalation_at")[:BATCH]:
        try:
            with transaction.atomic():
                escalated += _escalate(action, now, ladders)
        except Exception as problem:  # noqa: BLE001  (one bad row must not stop the escalation of the rest)
            logger.error("Escalation of action %s failed (%s): tried again after %s",
                         action.pk, type(problem).__name__, RETRY_AFTER)
            Action.objects.filter(pk=action.pk, status=Action.Status.OPEN,
                                  escalation_level=action.escalation_level).update(
                next_escalation_at=now + RETRY_AFTER)
    return escalated


def _escalate(action: Action, now, ladders: dict) -> int:
    """Tell the next person on the action's ladder who holds their role, skipping roles nobody holds.
    Runs in the row's own transaction; 1 if someone was told."""
    place = action.establishment
    if place.pk not in ladders:
        ladders[place.pk] = ladders_for(place)
    level, ladder = action.escalation_level, action.escalation_ladder or []
    subject_id = allegation_subject_of(action.concern_id)  # never told: not on the ladder
    skipped, step = [], None
    for role in ladder[level:]:
        role = Role(role)  # a role Safekeep does not know is a fault in the row, not a role nobody holds
        if people_with_role_at(role, place).exclude(pk=subject_id).exists():
            step = role
            break
        skipped.append(role)
    reached = level + len(skipped) + (1 if step else 0)
    following = (next_step_after(now, action.time_allowed, ladders[place.pk], nation=place.nation)
                 if step and reached < len(ladder) else None)
    claimed = Action.objects.filter(pk=action.pk, status=Action.Status.OPEN, escalation_level=level).update(
        escalation_level=max(reached, level), next_escalation_at=following)
    if not claimed or level >= len(ladder):
        return 0
    skipped_words = f"No {_roles_in_words(skipped, place)} at {place.name}" if skipped else ""
    detail = {"level": reached, "role": str(step) if step else None, "skipped": [str(role) for role in skipped]}
    audit_record(actor=None, action="action.escalate", obj=action, establishment_id=place.pk, detail=detail)
    if step is None:
        chronology_add(actor=None, child=action.child, establishment=place, kind="action.escalated", obj=action,
                       key_event=True, summary=f"Overdue: {action.what}. {skipped_words}: nobody further on its "
                                               "escalation ladder holds a role there, so it stays with its owner.")
        return 0
    passed = f"passed to the {_role_words(step, place)} (step {reached})"
    chronology_add(actor=None, child=action.child, establishment=place, kind="action.escalated", obj=action,
                   key_event=True, summary=f"Overdue: {action.what}. "
                                           + (f"{skipped_words}, so {passed}." if skipped else f"P{passed[1:]}."))
    notifications.tell_roles(action, [(place, step)], "escalated")
    return 1


def _role_words(role: Role, place) -> str:
    """The role's name as the establishment knows it (a home's registered manager), mid-sentence."""
    label = role_label(role, place.kind)
    return label[0].lower() + label[1:]


def _roles_in_words(roles, place) -> str:
    words = [_role_words(role, place) for role in roles]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
