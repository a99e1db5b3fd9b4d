"""The trend pages' tables, built from the figures the selectors read. Each table is the primary, accessible
form of its chart (rule 9): the chart is drawn from the same numbers, sent with json_script."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from safekeep.children.models import Child

from . import measures as m
from .selectors import Figures


@dataclass
class Cell:
    count: int | str
    href: str = ""


@dataclass
class Row:
    label: str
    cells: list[Cell]


@dataclass
class Table:
    id: str
    title: str
    headers: list[str]  # the first is the rows' heading
    rows: list[Row]
    note: str = ""
    chart: str = "bar"  # Chart.js type; "" for a table with no chart
    extra: list[str] = field(default_factory=list)  # lines shown under the table (medians)

    @property
    def chart_data(self) -> dict:
        """The chart's data: the rows' labels and one series per numeric column."""
        series = [{"label": heading, "data": [row.cells[index].count for row in self.rows]}
                  for index, heading in enumerate(self.headers[1:]) if all(
                      isinstance(row.cells[index].count, int) for row in self.rows)]
        return {"type": self.chart, "title": self.title, "labels": [row.label for row in self.rows],
                "datasets": series}


class Builder:
    def __init__(self, figures: Figures, query: dict):
        self.figures, self.query = figures, query

    def drill(self, measure, value="", establishment=None) -> str:
        params = self.query | {"measure": measure, "value": value}
        if establishment is not None:
            params["establishment"] = establishment
        return f"{reverse('trends:drill')}?{urlencode({k: v for k, v in params.items() if v != ''})}"

    def simple(self, id, title, measure, labels: dict, heading, *, drill=True, keep_order=True, note="",
               chart="bar") -> Table:
        """One row per value: in the order of `labels` (every value, 0 where none), or by count, largest
        first, for values with no fixed list (places, year groups)."""
        found = self.figures.values(measure)
        if keep_order:
            pairs = [(value, label, found.get(value, 0)) for value, label in labels.items()]
        else:
            pairs = sorted(((value, labels.get(value) or value or "Not recorded", n) for value, n in found.items()),
                           key=lambda pair: (-pair[2], pair[1]))
        rows = [Row(label, [Cell(n, self.drill(measure, value) if drill and n else "")]) for value, label, n in pairs]
        return Table(id, title, [heading, "Concerns"], rows, note=note, chart=chart)

    def establishments(self, id, title, measure=m.ALL, value="") -> Table:
        rows = [Row(name, [Cell(counts.get((measure, value), 0), self.drill(measure, value, e)
                                if counts.get((measure, value)) else "")])
                for e, name, counts in self.figures.by_establishment]
        return Table(id, title, ["Establishment", "Concerns"], rows)

    def over_terms(self, id, title) -> Table:
        rows = [Row(f"{m.TERM_LABELS.get(term, term)} {year}", [Cell(n)]) for year, term, n in self.figures.over_terms]
        return Table(id, title, ["Term", "Concerns"], rows, chart="line",
                     note="Every term on record, whatever period is chosen above.")

    def categories(self, id, title, codes, heading="Category") -> Table:
        labels = m.categories().labels
        return self.simple(id, title, m.CATEGORY, {code: labels[code] for code in codes}, heading)

    def durations(self, id, title, measure, *, untriaged: bool) -> Table:
        found = self.figures.values(measure)
        rows = [Row(band.label, [Cell(found.get(band.code, 0))]) for band in m.DURATION_BANDS]
        table = Table(id, title, ["How long", "Concerns"], rows)
        counted = [found.get(band.code, 0) for band in m.DURATION_BANDS]
        table.extra.append(median_words(counted))
        if untriaged:
            table.rows.append(Row("No decision yet", [Cell(found.get(m.UNTRIAGED, 0))]))
        return table


def median_words(counts: list[int]) -> str:
    """The band the middle concern falls in (the median, to the band): the counts are the database's."""
    total = sum(counts)
    if not total:
        return "Median: none to measure in this period."
    middle, running = (total + 1) / 2, 0
    for band, n in zip(m.DURATION_BANDS, counts, strict=True):
        running += n
        if running >= middle:
            return f"Median: {band.label.lower()} ({total} concern{'s' if total != 1 else ''} measured)."
    return ""


