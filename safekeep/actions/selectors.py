from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Case, IntegerField, Q, Subquery, Value, When

from safekeep.audit.services import audit_record

from safekeep.authz.access import get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core import clock

from .models import Action


def _mine(actor, scope) -> Q:
    """Actions owned by the person, or by a role they hold where the action is."""
    owned = Q(owner_id=actor.pk)
    for role, places in scope.places.items():
        owned |= Q(owner__isnull=True, owner_role=role.value, establishment_id__in=places)
    return owned


def _open_to(actor):
    """Actions, less those of allegations the person may not see (one of them may be about them)."""
    # Stays here: concerns.selectors imports this module at its top (a concern's page lists its actions), so
    # importing it back at the top would be an import cycle. Who may read an allegation is the concerns app's.
    from safekeep.concerns.selectors import allegations_hidden_from

    # The recorder's own step ("report it to the DSL now", CE 11.7) stays theirs to see and do.
    return Action.objects.exclude(Q(concern_id__in=allegations_hidden_from(actor)) & ~Q(owner=actor))


def actions_visible_to(actor):
    """The case team's actions at their establishments, and anything owned by the person or their role."""
    scope = scope_for(actor)
    if not scope.roles:
        return Action.objects.none()
    team = Q(establishment_id__in=scope.establishment_ids(Permission.ACTION_MANAGE))
    return _open_to(actor).filter(team | _mine(actor, scope))


def overdue() -> Q:
    """Open and past its due time: the clock has run out and the action is not done (escalating)."""
    return Q(status=Action.Status.OPEN, due_at__lt=clock.now())


def due_later_today() -> Q:
    """Open, not yet late, and due before midnight tonight (UK time): what must still be done today."""
    midnight = datetime.combine(clock.today() + timedelta(days=1), time(), clock.LONDON)
    return Q(status=Action.Status.OPEN, due_at__gte=clock.now(), due_at__lt=midnight)


# The action list narrowed to a home page's figure (?due=).
DUE = {"overdue": ("Overdue", overdue), "today": ("Due later today", due_later_today)}


def overdue_first(actions):
    """Overdue first, then the soonest due: the same as by due time, since every overdue action is due
    before every other, so the order is (due_at, id) and a page can start where the last one ended."""
    now = clock.now()
    return actions.annotate(late=Case(When(due_at__lt=now, then=Value(0)), default=Value(1),
                                      output_field=IntegerField())).order_by("due_at", "id")


def my_open_actions(actor):
    scope = scope_for(actor)
    if not scope.roles:
        return Action.objects.none()
    return overdue_first(_open_to(actor).filter(_mine(actor, scope), status=Action.Status.OPEN)
                         .select_related("child", "establishment", "owner"))


def establishment_open_actions(actor, establishment_id):
    if establishment_id not in scope_for(actor).establishment_ids(Permission.ACTION_MANAGE):
        return Action.objects.none()
    return overdue_first(_open_to(actor).filter(establishment_id=establishment_id, status=Action.Status.OPEN)
                         .select_related("child", "establishment", "owner"))


def access_action(actor, action_id, action="action.view") -> Action:
    return get_visible(actions_visible_to(actor).select_related("child", "establishment", "owner", "completed_by"),
                       action_id, action)


def read_action(actor, action_id) -> Action:
    """An action names a child and what must happen for them: reading it is audited, fail closed."""
    with transaction.atomic():
        action = access_action(actor, action_id)
        audit_record(actor=actor, action="action.view", obj=action, establishment_id=action.establishment_id)
    return action


ACTIONS_PAGE = 100


@dataclass
class ActionPage:
    rows: list
    next_cursor: str = ""  # ?after= for the next page: the id of this page's last action; empty on the last


def read_action_list(actor, establishment_id=None, *, after: str = "", due: str = "") -> ActionPage:
    """A page of open actions (keyset: those due after the action the last page ended with); `due` (a key of
    DUE) narrows it to the overdue ones or those due later today."""
    limit = ACTIONS_PAGE
    actions = establishment_open_actions(actor, establishment_id) if establishment_id else my_open_actions(actor)
    if due in DUE:
        actions = actions.filter(DUE[due][1]())
    if after.isascii() and after.isdigit() and len(after) < 19:
        # Looked up among the actions the person may see, done or not: a page's last action may be done since.
        then = actions_visible_to(actor).filter(pk=int(after)).values("due_at")[:1]
        actions = actions.filter(Q(due_at__gt=Subquery(then)) | Q(due_at=Subquery(then), pk__gt=int(after)))
    with transaction.atomic():
        rows = list(actions[:limit + 1])
        more = len(rows) > limit
        rows = rows[:limit] if more else rows
        audit_record(actor=actor, action="action.list", object_type="action", establishment_id=establishment_id,
                     detail={"results": len(rows)})
    return ActionPage(rows=rows, next_cursor=str(rows[-1].pk) if more else "")
