"""Reads of places (CoC 2.4-2.5, 2.5(e)-(f); CE 5.1-5.2): an establishment's places with their counts and the
hotspot flag, one place's page (its concerns, its heat by day and time, its notes), the site plan with its pins.

Only those who hold places.view at the establishment (the safeguarding team, the group head) see them; anyone
else is answered 404, alike for a place that does not exist. Every concern is read through
concerns_visible_to(actor), so an allegation hidden from the reader is never counted or listed. Everything is
counted by when it happened (occurred_at), grouped in the database: each page makes a fixed number of queries
however many concerns there are. Every read is audited in the same transaction (fail closed)."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay

from safekeep.attachments import files
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, can, establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.concerns.hotspots import Threshold, thresholds_at, with_thresholds
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from safekeep.establishments.models import Establishment, Location
from safekeep.establishments.selectors import this_and_last_terms
from safekeep.packs.selectors import packs_for_each

from .models import PlaceNote, PlacePin, SitePlan

VIEW = Permission.PLACES_VIEW
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Times of day as a school or home would speak of them (UK time); a display choice, not a policy rule.
BANDS = (("Before 9am", 0, 9), ("9am to midday", 9, 12), ("Midday to 4pm", 12, 16), ("4pm onwards", 16, 24))
# The place's page lists its latest concerns, this many, and says how many more.
CONCERNS_LISTED = 50
# The group-wide page lists the places with the most concerns in the period, this many, and says how many more.
GROUP_PLACES_LISTED = 100


def establishments_for_places(actor, permission=VIEW):
    return Establishment.objects.filter(pk__in=establishments_where(actor, permission)).order_by("name")


def access_establishment(actor, establishment_id, action: str, permission=VIEW) -> Establishment:
    return get_visible(establishments_for_places(actor, permission), establishment_id, action)


def places_visible_to(actor):
    return Location.objects.filter(establishment_id__in=establishments_where(actor, VIEW))


def access_place(actor, location_id, action: str) -> Location:
    return get_visible(places_visible_to(actor).select_related("establishment"), location_id, action)


@dataclass(frozen=True)
class Windows:
    """The periods a place's concerns are counted in: the hotspot flag's (the pack's days or the establishment's
    own) and this term (from its first day; None where no terms are loaded, as at most children's homes)."""
    threshold: Threshold | None
    term_name: str
    recent_from: datetime | None
    term_from: datetime | None

    @property
    def days(self) -> int | None:
        return self.threshold.days if self.threshold is not None else None


def _windows(establishment_id: int) -> Windows:
    """Three queries: the establishment's own thresholds, its packs, its terms."""
    now = clock.now()
    found = thresholds_at([establishment_id]).get(establishment_id)
    threshold = found.place if found is not None else None
    this_term, _ = this_and_last_terms([establishment_id], clock.today()).get(establishment_id, (None, None))
    return Windows(threshold=threshold, term_name=this_term.name if this_term else "",
                   recent_from=now - timedelta(days=threshold.days) if threshold else None,
                   term_from=datetime.combine(this_term.starts_on, time(), clock.LONDON) if this_term else None)


def _counted(concerns, windows: Windows, *group_by):
    """The concerns counted in one grouped query: all of them, those in the flag's window, those this term."""
    now = clock.now()
    counts = {"total": Count("id")}
    if windows.recent_from is not None:
        counts["recent"] = Count("id", filter=Q(occurred_at__gt=windows.recent_from, occurred_at__lte=now))
    if windows.term_from is not None:
        counts["term"] = Count("id", filter=Q(occurred_at__gte=windows.term_from, occurred_at__lte=now))
    if group_by:
        return concerns.values(*group_by).annotate(**counts).order_by()
    return concerns.aggregate(**counts)


@dataclass
class PlaceRow:
    place: Location | None  # None: concerns that named no place
    total: int = 0
    recent: int = 0
    term: int = 0
    flagged: bool = False
    pin: object = None


def _flagged(windows: Windows, recent: int) -> bool:
    return windows.threshold is not None and recent >= windows.threshold.concerns


def _rows(actor, establishment: Establishment, windows: Windows, pins=None) -> tuple[list[PlaceRow], PlaceRow]:
    """Each place of the establishment with its counts (retired places only if concerns name them), its pin on
    the plan whose pins are given (place id -> pin), and the concerns that named no place. Two queries."""
    pins = pins or {}
    places = list(Location.objects.filter(establishment=establishment).order_by("kind", "name"))
    counts = {row["place_id"]: row for row in _counted(
        concerns_visible_to(actor).filter(establishment=establishment), windows, "place_id")}
    rows, unplaced = [], PlaceRow(place=None)
    for place in places:
        found = counts.get(place.pk, {})
        if place.retired and not found:
            continue
        rows.append(PlaceRow(place=place, total=found.get("total", 0), recent=found.get("recent", 0),
                             term=found.get("term", 0), flagged=_flagged(windows, found.get("recent", 0)),
                             pin=pins.get(place.pk)))
    if None in counts:
        found = counts[None]
        unplaced = PlaceRow(place=None, total=found["total"], recent=found.get("recent", 0), term=found.get("term", 0))
    return rows, unplaced


@dataclass(frozen=True)
class Period:
    """When the counted concerns happened: from `start` (inclusive) to `end` (exclusive), either open, and how
    the page says it. Chosen on the page (places.forms.PeriodForm); the hotspot flag keeps its own window."""
    code: str
    start: datetime | None
    end: datetime | None
    label: str

    def of(self, concerns):
        if self.start is not None:
            concerns = concerns.filter(occurred_at__gte=self.start)
        if self.end is not None:
            concerns = concerns.filter(occurred_at__lt=self.end)
        return concerns


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), clock.LONDON)


