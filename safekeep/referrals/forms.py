from django import forms

from safekeep.concerns.labels import concern_label
from safekeep.core.forms import Form
from safekeep.sharing import lawful_basis

from .models import Agency, Consent, Consultation, NrmTracker, Referral, ReferralOutcome

WHEN = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"]}
DAY = {"required": False, "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
       "input_formats": ["%Y-%m-%d", "%d/%m/%Y"]}


class ReferralForm(Form):
    agency = forms.ChoiceField(label="Who did the referral go to?", choices=Agency.choices, widget=forms.RadioSelect)
    contact = forms.ModelChoiceField(label="Which of the establishment's contacts (optional)", required=False,
                                     queryset=None, empty_label="None of these")
    agency_name = forms.CharField(label="Name of the team or service (if not one of the contacts)", required=False,
                                  max_length=200)
    concern = forms.ModelChoiceField(label="The concern it follows (optional)", required=False, queryset=None,
                                     empty_label="Not about one concern")
    made_at = forms.DateTimeField(label="When was it made?", **WHEN)
    how = forms.ChoiceField(label="How was it made?", choices=Referral.How.choices, widget=forms.RadioSelect)
    reference = forms.CharField(label="Reference the agency gave (if any)", required=False, max_length=100)
    what_shared = forms.CharField(label="What did you share with them?", widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="The information you gave, in a few lines. It is kept with the referral.")
    urgent = forms.BooleanField(label="It had to be made at once (a child at risk now)", required=False)
    consent = forms.ChoiceField(label="Did you discuss the referral with the child and their parents or carers first?",
                                choices=Consent.choices, widget=forms.RadioSelect,
                                help_text="Discuss a referral with the child and parents before it is made, unless "
                                          "that would put the child at risk or it has to be made at once (CoC 8.2).")
    consent_note = forms.CharField(label="Why it went ahead without agreement, or why it was not discussed",
                                   required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="The data protection officer reads this reason in the sharing register: "
                                             "give the reason, not the details of the case.")
    lawful_basis = forms.ChoiceField(label="The lawful basis for sharing", choices=lawful_basis.CHOICES,
                                     initial=lawful_basis.DEFAULT, widget=forms.RadioSelect)
    secure_handling_agreed = forms.TypedChoiceField(
        label="Did the agency agree to handle the information securely?", coerce=lambda value: value == "yes",
        choices=[("yes", "Yes"), ("no", "No, or not asked")], widget=forms.RadioSelect)
    secure_handling_note = forms.CharField(label="How (optional)", required=False, max_length=300,
                                           help_text="For example a secure email service or a phone call only.")

    required_messages = {
        "agency": "Choose who the referral went to.", "made_at": "Say when the referral was made.",
        "how": "Say how the referral was made.", "what_shared": "Say what was shared with the agency.",
        "consent": "Say whether consent was discussed with the child and their parents or carers.",
        "lawful_basis": "Choose the lawful basis for sharing.",
        "secure_handling_agreed": "Say whether the agency agreed to handle the information securely."}

    def __init__(self, *args, contacts, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = contacts
        self.fields["concern"].queryset = concerns
        self.fields["concern"].label_from_instance = concern_label


class OutcomeForm(Form):
    required_messages = {"outcome": "Choose what the agency decided.", "received_at": "Say when you heard.",
                         "response": "Say whether you agree with the decision."}
    outcome = forms.ChoiceField(label="What did the agency decide?", choices=ReferralOutcome.Outcome.choices,
                                widget=forms.RadioSelect)
    received_at = forms.DateTimeField(label="When did you hear?", **WHEN)
    note = forms.CharField(label="What they said (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    response = forms.ChoiceField(label="Do you agree with the decision?", choices=ReferralOutcome.Response.choices,
                                 widget=forms.RadioSelect,
                                 help_text="Challenge a threshold decision that does not seem in the child's "
                                           "interest (CoC 2.5 h).")
    challenge = forms.CharField(label="Why you are challenging it, and what you asked for", required=False,
                                widget=forms.Textarea(attrs={"rows": 3}))


class ConsultationForm(Form):
    agency = forms.ChoiceField(label="Who did you consult?", choices=Consultation.With.choices,
                               widget=forms.RadioSelect)
    spoke_to = forms.CharField(label="Who you spoke to (name or role)", max_length=200)
    held_at = forms.DateTimeField(label="When?", **WHEN)
    advice = forms.CharField(label="The advice you were given", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="You did not name the child to them (CoC 10.4).")
    concern = forms.ModelChoiceField(label="The concern it is about (optional)", required=False, queryset=None,
                                     empty_label="Not about one concern")

    required_messages = {
        "agency": "Choose who you consulted.", "spoke_to": "Say who you spoke to (their name or role).",
        "held_at": "Say when you spoke.", "advice": "Write down the advice you were given."}

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns
        self.fields["concern"].label_from_instance = concern_label


DECISIONS = NrmTracker.Decision.choices


class NrmForm(Form):
    first_responder = forms.CharField(label="Who submitted the NRM referral (the first responder)", required=False,
                                      max_length=200, help_text="The local authority or the police. The school or "
                                                                "home never submits it itself.")
    submitted_on = forms.DateField(label="Date it was submitted", **DAY)
    reference = forms.CharField(label="NRM reference", required=False, max_length=100)
    reasonable_grounds = forms.ChoiceField(label="Reasonable grounds decision", choices=DECISIONS)
    reasonable_grounds_on = forms.DateField(label="Date of the reasonable grounds decision", **DAY)
    conclusive_grounds = forms.ChoiceField(label="Conclusive grounds decision", choices=DECISIONS)
    conclusive_grounds_on = forms.DateField(label="Date of the conclusive grounds decision", **DAY)
    guardian = forms.CharField(label="Independent child trafficking guardian", required=False, max_length=200)
    guardian_contact = forms.CharField(label="Guardian's contact details", required=False, max_length=200)
