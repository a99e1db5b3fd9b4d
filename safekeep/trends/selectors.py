"""Reading the trend summaries (issue 13 section 2): each page is a handful of grouped sums over TrendCount,
whatever the number of concerns behind them (ADR 0011). Who sees which establishments is authz's decision:
TRENDS_VIEW where they hold it (the DSL and deputy their establishment, CoC 6.6; the head theirs; the regional
director their region; the group head every establishment)."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, IntegerField, Sum, Value, When
from django.db.models.functions import ExtractYear

from safekeep.audit.services import audit_record
from safekeep.authz.access import establishments_where
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.establishments.models import Establishment

from . import measures as m
from .models import TrendCount, TrendRefresh
from .periods import Period, year_label


def trend_establishments(actor):
    """The establishments whose trends this person may see, by name."""
    return Establishment.objects.filter(pk__in=establishments_where(actor, Permission.TRENDS_VIEW)).order_by("name")


@dataclass
class Figures:
    """What one trend page shows: sums by (measure, value) for the period, by establishment, and over terms."""

    period: Period
    totals: dict = field(default_factory=dict)  # (measure, value) -> count
    by_establishment: list = field(default_factory=list)  # (establishment id, name, {(measure, value): count})
    over_terms: list = field(default_factory=list)  # (school year label, term code, count)
    figures_as_of: object = None  # when the summaries were last brought up to date (None: never)

    def count(self, measure, value="") -> int:
        return self.totals.get((measure, value), 0)

    def values(self, measure) -> dict[str, int]:
        return {value: n for (kind, value), n in self.totals.items() if kind == measure}


def _counts(establishment_ids, period: Period):
    rows = TrendCount.objects.filter(establishment_id__in=establishment_ids)
    months = period.months()
    return rows if months is None else rows.filter(month__in=months)


def _school_year():
    year = ExtractYear("month")
    return Case(When(month__month__gte=m.SCHOOL_YEAR_STARTS, then=year), default=year - Value(1),
                output_field=IntegerField())


def _term():
    return Case(*[When(month__month__in=months, then=Value(code)) for code, _, months in m.TERMS],
                default=Value(""))


def read_trends(actor, *, establishment_ids, period: Period, by_establishment=(m.ALL,), over_terms=m.ALL,
                over_terms_values=None, audited_as="trends.view") -> Figures:
    """The figures for the establishments chosen (already checked to be within the person's scope), in four
    queries and one audit row. `by_establishment`: the measures to show per establishment; `over_terms`: the
    measure (and values, None for "") followed term by term across the years, whatever period is chosen."""
    allowed = establishments_where(actor, Permission.TRENDS_VIEW)
    chosen = sorted(set(establishment_ids) & allowed)
    figures = Figures(period=period)
    with transaction.atomic():
        rows = _counts(chosen, period)
        figures.totals = {(measure, value): n for measure, value, n in rows.order_by().values("measure", "value")
                          .annotate(n=Sum("count")).values_list("measure", "value", "n")}
        per_place = {}
        for e, name, measure, value, n in (rows.filter(measure__in=by_establishment).order_by()
                                           .values("establishment_id", "establishment__name", "measure", "value")
                                           .annotate(n=Sum("count"))
                                           .values_list("establishment_id", "establishment__name", "measure",
                                                        "value", "n")):
            per_place.setdefault((name, e), {})[(measure, value)] = n
        figures.by_establishment = [(e, name, counts) for (name, e), counts in sorted(per_place.items())]
        followed = TrendCount.objects.filter(establishment_id__in=chosen, measure=over_terms,
                                             value__in=over_terms_values or [""])
        figures.over_terms = [(year_label(year), term, n) for year, term, n in (
            followed.annotate(school_year=_school_year(), term=_term()).order_by()
            .values("school_year", "term").annotate(n=Sum("count")).order_by("school_year", "term")
            .values_list("school_year", "term", "n"))]
        refresh = TrendRefresh.objects.first()
        figures.figures_as_of = refresh.figures_as_of if refresh else None
        audit_record(actor=actor, action=audited_as, object_type="trends", role=str(
            scope_for(actor).role_for(Permission.TRENDS_VIEW) or ""),
                     detail={"establishments": len(chosen), "period": period.label})
    return figures
