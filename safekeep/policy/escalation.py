"""When a required action is late: when to remind its owner, and when to climb the escalation ladder.

- A reminder goes to the owner when three quarters of the time has passed (none for "immediately",
  or when less than an hour was given: there is no time to remind).
- When the due time passes, the first person on the ladder is told; each later step follows after
  one hour for deadlines counted in hours (or immediate ones), after one working day otherwise.
"""

from datetime import datetime, timedelta

from .deadlines import Deadline, Unit, due_at

ONE_HOUR = timedelta(hours=1)


def reminder_at(created_at: datetime, due: datetime, deadline: Deadline) -> datetime | None:
    window = due - created_at
    if deadline.unit == Unit.IMMEDIATELY or window < ONE_HOUR:
        return None
    return due - window / 4


def next_step_after(moment: datetime, deadline: Deadline, *, nation: str) -> datetime:
    if deadline.unit in (Unit.IMMEDIATELY, Unit.HOURS):
        return moment + ONE_HOUR
    return due_at(moment, Deadline(Unit.WORKING_DAYS, 1), nation=nation)
