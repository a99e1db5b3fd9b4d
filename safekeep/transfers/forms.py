from django import forms

from safekeep.chronology.forms import TYPES

# What a child protection file holds by default: the record of what happened, not the steps Safekeep tracked.
# "other": the entries of no chronology type, missing episodes among them (package.OTHER).
PARTS = [(code, words) for code, words in TYPES.items() if code != "action"] + [
    ("other", "Missing episodes and other entries")]


class SendForm(forms.Form):
    parts = forms.MultipleChoiceField(
        label="What goes in the file", choices=PARTS, widget=forms.CheckboxSelectMultiple,
        help_text="Everything you can read of the child's chronology in these parts goes in, oldest first.",
        error_messages={"required": "Choose at least one part of the record to send."})
    recipient_name = forms.CharField(label="Name of the receiving DSL", max_length=120,
                                     error_messages={"required": "Give the name of the receiving DSL."})
    recipient_email = forms.EmailField(label="Their email address", max_length=254, error_messages={
        "required": "Give the receiving DSL's email address.",
        "invalid": "Give the receiving DSL's email address, like name@school.org.uk."})
    recipient_school = forms.CharField(label="Their school or college", max_length=200,
                                       error_messages={"required": "Give the name of the receiving school."})


class CodeForm(forms.Form):
    code = forms.CharField(label="Code", max_length=20, help_text="The sender gives you this code by phone.",
                           error_messages={"required": "Enter the code the sender gave you."})


class ReceiptForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=120, error_messages={"required": "Give your name."})
    role = forms.CharField(label="Your role", max_length=120,
                           error_messages={"required": "Give your role, for example Designated safeguarding lead."})


class ImportForm(forms.Form):
    # A file sent by Safekeep is a few hundred kilobytes; this is generous and keeps a stray upload small.
    MAX_BYTES = 5 * 1024 * 1024

    file = forms.FileField(label="The child protection file (JSON)",
                           error_messages={"required": "Choose the JSON file the other school sent."})
    child = forms.ModelChoiceField(label="The child it is about", queryset=None, empty_label="Choose a child",
                                   error_messages={"required": "Choose the child the file is about.",
                                                   "invalid_choice": "Choose the child the file is about."})

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["child"].label_from_instance = lambda child: f"{child.display_name}, born {child.date_of_birth:%-d %B %Y}"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("This file is too big to be a child protection file (5 MB at most).")
        return upload
