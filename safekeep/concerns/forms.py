from functools import reduce
from operator import and_

from django import forms
from django.db.models import Q

from .selectors import UNREAD, URGENT, recorded_between, undecided


class InboxFilter(forms.Form):
    """The inbox narrowed to the concerns behind a figure on a home page (docs/domain/oversight.md).
    It only ever narrows what the person may see: the inbox's own selector decides that."""

    SHOWN = {"unread": "Unread", "urgent": "Unread, with a child at risk now",
             "undecided": "Open: a child still waits for a decision"}

    show = forms.ChoiceField(choices=[("", "Every concern"), *SHOWN.items()], required=False)
    establishment = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    recorded_from = forms.DateField(required=False, label="Recorded from")
    recorded_to = forms.DateField(required=False, label="Recorded up to")

    def clean(self):
        data = super().clean()
        first, last = data.get("recorded_from"), data.get("recorded_to")
        if bool(first) != bool(last):
            raise forms.ValidationError("Give both the first and the last day, or neither.")
        if first and last and first > last:
            raise forms.ValidationError("The first day must come before the last.")
        return data

    def narrowing(self) -> Q | None:
        """The filter as a condition on concerns, or None when nothing (valid) was asked for."""
        if not self.is_valid():
            return None
        data, only = self.cleaned_data, []
        if data["show"]:
            only.append({"unread": UNREAD, "urgent": URGENT, "undecided": undecided()}[data["show"]])
        if data["establishment"]:
            only.append(Q(establishment_id=data["establishment"]))
        if data["recorded_from"]:
            only.append(recorded_between(data["recorded_from"], data["recorded_to"]))
        return reduce(and_, only) if only else None
