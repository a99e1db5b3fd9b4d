from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.authz.access import get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core.forms import Form, run_service
from safekeep.establishments.models import Establishment

from . import services
from .models import ImportBatch

MAX_UPLOAD = 10 * 1024 * 1024


class ImportForm(Form):
    establishment = forms.ModelChoiceField(queryset=Establishment.objects.none(), label="Establishment",
                                           empty_label="Choose an establishment")
    kind = forms.ChoiceField(choices=ImportBatch.Kind.choices, widget=forms.RadioSelect, label="What is in the file?")
    file = forms.FileField(label="CSV file from your MIS",
                           help_text="The first line must have the column headings. Up to 20,000 rows.")

    def __init__(self, *args, establishments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].queryset = establishments

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The file is larger than 10 MB. Split it into smaller files.")
        return upload


def _batches(request):
    organisations = scope_for(request.user).organisations_with(Permission.IMPORT_RUN)
    return ImportBatch.objects.filter(establishment__organisation_id__in=organisations).select_related("establishment")


def _access_batch(request, batch_id, action):
    return get_visible(_batches(request), batch_id, action)


def start(request):
    organisations = scope_for(request.user).organisations_with(Permission.IMPORT_RUN)
    establishments = Establishment.objects.filter(organisation_id__in=organisations, is_active=True)
    form = ImportForm(request.POST or None, request.FILES or None, establishments=establishments)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = run_service(form, lambda: services.import_check(
            actor=request.user, establishment=form.cleaned_data["establishment"], kind=form.cleaned_data["kind"],
            file_name=upload.name, data=upload.read()))
        if result:
            batch, row_errors = result
            if batch:
                return redirect("imports:batch", batch.pk)
    return render(request, "imports/start.html", {
        "form": form, "row_errors": row_errors, "recent": _batches(request)[:10]})


def batch(request, batch_id):
    batch = _access_batch(request, batch_id, "import.view")
    preview = services.import_preview(batch) if batch.status == ImportBatch.Status.CHECKED else None
    return render(request, "imports/batch.html", {"batch": batch, "preview": preview})


def progress(request, batch_id):
    """Polled by the batch page every second while a file loads."""
    batch = _access_batch(request, batch_id, "import.view")
    # Opened directly (not by htmx), it is the whole page, so a bookmarked link still works.
    return render(request, "imports/batch.html#progress" if request.htmx else "imports/batch.html", {"batch": batch})


@require_POST
def load(request, batch_id):
    batch = _access_batch(request, batch_id, "import.load")
    form = Form(request.POST)
    if run_service(form, lambda: services.import_start(actor=request.user, batch=batch)) is None:
        messages.info(request, " ".join(form.non_field_errors()))
    return redirect("imports:batch", batch.pk)
