"""When a required action is due, from when the clock started and the policy's deadline.

- "immediately": due when the clock starts.
- "N hours": N real hours later, whatever the clocks do (CoC 10.5 "within 24 hours").
- "N working days": the same time of day on the Nth working day after, in the establishment's
  nation (CE 10.1 "within one working day").
- "N school days": the same, counting only days in term (KCSIE: file transfer in 5 school days).
- "by a date": a step given its own due time (a meeting's agreed date, a plan's review date); it is stored
  as that due time, never turned back into a count of days. No policy rule is worded this way.

Times are kept in UTC and read in Europe/London, so a deadline set on a Friday in March is at
the same time on the clock on Monday, across the change to summer time.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .calendar import Terms, add_school_days, add_working_days

LONDON = ZoneInfo("Europe/London")


class Unit(StrEnum):
    IMMEDIATELY = "immediately"
    HOURS = "hours"
    WORKING_DAYS = "working days"
    SCHOOL_DAYS = "school days"
    BY_DATE = "by date"


_PATTERN = re.compile(r"^\s*(?:(immediately)|(\d+)\s+(hours?|working\s+days?|school\s+days?))\s*$", re.I)


@dataclass(frozen=True)
class Deadline:
    unit: Unit
    amount: int = 0

    @classmethod
    def parse(cls, text: str) -> "Deadline":
        """'immediately', '24 hours', '1 working day', '5 school days'."""
        match = _PATTERN.match(text or "")
        if not match:
            raise ValueError(f"“{text}” is not a deadline: write “immediately”, “24 hours”, “1 working day” "
                             "or “5 school days”")
        if match.group(1):
            return cls(Unit.IMMEDIATELY)
        amount, unit = int(match.group(2)), match.group(3).lower()
        if amount < 1:
            raise ValueError(f"“{text}” is not a deadline: the number must be at least 1")
        unit = re.sub(r"\s+", " ", unit)
        for candidate in (Unit.HOURS, Unit.WORKING_DAYS, Unit.SCHOOL_DAYS):
            if unit.rstrip("s") == candidate.value.rstrip("s"):
                return cls(candidate, amount)
        raise AssertionError(unit)  # the pattern admits nothing else

    @classmethod
    def by_date(cls) -> "Deadline":
        return cls(Unit.BY_DATE)

    def __str__(self) -> str:
        if self.unit == Unit.IMMEDIATELY:
            return "immediately"
        if self.unit == Unit.BY_DATE:
            return "by a date"
        word = self.unit.value if self.amount != 1 else self.unit.value.rstrip("s")
        return f"{self.amount} {word}"


def due_at(start: datetime, deadline: Deadline, *, nation: str, terms: Terms = ()) -> datetime:
    if start.tzinfo is None:
        raise ValueError("The start of a clock must carry its time zone")
    if deadline.unit == Unit.IMMEDIATELY:
        return start.astimezone(UTC)
    if deadline.unit == Unit.BY_DATE:
        raise ValueError("A step due by a date carries its own due time")
    if deadline.unit == Unit.HOURS:
        return start.astimezone(UTC) + timedelta(hours=deadline.amount)
    local = start.astimezone(LONDON)
    if deadline.unit == Unit.WORKING_DAYS:
        day = add_working_days(local.date(), deadline.amount, nation)
    else:
        day = add_school_days(local.date(), deadline.amount, nation, terms)
    # Results fall on weekdays; the clocks change on Sundays, so the local time always exists.
    return datetime.combine(day, local.time(), tzinfo=LONDON).astimezone(UTC)
