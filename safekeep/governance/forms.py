from django import forms

from safekeep.authz.roles import role_label
from safekeep.core.forms import Form
from safekeep.sharing.forms import DATE_FORMATS

from .models import ExploitationReview
from .services import REVIEW_OWNERS

ACTION_ROWS = 3
_DATE = {"input_formats": DATE_FORMATS, "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class ReviewForm(Form):
    meeting = forms.ChoiceField(choices=ExploitationReview.Meeting.choices, widget=forms.RadioSelect,
                                label="Which meeting", error_messages={"required": "Choose the kind of meeting."})
    held_on = forms.DateField(label="Date of the meeting", **_DATE,
                              error_messages={"required": "Enter the date of the meeting.",
                                              "invalid": "Enter the date as a real date, like 2026-11-20."})
    reviewed_by = forms.CharField(label="Who reviewed the report", max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text="Their names and roles, for example “Jo Khan (chair of governors), "
                                            "Sam Lee (headteacher)”.",
                                  error_messages={"required": "Say who reviewed the report."})
    discussion = forms.CharField(label="What was discussed", widget=forms.Textarea(attrs={"rows": 6}),
                                 help_text="The exploitation risks the meeting looked at (CE 10.6). Do not name or "
                                           "describe any child.",
                                 error_messages={"required": "Record what the meeting discussed."})
    decisions = forms.CharField(label="Decisions", widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="What the meeting decided. Actions with owners and dates go below.",
                                error_messages={"required": "Record what the meeting decided (write “No decisions” "
                                                            "if none were made)."})


class ReviewActionForm(Form):
    what = forms.CharField(required=False, max_length=300, label="What must be done")
    owner_role = forms.ChoiceField(required=False, label="Who must do it")
    due_on = forms.DateField(required=False, label="By when", **_DATE,
                             error_messages={"invalid": "Enter the date as a real date, like 2026-11-20."})
    establishment = forms.ChoiceField(required=False, label="At")

    def __init__(self, *args, establishments=(), kind=None, **kwargs):
        """establishments: for a trust review, where the action may be (one establishment's review has its own)."""
        super().__init__(*args, **kwargs)
        self.fields["owner_role"].choices = [("", "Choose"), *[(r, role_label(r, kind)) for r in REVIEW_OWNERS]]
        if establishments:
            self.fields["establishment"].choices = [("", "Choose"), *[(str(e.pk), e.name) for e in establishments]]
        else:
            del self.fields["establishment"]

    @property
    def is_blank(self) -> bool:
        return (not (self.cleaned_data.get("what") or "").strip() and not self.cleaned_data.get("due_on")
                and "due_on" not in self.errors)


# --- the annual policy review (CoC 1.4, 14.2-14.3) --------------------------------------------------------

class PolicyReviewAnswersForm(Form):
    """One answer for each of the pack's review questions (CoC 14.2), and the summary of what it decided."""

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"q_{question.code}"] = forms.CharField(
                required=False, label=question.text, help_text=f"Source: {question.source}",
                widget=forms.Textarea(attrs={"rows": 3}))
        self.fields["summary"] = forms.CharField(
            required=False, label="What the review decided", widget=forms.Textarea(attrs={"rows": 3}),
            help_text="A short summary for the governors and the policy page. Do not name or describe any child.")

    def answers(self) -> dict[str, str]:
        return {name[2:]: value for name, value in self.cleaned_data.items() if name.startswith("q_")}


class VoiceLinkForm(Form):
    audience = forms.ChoiceField(label="Who the questionnaire is for", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose who the questionnaire is for."})

    def __init__(self, *args, questionnaires=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [(q.audience, q.audience.capitalize()) for q in questionnaires]


class PlanItemForm(Form):
    what = forms.CharField(max_length=300, label="What must be done",
                           error_messages={"required": "Say what must be done."})
    owner_role = forms.ChoiceField(label="Who must do it", error_messages={"required": "Choose who must do it."})
    due_on = forms.DateField(label="By when", **_DATE,
                             error_messages={"required": "Enter the date it must be done by.",
                                             "invalid": "Enter the date as a real date, like 2026-11-20."})

    def __init__(self, *args, owners=(), kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_role"].choices = [("", "Choose"), *[(r, role_label(r, kind)) for r in owners]]


class VoiceAnswerForm(Form):
    """The questionnaire: one choice per question, none required, nothing about who answers."""

    def __init__(self, *args, questionnaire=None, **kwargs):
        super().__init__(*args, **kwargs)
        for question in questionnaire.questions:
            self.fields[question.code] = forms.ChoiceField(
                required=False, label=question.text, widget=forms.RadioSelect,
                choices=[(option, option) for option in question.options])
