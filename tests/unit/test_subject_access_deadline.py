"""The subject access clock: one calendar month from receipt, the ICO's way (UK GDPR Art. 12(3)), with the
dates worked out by hand from a calendar."""

from datetime import date

import pytest

from safekeep.policy.months import add_months
from safekeep.policy.packs import PackInvalid, parse_pack, shipped_packs


@pytest.mark.parametrize(("received", "months", "due"), [
    (date(2026, 3, 3), 1, date(2026, 4, 3)),      # the corresponding date in the next month
    (date(2027, 1, 31), 1, date(2027, 2, 28)),    # no 31 February: the last day of February
    (date(2028, 1, 31), 1, date(2028, 2, 29)),    # 2028 is a leap year
    (date(2026, 3, 31), 1, date(2026, 4, 30)),    # April has 30 days
    (date(2026, 12, 15), 1, date(2027, 1, 15)),   # into the next year
    (date(2026, 8, 30), 1, date(2026, 9, 30)),
    (date(2027, 2, 28), 1, date(2027, 3, 28)),    # not the end of March: the same date
    (date(2026, 12, 31), 3, date(2027, 3, 31)),   # an extended request: three months from receipt
    (date(2027, 1, 31), 3, date(2027, 4, 30)),    # counted at once, not 31 Jan -> 28 Feb -> 28 Mar -> 28 Apr
    (date(2026, 11, 30), 3, date(2027, 2, 28)),
    (date(2026, 5, 9), 0, date(2026, 5, 9)),
])
def test_a_month_is_the_corresponding_date_or_the_last_day_of_the_month(received, months, due):
    assert add_months(received, months) == due


def test_a_time_to_respond_is_never_counted_backwards():
    with pytest.raises(ValueError):
        add_months(date(2026, 5, 9), -1)


def test_the_statutory_baseline_gives_one_month_extendable_by_two_with_its_source():
    baseline = next(pack for pack in shipped_packs() if pack.pack == "statutory-baseline")
    rules = baseline.subject_access
    assert (rules.respond_within_months, rules.extend_by_months, rules.owner) == (1, 2, "dpo")
    assert "Article 12(3)" in rules.source


PACK = """
format: 1
pack: local
title: Local
version: "1"
abbreviation: LOC
source_document: ours
review_due: 2027-09-01
categories: []
rules: []
subject_access:
  respond_within_months: {months}
  extend_by_months: 2
  owner: {owner}
  what: Answer it
  source: UK GDPR Article 12(3)
"""


def test_a_pack_with_no_months_or_an_unknown_owner_is_refused_naming_the_field():
    with pytest.raises(PackInvalid) as refused:
        parse_pack(PACK.format(months=0, owner="clerk"))
    words = str(refused.value)
    assert "subject_access.respond_within_months" in words and "subject_access.owner" in words
    assert parse_pack(PACK.format(months=1, owner="dsl")).subject_access.respond_within_months == 1
