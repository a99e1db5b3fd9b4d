from django import forms

from safekeep.core.forms import Form


class LeavingForm(Form):
    required_messages = {
        "destination": "Name the school or college the child is going to (or say it is not known yet).",
        "leaves_on": "Give the date the child leaves."}

    destination = forms.CharField(label="The school or college they are going to", max_length=200,
                                  help_text="Write \"not known yet\" if you do not know.")
    leaves_on = forms.DateField(label="The day they leave", widget=forms.DateInput(attrs={"type": "date"},
                                                                                     format="%Y-%m-%d"),
                                input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                error_messages={"invalid": "Give the date the child leaves, for example 17/12/2026."})


class CaseForm(Form):
    required_messages = {"reason": "Give the reason: it is kept in the chronology."}
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
