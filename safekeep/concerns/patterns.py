"""Patterns the safeguarding team should not miss (issue 4, section 5), shown on the inbox with the reason.

- A child with several concerns in a short time (SAFEKEEP_PATTERN_CONCERNS in SAFEKEEP_PATTERN_DAYS).
- Children named together in more than one concern in that time (a peer group forming).
Two queries, whatever the number of concerns.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations

from django.conf import settings
from django.db.models import Count

from safekeep.core import clock

from .models import ConcernChild


@dataclass(frozen=True)
class Pattern:
    reason: str
    child_ids: tuple[int, ...]


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
    by_concern = {}
    names = {}
    for concern_id, child_id, first, last in recent.values_list("concern_id", "child_id", "child__first_name",
                                                                "child__last_name"):
        by_concern.setdefault(concern_id, set()).add(child_id)
        names[child_id] = f"{first} {last}"
    together = Counter(pair for children in by_concern.values() for pair in combinations(sorted(children), 2))
    for (a, b), times in together.most_common():
        if times >= 2:
            found.append(Pattern(f"{names[a]} and {names[b]} named together in {times} concerns in the last "
                                 f"{settings.SAFEKEEP_PATTERN_DAYS} days", (a, b)))
    return found
