"""Emails about actions. They never carry case content: no child, no category, no words of the
concern; only that something needs the person, by when, and a link that asks them to sign in."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

from safekeep.accounts.models import User
from safekeep.authz.selectors import people_with_role_at

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


def _body(kind: str, action_id: int, due: str) -> str:
    link = f"{settings.SAFEKEEP_BASE_URL}/actions/{action_id}/"
    return (f"Hello,\n\n{OPENINGS[kind]}\n\nIt is due by {due}.\n\nSign in to see it: {link}\n\n"
            "Safekeep\nThis email never contains information about a child.\n")


@task()
def send_action_emails(action_id: int, kind: str, user_ids: list[int], addresses: list[str] | None = None) -> int:
    from .models import Action

    from safekeep.concerns.models import Concern

    action = Action.objects.only("due_at", "concern_id").get(pk=action_id)
    due = timezone.localtime(action.due_at).strftime("%A %-d %B, %H:%M")
    # The adult an allegation is about is never told of it, not even that an action exists.
    subjects = Concern.objects.filter(pk=action.concern_id, about_adult=True, subject__isnull=False).values("subject")
    people = User.objects.filter(pk__in=user_ids, is_active=True).exclude(pk__in=subjects)
    recipients = list(people.values_list("email", flat=True))
    recipients += [a for a in addresses or [] if a]
    for address in recipients:  # one message each: recipients never see who else was told
        send_mail(SUBJECTS[kind], _body(kind, action_id, due), None, [address])
    return len(recipients)


def owners_of(action) -> list[int]:
    if action.owner_id:
        return [action.owner_id]
    return list(people_with_role_at(action.owner_role, action.establishment).values_list("pk", flat=True))


def _queue(action_id, kind, user_ids, addresses=None):
    """Queued in the caller's transaction, the one that writes the action: the task queue is in the same
    database, so the step and its email are committed together or not at all (CE 10.1)."""
    if user_ids or addresses:
        send_action_emails.enqueue(action_id, kind, sorted(set(user_ids)), addresses or [])


def tell_owners(actions, kind: str) -> None:
    for action in actions:
        _queue(action.pk, kind, owners_of(action))


def tell_roles(action, places_and_roles, kind: str) -> None:
    """places_and_roles: (establishment, role) pairs, e.g. the linked home's safeguarding lead."""
    users = [pk for place, role in places_and_roles for pk in people_with_role_at(role, place)
             .values_list("pk", flat=True)]
    _queue(action.pk, kind, users)


def tell_address(action, address: str, kind: str) -> None:
    if address:
        _queue(action.pk, "organisation" if kind == "new" else kind, [], [address])
