from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from safekeep.audit.services import audit_record
from safekeep.authz.access import role_for
from safekeep.authz.roles import Permission
from safekeep.core.forms import run_service

from . import services
from .forms import CaseForm, LeavingForm
from .models import CaseStatusChange
from .selectors import case_child_and_place, case_status


def _read_child_and_place(actor, child_id, establishment_id, action):
    """The case pages show the child: the read is audited with it, in one transaction (fail closed)."""
    with transaction.atomic():
        child, establishment = case_child_and_place(actor, child_id, establishment_id, action)
        audit_record(actor=actor, action=action, obj=child, establishment_id=establishment.pk,
                     role=role_for(actor, Permission.CHILD_VIEW, establishment))
    return child, establishment


def case_change(request, child_id, establishment_id, status):
    """Close a child's case at an establishment, or open it again, with a reason."""
    action = "case.close" if status == CaseStatusChange.Status.CLOSED else "case.reopen"
    child, establishment = _read_child_and_place(request.user, child_id, establishment_id, action)
    change = services.case_close if status == CaseStatusChange.Status.CLOSED else services.case_reopen
    form = CaseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: change(actor=request.user, child=child, establishment=establishment,
                                            reason=form.cleaned_data["reason"])):
            messages.success(request, f"The case at {establishment.name} is "
                                      f"{'closed' if status == 'closed' else 'open again'}. The chronology keeps "
                                      "everything.")
            return redirect("children:detail", child.pk)
    verb = "Close" if status == CaseStatusChange.Status.CLOSED else "Reopen"
    return render(request, "core/form_page.html", {
        "form": form, "title": f"{verb} {child.display_name}'s case at {establishment.name}",
        "submit_label": f"{verb} the case", "back_url": f"/children/{child.pk}/",
        "intro": (f"The case is {case_status(child, establishment)} now. Everything recorded stays in the chronology."
                  if status == CaseStatusChange.Status.CLOSED else
                  "Say what has happened that means the safeguarding team is working with the child again.")})


def child_leaving(request, child_id, establishment_id):
    """Record that a child is leaving for another school or college; the file-transfer steps start."""
    child, establishment = _read_child_and_place(request.user, child_id, establishment_id, "case.leaving")
    form = LeavingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.child_leaving_record(actor=request.user, child=child,
                                                                   establishment=establishment, **form.cleaned_data)):
            messages.success(request, "Recorded. The steps for the child protection file are on the action list.")
            return redirect("children:detail", child.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"{child.display_name} is leaving {establishment.name}",
        "submit_label": "Record it", "back_url": f"/children/{child.pk}/",
        "intro": "The child protection file goes to the new school or college securely and separately from the "
                 "pupil file, within 5 school days, and you confirm it arrived (KCSIE 2025 Annex C)."})
