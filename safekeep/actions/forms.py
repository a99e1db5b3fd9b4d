from django import forms

from safekeep.authz.roles import Role, role_label
from safekeep.core.forms import Form
from safekeep.policy.deadlines import Deadline

OWNERS = [r for r in Role if r not in (Role.ADMINISTRATOR, Role.DPO, Role.GOVERNOR)]


def owner_choices(kind: str | None = None) -> list[tuple[str, str]]:
    """Who may own an action, named as the kind of establishment names them."""
    return [(r.value, role_label(r, kind)) for r in OWNERS]


OWNER_CHOICES = owner_choices()  # the general names, where no establishment is in view (the API schema)


class OwnerChoiceForm(Form):
    """A form whose owner_role choices read in the words of the action's establishment (kind=...)."""

    def __init__(self, *args, kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_role"].choices = owner_choices(kind)


class CompleteForm(Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="What was done",
                           help_text="For example who you spoke to, and any reference number they gave.")


class CancelForm(Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why it is no longer needed",
                             help_text="The reason is kept in the child's chronology.")


class ReassignForm(OwnerChoiceForm):
    owner_role = forms.ChoiceField(choices=OWNER_CHOICES, label="Who should do it")


class AddActionForm(OwnerChoiceForm):
    what = forms.CharField(max_length=300, label="What must be done")
    owner_role = forms.ChoiceField(choices=OWNER_CHOICES, label="Who must do it", initial=Role.DSL.value)
    deadline = forms.CharField(max_length=40, label="By when", initial="1 working day",
                               help_text="For example: immediately, 24 hours, 1 working day, 5 school days.")

    def clean_deadline(self) -> Deadline:
        try:
            return Deadline.parse(self.cleaned_data["deadline"])
        except ValueError as problem:
            raise forms.ValidationError(str(problem)) from None
