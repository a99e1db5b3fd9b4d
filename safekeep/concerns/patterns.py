"""Patterns the safeguarding team should not miss (issue 4, section 5), shown on the inbox with the reason.

- A child with several concerns in a short time (SAFEKEEP_PATTERN_CONCERNS in SAFEKEEP_PATTERN_DAYS).
- Children named together in more than one concern in that time (a peer group forming).
- Several children (SAFEKEEP_PATTERN_SHARED_SIGN) with the same sign noticed in that time.
- A child who went missing repeatedly (the adopted packs' missing.pattern: episodes within days; CE 5.3, 5.4,
  7.8), for those who read missing episodes (safekeep.missing.selectors). Shown first: going missing is a sign
  of exploitation.
Four queries, whatever the number of concerns, and one per missing threshold (usually one).

For the safeguarding team of an establishment, from the peer graph's edges (peers.py) and the thresholds in
the child-on-child abuse pack's peer_groups section (CoC 2.4-2.5, CE 3.2, 5.1-5.2), four queries more:
- a cluster of children named together that has grown;
- a child named as harmed in one concern and as alleged to be responsible in another.
Each is worded as a pattern to look at, never as a label on a child (CoC 1.3).

For those who see places (the safeguarding team, the group head), the hotspot flag (hotspots.py; CoC 2.4-2.5,
CE 5.1-5.2): a place, a kind of place or a year group with as many concerns as the thresholds say, three
queries. The establishments and their packs are read once (two queries) for the missing, peer and hotspot flags.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q

from safekeep.authz.access import establishments_where
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.models import Child
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import packs_for_each, peer_group_rules_at
from safekeep.policy.packs import Pack
from safekeep.missing.selectors import missing_patterns_for

from .hotspots import hotspots_in, thresholds_at, with_thresholds
from .models import ConcernChild, PeerLink
from .peers import clusters_of
from .selectors import concerns_visible_to


# The inbox shows this many, in the order patterns_in finds them (most concerns first), and says how many more.
PATTERNS_SHOWN = 20


@dataclass(frozen=True)
class Pattern:
    reason: str
    child_ids: tuple[int, ...]
    place_id: int | None = None  # a hotspot at one place: the inbox links to the place's page


def patterns_for(actor) -> list[Pattern]:
    """The patterns in the concerns of the establishments whose records the actor reads (the inbox page and
    the API show the same); none for a member of staff, who sees only the concerns they recorded."""
    team_places = establishments_where(actor, Permission.CHILD_VIEW)
    # The missing, peer and hotspot flags each follow the establishments' packs: read once for all three.
    places = with_thresholds(set(establishments_where(actor, Permission.MISSING_VIEW))
                             | set(establishments_where(actor, Permission.PEER_GROUPS_VIEW))
                             | set(establishments_where(actor, Permission.PLACES_VIEW)))
    packs = packs_for_each(places)
    missing = [Pattern(f"{found.name}: went missing {found.episodes} times in the last {found.days} days",
                       (found.child_id,)) for found in missing_patterns_for(actor, packs)]
    found = patterns_in(concerns_visible_to(actor).filter(establishment_id__in=team_places)) if team_places else []
    return missing + found + peer_patterns_for(actor, packs) + hotspot_patterns_for(actor, places, packs)


def hotspot_patterns_for(actor, places: list[Establishment] | None = None,
                         packs: dict[int, list[Pack]] | None = None) -> list[Pattern]:
    """The hotspots at the establishments where the person sees places, counted over the concerns they may
    see; each establishment named first when they see several (the group head). places and packs: read
    already by patterns_for, for every flag."""
    seen = establishments_where(actor, Permission.PLACES_VIEW)
    if not seen:
        return []
    thresholds = thresholds_at(seen, places=places, packs=packs)
    found = hotspots_in(concerns_visible_to(actor), thresholds, name_establishments=len(thresholds) > 1)
    return [Pattern(spot.reason, (), spot.key if spot.part == "place" else None) for spot in found]


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


# A cluster's names on the inbox: this many, then "and N more" (the cluster's page lists them all).
NAMES_SHOWN = 6
LOOK_AT = "A pattern to look at, not a finding about any child."


def peer_patterns_for(actor, packs: dict[int, list[Pack]] | None = None) -> list[Pattern]:
    """The peer patterns for the safeguarding team of each establishment the person sees peer groups at. Not
    for someone who sees them organisation-wide (the group head): they read the group-wide clusters instead,
    and an inbox cannot go through every establishment's graph."""
    places = establishments_where(actor, Permission.PEER_GROUPS_VIEW)
    if not places or scope_for(actor).organisations_with(Permission.PEER_GROUPS_VIEW):
        return []
    rules = peer_group_rules_at(places, packs)
    return (_clusters_grown(rules) + _roles_changed(rules)) if rules else []


