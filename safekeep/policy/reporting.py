"""The reporting periods of the governor and SLT reports (docs/domain/oversight.md). Pure.

A pack's `reporting:` section names the terms a year is reported in by the month each starts; a term runs
to the day before the next one starts. "This term" is the one a day falls in, "last term" the one before.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Period:
    name: str
    starts_month: int


@dataclass(frozen=True)
class Reporting:
    """What a pack says about reports: the small-number threshold and the terms, each with its source."""

    threshold: int
    threshold_source: str
    periods: tuple[Period, ...]
    periods_source: str


@dataclass(frozen=True)
class Term:
    name: str
    starts: date  # the first day
    ends: date  # the day after the last: a term is [starts, ends)

    @property
    def label(self) -> str:
        return f"{self.name} {self.starts.year}"


def _starts(periods: tuple[Period, ...], year: int) -> list[tuple[date, str]]:
    return sorted((date(year, p.starts_month, 1), p.name) for p in periods)


def term_of(day: date, periods: tuple[Period, ...]) -> Term:
    """The term a day falls in."""
    if not periods:
        raise ValueError("A reporting section names at least one term")
    starts = [s for year in (day.year - 1, day.year, day.year + 1) for s in _starts(periods, year)]
    index = max(i for i, (start, _) in enumerate(starts) if start <= day)
    return Term(name=starts[index][1], starts=starts[index][0], ends=starts[index + 1][0])


def term_before(term: Term, periods: tuple[Period, ...]) -> Term:
    return term_of(date.fromordinal(term.starts.toordinal() - 1), periods)
