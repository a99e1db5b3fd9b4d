from django import forms


class DrillDown(forms.Form):
    """Which establishment a drill-down list is about (none: every one the person may see it for)."""

    establishment = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class AwaitingDrillDown(DrillDown):
    window = forms.ChoiceField(choices=[("late", "Past their response window"),
                                        ("waiting", "Within their response window")], required=False)
