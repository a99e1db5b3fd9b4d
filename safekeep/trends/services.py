"""Refreshing the trend summaries (ADR 0011): the one write path of the trends app.

The worker runs trends_refresh every few minutes (tasks.py). It finds the establishment-months touched since the
last watermark (new concerns, triage decisions, referrals and their answers, actions created, done or come due)
and counts those months again, whole, from the records: a count is replaced, never added to, so running twice,
or overlapping, changes nothing. `refresh_trends` (the command) rebuilds everything.

Every number is counted by the database (grouped aggregates); Python only copies the grouped rows into the table.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    F,
    JSONField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay, Lower, TruncMonth

from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.concerns.models import Concern, ConcernChild, Triage
from safekeep.core import clock
from safekeep.core.clock import LONDON
from safekeep.referrals.models import Referral, ReferralOutcome

from . import measures as m
from .models import TrendCount, TrendRefresh

# A recording's transaction may commit a little after its recorded_at was stamped: each refresh looks back this
# far before the last watermark, so nothing committed late is missed (recounting a month twice is harmless).
LOOK_BACK = timedelta(minutes=10)
BATCH = 2000


def _month(field: str):
    return TruncMonth(field, tzinfo=LONDON, output_field=DateField())


def _superseded(triage: str = "pk", involved: str = "involved"):
    """A later decision exists for the same child in the same concern (decisions are only ever added: the
    highest id is the latest). A lookup on the index of triages by child per row: an `IN (SELECT MAX(id) ...
    GROUP BY)` over every decision is only hashed while it fits in work_mem, and at 1,000,000 concerns
    PostgreSQL scanned the whole list again for each row (a full rebuild did not finish in 6 minutes)."""
    return Exists(Triage.objects.filter(involved=OuterRef(involved), pk__gt=OuterRef(triage)))


def with_decided_categories(children):
    """Each child in a concern with `decided`: their categories as the DSL last decided them, or as recorded
    while nobody has decided yet. One join to the child's decisions, keeping the latest (or none)."""
    return (children.alias(decision=F("triages__pk"), decided_categories=F("triages__categories"))
            .alias(superseded=_superseded("decision", "pk")).filter(superseded=False)
            .alias(decided=Coalesce(F("decided_categories"), F("categories"), output_field=JSONField())))


def has_category(code: str, field: str = "decided") -> Q:
    """The child's categories include this code. The JSON list is matched as text ("code" with its quotes), the
    one test of a list member that SQLite and PostgreSQL both answer."""
    return Q(**{f"{field}__icontains": f'"{code}"'})


def any_category(codes, field: str = "decided") -> Q:
    found = Q(pk__in=[])
    for code in codes:
        found |= has_category(code, field)
    return found


def about_children():
    """Concerns about children: an allegation about an adult is on its restricted route and is never counted
    (its readers are fewer than the trends' readers; DESIGN.md section 1, ADR 0008)."""
    return Concern.objects.filter(about_adult=False)


def _child_on_child_children():
    return with_decided_categories(ConcernChild.objects.filter(concern=OuterRef("pk"))).filter(
        any_category(m.categories().child_on_child))


def _gender_present(words):
    return Exists(ConcernChild.objects.annotate(gender=Lower("child__gender")).filter(
        concern=OuterRef("pk"), gender__in=words,
        role__in=[ConcernChild.Role.HARMED, ConcernChild.Role.ALLEGED_RESPONSIBLE]))


def _band(first_field: str, start_field: str, none_value: str | None):
    whens = [When(**{f"{first_field}__isnull": True}, then=Value(none_value))] if none_value else []
    whens += [When(**{f"{first_field}__lte": F(start_field) + band.within}, then=Value(band.code))
              for band in m.DURATION_BANDS if band.within is not None]
    return Case(*whens, default=Value(m.DURATION_BANDS[-1].code), output_field=CharField())


def _first_triage():
    """When the DSL first decided for any child in the concern. An aggregate, not ORDER BY ... LIMIT 1, which
    PostgreSQL may answer by walking the whole index of triage times."""
    return Subquery(Triage.objects.filter(involved__concern=OuterRef("pk")).order_by().values("involved__concern")
                    .annotate(first=Min("triaged_at")).values("first")[:1])


def _first_referral():
    return Subquery(Referral.objects.filter(concern=OuterRef("pk")).order_by().values("concern")
                    .annotate(first=Min("made_at")).values("first")[:1])


def _not_an_allegation(concern_field: str) -> Q:
    return Q(**{f"{concern_field}__isnull": True}) | ~Q(**{f"{concern_field}__in": Concern.objects.filter(
        about_adult=True).values("pk")})


