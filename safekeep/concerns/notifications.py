"""The safeguarding team hears of every new concern at once (CE 10.1; CoC 5.1), with no case content.

An allegation about an adult goes to the DSL, deputy and head (CE 11.7: the head when neither DSL
is available), never to the adult it is about; if none of them is left, to the group head.

A new concern's alert is queued in the transaction that saves the concern, and so is the alert for an
addendum or a file: the task queue is in the same database, so the two are committed together or not
at all, and a crash between them cannot lose the alert. An audit row says it was queued; the sweep alerts any recent concern without one.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef
from django.db.models.functions import Cast

from safekeep.actions import notifications as action_notifications
from safekeep.audit.models import AuditEvent
from safekeep.audit.services import audit_record
from safekeep.authz.roles import Role
from safekeep.authz.selectors import people_with_role_at
from safekeep.core import clock

from . import tasks
from .models import Concern

logger = logging.getLogger(__name__)

ALERT_QUEUED = "concern.alert"
# How far back the sweep looks. Every concern recorded since alerts were queued with the concern has its
# audit row; a day covers a worker that was down overnight without re-alerting older concerns.
SWEEP_WINDOW = timedelta(days=1)


def _team(concern) -> set[int]:
    roles = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD) if concern.about_adult else (Role.DSL, Role.DEPUTY_DSL)
    team = set().union(*action_notifications.holders((concern.establishment, role) for role in roles).values())
    team.discard(concern.subject_id)
    if concern.about_adult and not team:
        team = set(people_with_role_at(Role.GROUP_HEAD, concern.establishment).values_list("pk", flat=True))
        team.discard(concern.subject_id)
    return team


def alert_recipients(concern) -> list[int]:
    """Whom a new concern's alert goes to: its safeguarding team, not the person who recorded it (CE 10.1)."""
    team = _team(concern)
    team.discard(concern.recorded_by_id)
    return sorted(team)


def alert_safeguarding_team(concern, *, swept: bool = False) -> None:
    """Queue the new concern's alert in the caller's transaction (the one that saves the concern)."""
    recipients = alert_recipients(concern)
    if recipients:
        action_notifications.then_queue(tasks.send_concern_alert.enqueue, concern.pk, recipients)
    audit_record(actor=None, action=ALERT_QUEUED, obj=concern, establishment_id=concern.establishment_id,
                 detail={"recipients": len(recipients), "swept": swept})


def alert_team_of_addition(concern) -> None:
    """The team hears again when a concern gains an addendum or a file (CE 10.1: they see it at once). Queued
    in the caller's transaction, the one that writes the addition, as the concern's own alert is."""
    recipients = alert_recipients(concern)
    if recipients:
        tasks.send_concern_alert.enqueue(concern.pk, recipients)


def _alert_queued():
    return AuditEvent.objects.filter(action=ALERT_QUEUED, object_type="concern",
                                     object_id=Cast(OuterRef("pk"), output_field=CharField()))


def alerts_sweep(now=None) -> int:
    """Alert the team about every recent concern whose alert was never queued. Safe to run twice at once:
    each concern is locked and checked again before its alert is queued. A concern that cannot be alerted
    is logged by its id alone and left for the next sweep; it never stops the others."""
    now = now or clock.now()
    missing = (Concern.objects.filter(recorded_at__gte=now - SWEEP_WINDOW).exclude(Exists(_alert_queued()))
               .order_by("recorded_at").values_list("pk", flat=True))
    alerted = 0
    for concern_id in list(missing):
        try:
            with transaction.atomic():
                concern = (Concern.objects.select_for_update().select_related("establishment")
                           .exclude(Exists(_alert_queued())).filter(pk=concern_id).first())
                if concern is None:  # another sweep queued it first
                    continue
                alert_safeguarding_team(concern, swept=True)
        except Exception as error:  # noqa: BLE001 - one bad row must not stop the sweep
            logger.warning("Alert for concern %s could not be queued (%s); the next sweep tries again",
                           concern_id, type(error).__name__)
            continue
        logger.warning("Alert for concern %s was missing and is now queued", concern_id)
        alerted += 1
    return alerted