def concerns_tables(builder: Builder) -> list[Table]:
    labels = m.categories().labels
    figures = builder.figures
    in_period = sorted(code for (measure, code) in figures.totals if measure == m.CATEGORY)
    return [
        builder.establishments("by-establishment", "Concerns by establishment"),
        builder.over_terms("over-terms", "Concerns term by term"),
        builder.categories("by-category", "Concerns by category", [code for code in labels if code in in_period]),
        builder.simple("by-year-group", "Concerns by year group of the child harmed or at risk", m.YEAR_GROUP, {},
                       "Year group", keep_order=False),
        builder.simple("by-send", "Concerns by SEND status of the child harmed or at risk", m.SEND,
                       dict(Child.SendStatus.choices), "SEND"),
        builder.simple("by-looked-after", "Concerns about looked-after children", m.LOOKED_AFTER,
                       {"yes": "Looked after", "no": "Not looked after"}, "Looked after"),
        builder.simple("by-place", "Concerns by place", m.PLACE, {"": "Not on the establishment's list"}, "Place",
                       keep_order=False, drill=False),
        builder.simple("by-kind-of-place", "Concerns by kind of place", m.PLACE_KIND, m.PLACE_KINDS, "Kind of place"),
        builder.simple("by-weekday", "Concerns by day of the week", m.WEEKDAY, m.WEEKDAYS, "Day",
                       note="Concerns whose time was given only roughly are left out."),
        builder.simple("by-hour", "Concerns by time of day", m.HOUR,
                       {str(hour): f"{hour:02d}:00 to {hour:02d}:59" for hour in range(24)}, "Time",
                       note="Concerns whose time was given only roughly are left out."),
    ]


def child_on_child_tables(builder: Builder) -> list[Table]:
    kinds = m.categories()
    return [
        builder.establishments("coc-by-establishment", "Child-on-child concerns by establishment", m.CHILD_ON_CHILD),
        builder.over_terms("coc-over-terms", "Child-on-child concerns term by term"),
        builder.categories("coc-by-form", "Child-on-child concerns by form (CoC 2.2)", kinds.child_on_child, "Form"),
        builder.simple("coc-by-hackett", "Child-on-child concerns by Hackett level (CoC 3.2)", m.HACKETT,
                       kinds.hackett, "Hackett level", drill=False,
                       note="Each child's latest decision; a concern with children at two levels counts in both."),
        builder.simple("coc-by-gender-mix", "Child-on-child concerns by the genders of the children involved (CoC 4.2)",
                       m.GENDER_MIX, m.GENDER_MIXES, "Children harmed and alleged to be responsible", drill=False),
    ]


def exploitation_tables(builder: Builder) -> list[Table]:
    return [builder.categories("exploitation-by-type", "Exploitation concerns by type (CE 3-8)",
                               m.categories().exploitation, "Type of exploitation"),
            builder.over_terms("exploitation-over-terms", "Exploitation concerns term by term")]


def clocks_tables(builder: Builder) -> list[Table]:
    figures = builder.figures
    due, on_time = figures.count(m.ACTIONS, "due"), figures.count(m.ACTIONS, "on_time")
    made, unanswered = figures.count(m.REFERRALS, "made"), figures.count(m.REFERRALS, "unanswered")
    summary = Table("clocks-summary", "The clocks", ["Measure", "Count"], [
        Row("Actions due by now", [Cell(due)]),
        Row("Of those, done by their due time", [Cell(on_time)]),
        Row("Share done on time", [Cell(f"{round(100 * on_time / due)}%" if due else "None due")]),
        Row("Referrals made", [Cell(made)]),
        Row("Referrals with no decision from the agency yet", [Cell(unanswered)]),
    ], chart="")
    per_place = Table("clocks-by-establishment", "Actions and referrals by establishment",
                      ["Establishment", "Actions due", "Done on time", "Referrals made", "Referrals unanswered"],
                      [Row(name, [Cell(counts.get((m.ACTIONS, "due"), 0)), Cell(counts.get((m.ACTIONS, "on_time"), 0)),
                                  Cell(counts.get((m.REFERRALS, "made"), 0)),
                                  Cell(counts.get((m.REFERRALS, "unanswered"), 0))])
                       for e, name, counts in figures.by_establishment])
    return [summary, per_place,
            builder.durations("time-to-triage", "Time from recording a concern to the first triage decision",
                              m.TRIAGE_TIME, untriaged=True),
            builder.durations("time-to-referral", "Time from recording a concern to its first referral",
                              m.REFERRAL_TIME, untriaged=False)]