def _months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, or that month's last day (31 May less three months: 28 or 29
    February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def period_of(code: str, since: date | None = None, until: date | None = None) -> Period:
    """The period a page's form asked for: the last 28 days, 3 or 12 calendar months to today, two dates (both
    whole days, UK time), or every concern."""
    if code == "28d":
        return Period(code, clock.now() - timedelta(days=28), None, "the last 28 days")
    if code in ("3m", "12m"):
        months = int(code[:-1])
        first = _months_before(clock.today(), months)
        return Period(code, _midnight(first), None, f"the last {months} months, since {first:%-d %B %Y}")
    if code == "range" and since is not None and until is not None:
        return Period(code, _midnight(since), _midnight(until + timedelta(days=1)),
                      f"{since:%-d %B %Y} to {until:%-d %B %Y}")
    return Period("all", None, None, "all concerns")


@dataclass(frozen=True)
class Heat:
    """Concerns by day of the week and time of day (UK time) they happened: a table, never a picture alone."""
    grid: list  # [(day name, [count per band], day total)]
    bands: tuple
    band_totals: list
    total: int
    busiest: list = field(default_factory=list)  # [(day, band, count)]: the cells with the most concerns


def heat_of(concerns) -> Heat:
    """One grouped query by day of the week and hour (at most 168 rows), folded into the bands here."""
    cells = [[0] * len(BANDS) for _ in DAYS]
    for row in (concerns.annotate(day=ExtractIsoWeekDay("occurred_at", tzinfo=clock.LONDON),
                                  hour=ExtractHour("occurred_at", tzinfo=clock.LONDON))
                .values("day", "hour").annotate(n=Count("id")).order_by()):
        band = next(i for i, (_, start, end) in enumerate(BANDS) if start <= row["hour"] < end)
        cells[row["day"] - 1][band] += row["n"]
    most = max((n for day in cells for n in day), default=0)
    busiest = [(DAYS[d], BANDS[b][0], n) for d, day in enumerate(cells) for b, n in enumerate(day) if most and n == most]
    return Heat(grid=[(DAYS[d], cells[d], sum(cells[d])) for d in range(len(DAYS))], bands=BANDS,
                band_totals=[sum(day[b] for day in cells) for b in range(len(BANDS))],
                total=sum(map(sum, cells)), busiest=busiest)


def read_establishment_places(actor, establishment_id, period: Period | None = None) -> dict:
    """An establishment's places, each with its counts and its hotspot flag, the concerns that named no place,
    and the establishment's heat over the period asked for (every concern without one). Audited as one read."""
    period = period or period_of("all")
    with transaction.atomic():
        establishment = access_establishment(actor, establishment_id, "places.view")
        windows = _windows(establishment.pk)
        rows, unplaced = _rows(actor, establishment, windows)
        heat = heat_of(period.of(concerns_visible_to(actor).filter(establishment=establishment)))
        audit_record(actor=actor, action="places.view", obj=establishment, role=role_for(actor, VIEW, establishment),
                     establishment_id=establishment.pk, detail={"period": period.code})
    return {"establishment": establishment, "windows": windows, "rows": rows, "unplaced": unplaced, "heat": heat,
            "period": period}


