from django import forms

from safekeep.core.forms import Form


class PeerGroupForm(Form):
    """Save a peer group: a name and its children (ticked by hand, or carried from a cluster's row)."""

    required_messages = {"name": "Give the peer group a name the team will recognise, such as where its children meet."}
    name = forms.CharField(label="Name of the peer group", max_length=200,
                           help_text="The team's own words, such as where the children meet. Not shown to anyone "
                                     "outside the safeguarding team.")
    children = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)
    from_cluster = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(child.pk, child.display_name) for child in children]


class AddChildrenForm(Form):
    children = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = [(child.pk, child.display_name) for child in children]


class NoteForm(Form):
    required_messages = {"text": "Write the note: what happened or what was done about the group."}
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="What the team saw or did about the group as a whole.")
