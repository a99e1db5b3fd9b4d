"""Patterns the safeguarding team should not miss (issue 4, section 5), shown on the inbox with the reason.

- A child with several concerns in a short time (SAFEKEEP_PATTERN_CONCERNS in SAFEKEEP_PATTERN_DAYS).
- Children named together in more than one concern in that time (a peer group forming).
- Several children (SAFEKEEP_PATTERN_SHARED_SIGN) with the same sign noticed in that time.
Two queries, whatever the number of concerns.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations

from django.conf import settings
from django.db.models import Count

from safekeep.authz.access import establishments_where
from safekeep.authz.roles import Permission
from safekeep.core import clock

from .models import ConcernChild
from .selectors import concerns_visible_to


# The inbox shows this many, in the order patterns_in finds them (most concerns first), and says how many more.
PATTERNS_SHOWN = 20


@dataclass(frozen=True)
class Pattern:
    reason: str
    child_ids: tuple[int, ...]


def patterns_for(actor) -> list[Pattern]:
    """The patterns in the concerns of the establishments whose records the actor reads (the inbox page and
    the API show the same); none for a member of staff, who sees only the concerns they recorded."""
    team_places = establishments_where(actor, Permission.CHILD_VIEW)
    return patterns_in(concerns_visible_to(actor).filter(establishment_id__in=team_places)) if team_places else []


def patterns_in(concerns) -> list[Pattern]:
    """concerns: the queryset of concerns the person may see."""
    since = clock.now() - timedelta(days=settings.SAFEKEEP_PATTERN_DAYS)
    recent = ConcernChild.objects.filter(concern__in=concerns.filter(recorded_at__gte=since))
    found = []
    frequent = (recent.values("child_id", "child__first_name", "child__last_name").annotate(n=Count("concern_id",
                distinct=True)).filter(n__gte=settings.SAFEKEEP_PATTERN_CONCERNS).order_by("-n"))
    for row in frequent:
        found.append(Pattern(f"{row['child__first_name']} {row['child__last_name']}: {row['n']} concerns in the "
                             f"last {settings.SAFEKEEP_PATTERN_DAYS} days", (row["child_id"],)))
    by_concern, by_sign, names = {}, {}, {}
    for concern_id, child_id, first, last, signs in recent.values_list(
            "concern_id", "child_id", "child__first_name", "child__last_name", "indicators"):
        by_concern.setdefault(concern_id, set()).add(child_id)
        names[child_id] = f"{first} {last}"
        for sign in signs or []:
            by_sign.setdefault(sign, set()).add(child_id)
    together = Counter(pair for children in by_concern.values() for pair in combinations(sorted(children), 2))
    for (a, b), times in together.most_common():
        if times >= 2:
            found.append(Pattern(f"{names[a]} and {names[b]} named together in {times} concerns in the last "
                                 f"{settings.SAFEKEEP_PATTERN_DAYS} days", (a, b)))
    for sign, children in sorted(by_sign.items(), key=lambda item: -len(item[1])):
        if len(children) >= settings.SAFEKEEP_PATTERN_SHARED_SIGN:
            who = ", ".join(sorted(names[c] for c in children))
            found.append(Pattern(f"{len(children)} children with the sign “{sign}” in the last "
                                 f"{settings.SAFEKEEP_PATTERN_DAYS} days: {who}", tuple(sorted(children))))
    return found
