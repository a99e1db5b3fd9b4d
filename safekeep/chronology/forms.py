"""The chronology's filters, read from the query string (they hold no case content: category codes,
dates, an entry type). One form for the page, the print view and the API, so each says the same
thing about a bad date."""

from datetime import date

from django import forms

from safekeep.core.forms import EARLIEST_YEAR, LATEST_YEAR, FilterForm, Form

TYPES = {
    "concern": "Concerns",
    "addendum": "Addenda",
    "triage": "Triage decisions",
    "action": "Actions",
    "linked": "Notes from a linked school or home",
    "share": "Information shared",
    "meeting": "Meetings",
    "referral": "Referrals, consultations and the NRM",
    "case": "Case closed, reopened or child leaving",
    "plan": "Safety plans and sanctions",
}
# The steps Safekeep tracked (kinds.py: required actions, reminders, escalations, done or cancelled) are
# left out unless asked for: the chronology reads as what happened to the child.
TRACKED_LABEL = "Show the steps Safekeep tracked"
# These types are made of tracked steps, so choosing one shows them.
TRACKED_TYPES = {"action"}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %m %Y"]


class ChronologyFilterForm(FilterForm):
    type = forms.ChoiceField(required=False, label="Type", choices=[("", "Everything"), *TYPES.items()],
                             error_messages={"invalid_choice": "Choose a type from the list."})
    category = forms.ChoiceField(required=False, label="Category",
                                 error_messages={"invalid_choice": "Choose a category from the list."})
    key = forms.BooleanField(required=False, label="Key events only")
    tracked = forms.BooleanField(required=False, label=TRACKED_LABEL)

    def __init__(self, data=None, *, categories=()):
        """categories: [(group label, [(code, label), ...]), ...] from the policies the establishment follows."""
        data = data.copy() if data is not None else {}
        # "kind" is the filter's earlier name (concern or action): still understood.
        if not data.get("type") and data.get("kind"):
            data["type"] = data["kind"]
        super().__init__(data)
        self.fields["category"].choices = [("", "Any category"), *categories]
        for name, label in (("from", "From"), ("to", "To")):
            self.fields[name] = forms.DateField(
                required=False, label=label, input_formats=DATE_FORMATS,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                error_messages={"invalid": f"Enter the '{label.lower()}' date as a real date, like 2026-11-20."})

    def clean(self):
        cleaned = super().clean()
        for name in ("from", "to"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                self.add_error(name, f"Enter a '{name}' date between {EARLIEST_YEAR} and {LATEST_YEAR}.")
        self.check_date_order(cleaned, "from", "to")
        return cleaned

    def filters(self) -> "Filters":
        """The filters that are valid: a field with an error is left out (and the page says so)."""
        ok = self.valid()
        return Filters(type=ok.get("type") or "", category=ok.get("category") or "", date_from=ok.get("from"),
                       date_to=ok.get("to"), key_only=bool(ok.get("key")), tracked=bool(ok.get("tracked")))


class Filters:
    def __init__(self, *, type: str = "", category: str = "", date_from: date | None = None,
                 date_to: date | None = None, key_only: bool = False, tracked: bool = False):
        self.type, self.category, self.date_from, self.date_to, self.key_only = (
            type, category, date_from, date_to, key_only)
        self.tracked = tracked

    def with_tracked(self) -> "Filters":
        return Filters(type=self.type, category=self.category, date_from=self.date_from, date_to=self.date_to,
                       key_only=self.key_only, tracked=True)

    @property
    def shows_tracked(self) -> bool:
        return self.tracked or self.type in TRACKED_TYPES

    def __bool__(self):
        return bool(self.type or self.category or self.date_from or self.date_to or self.key_only or self.tracked)

    def query(self) -> dict[str, str]:
        """For links (pages, print, back from marking): only the filters in force, in a fixed order."""
        params = {"type": self.type, "category": self.category,
                  "from": self.date_from.isoformat() if self.date_from else "",
                  "to": self.date_to.isoformat() if self.date_to else "", "key": "1" if self.key_only else "",
                  "tracked": "1" if self.tracked else ""}
        return {name: value for name, value in params.items() if value}

    def names(self) -> list[str]:
        return sorted(self.query())

    def describe(self, category_labels: dict[str, str]) -> list[str]:
        """The filters in force, in words, for the page and the printout."""
        words = []
        if self.type:
            words.append(f"Type: {TYPES[self.type].lower()}")
        if self.category:
            words.append(f"Category: {category_labels.get(self.category, self.category)}")
        if self.date_from and self.date_to:
            words.append(f"Happened from {_day(self.date_from)} to {_day(self.date_to)}")
        elif self.date_from:
            words.append(f"Happened on or after {_day(self.date_from)}")
        elif self.date_to:
            words.append(f"Happened on or before {_day(self.date_to)}")
        if self.key_only:
            words.append("Key events only")
        if self.tracked:
            words.append("With the steps Safekeep tracked")
        return words


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


class ExportForm(Form):
    """The chronology as a PDF for a case conference: the one choice is whether to withhold other people's names."""

    redact = forms.BooleanField(
        required=False, label="Withhold other people's names",
        help_text="Other children named in the same concerns, and the people Safekeep's records name (who "
                  "reported a concern, who was told, who attended), become “[name withheld]”. The child's own "
                  "name stays. Names written only in the words of a record are not found: read it before "
                  "you share it.")
