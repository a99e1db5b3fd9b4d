"""Emails about actions. They never carry case content: no child, no category, no words of the
concern; only that something needs the person, by when, and a link that asks them to sign in.

Nobody gets more than one email about actions in the digest window (settings.SAFEKEEP_EMAIL_DIGEST_WINDOW):
what comes in the meantime is held, and the next email carries it all, as one digest. A new concern's alert
is never held (CE 10.1: the team hears at once), and neither is anything about an immediate risk to a child;
the steps a new concern sets wait for its alert, which lists them, so recording a concern sends its team
one email, not one per step.

emails_batch() lets one change that sets many steps (a concern's) queue all their emails as one task, with
one look-up of who holds the roles told."""

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from safekeep.accounts.models import User
from safekeep.authz.selectors import people_with_role_at, people_with_roles_at
from safekeep.concerns.models import Concern
from safekeep.core import clock

from .models import Action, HeldNotice, Mailbox
from .selectors import actions_visible_to

logger = logging.getLogger(__name__)

SUBJECTS = {
    "new": "Safekeep: a safeguarding action for you",
    "reassigned": "Safekeep: a safeguarding action passed to you",
    "reminder": "Safekeep: a safeguarding action is due soon",
    "escalated": "Safekeep: a safeguarding action is overdue",
    "organisation": "Safekeep: a new safeguarding action in your organisation",
}
OPENINGS = {
    "new": "There is a safeguarding action for you in Safekeep.",
    "reassigned": "A safeguarding action has been passed to you in Safekeep.",
    "reminder": "A safeguarding action for you in Safekeep is due soon.",
    "escalated": "A safeguarding action is overdue, and Safekeep's escalation has passed it to you.",
    "organisation": "A new safeguarding action has been recorded at one of your organisation's establishments.",
}
# For someone told of an action they may not open (a governor told of an exploitation concern, CE 10.1):
# the link goes to their home page, and the safeguarding lead shares what they need to know.
NOT_OPENED = "The safeguarding lead will tell you what you need to know; the action itself is not shown to you."
FOOTER = "Safekeep\nThis email never contains information about a child.\n"


def _listed(notices) -> str:
    return "\n\n".join(f"- {line}\n  {link}" for line, link in notices)


def _send(address: str, subject: str, opening: str, link: str, held=()) -> None:
    also = (f"Also for you since Safekeep last emailed you (it sends at most one email about actions every "
            f"{_window_minutes()} minutes):\n\n{_listed(held)}\n\n") if held else ""
    send_mail(subject, f"Hello,\n\n{opening}\n\nSign in to see it: {link}\n\n{also}{FOOTER}", None, [address])


def _send_digest(address: str, notices: list[tuple[str, str]]) -> None:
    send_mail(f"Safekeep: {len(notices)} safeguarding updates for you",
              f"Hello,\n\nSafekeep sends at most one email about actions every {_window_minutes()} minutes. "
              f"Since the last one, these need you:\n\n{_listed(notices)}\n\nSign in to see each one.\n\n"
              f"{FOOTER}", None, [address])


