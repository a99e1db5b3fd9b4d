"""The GOV.UK date input every form shares (core.forms.GovukDateField): what a person typed comes back as a
date, or as the error GOV.UK's pattern gives, naming the date in the words of the question."""

from datetime import date, datetime

import pytest
from django import forms

from safekeep.core.clock import LONDON
from safekeep.core.forms import GovukDateField


class Filter(forms.Form):
    date_from = GovukDateField(label="From", wording="the from date", bounded=True)


class Episode(forms.Form):
    went_missing_at = GovukDateField(label="When did they go missing?", wording="the date they went missing",
                                     with_time=True, required=True)


def _from(day, month, year):
    form = Filter({"date_from_day": day, "date_from_month": month, "date_from_year": year})
    form.is_valid()
    return form.cleaned_data.get("date_from"), form.errors.get("date_from", [""])[0]


@pytest.mark.parametrize(("typed", "expected", "error"), [
    (("27", "3", "2026"), date(2026, 3, 27), ""),
    ((" 1", "12 ", "2026"), date(2026, 12, 1), ""),
    (("", "", ""), None, ""),
    (("27", "", "2026"), None, "The from date must include a month."),
    (("", "", "2026"), None, "The from date must include a day and a month."),
    (("29", "2", "2026"), None, "The from date must be a real date, for example 27 3 2026."),
    (("1", "1", "1890"), None, "The from date must be between 1990 and 2100."),
    (("a", "1", "2026"), None, "The from date must be a real date, for example 27 3 2026."),
])
def test_a_date_typed_in_three_boxes(typed, expected, error):
    assert _from(*typed) == (expected, error)


@pytest.mark.parametrize(("time", "expected", "error"), [
    ("21:30", datetime(2026, 11, 22, 21, 30, tzinfo=LONDON), ""),
    ("7.15", datetime(2026, 11, 22, 7, 15, tzinfo=LONDON), ""),
    ("", None, "The date they went missing must include a time."),
    ("25:00", None, "The date they went missing must have a real time, like 21:30."),
])
def test_a_moment_asks_the_time_as_well(time, expected, error):
    form = Episode({"went_missing_at_day": "22", "went_missing_at_month": "11", "went_missing_at_year": "2026",
                    "went_missing_at_time": time})
    form.is_valid()
    assert (form.cleaned_data.get("went_missing_at"), form.errors.get("went_missing_at", [""])[0]) == (expected, error)


def test_a_required_moment_left_empty_says_what_to_enter():
    form = Episode({})
    assert not form.is_valid()
    assert form.errors["went_missing_at"] == ["Enter the date they went missing."]


def test_what_was_typed_is_drawn_again_in_its_boxes_marked():
    form = Episode({"went_missing_at_day": "31", "went_missing_at_month": "11", "went_missing_at_year": "2026",
                    "went_missing_at_time": "22:40"})
    form.is_valid()
    form.fields["went_missing_at"].widget.attrs["class"] += " govuk-date-input--error"
    html = str(form["went_missing_at"])
    assert 'value="31"' in html and 'value="22:40"' in html and html.count("govuk-input--error") == 4