def _names(child_ids) -> dict[int, str]:
    return {pk: f"{first} {last}" for pk, first, last in
            Child.objects.filter(pk__in=child_ids).values_list("pk", "first_name", "last_name")} if child_ids else {}


def _clusters_grown(rules) -> list[Pattern]:
    """CoC 2.5(f)-(g): a friendship cluster of at least `grew_at_least_children` that has `grew_by` children
    more than it had `grew_within_days` days ago (one query for the edges, one for the names)."""
    now = clock.now()
    oldest = now - timedelta(days=max(r.named_within_days for r in rules.values()))
    by_place = {}
    for establishment_id, *link in PeerLink.objects.filter(establishment_id__in=list(rules), last_named_at__gte=oldest) \
            .values_list("establishment_id", "child_low_id", "child_high_id", "first_named_at", "last_named_at",
                         "concern_count"):
        if link[3] >= now - timedelta(days=rules[establishment_id].named_within_days):
            by_place.setdefault(establishment_id, []).append(link)
    grown = []
    for establishment_id, links in sorted(by_place.items()):
        rule = rules[establishment_id]
        for cluster in clusters_of(links, since=now - timedelta(days=rule.grew_within_days)):
            if len(cluster.children) >= rule.grew_at_least_children and cluster.grown_by >= rule.grew_by:
                grown.append((cluster, rule))
    names = _names({pk for cluster, _ in grown for pk in cluster.children})
    found = []
    for cluster, rule in grown:
        who = sorted(names[pk] for pk in cluster.children)
        listed = ", ".join(who[:NAMES_SHOWN]) + (f" and {len(who) - NAMES_SHOWN} more" if len(who) > NAMES_SHOWN else "")
        found.append(Pattern(f"{len(who)} children named together in concerns, {cluster.grown_by} more than "
                             f"{rule.grew_within_days} days ago: {listed}. {LOOK_AT}", cluster.children))
    return found


def _roles_changed(rules) -> list[Pattern]:
    """CE 3.2: a young person can be both harmed and responsible. A child named with other children as harmed
    in one concern and as alleged to be responsible in another, one of them recent (a query per window the
    packs give; one, when every establishment follows the same pack)."""
    found = []
    by_window = {}
    for establishment_id, rule in rules.items():
        by_window.setdefault(rule.role_changed_within_days, []).append(establishment_id)
    for days, places in sorted(by_window.items()):
        links = PeerLink.objects.filter(establishment_id__in=places)
        recent = links.filter(last_named_at__gte=clock.now() - timedelta(days=days))

        def had(role, links=links):
            bit = PeerLink.ROLE_BITS[role]
            return (Q(pk__in=links.annotate(b=F("low_roles").bitand(bit)).filter(b__gt=0).values("child_low_id"))
                    | Q(pk__in=links.annotate(b=F("high_roles").bitand(bit)).filter(b__gt=0).values("child_high_id")))

        children = (Child.objects.filter(had(ConcernChild.Role.HARMED)).filter(had(ConcernChild.Role.ALLEGED_RESPONSIBLE))
                    .filter(Q(pk__in=recent.values("child_low_id")) | Q(pk__in=recent.values("child_high_id")))
                    .order_by("last_name", "first_name", "pk").values_list("pk", "first_name", "last_name"))
        for pk, first, last in children:
            found.append(Pattern(f"{first} {last}: named with other children as harmed or at risk in one concern and "
                                 f"as alleged to be responsible in another, one of them in the last {days} days "
                                 f"(CE 3.2: a young person can be both). {LOOK_AT}", (pk,)))
    return found