class _Counts:
    """Grouped counts for some establishment-months ({month: establishment ids}; None: all of them)."""

    def __init__(self, touched: dict | None = None, now=None):
        self.touched, self.now = touched, now or clock.now()

    def within(self, queryset, establishment: str, when: str):
        """Narrow to the establishment-months being recounted; `when` is the date field that places a row in
        its month (a range first, so the index on the date is used, then the exact pairs)."""
        queryset = queryset.annotate(m=_month(when))
        if self.touched is None:
            return queryset
        first, last = min(self.touched), max(self.touched)
        start = datetime(first.year, first.month, 1, tzinfo=LONDON)
        end = datetime(last.year + last.month // 12, last.month % 12 + 1, 1, tzinfo=LONDON)
        return queryset.filter(_pairs(self.touched, establishment, "m"), **{f"{when}__gte": start, f"{when}__lt": end})

    def grouped(self, queryset, establishment: str, measure: str, value, counted=None):
        rows = (queryset.annotate(e=F(establishment), v=value).order_by().values("e", "m", "v")
                .annotate(n=counted or Count("id", distinct=True)).values_list("e", "m", "v", "n"))
        return [(e, month, measure, "" if v is None else str(v), n) for e, month, v, n in rows if n]

    def concerns(self):
        concerns = self.within(about_children(), "establishment_id", "occurred_at")
        exact = concerns.filter(occurred_approximately=False)
        child_on_child = concerns.filter(Exists(_child_on_child_children()))
        girls, boys = _gender_present(m.GIRL_WORDS), _gender_present(m.BOY_WORDS)
        mix = Case(When(girls & boys, then=Value("mixed")), When(girls, then=Value("girls")),
                   When(boys, then=Value("boys")), default=Value("unknown"), output_field=CharField())
        triaged = concerns.annotate(first=_first_triage())
        referred = concerns.annotate(first=_first_referral()).filter(first__isnull=False)
        return [
            *self.grouped(concerns, "establishment_id", m.ALL, Value("")),
            *self.grouped(concerns, "establishment_id", m.PLACE, Coalesce(F("place__name"), Value(""))),
            *self.grouped(concerns, "establishment_id", m.PLACE_KIND, Coalesce(F("place__kind"), Value(""))),
            *self.grouped(exact, "establishment_id", m.WEEKDAY, ExtractIsoWeekDay("occurred_at", tzinfo=LONDON)),
            *self.grouped(exact, "establishment_id", m.HOUR, ExtractHour("occurred_at", tzinfo=LONDON)),
            *self.grouped(child_on_child, "establishment_id", m.CHILD_ON_CHILD, Value("")),
            *self.grouped(child_on_child, "establishment_id", m.GENDER_MIX, mix),
            *self.grouped(triaged, "establishment_id", m.TRIAGE_TIME, _band("first", "recorded_at", m.UNTRIAGED)),
            *self.grouped(referred, "establishment_id", m.REFERRAL_TIME, _band("first", "recorded_at", None)),
        ]

    def children(self):
        """Concerns counted by what is recorded about the children harmed or at risk in them."""
        harmed = self.within(ConcernChild.objects.filter(concern__about_adult=False, role=ConcernChild.Role.HARMED),
                             "concern__establishment_id", "concern__occurred_at")
        concern = Count("concern_id", distinct=True)
        looked_after = Case(When(child__looked_after=True, then=Value("yes")), default=Value("no"),
                            output_field=CharField())
        return [*self.grouped(harmed, "concern__establishment_id", m.YEAR_GROUP, F("child__year_group"), concern),
                *self.grouped(harmed, "concern__establishment_id", m.SEND, F("child__send_status"), concern),
                *self.grouped(harmed, "concern__establishment_id", m.LOOKED_AFTER, looked_after, concern)]

    def categories(self):
        """One pass over the children in concerns, one conditional count per category of the packs."""
        involved = self.within(with_decided_categories(ConcernChild.objects.filter(concern__about_adult=False)),
                               "concern__establishment_id", "concern__occurred_at")
        codes = list(m.categories().labels)
        counts = {f"c{index}": Count("concern_id", distinct=True, filter=has_category(code))
                  for index, code in enumerate(codes)}
        rows = (involved.annotate(e=F("concern__establishment_id")).order_by().values("e", "m").annotate(**counts)
                .values_list("e", "m", *counts))
        return [(row[0], row[1], m.CATEGORY, code, n) for row in rows for code, n in zip(codes, row[2:], strict=True) if n]

    def hackett(self):
        decided = self.within(Triage.objects.filter(involved__concern__about_adult=False).filter(~_superseded())
                              .exclude(hackett=""), "involved__concern__establishment_id",
                              "involved__concern__occurred_at")
        return self.grouped(decided, "involved__concern__establishment_id", m.HACKETT, F("hackett"),
                            Count("involved__concern_id", distinct=True))

    def actions(self):
        due = self.within(Action.objects.filter(_not_an_allegation("concern_id"), due_at__lte=self.now)
                          .exclude(status=Action.Status.CANCELLED), "establishment_id", "due_at")
        on_time = Q(status=Action.Status.DONE, completed_at__lte=F("due_at"))
        return [*self.grouped(due, "establishment_id", m.ACTIONS, Value("due")),
                *self.grouped(due.filter(on_time), "establishment_id", m.ACTIONS, Value("on_time"))]

    def referrals(self):
        made = self.within(Referral.objects.filter(_not_an_allegation("concern_id")), "establishment_id", "made_at")
        decided = ReferralOutcome.objects.filter(referral=OuterRef("pk")).exclude(
            outcome=ReferralOutcome.Outcome.ACKNOWLEDGED)
        return [*self.grouped(made, "establishment_id", m.REFERRALS, Value("made")),
                *self.grouped(made.filter(~Exists(decided)), "establishment_id", m.REFERRALS, Value("unanswered"))]

    def all(self):
        return [*self.concerns(), *self.children(), *self.categories(), *self.hackett(), *self.actions(),
                *self.referrals()]


def _pairs(touched: dict, establishment: str, month: str) -> Q:
    found = Q(pk__in=[])
    for when, establishment_ids in touched.items():
        found |= Q(**{f"{establishment}__in": sorted(establishment_ids), month: when})
    return found


def _touched_since(since, now) -> dict:
    """The establishment-months with anything new since `since`, as {month: establishment ids}: each source
    is one grouped query."""
    sources = [
        (Concern.objects.filter(recorded_at__gte=since), "establishment_id", "occurred_at"),
        (Triage.objects.filter(triaged_at__gte=since), "involved__concern__establishment_id",
         "involved__concern__occurred_at"),
        (Referral.objects.filter(recorded_at__gte=since), "establishment_id", "made_at"),
        (Referral.objects.filter(recorded_at__gte=since, concern__isnull=False), "concern__establishment_id",
         "concern__occurred_at"),
        (ReferralOutcome.objects.filter(recorded_at__gte=since), "referral__establishment_id", "referral__made_at"),
        # An action counts in the month it falls due: when it is done, and when its due time passes.
        (Action.objects.filter(Q(created_at__gte=since) | Q(completed_at__gte=since)
                               | Q(due_at__gte=since, due_at__lte=now)), "establishment_id", "due_at"),
    ]
    touched = {}
    for queryset, establishment, when in sources:
        for e, month in (queryset.annotate(e=F(establishment), m=_month(when)).order_by().values_list("e", "m")
                         .distinct()):
            touched.setdefault(month, set()).add(e)
    return touched


def trends_refresh(*, actor=None, full: bool = False) -> TrendRefresh:
    """Bring the trend summaries up to date. actor=None: the worker or the command (a system task).

    Incremental unless `full` or there has never been a refresh: only the establishment-months touched since
    the watermark are counted again. The new watermark is the moment this refresh started reading.
    """
    started = clock.now()
    with transaction.atomic():
        last = TrendRefresh.objects.select_for_update().first()
        full = full or last is None
        if full:
            counts = _Counts(now=started)
            TrendCount.objects.all().delete()
            recounted = None
        else:
            touched = _touched_since(last.figures_as_of - LOOK_BACK, started)
            counts = _Counts(touched, now=started)
            if touched:
                TrendCount.objects.filter(_pairs(touched, "establishment_id", "month")).delete()
            recounted = sum(len(establishment_ids) for establishment_ids in touched.values())
        rows = counts.all() if full or recounted else []
        TrendCount.objects.bulk_create([TrendCount(establishment_id=e, month=month, measure=measure, value=value,
                                                   count=n) for e, month, measure, value, n in rows],
                                       batch_size=BATCH)
        if full:
            recounted = TrendCount.objects.values("establishment_id", "month").distinct().count()
        refresh = last or TrendRefresh()
        refresh.figures_as_of, refresh.refreshed_at, refresh.full = started, clock.now(), full
        refresh.months_refreshed = recounted
        refresh.save()
        audit_record(actor=actor, action="trends.refresh", obj=refresh,
                     detail={"full": full, "months": recounted, "rows": len(rows)})
    return refresh