def _window_minutes() -> int:
    return int(settings.SAFEKEEP_EMAIL_DIGEST_WINDOW.total_seconds() // 60)


def deliver(address: str, subject: str, opening: str, link: str, *, at_once: bool = False,
            hold: bool = False) -> None:
    """Send one email now, or hold it for the next one when this address had one within the window.
    at_once: a concern's alert or an immediate risk, sent now with whatever was held. hold: wait for the
    alert that is on its way (the steps of a concern being recorded), or the digest if none comes."""
    now = clock.now()
    with transaction.atomic():
        Mailbox.objects.get_or_create(address=address)
        mailbox = Mailbox.objects.select_for_update().get(address=address)
        recent = mailbox.last_sent_at and now - mailbox.last_sent_at < settings.SAFEKEEP_EMAIL_DIGEST_WINDOW
        if hold or (recent and not at_once):
            HeldNotice.objects.create(mailbox=mailbox, line=opening[:200], link=link[:300], held_at=now)
            return
        _send(address, subject, opening, link, held=[(n.line, n.link) for n in mailbox.held.all()])
        mailbox.held.all().delete()
        mailbox.last_sent_at = now
        mailbox.save(update_fields=["last_sent_at"])


def send_digests(now=None) -> int:
    """Send each address whose window has passed one digest of what was held for it. Safe to run twice at
    once: each mailbox is locked and checked again before its digest is sent."""
    now = now or clock.now()
    ready = (Mailbox.objects.filter(held__isnull=False)
             .exclude(last_sent_at__gt=now - settings.SAFEKEEP_EMAIL_DIGEST_WINDOW)
             .values_list("pk", flat=True).distinct())
    sent = 0
    for mailbox_id in list(ready):
        with transaction.atomic():
            mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
            held = [(n.line, n.link) for n in mailbox.held.all()]
            if not held or (mailbox.last_sent_at and now - mailbox.last_sent_at
                            < settings.SAFEKEEP_EMAIL_DIGEST_WINDOW):
                continue
            if len(held) == 1:
                _send(mailbox.address, "Safekeep: a safeguarding update for you", *held[0])
            else:
                _send_digest(mailbox.address, held)
            mailbox.held.all().delete()
            mailbox.last_sent_at = now
            mailbox.save(update_fields=["last_sent_at"])
            sent += 1
    return sent


def _may_open(user, action) -> bool:
    return actions_visible_to(user).filter(pk=action.pk).exists()


@task()
def send_action_emails(action_id: int, kind: str, user_ids: list[int], addresses: list[str] | None = None,
                       hold: bool = False) -> int:
    return _send_action_emails(action_id, kind, user_ids, addresses, hold)


class SomeEmailsNotSent(Exception):
    """Names the steps (by id alone) whose emails could not be sent; the others' were."""


@task()
def send_action_emails_batch(jobs: list[list]) -> int:
    """The emails of many steps set by one change: each job is send_action_emails's arguments. A step whose
    emails fail does not stop the others'; the task then fails, naming the steps by id."""
    told, failed = 0, []
    for job in jobs:
        try:
            told += _send_action_emails(*job)
        except Exception:  # noqa: BLE001 - one step's failure must not keep the others' emails back
            logger.warning("Emails about action %s could not be sent", job[0], exc_info=True)
            failed.append(job[0])
    if failed:
        raise SomeEmailsNotSent(f"emails about actions {failed} were not sent")
    return told


def _send_action_emails(action_id: int, kind: str, user_ids: list[int], addresses: list[str] | None = None,
                        hold: bool = False) -> int:
    action = Action.objects.select_related("establishment").get(pk=action_id)
    due = timezone.localtime(action.due_at).strftime("%A %-d %B, %H:%M")
    urgent = Concern.objects.filter(pk=action.concern_id, immediate_risk=True).exists()
    link = f"{settings.SAFEKEEP_BASE_URL}{reverse('actions:detail', args=[action_id])}"
    home = f"{settings.SAFEKEEP_BASE_URL}{reverse('home')}"
    # The adult an allegation is about is never told of it, not even that an action exists.
    subjects = Concern.objects.filter(pk=action.concern_id, about_adult=True, subject__isnull=False).values("subject")
    people = User.objects.filter(pk__in=user_ids, is_active=True).exclude(pk__in=subjects)
    told = 0
    for person in people:  # one message each: recipients never see who else was told
        if _may_open(person, action):
            deliver(person.email, SUBJECTS[kind], f"{OPENINGS[kind]} It is due by {due}.", link, at_once=urgent,
                    hold=hold)
        else:
            deliver(person.email, SUBJECTS[kind], f"{OPENINGS[kind]} {NOT_OPENED}", home, at_once=urgent, hold=hold)
        told += 1
    for address in [a for a in addresses or [] if a]:
        # An organisation's shared safeguarding address: whoever reads it signs in as themselves.
        deliver(address, SUBJECTS[kind], f"{OPENINGS[kind]} {NOT_OPENED}", home, at_once=urgent, hold=hold)
        told += 1
    return told


def _queue(action, kind, user_ids=(), addresses=None, hold=False, *, places_and_roles=()):
    """Queued in the caller's transaction, the one that writes the action: the task queue is in the same
    database, so the step and its email are committed together or not at all (CE 10.1). In an emails_batch
    the action may not be saved yet: the email waits for the end of the batch."""
    batch = _batch.get()
    if batch is not None:
        batch.pending.append((action, kind, list(user_ids), addresses or [], hold, list(places_and_roles)))
        return
    users = list(user_ids) + [pk for place, role in places_and_roles
                              for pk in people_with_role_at(role, place).values_list("pk", flat=True)]
    if users or addresses:
        send_action_emails.enqueue(action.pk, kind, sorted(set(users)), addresses or [], hold)


@dataclass
class _Batch:
    pending: list = field(default_factory=list)  # (action, kind, user ids, addresses, hold, (place, role)s)
    holders: dict = field(default_factory=dict)  # (place id, role): user ids, read once per batch
    then: list = field(default_factory=list)  # (enqueue, args) queued after the steps' emails

    def holders_of(self, places_and_roles) -> dict[tuple[int, str], set[int]]:
        """Who holds each role, with whatever this batch's emails still need, in at most one query."""
        wanted = list(places_and_roles) + [pair for *_, pairs in self.pending for pair in pairs]
        missing = [(place, role) for place, role in wanted if (place.pk, str(role)) not in self.holders]
        if missing:
            self.holders |= people_with_roles_at(missing)
        return self.holders


# The batch being queued in this thread's transaction (emails_batch), or None.
_batch: ContextVar[_Batch | None] = ContextVar("emails_batch", default=None)


def then_queue(enqueue, *args) -> None:
    """Queue a task now, or, in an emails_batch, just after the batch's emails: a new concern's alert follows
    the emails of its steps, so the worker holds those for the alert, which carries them (one email)."""
    batch = _batch.get()
    if batch is None:
        enqueue(*args)
    else:
        batch.then.append((enqueue, args))


def holders(places_and_roles) -> dict[tuple[int, str], set[int]]:
    """{(establishment id, role): the holders' user ids}. In an emails_batch, shared with its emails: a new
    concern's alert and its steps' emails look up the team once."""
    places_and_roles = list(places_and_roles)
    batch = _batch.get()
    found = batch.holders_of(places_and_roles) if batch else people_with_roles_at(places_and_roles)
    return {(place.pk, str(role)): found[(place.pk, str(role))] for place, role in places_and_roles}


@contextmanager
def emails_batch():
    """Collect the emails about the steps one change sets and queue them as one task when it is done, inside
    its transaction, after the steps are saved. Nothing is queued if the change raises. Nested batches join."""
    if _batch.get() is not None:
        yield
        return
    token = _batch.set(_Batch())
    try:
        yield
        batch = _batch.get()
    finally:
        _batch.reset(token)
    held_by = batch.holders_of([])
    jobs = []
    for action, kind, user_ids, addresses, hold, pairs in batch.pending:
        users = set(user_ids).union(*(held_by[(place.pk, str(role))] for place, role in pairs))
        if users or addresses:
            jobs.append([action.pk, kind, sorted(users), addresses, hold])
    if jobs:
        send_action_emails_batch.enqueue(jobs)
    for enqueue, args in batch.then:
        enqueue(*args)


def tell_owners(actions, kind: str) -> None:
    for action in actions:
        if action.owner_id:
            _queue(action, kind, [action.owner_id])
        else:
            _queue(action, kind, places_and_roles=[(action.establishment, action.owner_role)])


def tell_roles(action, places_and_roles, kind: str, *, hold: bool = False) -> None:
    """places_and_roles: (establishment, role) pairs, e.g. the linked home's safeguarding lead.
    hold: the step of a concern being recorded, told in (or after) the concern's alert."""
    _queue(action, kind, hold=hold, places_and_roles=places_and_roles)


def tell_address(action, address: str, kind: str) -> None:
    if address:
        _queue(action, "organisation" if kind == "new" else kind, [], [address])
