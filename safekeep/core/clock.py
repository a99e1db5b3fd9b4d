"""The one place Safekeep asks the time, so deadline and session code can be tested at any instant.

"Today" is always the date in the UK (Europe/London): a concern recorded at 00:30 on a summer night
belongs to that day, not to the day before as the UTC date would say. Tests move this clock with
time-machine (tests/conftest.py, `--clock`); nothing else in Safekeep reads the system time."""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

LONDON = ZoneInfo("Europe/London")


def now():
    return timezone.now()


def today() -> date:
    return now().astimezone(LONDON).date()
