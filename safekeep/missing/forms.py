"""Forms for missing episodes. Dates and times are asked as GOV.UK date inputs (day, month, year) with the
time beside them, read in UK time; a date that does not exist is an error beside the field, words kept."""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError

from safekeep.core.forms import Form
from safekeep.policy.deadlines import LONDON

from .models import MissingEpisode


class DateTimeParts(forms.MultiWidget):
    """Day, month, year and time as four boxes, drawn by the page as a GOV.UK date input."""

    template_name = "missing/date_time_parts.html"

    def __init__(self):
        super().__init__([forms.TextInput(attrs={"inputmode": "numeric"}) for _ in range(3)] + [forms.TextInput()])

    def decompress(self, value):
        if value is None:
            return [None] * 4
        value = value.astimezone(LONDON)
        return [value.day, value.month, value.year, f"{value:%H:%M}"]


class DateTimePartsField(forms.MultiValueField):
    """A fieldset with its question as the legend, the hint and the error, then the four boxes."""

    widget = DateTimeParts

    def __init__(self, *, question: str, **kwargs):
        self.question = question
        parts = [forms.CharField(required=False) for _ in range(4)]
        super().__init__(parts, require_all_fields=False, error_messages={"required": f"Say {question}."},
                         template_name="missing/date_time_field.html", **kwargs)

    def compress(self, values):
        if not values or not any(values):
            return None
        day, month, year, time = (str(v or "").strip() for v in values)
        if not (day and month and year and time):
            raise ValidationError(f"Say {self.question}: give the day, month, year and time.")
        try:
            hour, minute = (int(part) for part in time.replace(".", ":").split(":"))
            return datetime(int(year), int(month), int(day), hour, minute, tzinfo=LONDON)
        except ValueError:
            raise ValidationError(f"Say {self.question} as a real date, and the time like 21:30.") from None


class EpisodeForm(Form):
    missing_from = forms.ChoiceField(label="Where did they go missing from?", choices=MissingEpisode.MissingFrom.choices,
                                     widget=forms.RadioSelect)
    went_missing_at = DateTimePartsField(label="When did they go missing?", question="when they went missing",
                                         help_text="For example 27 11 2026 and 21:30")
    reported_by = forms.CharField(label="Who reported them missing?", max_length=200,
                                  help_text="Their name and role, for example the care worker on shift.")
    police_reference = forms.CharField(label="Police reference (if the police were told)", required=False,
                                       max_length=100)
    circumstances = forms.CharField(label="What happened (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))

    required_messages = {"missing_from": "Say where they went missing from: home, care or education.",
                         "reported_by": "Say who reported them missing."}


class ReturnForm(Form):
    returned_at = DateTimePartsField(label="When did they come back?", question="when they came back",
                                     help_text="For example 28 11 2026 and 07:15")
    where_found = forms.CharField(label="Where were they found?", widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Or how they came back: returned by the police, walked back on their own.")

    required_messages = {"where_found": "Say where they were found, or how they came back."}


class DescriptionForm(Form):
    appearance = forms.CharField(label="How do they look?", widget=forms.Textarea(attrs={"rows": 4}),
                                 help_text="Height, build, hair, marks, the clothes they often wear.")
    places = forms.CharField(label="Places they go", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    people = forms.CharField(label="People they know", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Friends, family and adults they may be with.")
    other = forms.CharField(label="Anything else the police should know", required=False,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="Medical needs, their phone number, social media names.")

    required_messages = {"appearance": "Describe how they look: height, build, hair, clothes they often wear."}
