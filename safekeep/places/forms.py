from datetime import date

from django import forms

from safekeep.core.forms import EARLIEST_YEAR, LATEST_YEAR, Form

# GOV.UK asks for a text box that brings up the number keyboard, not a number box (which lets a scroll change it).
NUMERIC = {"inputmode": "numeric", "spellcheck": "false"}

FIGURE_ERRORS = {"invalid": "Give a whole number from 1 to 365, or leave it empty to keep the pack's figure.",
                 "min_value": "Give a whole number from 1 to 365, or leave it empty to keep the pack's figure.",
                 "max_value": "Give a whole number from 1 to 365, or leave it empty to keep the pack's figure."}
PERCENT_ERRORS = {"invalid": "Give a whole number from 0 to 100 (percent).",
                  "min_value": "Give a whole number from 0 to 100 (percent).",
                  "max_value": "Give a whole number from 0 to 100 (percent)."}


class NoteForm(Form):
    required_messages = {"text": "Write the note: what was seen or done about the place."}
    text = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="What the team saw or did about the place, such as a patrol or a talk with "
                                     "the bus company. Kept as written.")


class PlanForm(Form):
    required_messages = {"plan": "Choose the site plan: a PNG or JPEG image."}
    plan = forms.FileField(label="Site plan image", help_text="A PNG or JPEG image of the site, such as a map or "
                                                              "a drawing of the buildings.",
                           widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}))


class PinForm(Form):
    """One place's pin: x from the left, y from the top, in percent of the plan. Typed, never dragged."""

    required_messages = {"x": "Say how far from the left edge the place is, from 0 to 100 (percent).",
                         "y": "Say how far from the top edge the place is, from 0 to 100 (percent)."}
    x = forms.IntegerField(label="Across (percent from the left)", min_value=0, max_value=100,
                           error_messages=PERCENT_ERRORS, widget=forms.TextInput(attrs=NUMERIC | {"class": "govuk-input--width-3"}))
    y = forms.IntegerField(label="Down (percent from the top)", min_value=0, max_value=100,
                           error_messages=PERCENT_ERRORS, widget=forms.TextInput(attrs=NUMERIC | {"class": "govuk-input--width-3"}))


def _figure(label):
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=365, error_messages=FIGURE_ERRORS,
                              widget=forms.TextInput(attrs=NUMERIC | {"class": "govuk-input--width-4"}))


class ThresholdsForm(Form):
    """The establishment's own hotspot thresholds; an empty figure keeps the pack's."""

    place_concerns = _figure("Concerns at one place")
    place_days = _figure("Within this many days (one place)")
    kind_concerns = _figure("Concerns at one kind of place (on site, off site, online)")
    kind_days = _figure("Within this many days (one kind of place)")
    year_group_concerns = _figure("Concerns about children of one year group")
    year_group_days = _figure("Within this many days (one year group)")


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y"]
# The periods a place's heat, and the places across the group, are counted over. A display choice of the
# pages, not a policy rule: the hotspot flag keeps its own period from the pack or the establishment.
PERIODS = (("all", "All concerns"), ("28d", "The last 28 days"), ("3m", "The last 3 months"),
           ("12m", "The last 12 months"), ("range", "Between two dates"))


def _day(label, name):
    return forms.DateField(
        label=label, required=False, input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="For example, 2026-09-01." if name == "since" else "",
        error_messages={"invalid": f"Enter the '{label.lower()}' date as a real date, like 2026-11-20."})


class PeriodForm(Form):
    """Which concerns to count, by when they happened: read from the query string (a period holds no case
    content). With a mistake, the page says so, keeps what was typed and counts over the form's default."""

    period = forms.ChoiceField(label="Count the concerns that happened", choices=PERIODS, required=False,
                               widget=forms.RadioSelect,
                               error_messages={"invalid_choice": "Choose a period from the list."})
    since = _day("From", "since")
    until = _day("To", "until")

    def __init__(self, data=None, *, default="all", today):
        self.default, self.today = default, today
        super().__init__(data if data and any(name in data for name in ("period", "since", "until")) else None,
                         initial={"period": default})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("period") != "range":
            return cleaned
        since, until = cleaned.get("since"), cleaned.get("until")
        if since is None and "since" not in self.errors:
            self.add_error("since", "Enter the date the period starts.")
        if until is None and "until" not in self.errors:
            self.add_error("until", "Enter the date the period ends.")
        for name, day in (("since", since), ("until", until)):
            if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                self.add_error(name, f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
            elif day is not None and day > self.today:
                self.add_error(name, "The date must be today or in the past.")
        if since and until and since > until and not self.errors:
            self.add_error("until", "The 'to' date must be the same as or after the 'from' date.")
        return cleaned

    def chosen(self) -> tuple[str, date | None, date | None]:
        """The period asked for, as (code, first day, last day) for the selectors; the default with a mistake."""
        if not self.is_bound or not self.is_valid():
            return self.default, None, None
        code = self.cleaned_data.get("period") or self.default
        return code, self.cleaned_data.get("since"), self.cleaned_data.get("until")
