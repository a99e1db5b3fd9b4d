"""The share form (a DSL recording a share by hand) and the register's filters."""

from django import forms

from safekeep.core.forms import EARLIEST_YEAR, LATEST_YEAR, FilterForm, Form
from safekeep.concerns.labels import concern_label

from . import lawful_basis
from .models import Consent, SourceKind
from .services import share_errors

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y"]


class ShareForm(Form):
    """The fields of a share. The template lays them out: GOV.UK radios, each answer that needs a reason
    revealing its own box (a box per answer, so each reveal is tied to one radio)."""

    recipient = forms.CharField(max_length=200, label="Who it was shared with",
                                help_text="Their name, or their job title if you do not know it.",
                                error_messages={"required": "Enter who the information was shared with (their name "
                                                            "or job title)."})
    recipient_organisation = forms.CharField(max_length=200, label="Their organisation",
                                             help_text="For example Hillingdon children's services, or the police.",
                                             error_messages={"required": "Enter the organisation they work for."})
    what = forms.CharField(max_length=300, label="What was shared",
                           help_text="Describe it, do not copy it: for example “concern record and chronology”.",
                           error_messages={"required": "Say briefly what was shared, for example “concern record "
                                                       "and chronology”."})
    purpose = forms.CharField(max_length=500, label="Why it was shared", widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "Say why it was shared."})
    lawful_basis = forms.ChoiceField(choices=lawful_basis.CHOICES, label="Lawful basis", widget=forms.RadioSelect,
                                     initial=lawful_basis.DEFAULT,
                                     error_messages={"required": "Choose the lawful basis for sharing."})
    consent = forms.ChoiceField(choices=Consent.choices, label="Consent", widget=forms.RadioSelect,
                                error_messages={"required": "Say whether consent was given, refused or not sought."})
    consent_note_refused = forms.CharField(required=False, max_length=2000, label="Why it was shared without consent",
                                           widget=forms.Textarea(attrs={"rows": 2}))
    consent_note_not_sought = forms.CharField(required=False, max_length=2000, label="Why consent was not sought",
                                              widget=forms.Textarea(attrs={"rows": 2}))
    secure_handling_agreed = forms.ChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
        label="Did they agree to handle it securely and only for this purpose?",
        error_messages={"required": "Say whether the recipient agreed to handle it securely."})
    secure_note_yes = forms.CharField(required=False, max_length=500, label="How it was sent (optional)",
                                      help_text="For example secure email, the agency's portal, or by phone.")
    secure_note_no = forms.CharField(required=False, max_length=500, label="Why not, and what you did about it")
    shared_on = forms.DateField(required=False, label="Date shared", input_formats=DATE_FORMATS,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                help_text="Leave empty for today.",
                                error_messages={"invalid": "Enter the date as a real date, like 2026-11-20."})

    # The service's field names, and the box on this form that holds each.
    def _box_for(self, field):
        data = self.data
        prefix = f"{self.prefix}-" if self.prefix else ""
        if field == "consent_note":
            return "consent_note_not_sought" if data.get(f"{prefix}consent") == "not_sought" else "consent_note_refused"
        if field == "secure_handling_note":
            return "secure_note_no" if data.get(f"{prefix}secure_handling_agreed") == "no" else "secure_note_yes"
        if field == "shared_at":
            return "shared_on"
        return field

    @property
    def lawful_basis_options(self):
        return [(basis.code, basis.label, basis.reference, None) for basis in lawful_basis.LAWFUL_BASES]

    @property
    def consent_options(self):
        return [(Consent.GIVEN.value, "Given", "", None),
                (Consent.REFUSED.value, "Refused", "", self["consent_note_refused"]),
                (Consent.NOT_SOUGHT.value, "Not sought", "", self["consent_note_not_sought"])]

    @property
    def secure_options(self):
        return [("yes", "Yes", "", self["secure_note_yes"]), ("no", "No", "", self["secure_note_no"])]

    def add_service_errors(self, error, *, names=None) -> None:
        """A ValidationError from the service: each message beside the box it is about.
        names: service field -> form field, for fields this form does not hold under the same name."""
        messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for name, texts in messages.items():
            box = (names or {}).get(name) or (self._box_for(name) if name else None)
            self.add_error(box if box in self.fields else None, texts)

    def clean(self):
        """The register's rules (a reason when there was no consent, ...) beside the boxes, all at once."""
        cleaned = super().clean()
        for name, message in share_errors(**self._answers(cleaned)).items():
            box = self._box_for(name)
            if box in self.fields and box not in self.errors:
                self.add_error(box, message)
        return cleaned

    def _answers(self, data) -> dict:
        agreed = {"yes": True, "no": False}.get(data.get("secure_handling_agreed"))
        consent = data.get("consent") or ""
        return {
            "recipient": data.get("recipient") or "", "recipient_organisation": data.get("recipient_organisation") or "",
            "what": data.get("what") or "", "purpose": data.get("purpose") or "",
            "lawful_basis": data.get("lawful_basis") or "", "consent": consent,
            "consent_note": {"refused": data.get("consent_note_refused") or "",
                             "not_sought": data.get("consent_note_not_sought") or ""}.get(consent, ""),
            "secure_handling_agreed": agreed,
            "secure_handling_note": (data.get("secure_note_yes" if agreed else "secure_note_no") or ""),
        }

    def service_fields(self) -> dict:
        """The cleaned answers as share_record's keyword arguments."""
        return self._answers(self.cleaned_data)


