"""Deadline arithmetic, table by table. Expected dates are the published UK bank holidays,
worked out by hand, not read back from the code."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safekeep.policy.calendar import add_school_days, add_working_days, is_working_day
from safekeep.policy.deadlines import LONDON, Deadline, Unit, due_at
from safekeep.policy.escalation import Interval, first_step_at, next_step_after
from safekeep.policy.packs import shipped_packs


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize("nation,start,expected,why", [
    ("ENG", date(2026, 11, 6), date(2026, 11, 9), "Friday: next working day is Monday"),
    ("ENG", date(2026, 11, 7), date(2026, 11, 9), "Saturday: Monday is the first working day after"),
    ("ENG", date(2026, 12, 24), date(2026, 12, 29), "Christmas Friday, Boxing Day substitute Monday 28th"),
    ("ENG", date(2027, 12, 24), date(2027, 12, 29), "Christmas and Boxing Day at a weekend: 27th and 28th off"),
    ("ENG", date(2026, 4, 2), date(2026, 4, 7), "Good Friday and Easter Monday"),
    ("WLS", date(2026, 4, 2), date(2026, 4, 7), "Wales keeps Easter Monday like England"),
    ("SCT", date(2026, 4, 2), date(2026, 4, 6), "Easter Monday is not a bank holiday in Scotland"),
    ("NIR", date(2026, 3, 16), date(2026, 3, 18), "St Patrick's Day in Northern Ireland"),
    ("ENG", date(2026, 3, 16), date(2026, 3, 17), "St Patrick's Day is a working day in England"),
    ("SCT", date(2026, 11, 27), date(2026, 12, 1), "St Andrew's Day, Monday 30 November"),
    ("ENG", date(2026, 11, 27), date(2026, 11, 30), "St Andrew's Day is a working day in England"),
    ("SCT", date(2026, 12, 31), date(2027, 1, 5), "New Year's Day, and 2 January (a Saturday) moved to Monday"),
    ("ENG", date(2026, 12, 31), date(2027, 1, 4), "England has no 2 January holiday"),
    ("NIR", date(2026, 7, 10), date(2026, 7, 14), "Battle of the Boyne on a Sunday, substitute Monday 13th"),
    ("ENG", date(2026, 7, 10), date(2026, 7, 13), "13 July is a working day in England"),
])
def test_one_working_day_later(nation, start, expected, why):
    assert add_working_days(start, 1, nation) == expected, why


def test_several_working_days_skip_every_holiday_on_the_way():
    # Monday 21 Dec 2026 + 5: Tue 22, Wed 23, Thu 24, [Fri 25, Sat, Sun, Mon 28 off] Tue 29, Wed 30.
    assert add_working_days(date(2026, 12, 21), 5, "ENG") == date(2026, 12, 30)
    assert not is_working_day(date(2026, 12, 28), "ENG")


@pytest.mark.parametrize("start,deadline,nation,expected", [
    (utc(2026, 11, 6, 15, 0), "1 working day", "ENG", utc(2026, 11, 9, 15, 0)),
    # Summer time starts on Sunday 29 March 2026: 10:00 on Monday is 09:00 UTC.
    (london(2026, 3, 27, 10, 0), "1 working day", "ENG", utc(2026, 3, 30, 9, 0)),
    # Summer time ends on Sunday 25 October 2026: 10:00 on Friday was 09:00 UTC, on Monday it is 10:00 UTC.
    (london(2026, 10, 23, 10, 0), "1 working day", "ENG", utc(2026, 10, 26, 10, 0)),
    # Hours are real hours: 24 of them across the spring change end at 13:00 on the clock.
    (utc(2026, 3, 28, 12, 0), "24 hours", "ENG", utc(2026, 3, 29, 12, 0)),
    (utc(2026, 10, 24, 12, 0), "24 hours", "ENG", utc(2026, 10, 25, 12, 0)),
    (utc(2026, 12, 24, 16, 30), "immediately", "ENG", utc(2026, 12, 24, 16, 30)),
    (london(2026, 4, 2, 14, 0), "1 working day", "SCT", london(2026, 4, 6, 14, 0)),
])
def test_due_at(start, deadline, nation, expected):
    assert due_at(start, Deadline.parse(deadline), nation=nation) == expected


def test_24_hours_across_the_spring_change_read_as_13_00_on_the_clock():
    due = due_at(london(2026, 3, 28, 12, 0), Deadline.parse("24 hours"), nation="ENG")
    assert due.astimezone(LONDON).hour == 13


def test_school_days_skip_the_summer_holiday_once_terms_are_known():
    terms = ((date(2026, 4, 20), date(2026, 7, 17)), (date(2026, 9, 2), date(2026, 12, 18)))
    # Wed 15 July: Thu 16, Fri 17, then term resumes Wed 2, Thu 3, Fri 4 September.
    assert add_school_days(date(2026, 7, 15), 5, "ENG", terms) == date(2026, 9, 4)
    assert due_at(london(2026, 7, 15, 9, 0), Deadline.parse("5 school days"), nation="ENG",
                  terms=terms) == london(2026, 9, 4, 9, 0)
    # Without term dates a school day is a working day.
    assert add_school_days(date(2026, 7, 15), 5, "ENG") == date(2026, 7, 22)


@pytest.mark.parametrize("text,unit,amount,words", [
    ("immediately", Unit.IMMEDIATELY, 0, "immediately"),
    ("24 hours", Unit.HOURS, 24, "24 hours"),
    ("1 working day", Unit.WORKING_DAYS, 1, "1 working day"),
    ("5 School Days", Unit.SCHOOL_DAYS, 5, "5 school days"),
    (" 2  working  days ", Unit.WORKING_DAYS, 2, "2 working days"),
])
def test_deadlines_are_written_in_plain_words(text, unit, amount, words):
    deadline = Deadline.parse(text)
    assert (deadline.unit, deadline.amount, str(deadline)) == (unit, amount, words)


@pytest.mark.parametrize("text", ["three days", "0 hours", "2 weeks", "", "1 working"])
def test_a_deadline_that_is_not_one_is_refused_in_plain_words(text):
    with pytest.raises(ValueError, match="is not a deadline"):
        Deadline.parse(text)


def test_a_clock_without_a_time_zone_and_an_unknown_nation_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        due_at(datetime(2026, 1, 5, 9, 0), Deadline.parse("1 working day"), nation="ENG")
    with pytest.raises(ValueError, match="Unknown nation"):
        add_working_days(date(2026, 1, 5), 1, "XYZ")



@given(start=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)), n=st.integers(1, 30),
       nation=st.sampled_from(["ENG", "WLS", "SCT", "NIR"]))
def test_the_nth_working_day_is_a_working_day_with_exactly_n_working_days_up_to_it(start, n, nation):
    due = add_working_days(start, n, nation)
    assert due > start and is_working_day(due, nation)
    days = [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert sum(is_working_day(d, nation) for d in days) == n


# --- how fast the ladder climbs: the statutory baseline's pace, worked out by hand --------------------

def _shipped_ladders():
    return next(pack.ladders for pack in shipped_packs() if pack.ladders)


@pytest.mark.parametrize("deadline,due,nation,first,then,why", [
    ("immediately", utc(2026, 11, 24, 10, 0), "ENG", utc(2026, 11, 24, 10, 30), utc(2026, 11, 24, 11, 0),
     "told at once; the deputy 30 minutes later if still open, then every 30 minutes"),
    ("24 hours", utc(2026, 11, 25, 10, 0), "ENG", utc(2026, 11, 25, 10, 0), utc(2026, 11, 25, 11, 0),
     "hours: the first step when the deadline passes, then each hour"),
    ("1 working day", utc(2026, 11, 27, 15, 0), "ENG", utc(2026, 11, 27, 15, 0), utc(2026, 11, 30, 15, 0),
     "Friday's late step goes up again on Monday"),
    ("1 working day", utc(2026, 11, 27, 15, 0), "SCT", utc(2026, 11, 27, 15, 0), utc(2026, 12, 1, 15, 0),
     "in Scotland Monday 30 November is St Andrew's Day"),
    ("5 school days", london(2026, 12, 24, 9, 0), "ENG", london(2026, 12, 24, 9, 0), london(2026, 12, 29, 9, 0),
     "school days climb a working day at a time: over Christmas and the Boxing Day substitute"),
])
def test_the_ladder_climbs_at_the_pace_the_baseline_sets(deadline, due, nation, first, then, why):
    ladders, parsed = _shipped_ladders(), Deadline.parse(deadline)
    assert first_step_at(due, parsed, ladders, nation=nation) == first, why
    assert next_step_after(first, parsed, ladders, nation=nation) == then, why


def test_a_step_due_by_a_date_climbs_a_working_day_at_a_time_and_is_never_counted_in_days():
    ladders, by_date = _shipped_ladders(), Deadline.by_date()
    due = london(2026, 12, 24, 17, 0)  # a meeting's action agreed for Christmas Eve
    assert first_step_at(due, by_date, ladders, nation="ENG") == due
    assert next_step_after(due, by_date, ladders, nation="ENG") == london(2026, 12, 29, 17, 0)
    assert str(by_date) == "by a date"
    with pytest.raises(ValueError, match="carries its own due time"):
        due_at(due, by_date, nation="ENG")
    with pytest.raises(ValueError, match="is not a deadline"):
        Deadline.parse("by a date")  # no policy rule may be worded so


@pytest.mark.parametrize("text,words", [("30 minutes", "30 minutes"), ("1 hour", "1 hour"), ("2 Hours", "2 hours"),
                                        ("1 working day", "1 working day"), ("3 working days", "3 working days")])
def test_a_wait_on_the_ladder_is_written_in_plain_words(text, words):
    assert str(Interval.parse(text)) == words


@pytest.mark.parametrize("text", ["", "0 minutes", "a while", "1 week", "1 school day"])
def test_a_wait_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError, match="is not a wait"):
        Interval.parse(text)
