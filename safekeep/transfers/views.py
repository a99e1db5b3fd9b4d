from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.core.forms import run_service

from . import services
from .forms import PARTS, CodeForm, ImportForm, ReceiptForm, SendForm
from .selectors import import_place, imports_at, link_for, read_transfer_page

# The links a browser has opened with their code, by id, in its own session: never the code itself.
OPENED = "transfers_opened"


def child_file(request, child_id, establishment_id):
    """The sender's page: what goes in the file (the DSL ticks the parts), who it goes to, and each file sent
    with when, its hashes, its downloads and its receipt. Sending shows the code once."""
    page = read_transfer_page(request.user, child_id, establishment_id)
    form = SendForm(request.POST or None, initial={"parts": [code for code, _ in PARTS]})
    if request.method == "POST" and form.is_valid():
        if page.leaving is None:
            form.add_error(None, "Record that the child is leaving first: the file goes to the school they go to.")
        else:
            done = run_service(form, lambda: services.transfer_send(actor=request.user, leaving=page.leaving,
                                                                    **form.cleaned_data))
            if done:
                sent, code = done
                return render(request, "transfers/sent.html", {"page": page, "sent": sent, "code": code,
                                                                  "attempts": services.wrong_codes_allowed(sent)})
    return render(request, "transfers/child_file.html", {"page": page, "form": form})


def _closed(request):
    return render(request, "transfers/closed.html")


def _opened(request, link) -> bool:
    return link.pk in request.session.get(OPENED, [])


def receive(request, token):
    """The receiving DSL's page: the code first; then the file's two downloads and the receipt. An unknown,
    expired, used or locked link all answer the same page."""
    link = link_for(token)
    if link is None or not services.is_open(link):
        return _closed(request)
    if _opened(request, link):
        return render(request, "transfers/opened.html", {"link": link, "sent": link.package, "token": token,
                                                         "form": ReceiptForm()})
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            right = services.transfer_code_try(link=link, code=form.cleaned_data["code"])
        except services.LinkClosed:
            return _closed(request)
        if right:
            request.session[OPENED] = [*request.session.get(OPENED, []), link.pk]
            return redirect("transfers:receive", token)
        if not services.is_open(link):
            return _closed(request)
        form.add_error("code", "That code is not right. Check it with the sender: after "
                               f"{services.attempts_left(link)} more wrong codes the link locks.")
    return render(request, "transfers/receive.html", {"form": form, "sent": link.package})


def download(request, token, format):
    link = link_for(token)
    if link is None or not _opened(request, link):
        return _closed(request)
    try:
        data, content_type = services.transfer_download(link=link, format=format)
    except services.LinkClosed:
        return _closed(request)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = (f'attachment; filename="child-protection-file-{link.package_id}.{format}"')
    response["Cache-Control"] = "no-store"
    # As attachments are served (ADR 0007): a download, never a page the browser runs.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_POST
def receipt(request, token):
    link = link_for(token)
    if link is None or not _opened(request, link) or not services.is_open(link):
        return _closed(request)
    form = ReceiptForm(request.POST)
    if form.is_valid():
        try:
            done = run_service(form, lambda: services.transfer_receipt_confirm(link=link, **form.cleaned_data))
        except services.LinkClosed:
            return _closed(request)
        if done:
            return render(request, "transfers/received.html", {"sent": link.package, "receipt": done})
    return render(request, "transfers/opened.html", {"link": link, "sent": link.package, "token": token,
                                                     "form": form})


def import_file(request, establishment_id):
    """Import a child protection file another school sent: its chronology joins the chosen child's here."""
    establishment, children = import_place(request.user, establishment_id)
    form = ImportForm(request.POST or None, request.FILES or None, children=children)
    if request.method == "POST" and form.is_valid():
        imported = run_service(form, lambda: services.transfer_import(
            actor=request.user, establishment=establishment, child=form.cleaned_data["child"],
            data=form.cleaned_data["file"].read()))
        if imported:
            return render(request, "transfers/imported.html", {"imported": imported, "establishment": establishment})
    return render(request, "transfers/import.html", {"form": form, "establishment": establishment,
                                                     "imports": imports_at(establishment.pk)})