class ShareConcernForm(Form):
    """The concern a share recorded by hand follows: a share about an allegation names it, and is then
    hidden as the allegation is (ADR 0008)."""

    concern = forms.ModelChoiceField(label="The concern it follows (optional)", required=False, queryset=None,
                                     empty_label="Not about one concern",
                                     help_text="Name the allegation if this was about an adult who works with "
                                               "children: only those who may read it will see the share.")

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns
        self.fields["concern"].label_from_instance = concern_label


class RegisterFilterForm(FilterForm):
    """The register's filters; from the query string (they hold no case content)."""

    establishment = forms.TypedChoiceField(required=False, coerce=int, empty_value=None, label="Establishment",
                                           error_messages={"invalid_choice": "Choose an establishment from the list."})
    date_from = forms.DateField(required=False, label="Shared from", input_formats=DATE_FORMATS,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                error_messages={"invalid": "Enter the 'from' date as a real date, like 2026-11-20."})
    date_to = forms.DateField(required=False, label="Shared to", input_formats=DATE_FORMATS,
                              widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                              error_messages={"invalid": "Enter the 'to' date as a real date, like 2026-11-20."})
    lawful_basis = forms.ChoiceField(required=False, label="Lawful basis",
                                     choices=[("", "Any lawful basis"), *lawful_basis.CHOICES],
                                     error_messages={"invalid_choice": "Choose a lawful basis from the list."})
    consent = forms.ChoiceField(required=False, label="Consent", choices=[("", "Any"), *Consent.choices],
                                error_messages={"invalid_choice": "Choose from the list."})
    source_kind = forms.ChoiceField(required=False, label="How it was shared",
                                    choices=[("", "Any"), *SourceKind.choices],
                                    error_messages={"invalid_choice": "Choose from the list."})
    organisation = forms.CharField(required=False, max_length=100, label="Recipient organisation contains")

    def __init__(self, data=None, *, establishments=(), establishment_ids=()):
        """establishments to choose from, with their names; or, where no names are shown (the CSV), their ids."""
        super().__init__(data if data is not None else {})
        self.fields["establishment"].choices = [("", "All establishments"),
                                                *[(e.pk, e.name) for e in establishments],
                                                *[(pk, str(pk)) for pk in sorted(establishment_ids)]]
        for field in self.fields.values():
            css = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
            field.widget.attrs["class"] = css

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                self.add_error(name, f"Enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        self.check_date_order(cleaned)
        return cleaned


def filter_names(filters: dict) -> list[str]:
    """For the audit row: which filters were used, never what was typed."""
    return sorted(filters)