def read_place(actor, location_id, period: Period | None = None) -> dict:
    """One place: its counts and flag, its heat over the period asked for (every concern without one), its latest
    concerns (each a link), its own notes. Audited."""
    period = period or period_of("all")
    with transaction.atomic():
        place = access_place(actor, location_id, "place.view")
        windows = _windows(place.establishment_id)
        concerns = concerns_visible_to(actor).filter(establishment_id=place.establishment_id, place=place)
        counts = _counted(concerns, windows)
        latest = list(concerns.order_by("-occurred_at", "-pk").only("pk", "occurred_at", "recorded_at",
                                                                   "about_adult")[:CONCERNS_LISTED])
        heat = heat_of(period.of(concerns))
        notes = list(PlaceNote.objects.filter(place=place).select_related("recorded_by"))
        audit_record(actor=actor, action="place.view", obj=place, role=role_for(actor, VIEW, place),
                     establishment_id=place.establishment_id, detail={"period": period.code})
    row = PlaceRow(place=place, total=counts["total"], recent=counts.get("recent") or 0,
                   term=counts.get("term") or 0, flagged=_flagged(windows, counts.get("recent") or 0))
    return {"place": place, "establishment": place.establishment, "windows": windows, "row": row, "heat": heat,
            "period": period,
            "concerns": latest, "more": max(row.total - len(latest), 0), "notes": notes}


def latest_plan(establishment_id) -> SitePlan | None:
    return (SitePlan.objects.filter(establishment_id=establishment_id).select_related("added_by").defer("ciphertext")
            .first())


def _pins_of(plan: SitePlan | None) -> dict:
    return {pin.place_id: pin for pin in PlacePin.objects.filter(plan=plan)} if plan is not None else {}


def read_plan(actor, establishment_id) -> dict:
    """The site plan page: the current plan (without its bytes), each on-site place with its pin on it and its
    counts, and the earlier plans kept as history. When the current plan has no pins yet and the one before had,
    the earlier pins are given (place id -> pin) so the page can offer to place them again. Audited."""
    with transaction.atomic():
        establishment = access_establishment(actor, establishment_id, "places.plan.view")
        windows = _windows(establishment.pk)
        plans = list(SitePlan.objects.filter(establishment=establishment).select_related("added_by")
                     .defer("ciphertext").annotate(pinned=Count("pins")).order_by("-added_at", "-id"))
        plan, earlier = (plans[0], plans[1:]) if plans else (None, [])
        rows, _ = _rows(actor, establishment, windows, _pins_of(plan))
        offered = _pins_of(earlier[0]) if plan is not None and not plan.pinned and earlier and earlier[0].pinned \
            else {}
        audit_record(actor=actor, action="places.plan.view", obj=establishment,
                     role=role_for(actor, VIEW, establishment), establishment_id=establishment.pk)
    on_site = [row for row in rows if row.place.kind == Location.Kind.ON_SITE]
    return {"establishment": establishment, "windows": windows, "rows": on_site, "plan": plan,
            "pinned": [row for row in on_site if row.pin is not None], "earlier": earlier,
            "offered": offered, "offered_from": earlier[0] if offered else None}


def read_plan_image(actor, establishment_id) -> tuple[SitePlan, bytes]:
    """The current site plan's bytes, decrypted, for those who see the establishment's places. Audited."""
    with transaction.atomic():
        establishment = access_establishment(actor, establishment_id, "places.plan.image")
        plan = SitePlan.objects.filter(establishment=establishment).first()
        if plan is None:
            raise NotVisible("places.plan.image", "siteplan", "", establishment.pk)
        audit_record(actor=actor, action="places.plan.image", obj=plan, role=role_for(actor, VIEW, establishment),
                     establishment_id=establishment.pk)
    return plan, files.decrypt(plan.ciphertext)


def _earlier_plan(actor, establishment_id, plan_id, action: str, *,
                  with_bytes=False) -> tuple[Establishment, SitePlan]:
    """A plan of the establishment that a later one replaced, or 404 (the current plan is on the plan page)."""
    establishment = access_establishment(actor, establishment_id, action)
    plans = SitePlan.objects.filter(establishment=establishment)
    latest = plans.values_list("pk", flat=True).first()
    found = plans.exclude(pk=latest).select_related("added_by")
    plan = (found if with_bytes else found.defer("ciphertext")).filter(pk=plan_id).first() \
        if latest is not None else None
    if plan is None:
        raise NotVisible(action, "siteplan", plan_id, establishment.pk)
    return establishment, plan


