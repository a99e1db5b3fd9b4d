"""Calendar months, as the right of access counts them (UK GDPR Art. 12(3); ICO right of access guidance).

The ICO: a month runs from the day the request is received to "the corresponding calendar date in the next
month, or the last day of that month if there is none". So a request received on 3 March is due on 3 April,
and one received on 31 January on 28 February (29 February in a leap year). A longer time is counted the same
way, whole months at once from the day received, so 31 January plus three months is 30 April, not the date
reached by adding one month three times. Weekends and bank holidays do not move the date.
"""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The corresponding date `months` calendar months after `day`, or the last day of that month if it has
    no such date."""
    if months < 0:
        raise ValueError("A time to respond is counted forwards")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
