"""Pages for subject access requests. Every write goes through services; every read through selectors
(scoped, audited). A failed submission shows its errors and keeps what was typed. No page is kept by the browser
(core.cache_headers: no-store on every answer), and the answer's PDF is a download marked no-store too."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.children.selectors import access_child, audit_search, children_search, establishment_for
from safekeep.core import clock
from safekeep.core.forms import run_service
from safekeep.establishments.models import Establishment

from . import selectors, services
from .forms import WITHHOLD, DecisionFormSet, ExtendForm, FindChildForm, RequestForm
from .pdf import answer_pdf

FOUND = 20  # children shown for a name typed


def index(request):
    form = FindChildForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            found = list(children_search(request.user, query=form.cleaned_data["name"],
                                         permission=Permission.SUBJECT_ACCESS_MANAGE)[:FOUND])
            audit_search(request.user, results=len(found), purpose="subject access")
    return render(request, "subjectaccess/index.html", {"requests": selectors.read_requests(request.user),
                                                        "form": form, "found": found})


def record(request, child_id):
    with transaction.atomic():
        child = access_child(request.user, child_id, permission=Permission.SUBJECT_ACCESS_MANAGE,
                             action="subjectaccess.create")
        place = establishment_for(request.user, child, Permission.SUBJECT_ACCESS_MANAGE)
    if place is None:
        raise NotVisible("subjectaccess.create", "child", child.pk)
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        made = run_service(form, lambda: services.request_record(
            actor=request.user, establishment=Establishment.objects.get(pk=place), child=child, **form.cleaned_data))
        if made:
            messages.success(request, f"The request is recorded. The answer is due by {made.due_on:%-d %B %Y}, "
                                      "and is on the action list.")
            return redirect("subjectaccess:detail", made.pk)
    return render(request, "subjectaccess/record.html", {"form": form, "child": child})


def detail(request, request_id):
    found, decisions = selectors.read_request(request.user, request_id)
    return render(request, "subjectaccess/detail.html", {
        "sar": found, "decisions": decisions, "withheld": [d for d in decisions if d.withheld]})


def extend(request, request_id):
    with transaction.atomic():
        found = selectors.access_request(request.user, request_id, "subjectaccess.extend")
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.request_extend(actor=request.user, request=found,
                                                                 reason=form.cleaned_data["reason"]))
        if done:
            messages.success(request, f"The request is extended: the answer is now due by {done.due_on:%-d %B %Y}. "
                                      "Tell the requester, with the reason.")
            return redirect("subjectaccess:detail", found.pk)
    return render(request, "subjectaccess/extend.html", {"form": form, "sar": found})


def review(request, request_id):
    """Each redaction Safekeep proposes, kept or withheld with its exemption, decided once."""
    gathered = selectors.gather(request.user, request_id)
    found = gathered.request
    if found.is_decided:
        return redirect("subjectaccess:detail", found.pk)
    formset = DecisionFormSet(request.POST or None, proposals=gathered.proposals)
    problems = []
    if request.method == "POST" and formset.is_valid():
        by_item = {p.item: p for p in gathered.proposals}
        answers = {form.cleaned_data["item"]: form.cleaned_data for form in formset.forms}
        if set(answers) != set(by_item):
            problems = ["The child's records changed while you were deciding: check each proposal again."]
            formset = DecisionFormSet(proposals=gathered.proposals)
        else:
            try:
                services.request_decide(actor=request.user, request=found, decisions=[
                    services.Decision(item=p.item, kind=p.kind, description=p.description,
                                      withheld=answers[p.item]["decision"] == WITHHOLD,
                                      exemption=answers[p.item]["exemption"] if answers[p.item]["decision"] == WITHHOLD
                                      else "") for p in gathered.proposals])
            except ValidationError as error:
                problems = error.messages
            else:
                messages.success(request, "What the answer withholds is decided and kept. Download the answer below.")
                return redirect("subjectaccess:detail", found.pk)
    elif request.method == "POST":
        problems = list(formset.non_form_errors())
    rows = list(zip(gathered.proposals, formset.forms, strict=False))
    return render(request, "subjectaccess/review.html", {"sar": found, "formset": formset, "rows": rows,
                                                         "problems": problems})


@require_POST
def answer(request, request_id):
    """The answer as a PDF: a download, never kept by the browser, whose file name holds no name."""
    gathered = selectors.gather(request.user, request_id)
    if not gathered.request.is_decided:
        messages.error(request, "Decide what the answer withholds first.")
        return redirect("subjectaccess:detail", gathered.request.pk)
    decided = {d.item: (d.exemption if d.withheld else "") for d in gathered.request.decisions.all()}
    pdf = answer_pdf(gathered, selectors.withholding(gathered.proposals, decided),
                     prepared_by=request.user.full_name or request.user.email)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (f'attachment; filename="subject-access-{gathered.request.pk}-'
                                       f'{clock.today():%Y-%m-%d}.pdf"')
    response["Cache-Control"] = "no-store"
    return response
