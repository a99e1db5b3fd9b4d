from django import forms

from safekeep.actions.forms import owner_choices
from safekeep.concerns.labels import concern_label
from safekeep.core.forms import Form
from safekeep.sharing.forms import DATE_FORMATS

from .models import Meeting

ATTENDEE_ROWS = 6
ACTION_ROWS = 3
_DATE = {"input_formats": DATE_FORMATS, "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class MeetingForm(Form):
    kind = forms.ChoiceField(choices=Meeting.Kind.choices, widget=forms.RadioSelect, label="Kind of meeting",
                             error_messages={"required": "Choose the kind of meeting."})
    held_on = forms.DateField(label="Date of the meeting", **_DATE,
                              error_messages={"required": "Enter the date of the meeting.",
                                              "invalid": "Enter the date as a real date, like 2026-11-20."})
    held_time = forms.TimeField(label="Time it started", input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                error_messages={"required": "Enter the time the meeting started, like 14:30.",
                                                "invalid": "Enter the time like 14:30."})
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), label="Decisions",
                                help_text="What the meeting decided. Actions with owners and dates go below.",
                                error_messages={"required": "Record what was decided (write “No decisions” if "
                                                            "none were made)."})
    minutes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Minutes (optional)",
                              help_text="Type or paste the minutes. You can add notes to the record later.")
    shared = forms.BooleanField(required=False, label="Information about the children was shared with other "
                                                      "agencies at this meeting")
    about_allegation = forms.BooleanField(required=False, label="This meeting is about an allegation about an adult "
                                                                "who works with children")
    concern = forms.ModelChoiceField(label="The concern it follows", required=False, queryset=None,
                                     empty_label="Not about one concern",
                                     help_text="A meeting about an allegation must name it: the meeting is then "
                                               "seen only by those who may read the allegation, never by the adult "
                                               "it is about.")

    def __init__(self, *args, concerns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concern"].queryset = concerns
        self.fields["concern"].label_from_instance = concern_label


class AttendeeForm(Form):
    name = forms.CharField(required=False, max_length=200, label="Name")
    role = forms.CharField(required=False, max_length=200, label="Role")
    agency = forms.CharField(required=False, max_length=200, label="Agency")

    @property
    def is_blank(self) -> bool:
        return not any((self.cleaned_data.get(k) or "").strip() for k in ("name", "role", "agency"))

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank:  # the service says the same; here so every error shows at once
            if not (cleaned.get("name") or "").strip():
                self.add_error("name", "Enter the attendee's name.")
            if not (cleaned.get("agency") or "").strip():
                self.add_error("agency", "Enter the agency they came from (for example Police).")
        return cleaned


class AgreedActionForm(Form):
    what = forms.CharField(required=False, max_length=300, label="What must be done")
    owner = forms.ChoiceField(required=False, label="Who must do it", initial="role:dsl")
    due_on = forms.DateField(required=False, label="By when", **_DATE,
                             error_messages={"invalid": "Enter the date as a real date, like 2026-11-20."})
    child = forms.ChoiceField(required=False, label="For")

    def __init__(self, *args, people=(), children=(), kind=None, **kwargs):
        """kind: the establishment's, so the roles read as it names them (a home's safeguarding lead)."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("Roles", [(f"role:{value}", label) for value, label in owner_choices(kind)]),
                                        *([("People", [(f"person:{p.pk}", p.full_name) for p in people])]
                                          if people else [])]
        self.fields["child"].choices = [("", "Each child discussed"),
                                        *[(str(c.pk), c.display_name) for c in children]]

    @property
    def is_blank(self) -> bool:
        return (not (self.cleaned_data.get("what") or "").strip() and not self.cleaned_data.get("due_on")
                and "due_on" not in self.errors)

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank:
            if not (cleaned.get("what") or "").strip():
                self.add_error("what", "Say what must be done.")
            if not cleaned.get("due_on") and "due_on" not in self.errors:
                self.add_error("due_on", "Enter the date it must be done by.")
            if not cleaned.get("owner"):
                self.add_error("owner", "Choose who must do it.")
        return cleaned


class NoteForm(Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Add a note",
                           help_text="For example minutes that arrived later, or a correction. The record is "
                                     "never changed; notes are added beneath it.",
                           error_messages={"required": "Write the note."})
