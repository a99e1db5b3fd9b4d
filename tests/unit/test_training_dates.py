"""When a course is due (safekeep/policy/training.py), worked out by hand, and the pack's training fields checked."""

from datetime import date

import pytest

from safekeep.policy.packs import PackInvalid, parse_pack
from safekeep.policy.training import Standing, add_months, courses_in
from tests.unit.test_policy_packs import GOOD


def _course(every="3 years", remind="30 days"):
    text = GOOD.replace("    every: 3 years\n", f"    every: {every}\n" + (
        f"    remind_before: {remind}\n    remind_source: Safekeep's own choice\n" if remind else ""))
    return courses_in([parse_pack(text, "example.yaml")])[0]


def test_a_leap_day_plus_a_year_is_the_last_day_of_february():
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


@pytest.mark.parametrize("done,today,standing", [
    (date(2024, 4, 1), date(2027, 3, 1), Standing.CURRENT),     # due 1 April 2027, reminded from 2 March
    (date(2024, 4, 1), date(2027, 3, 2), Standing.EXPIRING),
    (date(2024, 4, 1), date(2027, 4, 1), Standing.EXPIRING),    # its due day: still current
    (date(2024, 4, 1), date(2027, 4, 2), Standing.OVERDUE),
    (None, date(2027, 4, 2), Standing.NOT_RECORDED),
])
def test_standing_by_hand(done, today, standing):
    assert _course().standing(done, today) == standing


def test_the_database_cut_offs_agree_with_the_standing_on_every_day_around_a_leap_year():
    course = _course(every="12 months")
    for offset in range(0, 800, 7):
        today = date.fromordinal(date(2027, 1, 1).toordinal() + offset)
        for back in range(300, 500):
            done = date.fromordinal(today.toordinal() - back)
            standing = course.standing(done, today)
            assert (done >= course.current_from(today)) == (standing in (Standing.CURRENT, Standing.EXPIRING))
            assert (done >= course.not_expiring_from(today)) == (standing == Standing.CURRENT)


def test_a_course_done_once_never_falls_due_and_takes_no_reminder():
    course = _course(every="once", remind="")
    assert course.standing(date(2001, 1, 1), date(2030, 1, 1)) == Standing.CURRENT
    with pytest.raises(PackInvalid, match="remind_before: should say how long before a refreshed course"):
        _course(every="once")
    with pytest.raises(PackInvalid, match="remind_before"):
        _course(remind="a month")
