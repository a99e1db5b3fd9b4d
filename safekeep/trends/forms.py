from django import forms

from . import measures as m
from .periods import Period, year_label, years_offered

ALL_YEARS = "all"


class TrendFilterForm(forms.Form):
    """Which establishment (of those the person may see) and which period the trend page counts."""

    establishment = forms.TypedChoiceField(label="Establishment", required=False, coerce=int, empty_value=None)
    year = forms.ChoiceField(label="School year", required=False)
    term = forms.ChoiceField(label="Term", required=False,
                             choices=[("", "The whole year"), *[(code, label) for code, label, _ in m.TERMS]])

    def __init__(self, data=None, *, establishments):
        super().__init__(data)
        self.establishments = list(establishments)
        self.fields["establishment"].choices = [("", "Every establishment you oversee"),
                                                *[(e.pk, e.name) for e in self.establishments]]
        self.fields["year"].choices = [(str(year), year_label(year)) for year in years_offered()] + [
            (ALL_YEARS, "All years")]

    def chosen(self) -> tuple[list[int], Period]:
        """The establishments and period asked for; with a mistake in the form, every establishment this year."""
        data = self.cleaned_data if self.is_valid() else {}
        establishment = data.get("establishment")
        ids = [establishment] if establishment else [e.pk for e in self.establishments]
        year = data.get("year") or str(years_offered()[0])
        return ids, Period(year=None if year == ALL_YEARS else int(year), term=data.get("term", ""))

    def query(self, **extra) -> dict:
        """The filters as they were chosen, for links (drill-down, CSV) that keep them."""
        data = self.cleaned_data if self.is_valid() else {}
        kept = {"establishment": data.get("establishment") or "", "year": data.get("year") or "",
                "term": data.get("term") or ""}
        return {key: value for key, value in (kept | extra).items() if value not in ("", None)}


class DrillForm(TrendFilterForm):
    """A cell of a trend table: the measure and value whose concerns are listed."""

    DRILLABLE = (m.ALL, m.CATEGORY, m.YEAR_GROUP, m.SEND, m.LOOKED_AFTER, m.PLACE_KIND, m.WEEKDAY, m.HOUR,
                 m.CHILD_ON_CHILD)
    measure = forms.ChoiceField(required=False, choices=[(code, code) for code in DRILLABLE])
    value = forms.CharField(required=False, max_length=100)
