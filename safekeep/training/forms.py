from django import forms

from safekeep.core.forms import Form

MAX_UPLOAD = 2 * 1024 * 1024


class CompletionForm(Form):
    required_messages = {"course": "Choose the course they finished",
                         "completed_on": "Enter the date they finished the course"}
    course = forms.ChoiceField(label="Course", choices=())
    completed_on = forms.DateField(label="Date they finished it", help_text="For example, 27/03/2026",
                                   input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    evidence = forms.CharField(label="Evidence (optional)", required=False, max_length=300,
                               help_text="Where the certificate is kept, or who ran the course")

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].choices = [("", "Choose a course")] + [(c.code, c.title) for c in courses]


class UploadForm(Form):
    required_messages = {"file": "Choose the CSV file of training records"}
    file = forms.FileField(label="CSV file of training records",
                           help_text="The first line must have the column headings: email, course, completed on, "
                                     "and evidence if you have it.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 2 MB. Split it into smaller files.")
        return upload


class ConfirmForm(Form):
    checked = forms.CharField(widget=forms.HiddenInput)
