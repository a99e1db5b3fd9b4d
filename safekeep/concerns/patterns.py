"""Patterns the safeguarding team should not miss (issue 4, section 5), shown on the inbox with the reason.

- A child with several concerns in a short time (SAFEKEEP_PATTERN_CONCERNS in SAFEKEEP_PATTERN_DAYS).
- Children named together in more than one concern in that time (a peer group forming).
- Several children (SAFEKEEP_PATTERN_SHARED_SIGN) with the same sign noticed in that time.
- A child who went missing repeatedly (the adopted packs' missing.pattern: episodes within days; CE 5.3, 5.4,
  7.8), for those who read missing episodes (safekeep.missing.selectors). Shown first: going missing is a sign
  of exploitation.
Four queries, whatever the number of concerns, and three for the missing episodes.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F

from safekeep.authz.access import establishments_where
from safekeep.authz.roles import Permission
from safekeep.children.models import Child
from safekeep.core import clock
from safekeep.missing.selectors import missing_patterns_for

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
    missing = [Pattern(f"{found.name}: went missing {found.episodes} times in the last {found.days} days",
                       (found.child_id,)) for found in missing_patterns_for(actor)]
    return missing + (patterns_in(concerns_visible_to(actor).filter(establishment_id__in=team_places))
                      if team_places else [])


def patterns_in(concerns) -> list[Pattern]:
    """concerns: the queryset of concerns the person may see. Counted by the database: what reaches
    Python is the patterns themselves and the few rows that carry signs, not every recent concern."""
    since = clock.now() - timedelta(days=settings.SAFEKEEP_PATTERN_DAYS)
    recent = ConcernChild.objects.filter(concern__in=concerns.filter(recorded_at__gte=since))
    days = settings.SAFEKEEP_PATTERN_DAYS
    found = []
    frequent = (recent.values("child_id", "child__first_name", "child__last_name").annotate(n=Count("concern_id",
                distinct=True)).filter(n__gte=settings.SAFEKEEP_PATTERN_CONCERNS).order_by("-n", "child_id"))
    for row in frequent:
        found.append(Pattern(f"{row['child__first_name']} {row['child__last_name']}: {row['n']} concerns in the "
                             f"last {days} days", (row["child_id"],)))
    # Each pair of children in the same concern, once (the lower id first), and how many concerns name both.
    together = list(recent.filter(concern__children_involved__child_id__gt=F("child_id"))
                    .values("child_id", other=F("concern__children_involved__child_id"))
                    .annotate(times=Count("concern_id", distinct=True)).filter(times__gte=2)
                    .order_by("-times", "child_id", "other"))
    signs = list(recent.exclude(indicators__isnull=True).exclude(indicators=[]).values_list("child_id", "indicators"))
    by_sign = {}
    for child_id, marks in signs:
        for sign in marks:
            by_sign.setdefault(sign, set()).add(child_id)
    named = {pk for row in together for pk in (row["child_id"], row["other"])} | {pk for c in by_sign.values() for pk in c}
    names = {pk: f"{first} {last}" for pk, first, last in
             Child.objects.filter(pk__in=named).values_list("pk", "first_name", "last_name")} if named else {}
    for row in together:
        a, b = row["child_id"], row["other"]
        found.append(Pattern(f"{names[a]} and {names[b]} named together in {row['times']} concerns in the last "
                             f"{days} days", (a, b)))
    for sign, children in sorted(by_sign.items(), key=lambda item: -len(item[1])):
        if len(children) >= settings.SAFEKEEP_PATTERN_SHARED_SIGN:
            who = ", ".join(sorted(names[c] for c in children))
            found.append(Pattern(f"{len(children)} children with the sign “{sign}” in the last {days} days: {who}",
                                 tuple(sorted(children))))
    return found
