"""The retention schedule, read from the shipped statutory baseline: each date below is worked out by hand
from the rule's words (IRMS: date of birth + 25 years; CH(E)R 2015 reg 36(2): 75 years from birth, or 15
years from a death before 18; KCSIE Part four: 10 years from the allegation or normal pension age, if later)."""

from datetime import date
from pathlib import Path

import pytest

from safekeep.policy import retention
from safekeep.policy.packs import PackInvalid, parse_pack

PACK = Path(__file__).resolve().parents[2] / "safekeep" / "policy" / "packs" / "statutory-baseline.yaml"
RULES = parse_pack(PACK.read_text(), PACK.name).retention_rules
SCHOOL, HOME = "school-child-protection-file", "childrens-home-case-records"


@pytest.mark.parametrize(("born", "kinds", "died", "rule", "due"), [
    # A pupil born 1 May 2012: 2012 + 25.
    (date(2012, 5, 1), {"school"}, None, SCHOOL, date(2037, 5, 1)),
    # A college keeps the school's file rule.
    (date(2012, 5, 1), {"college"}, None, SCHOOL, date(2037, 5, 1)),
    # A resident of a children's home: 2012 + 75.
    (date(2012, 5, 1), {"childrens_home"}, None, HOME, date(2087, 5, 1)),
    # The integrated pair: at the school and the home, the home's longer period wins.
    (date(2012, 5, 1), {"school", "childrens_home"}, None, HOME, date(2087, 5, 1)),
    # Died aged 7 at the home: 15 years from the death, 10 March 2020 + 15.
    (date(2012, 5, 1), {"childrens_home"}, date(2020, 3, 10), HOME, date(2035, 3, 10)),
    # Died the day before their 18th birthday (15 January 2018): still before 18, so 2018 + 15.
    (date(2000, 1, 15), {"childrens_home"}, date(2018, 1, 14), HOME, date(2033, 1, 14)),
    # Died on their 18th birthday: no longer "before attaining the age of 18", so 2000 + 75.
    (date(2000, 1, 15), {"childrens_home"}, date(2018, 1, 15), HOME, date(2075, 1, 15)),
    # A school's rule has no clause for a death: 2012 + 25 all the same.
    (date(2012, 5, 1), {"school"}, date(2020, 3, 10), SCHOOL, date(2037, 5, 1)),
    # Integrated pair, died aged 7: the home's 2035 is earlier than the school's 2037, so the school's wins.
    (date(2012, 5, 1), {"school", "childrens_home"}, date(2020, 3, 10), SCHOOL, date(2037, 5, 1)),
    # Born on a leap day: 2033 has no 29 February, so the full 25 years have run on 1 March.
    (date(2008, 2, 29), {"school"}, None, SCHOOL, date(2033, 3, 1)),
    # 2008 + 75 = 2083, not a leap year either.
    (date(2008, 2, 29), {"childrens_home"}, None, HOME, date(2083, 3, 1)),
    # 2004 + 24 would be a leap year, but 2004 + 25 = 2029 is not.
    (date(2004, 2, 29), {"school"}, None, SCHOOL, date(2029, 3, 1)),
])
def test_a_childs_file_is_reviewed_under_the_longest_rule(born, kinds, died, rule, due):
    review = retention.child_review(RULES, date_of_birth=born, kinds=kinds, died_on=died)
    assert (review.rule.code, review.due_on) == (rule, due)
    assert review.rule.source


def test_a_leap_day_lands_on_29_february_in_a_leap_year():
    assert retention.add_years(date(2008, 2, 29), 24) == date(2032, 2, 29)


def test_a_child_at_no_kind_of_establishment_the_rules_cover_has_no_review():
    assert retention.child_review(RULES, date_of_birth=date(2012, 5, 1), kinds=set()) is None


@pytest.mark.parametrize(("made", "adult_born", "due"), [
    # Born 20 July 1990: 67 on 20 July 2057, later than 2 March 2026 + 10 = 2036.
    (date(2026, 3, 2), date(1990, 7, 20), date(2057, 7, 20)),
    # Born 1 January 1965: 67 on 1 January 2032, earlier than 2036, so the 10 years win.
    (date(2026, 3, 2), date(1965, 1, 1), date(2036, 3, 2)),
    # The adult's date of birth not known: the 10 years.
    (date(2026, 3, 2), None, date(2036, 3, 2)),
])
def test_an_allegation_is_kept_to_pension_age_or_ten_years_whichever_is_longer(made, adult_born, due):
    review = retention.allegation_review(RULES, made_on=made, adult_date_of_birth=adult_born)
    assert (review.rule.code, review.due_on) == ("allegation-about-adult", due)
    assert "KCSIE" in review.rule.source


@pytest.mark.parametrize(("today", "held", "kept_until", "expected"), [
    (date(2037, 4, 30), False, None, retention.NOT_DUE),   # the day before
    (date(2037, 5, 1), False, None, retention.DUE),        # on the day
    (date(2040, 1, 1), False, None, retention.DUE),        # long after, still only due: never destroyed unseen
    (date(2040, 1, 1), True, None, retention.HELD),        # a legal hold stops destruction
    (date(2030, 1, 1), True, None, retention.HELD),        # and shows before the review comes
    (date(2040, 1, 1), False, date(2042, 5, 1), retention.NOT_DUE),  # kept for another period
    (date(2042, 5, 1), False, date(2042, 5, 1), retention.DUE),      # which has now run
])
def test_a_review_comes_on_its_date_unless_held_or_kept(today, held, kept_until, expected):
    review = retention.child_review(RULES, date_of_birth=date(2012, 5, 1), kinds={"school"})
    assert retention.status(review, today, held=held, kept_until=kept_until) == expected


def test_a_rule_with_a_period_that_is_not_in_years_names_its_line():
    text = PACK.read_text().replace("keep: 25 years", "keep: 25 yrs")
    with pytest.raises(PackInvalid) as problem:
        parse_pack(text, PACK.name)
    assert "retention[0].keep" in str(problem.value) and "25 yrs" in str(problem.value)


def test_a_death_clause_needs_both_its_age_and_its_period():
    text = PACK.read_text().replace("    after_death: 15 years\n", "")
    with pytest.raises(PackInvalid, match="died_before_age and after_death come together"):
        parse_pack(text, PACK.name)
