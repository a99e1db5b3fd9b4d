from django.contrib import messages
from django.shortcuts import redirect, render

from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import children_visible_to
from safekeep.core.forms import run_service
from safekeep.establishments.models import Establishment

from . import services
from .forms import CaseForm, LeavingForm
from .models import CaseStatusChange
from .selectors import case_status


def case_change(request, child_id, establishment_id, status):
    """Close a child's case at an establishment, or open it again, with a reason."""
    action = "case.close" if status == CaseStatusChange.Status.CLOSED else "case.reopen"
    if establishment_id not in scope_for(request.user).establishment_ids(Permission.CHILD_VIEW):
        raise NotVisible(action, "establishment", establishment_id)
    child = children_visible_to(request.user).filter(pk=child_id, enrolments__establishment_id=establishment_id).first()
    if child is None:
        raise NotVisible(action, "child", child_id, establishment_id)
    establishment = Establishment.objects.get(pk=establishment_id)
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
    if establishment_id not in scope_for(request.user).establishment_ids(Permission.CHILD_VIEW):
        raise NotVisible("case.leaving", "establishment", establishment_id)
    child = children_visible_to(request.user).filter(pk=child_id, enrolments__establishment_id=establishment_id).first()
    if child is None:
        raise NotVisible("case.leaving", "child", child_id, establishment_id)
    establishment = Establishment.objects.get(pk=establishment_id)
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
