from django import forms

from safekeep.core.forms import Form

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
