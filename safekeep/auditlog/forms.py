"""The audit log's filters: who, which child, which record, which action, and when.

Sent in the body of a POST, never in the address: a child's or a person's name typed here would otherwise stay
in the browser's history and the web server's logs (house rule 6). Each filter that names someone is matched
against the people and children the reader may see; one that matches nobody, or more than one, says so.
"""

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from safekeep.accounts.models import User
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_search
from safekeep.core.forms import FilterForm, GovukDateField, GovukDateInput

NAME_IN_ADDRESS = ("For the children's privacy, a name is never put in the page address, where it would stay in the "
                   "browser's history. Type the name in the box below.")

# The kinds of record the log names, in the words of the screens (the audit row keeps the model's name).
RECORD_KINDS = [
    ("child", "A child's record"),
    ("concern", "A concern"),
    ("action", "An action"),
    ("referral", "A referral"),
    ("consultation", "A no-names consultation"),
    ("nrmtracker", "A National Referral Mechanism tracker"),
    ("safetyplan", "A safety plan"),
    ("sanction", "A sanction"),
    ("meeting", "A meeting"),
    ("informationshare", "A share in the information-sharing register"),
    ("attachment", "A photo or screenshot"),
    ("chronologyentry", "An entry in a chronology"),
    ("user", "A person"),
    ("establishment", "An establishment"),
]
RECORD_WORDS = dict(RECORD_KINDS)


class AuditFilterForm(FilterForm):
    person = forms.CharField(required=False, max_length=200, label="Person",
                             help_text="Part of their name, or their email address.")
    child = forms.CharField(required=False, max_length=100, label="Child",
                            help_text="Part of their name: rows about their record, chronology and concerns.")
    record_kind = forms.ChoiceField(required=False, label="Kind of record",
                                    choices=[("", "Any kind"), *RECORD_KINDS],
                                    error_messages={"invalid_choice": "Choose a kind of record from the list."})
    record_id = forms.IntegerField(required=False, min_value=1, max_value=10**15, label="Record number",
                                   help_text="The number shown in the Record column.",
                                   error_messages={"invalid": "Enter the record's number, like 42.",
                                                   "min_value": "Enter the record's number, like 42.",
                                                   "max_value": "Enter the record's number, like 42."})
    action = forms.CharField(required=False, max_length=60, label="Action starts with",
                             help_text="For example child.view, role. or account.login")
    date_from = GovukDateField(label="From", wording="the from date", bounded=True, help_text="For example 27 3 2026.")
    date_to = GovukDateField(label="To", wording="the to date", bounded=True, help_text="The day included.")

    def __init__(self, data=None, *, actor, organisation_ids, name_in_address=False):
        super().__init__(data)
        self.actor = actor
        self.organisation_ids = organisation_ids
        self.name_in_address = name_in_address
        for name, field in self.fields.items():
            if isinstance(field.widget, GovukDateInput):
                continue
            css = "govuk-select" if isinstance(field.widget, forms.Select) else "govuk-input"
            field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"
        self.fields["record_id"].widget.attrs["class"] += " govuk-input--width-10"
        self.fields["record_id"].widget.attrs["inputmode"] = "numeric"

    def full_clean(self):
        # Error styling once validated: the box with the error is marked, and the message is read with it.
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            widget.attrs["class"] += f" {widget.attrs['class'].split()[0]}--error"
            widget.attrs["aria-describedby"] = (f"{widget.attrs.get('aria-describedby', '')} "
                                                f"{self[name].auto_id}-error").strip()

    def error_anchors(self) -> list[tuple[str, str]]:
        """Each error with the box it is about, for the error summary (a date's first box: its day)."""
        anchors = []
        for name, errors in self.errors.items():
            field = self[name] if name in self.fields else None
            anchor = "" if field is None else field.auto_id + ("_0" if isinstance(field.field.widget, GovukDateInput)
                                                                else "")
            anchors += [(anchor, error) for error in errors]
        return anchors

    def carried(self) -> list[tuple[str, str]]:
        """The filters as they were sent, for the next page's form to send again."""
        names = [name for field in self for name in (
            [f"{field.html_name}_{part}" for part in ("day", "month", "year")]
            if isinstance(field.field.widget, GovukDateInput) else [field.html_name])]
        return [(name, self.data[name]) for name in names if self.data.get(name)]

    def clean_person(self):
        typed = self.cleaned_data["person"].strip()
        if not typed:
            return None
        if self.name_in_address:
            raise ValidationError(NAME_IN_ADDRESS)
        people = User.objects.filter(organisation_id__in=self.organisation_ids)
        by_email = list(people.filter(email__iexact=typed)[:1])
        found = by_email or list(people.filter(full_name__icontains=typed).order_by("full_name", "pk")[:2])
        if not found:
            raise ValidationError("No one in your organisation has that name or email address.")
        if len(found) > 1:
            raise ValidationError("More than one person matches. Type more of their name, or their email address.")
        return found[0]

    def clean_child(self):
        typed = self.cleaned_data["child"].strip()
        if not typed:
            return None
        if self.name_in_address:
            raise ValidationError(NAME_IN_ADDRESS)
        # The children app decides who may be named: those on roll where the reader holds the audit permission.
        found = list(children_search(self.actor, query=typed, permission=Permission.AUDIT_LOG_VIEW)[:2])
        if not found:
            raise ValidationError("No child on roll in your organisation has that name.")
        if len(found) > 1:
            raise ValidationError("More than one child matches. Type more of their name, first and last.")
        return found[0]

    def clean(self):
        cleaned = super().clean()
        kind, number = cleaned.get("record_kind"), cleaned.get("record_id")
        if number and not kind and "record_kind" not in self.errors:
            self.add_error("record_kind", "Choose the kind of record the number is for.")
        self.check_date_order(cleaned)
        return cleaned


def _start_of(day):
    return timezone.make_aware(datetime.combine(day, time.min))


def selector_arguments(filters: dict, *, concern_ids_for) -> dict:
    """The form's filters as audit_events' keyword arguments. concern_ids_for(child): the concerns about the
    child the reader may see, whose rows are the child's too."""
    arguments = {"action_prefix": filters.get("action", ""), "object_type": filters.get("record_kind", ""),
                 "object_id": filters.get("record_id")}
    if person := filters.get("person"):
        arguments["actor_ids"] = [person.pk]
    if child := filters.get("child"):
        arguments["records"] = [("child", [child.pk]), ("concern", concern_ids_for(child))]
    if day := filters.get("date_from"):
        arguments["occurred_from"] = _start_of(day)
    if day := filters.get("date_to"):
        arguments["occurred_before"] = _start_of(day + timedelta(days=1))
    return arguments


def filter_names(filters: dict) -> list[str]:
    """For the audit row: which filters were used, never what was typed."""
    return sorted(filters)

