"""A period of the trend pages: a school year (September to August) or all years, and a term or the whole year.
Every period is a set of whole months, so it is a sum of the summary table's monthly rows."""

from dataclasses import dataclass
from datetime import date

from safekeep.core import clock

from .measures import SCHOOL_YEAR_STARTS, TERM_LABELS, TERMS

YEARS_OFFERED = 6  # the school years a person can pick, this one and the five before it


def school_year_of(day: date) -> int:
    """The calendar year a school year starts in: 2026 for 1 December 2026, 2025 for 1 March 2026."""
    return day.year if day.month >= SCHOOL_YEAR_STARTS else day.year - 1


def year_label(start: int) -> str:
    return f"{start} to {start + 1}"


def years_offered() -> list[int]:
    this = school_year_of(clock.today())
    return list(range(this, this - YEARS_OFFERED, -1))


@dataclass(frozen=True)
class Period:
    year: int | None = None  # the calendar year the school year starts in; None: every year
    term: str = ""  # a code of measures.TERMS; "": the whole school year

    def months(self) -> list[date] | None:
        """The first day of each month in the period (None: no limit)."""
        if self.year is None:
            return None
        chosen = [months for code, _, months in TERMS if not self.term or code == self.term]
        return sorted(date(self.year if month >= SCHOOL_YEAR_STARTS else self.year + 1, month, 1)
                      for months in chosen for month in months)

    @property
    def label(self) -> str:
        if self.year is None:
            return "All years"
        term = TERM_LABELS.get(self.term, "")
        return f"{term}, {year_label(self.year)}" if term else f"School year {year_label(self.year)}"
