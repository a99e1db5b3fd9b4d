"""Forms for subject access requests: recording one, extending it, and deciding each proposed redaction."""

from django import forms

from safekeep.core.forms import Form

from .models import Exemption, SubjectAccessRequest


class FindChildForm(Form):
    """Posted, so the name typed never reaches a URL or a log."""
    required_messages = {"name": "Type part of the child's name."}
    name = forms.CharField(label="The child's name", max_length=100, help_text="Part of their first or last name.")


class RequestForm(Form):
    required_messages = {
        "requester_name": "Say who asked for the records.",
        "relationship": "Say who they are to the child.",
        "received_how": "Say how the request reached you.",
        "received_on": "Say the date the request was received.",
    }
    requester_name = forms.CharField(label="Who asked for the records?", max_length=200,
                                     help_text="Their name, as they gave it.")
    relationship = forms.ChoiceField(label="Who are they to the child?", widget=forms.RadioSelect,
                                     choices=SubjectAccessRequest.Relationship.choices)
    received_how = forms.ChoiceField(label="How did the request reach you?", widget=forms.RadioSelect,
                                     choices=SubjectAccessRequest.ReceivedHow.choices)
    received_on = forms.DateField(label="The date it was received", widget=forms.DateInput(
        attrs={"inputmode": "numeric", "autocomplete": "off"}, format="%d/%m/%Y"),
        input_formats=["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"],
        help_text="The one-month clock starts on this day, for example 31/01/2027.",
        error_messages={"invalid": "Give the date it was received, for example 31/01/2027."})


class ExtendForm(Form):
    required_messages = {"reason": "Give the reason for the extension: it is told to the requester."}
    reason = forms.CharField(label="Why does the answer need longer?", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="For example, the request is complex, or the requester has made several. "
                                       "Tell the requester this reason within the first month.")


KEEP, WITHHOLD = "keep", "withhold"


class DecisionForm(Form):
    """One proposed redaction: keep it in the answer, or withhold it under an exemption."""
    item = forms.CharField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(label="Keep or withhold", widget=forms.RadioSelect,
                                 choices=[(KEEP, "Keep it in the answer"), (WITHHOLD, "Withhold it")])
    exemption = forms.ChoiceField(label="Exemption, if withheld", required=False,
                                  choices=[("", "Choose an exemption")] + Exemption.choices)

    def __init__(self, *args, description: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.description = description
        self.fields["decision"].label = description
        self.fields["decision"].error_messages["required"] = f"Say whether to keep or withhold: {description}."

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == WITHHOLD and not cleaned.get("exemption"):
            self.add_error("exemption", f"Choose the exemption for: {self.description}.")
        return cleaned


class BaseDecisionFormSet(forms.BaseFormSet):
    def __init__(self, *args, proposals=(), **kwargs):
        self.proposals = list(proposals)
        super().__init__(*args, initial=[{"item": p.item, "exemption": p.suggested} for p in self.proposals],
                         **kwargs)

    def get_form_kwargs(self, index):
        return {"description": self.proposals[index].description if index < len(self.proposals) else ""}


DecisionFormSet = forms.formset_factory(DecisionForm, formset=BaseDecisionFormSet, extra=0, max_num=1000,
                                        validate_max=True)
