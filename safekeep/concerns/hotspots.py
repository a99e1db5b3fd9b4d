"""The hotspot flag: a place, a kind of place or a year group where concerns gather (CoC 2.4-2.5, 2.5(e)-(f);
CE 5.1-5.2). Counted by when the concerns happened (occurred_at), not when they were recorded: a place is a
hotspot because of what happens there, and a concern written up a week late still happened that day.

The thresholds are data: the adopted packs' `hotspots:` section (the statutory baseline gives Safekeep's own
defaults, since neither policy gives a number), over which an establishment may set its own
(establishments.HotspotThresholds). Two queries read them for any number of establishments, then one grouped
count each for places, kinds of place and year groups: what reaches Python is the groups, never the concerns.
A flag is a pattern to look at, never a label on a place or on the children there.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q

from safekeep.core import clock
from safekeep.establishments.models import Establishment, Location
from safekeep.packs.selectors import packs_for_each
from safekeep.policy.packs import Pack

from .models import ConcernChild

PARTS = ("place", "kind", "year_group")
LOOK_AT = "A pattern to look at, not a label on the place or on anyone there."
# How each kind of place reads after "3 concerns ...".
KIND_WORDS = {Location.Kind.ON_SITE: "on site", Location.Kind.OFF_SITE: "off site", Location.Kind.ONLINE: "online"}


@dataclass(frozen=True)
class Threshold:
    concerns: int  # at least this many concerns ...
    days: int  # ... that happened within this many days
    own: bool  # the establishment set it (else the pack's default)


@dataclass(frozen=True)
class Thresholds:
    """One establishment's thresholds, each from its own row where it set one, else from its packs."""
    establishment_id: int
    establishment_name: str
    place: Threshold
    kind: Threshold
    year_group: Threshold
    source: str  # the pack's reason for the flag (CoC 2.4-2.5)

    def of(self, part: str) -> Threshold:
        return getattr(self, part)


def with_thresholds(establishment_ids) -> list[Establishment]:
    """The establishments, each with its own thresholds row if it set one: what thresholds_at reads."""
    return list(Establishment.objects.filter(pk__in=establishment_ids).select_related("hotspot_thresholds")
                .only("pk", "name", "organisation_id", "hotspot_thresholds"))


def thresholds_at(establishment_ids, *, places: list[Establishment] | None = None,
                  packs: dict[int, list[Pack]] | None = None) -> dict[int, Thresholds]:
    """For each establishment, its hotspot thresholds; one following no pack with a `hotspots:` section and
    setting none of its own is left out. Two queries: the establishments with their own row (with_thresholds),
    their packs; none when the caller has read both for more places (the inbox reads them once for every flag)."""
    wanted = set(establishment_ids)
    places = [place for place in (places if places is not None else with_thresholds(wanted)) if place.pk in wanted]
    if packs is None:
        packs = packs_for_each(places)
    found = {}
    for establishment in places:
        rules = next((pack.hotspots for pack in packs.get(establishment.pk, []) if pack.hotspots is not None), None)
        own = getattr(establishment, "hotspot_thresholds", None)
        if rules is None and own is None:
            continue
        chosen = {}
        for part in PARTS:
            default = getattr(rules, part) if rules is not None else None
            concerns = getattr(own, f"{part}_concerns", None) if own is not None else None
            days = getattr(own, f"{part}_days", None) if own is not None else None
            if (concerns or (default and default.concerns)) and (days or (default and default.days)):
                chosen[part] = Threshold(concerns=concerns or default.concerns, days=days or default.days,
                                         own=bool(concerns or days))
        if len(chosen) == len(PARTS):
            found[establishment.pk] = Thresholds(establishment.pk, establishment.name, **chosen,
                                                 source=rules.place.source if rules is not None else "")
    return found


@dataclass(frozen=True)
class Hotspot:
    part: str  # place, kind or year_group
    establishment_id: int
    key: object  # the place's id, the kind's code, the year group's name
    name: str  # the place's name, the kind's words, the year group
    concerns: int
    threshold: Threshold
    establishment_name: str = ""  # said first when the reader sees several establishments

    @property
    def reason(self) -> str:
        where = {"place": f"at {self.name}", "kind": self.name,
                 "year_group": f"about children in {self.name}"}[self.part]
        first = f"{self.establishment_name}: " if self.establishment_name else ""
        return (f"{first}{self.concerns} concern{'s' if self.concerns != 1 else ''} {where} in the last "
                f"{self.threshold.days} days (the flag is set at {self.threshold.concerns}). {LOOK_AT}")


def _within(thresholds: dict[int, Thresholds], part: str, now, via: str = "") -> Q:
    """Concerns that happened within each establishment's window for this part: one condition per different
    number of days (usually one)."""
    by_days = {}
    for found in thresholds.values():
        by_days.setdefault(found.of(part).days, []).append(found.establishment_id)
    window = Q(pk__in=[])
    for days, ids in by_days.items():
        window |= Q(**{f"{via}establishment_id__in": ids, f"{via}occurred_at__gt": now - timedelta(days=days),
                       f"{via}occurred_at__lte": now})
    return window


def _year_group_words(year_group: str) -> str:
    return f"year group {year_group}" if year_group[:1].isdigit() else year_group


def hotspots_in(concerns, thresholds: dict[int, Thresholds], *, name_establishments: bool = False) -> list[Hotspot]:
    """The hotspots among `concerns` (the queryset of concerns the reader may see: an allegation hidden from
    them is never counted), at the establishments of `thresholds`. Three grouped counts."""
    if not thresholds:
        return []
    now = clock.now()
    concerns = concerns.filter(establishment_id__in=list(thresholds))

    def least(part):
        return min(found.of(part).concerns for found in thresholds.values())

    def hotspot(part, establishment_id, key, name, n):
        found = thresholds[establishment_id]
        if n < found.of(part).concerns:
            return None
        return Hotspot(part, establishment_id, key, name, n, found.of(part),
                       found.establishment_name if name_establishments else "")

    rows = []
    for row in (concerns.filter(_within(thresholds, "place", now), place__isnull=False)
                .values("establishment_id", "place_id", "place__name").annotate(n=Count("id"))
                .filter(n__gte=least("place")).order_by("-n", "place__name")):
        rows.append(hotspot("place", row["establishment_id"], row["place_id"], row["place__name"], row["n"]))
    for row in (concerns.filter(_within(thresholds, "kind", now), place__isnull=False)
                .values("establishment_id", "place__kind").annotate(n=Count("id"))
                .filter(n__gte=least("kind")).order_by("-n", "place__kind")):
        kind = row["place__kind"]
        rows.append(hotspot("kind", row["establishment_id"], kind, KIND_WORDS.get(kind, kind), row["n"]))
    # The child's year group as it is now (the MIS file keeps it); a concern about two children of one year
    # group counts once.
    for row in (ConcernChild.objects.filter(concern__in=concerns.filter(_within(thresholds, "year_group", now)))
                .exclude(child__year_group="").values("concern__establishment_id", "child__year_group")
                .annotate(n=Count("concern_id", distinct=True)).filter(n__gte=least("year_group"))
                .order_by("-n", "child__year_group")):
        year_group = row["child__year_group"]
        rows.append(hotspot("year_group", row["concern__establishment_id"], year_group,
                            _year_group_words(year_group), row["n"]))
    return [row for row in rows if row is not None]
