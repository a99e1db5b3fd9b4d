"""Small-number suppression in the governor and SLT reports: a count under 5 is "fewer than 5", and no
published total gives a hidden count away (docs/domain/oversight.md)."""

import itertools
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from safekeep.policy.packs import PackInvalid, parse_pack, shipped_packs
from safekeep.policy.reporting import Period, term_before, term_of
from safekeep.policy.suppression import share_published, suppress_column, suppress_table

FIVE = 5


@pytest.mark.parametrize("count,hidden", [(0, True), (1, True), (4, True), (5, False), (6, False)])
def test_a_count_under_five_is_hidden_and_five_is_shown(count, hidden):
    published = suppress_table([[count], [20], [30]], FIVE)
    assert (published.cells[0][0] is None) is hidden


def test_a_total_that_would_reveal_the_one_hidden_count_is_hidden():
    # 3 hidden, total 50 shown: 50 - 20 - 27 would say 3.
    published = suppress_table([[3], [20], [27]], FIVE)
    assert [row[0] for row in published.cells] == [None, 20, 27]
    assert published.totals == (None,)


def test_hidden_counts_that_add_up_to_nothing_or_to_four_each_hide_the_total():
    # Every hidden count is 0 to 4: two of them adding up to 0 are both 0, adding up to 8 are both 4.
    assert suppress_table([[0], [0], [12]], FIVE).totals == (None,)
    assert suppress_table([[4], [4], [12]], FIVE).totals == (None,)


def test_two_hidden_counts_with_a_sum_between_are_enough():
    published = suppress_table([[1], [4], [30]], FIVE)
    assert [row[0] for row in published.cells] == [None, None, 30]
    assert published.totals == (35,)


def test_a_total_under_five_is_hidden_with_its_counts():
    published = suppress_table([[1], [2]], FIVE)
    assert published.totals == (None,)


def test_a_count_of_five_or_more_is_never_hidden_so_fewer_than_five_is_always_true():
    published = suppress_table([[3], [5], [40]], FIVE)
    assert [row[0] for row in published.cells] == [None, 5, 40]


def test_each_column_is_protected_on_its_own():
    published = suppress_table([[3, 9], [20, 2], [27, 1]], FIVE)
    assert published.cells == ((None, 9), (20, None), (27, None))
    assert published.totals == (None, 12)


def test_a_share_of_a_small_number_is_not_published():
    assert share_published(18, 20, FIVE) is None  # 2 late: the share would say so
    assert share_published(15, 20, FIVE) == 75
    assert share_published(3, 4, FIVE) is None


def _worked_out(cells, published, column) -> list[int]:
    """The hidden counts of one column that a reader can work out: every column of whole numbers from 0 to 4
    (a hidden count reads "fewer than 5") that agrees with what is shown has the same value there."""
    rows = len(cells)
    hidden = [i for i in range(rows) if published.cells[i][column] is None]
    total = published.totals[column]
    shown_sum = sum(published.cells[i][column] for i in range(rows) if i not in hidden)
    if total is None:
        return []  # with no total, a hidden count may be anything
    left = total - shown_sum
    found = {i: set() for i in hidden}
    for values in itertools.product(range(FIVE), repeat=len(hidden)):
        if sum(values) == left:
            for i, value in zip(hidden, values, strict=True):
                found[i].add(value)
    return [i for i in hidden if len(found[i]) == 1]


columns = st.lists(st.lists(st.integers(min_value=0, max_value=12), min_size=2, max_size=2), min_size=1, max_size=5)


@settings(max_examples=300, deadline=None)
@given(columns)
def test_no_hidden_count_can_be_worked_out_from_what_is_published(rows):
    published = suppress_table(rows, FIVE)
    for column in range(2):
        for i, row in enumerate(rows):
            cell = published.cells[i][column]
            assert cell is None or cell == row[column]
            if row[column] < FIVE:
                assert cell is None, "a count under 5 is shown"
        assert _worked_out(rows, published, column) == []
        if published.totals[column] is not None:
            assert published.totals[column] == sum(row[column] for row in rows)


def test_suppression_refuses_nonsense():
    with pytest.raises(ValueError):
        suppress_column([-1, 3], FIVE)
    with pytest.raises(ValueError):
        suppress_column([1], 0)


def test_the_threshold_and_terms_are_in_the_statutory_baseline_with_their_sources():
    reporting = next(p.reporting for p in shipped_packs() if p.reporting)
    assert reporting.threshold == 5 and "DESIGN.md section 1" in reporting.threshold_source
    assert [p.starts_month for p in reporting.periods] == [9, 1, 4] and reporting.periods_source


def test_a_reporting_section_with_a_bad_threshold_or_term_is_refused_with_its_line():
    text = ("format: 1\npack: x\ntitle: X\nversion: '1'\nsource_document: x.md\nreview_due: 2027-01-01\n"
            "abbreviation: X\ncategories: []\nrules: []\nreporting:\n  small_numbers:\n    threshold: 0\n"
            "    source: s\n  terms:\n    periods:\n      - {name: Autumn, starts_month: 13}\n    source: s\n")
    with pytest.raises(PackInvalid) as refused:
        parse_pack(text, "x.yaml")
    messages = [str(e) for e in refused.value.errors]
    assert any("reporting.small_numbers.threshold" in m and "x.yaml:12" in m for m in messages), messages
    assert any("reporting.terms.periods[0].starts_month" in m for m in messages), messages


PERIODS = (Period("Autumn term", 9), Period("Spring term", 1), Period("Summer term", 4))


@pytest.mark.parametrize("day,name,starts,ends", [
    (date(2026, 12, 1), "Autumn term", date(2026, 9, 1), date(2027, 1, 1)),
    (date(2027, 1, 1), "Spring term", date(2027, 1, 1), date(2027, 4, 1)),
    (date(2026, 8, 31), "Summer term", date(2026, 4, 1), date(2026, 9, 1)),
])
def test_this_term_and_the_one_before(day, name, starts, ends):
    term = term_of(day, PERIODS)
    assert (term.name, term.starts, term.ends) == (name, starts, ends)
    before = term_before(term, PERIODS)
    assert before.ends == term.starts
