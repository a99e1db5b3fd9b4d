"""When a required action is late: when to remind its owner, and when to climb the escalation ladder.

- A reminder goes to the owner when three quarters of the time has passed (none for "immediately",
  or when less than an hour was given: there is no time to remind).
- The ladders themselves, and how fast they climb, are data in the policy packs (the statutory baseline's
  `ladders:` section, docs/domain/actions-and-escalation.md): a Pace per kind of deadline says how long after
  the due time the first step is told, and how long each later step waits.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .deadlines import Deadline, Unit, due_at

ONE_HOUR = timedelta(hours=1)


def reminder_at(created_at: datetime, due: datetime, deadline: Deadline) -> datetime | None:
    window = due - created_at
    if deadline.unit == Unit.IMMEDIATELY or window < ONE_HOUR:
        return None
    return due - window / 4


_INTERVAL = re.compile(r"^\s*(\d+)\s+(minutes?|hours?|working\s+days?)\s*$", re.I)


@dataclass(frozen=True)
class Interval:
    """A wait on the ladder: real minutes or hours, or working days in the establishment's nation."""

    amount: int
    unit: str  # "minutes", "hours" or "working days"

    @classmethod
    def parse(cls, text: str) -> "Interval":
        """'30 minutes', '1 hour', '1 working day'."""
        match = _INTERVAL.match(str(text or ""))
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"“{text}” is not a wait: write “30 minutes”, “1 hour” or “1 working day”")
        unit = re.sub(r"\s+", " ", match.group(2).lower()).rstrip("s") + "s"
        return cls(int(match.group(1)), unit)

    def after(self, moment: datetime, *, nation: str) -> datetime:
        if self.unit == "minutes":
            return moment + timedelta(minutes=self.amount)
        if self.unit == "hours":
            return moment + timedelta(hours=self.amount)
        return due_at(moment, Deadline(Unit.WORKING_DAYS, self.amount), nation=nation)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit if self.amount != 1 else self.unit.rstrip('s')}"


@dataclass(frozen=True)
class Pace:
    """How fast the ladder climbs for one kind of deadline, with the reason."""

    then_every: Interval
    source: str
    first_step_after: Interval | None = None  # None: the first step is told when the deadline passes


@dataclass(frozen=True)
class Ladders:
    """A pack's `ladders:` section. named: ladder code -> roles in turn (the steps Safekeep sets outside the
    rules: a referral's follow-up, a DSL's own action). stand_ins: for an allegation about an adult, the role
    that takes a step another role would have had (only some roles may read an allegation); always_last: the
    role that ends every allegation's ladder. pace: deadline unit -> Pace."""

    named: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stand_ins: dict[str, str] = field(default_factory=dict)
    always_last: str = ""
    pace: dict[Unit, Pace] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # named ladder or "allegation" -> its source

    def ladder(self, code: str) -> tuple[str, ...]:
        return self.named[code]


def first_step_at(due: datetime, deadline: Deadline, ladders: Ladders, *, nation: str) -> datetime:
    """When the first person on the ladder is told about a step that is still not done."""
    pace = ladders.pace[deadline.unit]
    return pace.first_step_after.after(due, nation=nation) if pace.first_step_after else due


def next_step_after(moment: datetime, deadline: Deadline, ladders: Ladders, *, nation: str) -> datetime:
    """When the next person on the ladder is told, after someone was told at `moment`."""
    return ladders.pace[deadline.unit].then_every.after(moment, nation=nation)


def combined(sections: list[Ladders]) -> Ladders:
    """The ladders of packs adopted together, in order: a later pack's ladder or pace replaces one of the same
    name (an organisation's own pack may slow or speed a ladder the statutory baseline sets)."""
    named, stand_ins, pace, sources, always_last = {}, {}, {}, {}, ""
    for section in sections:
        named |= section.named
        stand_ins |= section.stand_ins
        pace |= section.pace
        sources |= section.sources
        always_last = section.always_last or always_last
    return Ladders(named=named, stand_ins=stand_ins, always_last=always_last, pace=pace, sources=sources)
