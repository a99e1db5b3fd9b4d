from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safekeep.core import clock
from safekeep.policy.packs import CODE

from .forms import ChronologyFilterForm, ExportForm
from .pdf import chronology_pdf
from .selectors import (access_entry, export_length, read_chronology, read_chronology_for_export, read_pdf_download,
                        read_pdf_request)
from .services import chronology_mark_key, chronology_pdf_request


def _page_number(value) -> int:
    return int(value) if value.isdigit() and len(value) < 7 else 1


def chronology(request, child_id):
    printing = request.GET.get("print") == "1"
    found = read_chronology(request.user, child_id, params=request.GET, page=_page_number(request.GET.get("page", "1")),
                            printing=printing)
    query = found.filters.query()
    # A date that was understood is shown as the date picker expects it (2026-11-20); one that was not,
    # as it was typed, beside its error.
    date_values = {name: query.get(name) or request.GET.get(name, "")[:40] for name in ("from", "to")}
    return render(request, "chronology/print.html" if printing else "chronology/chronology.html", {
        "chronology": found, "child": found.child, "entries": found.entries, "form": found.form,
        "filter_query": urlencode(query), "date_values": date_values, "print_query": urlencode({"print": "1", **query}),
        "tracked_query": urlencode({**query, "tracked": "1"}), "export_form": ExportForm()})


@require_POST
def export_pdf(request, child_id):
    """The chronology as a PDF for a case conference: a download, never kept by the browser, whose file name
    holds the child's id and the day, never a name. A long chronology is prepared by the worker instead, and the
    person is taken to the page that offers it when it is ready (settings.SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM)."""
    form = ExportForm(request.POST)
    form.is_valid()  # one checkbox: anything but "on" is "no"
    redact = bool(form.cleaned_data.get("redact"))
    if export_length(request.user, child_id) >= settings.SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM:
        asked = chronology_pdf_request(actor=request.user, child_id=child_id, redact=redact)
        return redirect("chronology:pdf_request", asked.pk)
    export = read_chronology_for_export(request.user, child_id, redact=redact)
    return _pdf_download(chronology_pdf(export), export.child.pk, clock.today())


def _pdf_download(data: bytes, child_id: int, day) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="chronology-{child_id}-{day:%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def pdf_request(request, pdf_request_id):
    """How a chronology PDF being prepared is going, for the person who asked: the page asks again every 5 s
    while it waits (htmx; a link to check again without it), then offers the download."""
    asked = read_pdf_request(request.user, pdf_request_id)
    template = "chronology/pdf_request.html#status" if request.htmx else "chronology/pdf_request.html"
    return render(request, template, {"asked": asked, "ask_again": ExportForm(initial={"redact": asked.redact})})


def pdf_download(request, pdf_request_id):
    """The prepared PDF, for the person who asked, while it is kept: named as a direct download is, by the
    child's id and the day it was asked for."""
    asked, data = read_pdf_download(request.user, pdf_request_id)
    return _pdf_download(data, asked.child_id, asked.requested_at.astimezone(clock.LONDON))


@require_POST
def mark_key_event(request, entry_id):
    """The per-entry "Mark as key event" button (and "Remove key event mark"): back to the same filtered page."""
    entry = access_entry(request.user, entry_id, "chronology.key_event.mark")
    # "mark", not "key": "key" is the key-events-only filter, carried back to the page with the others.
    if request.POST.get("mark") not in ("0", "1"):
        messages.error(request, "Nothing was changed: use the button beside the entry.")
        return redirect("chronology:child", entry.child_id)
    key = request.POST.get("mark") == "1"
    try:
        mark = chronology_mark_key(actor=request.user, entry_id=entry_id, key=key,
                                   reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("chronology:child", entry.child_id)
    messages.success(request, "Marked as a key event." if key else "The key event mark has been taken away.")
    # Only the filters the form understands go back into the address: nothing else from the request.
    category = request.POST.get("category", "")
    known = [(category, category)] if CODE.fullmatch(category) else []
    back = ChronologyFilterForm(request.POST, categories=known).filters().query()
    page = _page_number(request.POST.get("page", "1"))
    if page > 1:
        back["page"] = str(page)
    url = reverse("chronology:child", args=[mark.entry.child_id])
    return redirect(f"{url}?{urlencode(back)}#entry-{mark.entry_id}" if back else f"{url}#entry-{mark.entry_id}")
