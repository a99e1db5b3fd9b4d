"""Forms for context assessments. The triangle's questions come from the pack, so the assessment form is built from
the triangle the pack gives for the context; a failed submission shows its errors and keeps what was typed."""

from django import forms

from safekeep.authz.roles import role_label
from safekeep.core.forms import Form

from .models import ContextReferral, ContextReview
from .services import PLAN_OWNERS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"]
_DATE = {"input_formats": DATE_FORMATS, "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
_INVALID_DATE = "Enter the date as a real date, like 2026-11-20."


def subject_value(kind: str, pk: int) -> str:
    return f"{kind}-{pk}"


class SubjectForm(Form):
    """Which context to assess: a place or online space on the establishment's list, or a saved peer group."""

    subject = forms.ChoiceField(label="What are you assessing?", error_messages={
        "required": "Choose a place, an online space or a peer group to assess.",
        "invalid_choice": "Choose a place, an online space or a peer group from the list."})

    def __init__(self, *args, locations=(), peer_groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        places = [(subject_value("location", place.pk), f"{place.name} ({place.get_kind_display().lower()})")
                  for place in locations]
        groups = [(subject_value("group", group.pk), f"Peer group: {group.name}") for group in peer_groups]
        self.fields["subject"].choices = [("", "Choose"), *places, *groups]


class AssessmentForm(Form):
    """One box for each side of the triangle, then what most needs to change."""

    def __init__(self, *args, triangle, **kwargs):
        super().__init__(*args, **kwargs)
        for side in triangle.sides:
            self.fields[f"side_{side.code}"] = forms.CharField(
                label=side.question, help_text=side.hint, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": f"Answer this side of the triangle: {side.question}"})
        self.fields["summary"] = forms.CharField(
            label="What most needs to change in this context?", max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="The plan's actions follow from this: about the place, the space or the group, not a child.",
            error_messages={"required": "Say what most needs to change in this context."})
        # The error styling of GovukFormMixin is added after validation, for these fields too.
        for name, field in self.fields.items():
            css = "govuk-textarea"
            field.widget.attrs["class"] = css
            if field.help_text:
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-hint"

    def answers(self) -> dict:
        return {name.removeprefix("side_"): value for name, value in self.cleaned_data.items()
                if name.startswith("side_")}


class PlanActionForm(Form):
    kind = forms.ChoiceField(label="What kind of action", widget=forms.RadioSelect,
                             error_messages={"required": "Choose what kind of action it is."})
    what = forms.CharField(max_length=300, label="What must be done",
                           help_text="About the context, for example: two staff on the bus bay at 3.15pm.",
                           error_messages={"required": "Say what must be done about the context."})
    owner_role = forms.ChoiceField(label="Who must do it", required=False,
                                   help_text="Leave it to give it to whoever the policy names for this kind of action.")
    due_on = forms.DateField(label="By when (optional)", required=False, **_DATE,
                             help_text="Leave it empty to use the time the policy gives for this kind of action.",
                             error_messages={"invalid": _INVALID_DATE})

    def __init__(self, *args, rules=None, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        actions = rules.actions if rules else ()
        self.fields["kind"].choices = [(a.code, f"{a.label} (usually {role_label(a.owner, kind)}, within "
                                                f"{a.due_days} day{'s' if a.due_days != 1 else ''})")
                                       for a in actions]
        self.fields["owner_role"].choices = [("", "As the policy says"),
                                             *[(r, role_label(r, kind)) for r in PLAN_OWNERS]]


class ReviewForm(Form):
    outcome = forms.ChoiceField(label="What happens to the plan", choices=ContextReview.Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Say whether the plan is changed, kept or closed."})
    notes = forms.CharField(label="What changed in the context", max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": "Say what changed in the context since the plan was made or "
                                                        "last reviewed."})


class MeetingForm(Form):
    held_on = forms.DateField(label="Date of the meeting", **_DATE,
                              error_messages={"required": "Enter the date of the meeting.", "invalid": _INVALID_DATE})
    attendees = forms.CharField(label="Who came", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="Names, roles and agencies: the local partnership, the police, the bus "
                                          "company, the platform.",
                                error_messages={"required": "Say who came, and from which agency."})
    notes = forms.CharField(label="What was discussed and agreed about the context", max_length=5000,
                            widget=forms.Textarea(attrs={"rows": 4}),
                            error_messages={"required": "Say what the meeting discussed and agreed about the "
                                                        "context."})


class ReferralForm(Form):
    agency = forms.ChoiceField(label="Who it was made to", choices=ContextReferral.Agency.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Choose who the referral was made to."})
    made_on = forms.DateField(label="Date the referral was made", **_DATE,
                              error_messages={"required": "Enter the date the referral was made.",
                                              "invalid": _INVALID_DATE})
    reason = forms.CharField(label="What was referred about the context, and what was asked for", max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="About the place, the space or the group, for example: the shelter at the bus "
                                       "stop, after 3pm, asked for a patrol.",
                             error_messages={"required": "Say what was referred about the context, and what was "
                                                         "asked for."})
    reference = forms.CharField(label="The agency's reference (optional)", max_length=100, required=False)
