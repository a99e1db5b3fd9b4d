"""The safeguarding team hears of every new concern at once (CE 10.1; CoC 5.1), with no case content.

An allegation about an adult goes to the DSL, deputy and head (CE 11.7: the head when neither DSL
is available), never to the adult it is about; if none of them is left, to the group head.
"""

from django.db import transaction

from safekeep.authz.roles import Role
from safekeep.authz.selectors import people_with_role_at

from .tasks import send_concern_alert


def _team(concern) -> set[int]:
    roles = (Role.DSL, Role.DEPUTY_DSL, Role.HEAD) if concern.about_adult else (Role.DSL, Role.DEPUTY_DSL)
    team = set()
    for role in roles:
        team |= set(people_with_role_at(role, concern.establishment).values_list("pk", flat=True))
    team.discard(concern.subject_id)
    if concern.about_adult and not team:
        team = set(people_with_role_at(Role.GROUP_HEAD, concern.establishment).values_list("pk", flat=True))
        team.discard(concern.subject_id)
    return team


def after_commit_alert_safeguarding_team(concern) -> None:
    team = _team(concern)
    team.discard(concern.recorded_by_id)
    if team:
        transaction.on_commit(lambda: send_concern_alert.enqueue(concern.pk, sorted(team)))
