"""Working days and school days in each UK nation.

Bank holidays come from the `holidays` library (never a hand-typed list): its data includes
substitute days and one-off holidays, and is updated by upgrading the package.
A school day is a working day inside one of the establishment's terms; until an establishment
has loaded its term dates, every working day counts as a school day.
"""

from collections.abc import Iterable
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache

import holidays

# The nations Safekeep knows, as the `holidays` library names the UK's subdivisions.
NATIONS = ("ENG", "WLS", "SCT", "NIR")
Terms = Sequence[tuple[date, date]]  # (first day, last day) pairs; a caller may read them only when asked


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> frozenset[date]:
    if nation not in NATIONS:
        raise ValueError(f"Unknown nation {nation!r}: expected one of {', '.join(NATIONS)}")
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(nation, day.year)


def is_school_day(day: date, nation: str, terms: Terms = ()) -> bool:
    return is_working_day(day, nation) and (not terms or any(start <= day <= end for start, end in terms))


def _nth_day_after(day: date, n: int, counts) -> date:
    if n < 1:
        raise ValueError("Count at least one day")
    for _ in range(n):
        day += timedelta(days=1)
        while not counts(day):
            day += timedelta(days=1)
    return day


def add_working_days(day: date, n: int, nation: str) -> date:
    """The nth working day after `day` (a Saturday's first working day after is the Monday)."""
    return _nth_day_after(day, n, lambda d: is_working_day(d, nation))


def add_school_days(day: date, n: int, nation: str, terms: Iterable[tuple[date, date]] = ()) -> date:
    terms = tuple(terms)
    return _nth_day_after(day, n, lambda d: is_school_day(d, nation, terms))
