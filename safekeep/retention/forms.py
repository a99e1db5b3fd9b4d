"""Forms for the review of children's files and allegations: a hold, its lifting, keeping a record, the two steps
of its destruction, and a child's date of death. Django forms rendered as GOV.UK fields; a rule the service enforces comes back as an error here."""

from django import forms

from safekeep.core.forms import Form

from .models import LegalHold
from .services import LONGEST_KEEP_YEARS


class HoldForm(Form):
    kind = forms.ChoiceField(label="Why must the file be kept?", choices=LegalHold.Kind.choices,
                             widget=forms.RadioSelect)
    reason = forms.CharField(label="What is the hold for?", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="For example the claim, the inquiry or the police request, and its reference.")
    required_messages = {"kind": "Say why the file is held: litigation, an inquiry, a police request or another "
                                 "legal reason.",
                         "reason": "Say what the hold is for, for example the claim, inquiry or police request."}


class LiftForm(Form):
    hold = forms.ModelChoiceField(label="Which hold is lifted?", queryset=LegalHold.objects.none(),
                                  widget=forms.RadioSelect, empty_label=None)
    reason = forms.CharField(label="Why can the hold be lifted?", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="For example the claim was settled or the police no longer need the file.")
    required_messages = {"hold": "Choose the hold to lift.",
                         "reason": "Say why the hold can be lifted, for example the claim was settled."}

    def __init__(self, *args, holds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hold"].queryset = holds
        self.fields["hold"].label_from_instance = lambda hold: (
            f"{hold.get_kind_display()}, placed {hold.placed_at:%-d %B %Y}")


class KeepForm(Form):
    years = forms.IntegerField(label="How many more years should the file be kept?", min_value=1,
                               max_value=LONGEST_KEEP_YEARS, widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                               help_text=f"From 1 to {LONGEST_KEEP_YEARS}. The file comes up for review again then.")
    reason = forms.CharField(label="Why is it kept for longer?", widget=forms.Textarea(attrs={"rows": 4}))
    required_messages = {"years": f"Say how many more years to keep the file, from 1 to {LONGEST_KEEP_YEARS}.",
                         "reason": "Say why the file is kept for longer."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = self.required_messages["years"]
        self.fields["years"].error_messages |= {"invalid": message, "min_value": message, "max_value": message}


class ProposeForm(Form):
    checked = forms.BooleanField(label="I have checked that no hold, claim, inquiry or request needs this file")
    required_messages = {"checked": "Confirm that you have checked nothing needs this file before proposing "
                                    "its destruction."}


class ProposeAllegationForm(Form):
    """Safekeep holds no adult's date of birth: the reviewer confirms the pension age has come (KCSIE Part four)."""
    checked = forms.BooleanField(label="I have checked that no hold, claim, inquiry or request needs this allegation")
    pension_age = forms.BooleanField(label="I have checked that the adult has reached normal pension age")
    required_messages = {"checked": "Confirm that you have checked nothing needs this allegation before proposing "
                                    "its destruction.",
                         "pension_age": "Confirm that the adult has reached normal pension age: until then the "
                                        "allegation is kept. If they have not, keep it for another period."}

    def __init__(self, *args, until_age: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if until_age:
            self.fields["pension_age"].label = (f"I have checked that the adult has reached normal pension age "
                                                f"({until_age})")


class DeathForm(Form):
    required_messages = {"died_on": "Give the date the child died, for example 27/03/2031."}
    died_on = forms.DateField(label="The date the child died", widget=forms.DateInput(
        attrs={"inputmode": "numeric", "autocomplete": "off"}, format="%d/%m/%Y"),
        input_formats=["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%Y-%m-%d"],
        help_text="For example 27/03/2031.",
        error_messages={"invalid": "Give the date the child died as day, month and year, for example 27/03/2031."})


class ApproveForm(Form):
    APPROVE, DECLINE = "approve", "decline"
    decision = forms.ChoiceField(label="Should the file be destroyed?", widget=forms.RadioSelect, choices=[
        (APPROVE, "Yes, destroy the file: I am the second reviewer"),
        (DECLINE, "No, keep it for now")])
    reason = forms.CharField(label="If not, why should it be kept?", required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    required_messages = {"decision": "Say whether the file should be destroyed."}

    def __init__(self, *args, what: str = "file", **kwargs):
        super().__init__(*args, **kwargs)
        if what != "file":
            self.fields["decision"].label = f"Should the {what} be destroyed?"
            self.fields["decision"].choices = [(self.APPROVE, f"Yes, destroy the {what}: I am the second reviewer"),
                                               (self.DECLINE, "No, keep it for now")]
            self.fields["decision"].error_messages["required"] = f"Say whether the {what} should be destroyed."
