"""Forms for missing episodes. Dates and times are asked as GOV.UK date inputs (day, month, year) with the
time beside them, read in UK time; a date that does not exist is an error beside the field, words kept."""

from django import forms

from safekeep.core.forms import Form, GovukDateField

from .models import MissingEpisode


class EpisodeForm(Form):
    missing_from = forms.ChoiceField(label="Where did they go missing from?", choices=MissingEpisode.MissingFrom.choices,
                                     widget=forms.RadioSelect)
    went_missing_at = GovukDateField(label="When did they go missing?", wording="the date they went missing",
                                     with_time=True, required=True, help_text="For example 27 11 2026 and 21:30")
    reported_by = forms.CharField(label="Who reported them missing?", max_length=200,
                                  help_text="Their name and role, for example the care worker on shift.")
    police_reference = forms.CharField(label="Police reference (if the police were told)", required=False,
                                       max_length=100)
    circumstances = forms.CharField(label="What happened (optional)", required=False,
                                    widget=forms.Textarea(attrs={"rows": 4}))

    required_messages = {"missing_from": "Say where they went missing from: home, care or education.",
                         "reported_by": "Say who reported them missing."}


class ReturnForm(Form):
    returned_at = GovukDateField(label="When did they come back?", wording="the date they came back",
                                  with_time=True, required=True, help_text="For example 28 11 2026 and 07:15")
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