def read_previous_plan(actor, establishment_id, plan_id) -> dict:
    """An earlier site plan with where its places were pinned: history, read and never changed. Audited."""
    with transaction.atomic():
        establishment, plan = _earlier_plan(actor, establishment_id, plan_id, "places.plan.previous.view")
        replaced_by = (SitePlan.objects.filter(establishment=establishment)
                       .filter(Q(added_at__gt=plan.added_at) | Q(added_at=plan.added_at, pk__gt=plan.pk))
                       .order_by("added_at", "id").defer("ciphertext").first())
        pins = list(PlacePin.objects.filter(plan=plan).select_related("place").order_by("place__name", "pk"))
        audit_record(actor=actor, action="places.plan.previous.view", obj=plan,
                     role=role_for(actor, VIEW, establishment), establishment_id=establishment.pk)
    return {"establishment": establishment, "plan": plan, "pins": pins, "replaced_by": replaced_by}


def read_previous_plan_image(actor, establishment_id, plan_id) -> tuple[SitePlan, bytes]:
    with transaction.atomic():
        establishment, plan = _earlier_plan(actor, establishment_id, plan_id, "places.plan.previous.image",
                                            with_bytes=True)
        audit_record(actor=actor, action="places.plan.previous.image", obj=plan,
                     role=role_for(actor, VIEW, establishment), establishment_id=establishment.pk)
    return plan, files.decrypt(plan.ciphertext)


def group_organisation(actor):
    """The organisation whose places the person reads across every establishment: where they hold places.view for
    the whole organisation (the group head). None for anyone else, a regional director included (roles.py)."""
    organisations = scope_for(actor).organisations_with(VIEW)
    return min(organisations) if organisations else None


@dataclass(frozen=True)
class GroupPlaceRow:
    place: Location
    establishment: str
    concerns: int
    may_open: bool  # asked of authz for this place: a link only where the reader may open its page


def read_group_places(actor, period: Period) -> dict:
    """The places across the organisation's establishments with the concerns that happened there in the period
    (only concerns the reader may see), most first, each linked only where the reader may open the place's page.
    Two grouped queries however many establishments. Read and audited together."""
    organisation_id = group_organisation(actor)
    if organisation_id is None:
        raise NotVisible("places.group.view", "organisation")
    with transaction.atomic():
        names = dict(Establishment.objects.filter(organisation_id=organisation_id).values_list("pk", "name"))
        counted = list(period.of(concerns_visible_to(actor).filter(establishment_id__in=names, place__isnull=False))
                       .values("place_id").annotate(n=Count("id")).order_by("-n", "place_id"))
        listed = counted[:GROUP_PLACES_LISTED]
        places = Location.objects.in_bulk([row["place_id"] for row in listed])
        rows = []
        for row in listed:
            place = places[row["place_id"]]
            rows.append(GroupPlaceRow(place=place, establishment=names[place.establishment_id], concerns=row["n"],
                                      may_open=can(actor, VIEW, place)))
        audit_record(actor=actor, action="places.group.view", object_type="organisation", object_id=organisation_id,
                     role=str(scope_for(actor).role_for(VIEW) or ""), detail={"period": period.code,
                                                                            "places": len(counted)})
    return {"rows": rows, "places": len(counted), "concerns": sum(row["n"] for row in counted), "period": period,
            "establishments": len(names)}


@dataclass(frozen=True)
class Default:
    part: str
    concerns: int | None
    days: int | None
    source: str


def thresholds_defaults(establishment: Establishment) -> tuple[object, list[Default], str]:
    """The establishment's own thresholds row (or None), the pack's defaults for each part with their source,
    and the name of the pack they come from. Two queries."""
    place = with_thresholds([establishment.pk])[0]
    own = getattr(place, "hotspot_thresholds", None)
    packs = packs_for_each([place]).get(place.pk, [])
    pack = next((pack for pack in packs if pack.hotspots is not None), None)
    parts = ("place", "kind", "year_group")
    if pack is None:
        return own, [Default(part, None, None, "") for part in parts], ""
    rules = pack.hotspots
    return own, [Default(part, getattr(rules, part).concerns, getattr(rules, part).days, getattr(rules, part).source)
                 for part in parts], pack.title
