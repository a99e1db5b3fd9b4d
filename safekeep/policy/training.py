"""Training currency (docs/domain/records-lifecycle.md): each course the adopted packs name, who must do it,
how often it is refreshed and how long before it is due its holder is reminded. Pure: packs in, dates out.

A course done on a date is due again on that date plus its cycle (CE 2.0: "refreshed every 3 years"; KCSIE
Annex C: DSL training "at least every two years"). It is current up to and including that day, overdue the day
after, and expiring soon from `remind_before` days before it. A course done once (induction) never expires.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from .packs import EVERY, ONCE, REMIND_BEFORE

# Who a course's audience is, by the roles held at an establishment (KCSIE Part two: all staff; Annex C: the DSL
# and any deputies). A governor, and the roles held for a region or an organisation, are not an establishment's
# staff.
AUDIENCE_ROLES = {
    "all_staff": ("staff", "dsl", "deputy_dsl", "head"),
    "dsl": ("dsl", "deputy_dsl"),
}


class Standing(StrEnum):
    CURRENT = "current"
    EXPIRING = "expiring"  # current, but due within the reminder lead time
    OVERDUE = "overdue"
    NOT_RECORDED = "not_recorded"  # no completion recorded: due now


@dataclass(frozen=True)
class Course:
    code: str
    title: str
    audience: str
    months: int | None  # None: done once
    remind_days: int
    source: str
    remind_source: str
    pack: str

    @property
    def roles(self) -> tuple[str, ...]:
        return AUDIENCE_ROLES[self.audience]

    @property
    def every_words(self) -> str:
        if self.months is None:
            return "Once"
        if self.months % 12 == 0:
            years = self.months // 12
            return "Every year" if years == 1 else f"Every {years} years"
        return f"Every {self.months} months"

    def due_on(self, completed_on: date) -> date | None:
        return None if self.months is None else add_months(completed_on, self.months)

    def current_from(self, today: date) -> date | None:
        """The earliest completion still current today (due today or later); None: any completion is."""
        if self.months is None:
            return None
        return _first_due_on_or_after(self, today)

    def not_expiring_from(self, today: date) -> date | None:
        """The earliest completion not yet inside the reminder lead time today."""
        if self.months is None:
            return None
        return _first_due_on_or_after(self, today + timedelta(days=self.remind_days + 1))

    def remind_on(self, completed_on: date) -> date | None:
        due = self.due_on(completed_on)
        return None if due is None else due - timedelta(days=self.remind_days)

    def standing(self, last_completed: date | None, today: date) -> Standing:
        if last_completed is None:
            return Standing.NOT_RECORDED
        due = self.due_on(last_completed)
        if due is None:
            return Standing.CURRENT
        if due < today:
            return Standing.OVERDUE
        if due - timedelta(days=self.remind_days) <= today:
            return Standing.EXPIRING
        return Standing.CURRENT


def add_months(day: date, months: int) -> date:
    """The same day of the month, months later; the month's last day when it is shorter (29 Feb + 1 year is
    28 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _first_due_on_or_after(course: Course, day: date) -> date:
    """The earliest completion date whose due date is on or after `day`: what the database compares with."""
    candidate = add_months(day, -course.months)
    while add_months(candidate, course.months) < day:
        candidate += timedelta(days=1)
    while add_months(candidate - timedelta(days=1), course.months) >= day:
        candidate -= timedelta(days=1)
    return candidate


def _months(every: str) -> int | None:
    if every == ONCE:
        return None
    amount, unit = EVERY.match(every).groups()
    return int(amount) * (12 if unit == "year" else 1)


def courses_in(packs) -> list[Course]:
    """The courses of packs adopted together, in pack order; a code two packs share is the first pack's."""
    courses, seen = [], set()
    for pack in packs:
        for item in pack.training:
            if item["code"] in seen:
                continue
            seen.add(item["code"])
            remind = REMIND_BEFORE.match(str(item.get("remind_before") or "0 days"))
            courses.append(Course(code=item["code"], title=item["title"], audience=item["audience"],
                                  months=_months(str(item["every"])), remind_days=int(remind.group(1)),
                                  source=" ".join(str(item["source"]).split()),
                                  remind_source=" ".join(str(item.get("remind_source", "")).split()),
                                  pack=pack.pack))
    return courses
