"""The safeguarding team hears of every new concern at once (CE 10.1; CoC 5.1), with no case content."""

from django.db import transaction

from safekeep.authz.roles import Role
from safekeep.authz.selectors import people_with_role_at

from .tasks import send_concern_alert


def after_commit_alert_safeguarding_team(concern) -> None:
    team = set()
    for role in (Role.DSL, Role.DEPUTY_DSL):
        team |= set(people_with_role_at(role, concern.establishment).values_list("pk", flat=True))
    team.discard(concern.recorded_by_id)
    if team:
        transaction.on_commit(lambda: send_concern_alert.enqueue(concern.pk, sorted(team)))
