"""Pages for the review of children's files: the review list, a child's file with its rule, date and holds, the
hold and its lifting, keeping a file for longer, and the two people's steps to destroy it. Every write goes
through services, every read through selectors (scoped, audited); a failed submission keeps what was typed."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from safekeep.authz.roles import Permission
from safekeep.authz.access import can
from safekeep.core.forms import run_service

from . import selectors, services
from .forms import ApproveForm, HoldForm, KeepForm, LiftForm, ProposeForm
from .models import LegalHold


def _may(request, permission, standing) -> bool:
    return any(can(request.user, permission, place) for place in standing.establishments)


def review_list(request):
    files = selectors.review_list(request.user)
    return render(request, "retention/list.html", {"files": files})


def destroyed(request):
    with transaction.atomic():
        tombstones = list(selectors.tombstones_visible_to(request.user)[:200])
    return render(request, "retention/destroyed.html", {"tombstones": tombstones})


def child_file(request, child_id):
    standing = selectors.access_file(request.user, child_id)
    blockers = selectors.destruction_blockers(standing.child) if standing.due else []
    return render(request, "retention/child.html", {
        "file": standing, "child": standing.child, "blockers": blockers,
        "may_hold": _may(request, Permission.RETENTION_HOLD, standing),
        "lifted": LegalHold.objects.filter(child=standing.child, lifted_at__isnull=False)})


def hold_place(request, child_id):
    standing = selectors.access_file(request.user, child_id, "retention.hold.place")
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.retention_hold_place(actor=request.user, child=standing.child,
                                                                    **form.cleaned_data)):
            messages.success(request, "The legal hold is placed. The file cannot be destroyed until it is lifted.")
            return redirect("retention:child", standing.child.pk)
    return render(request, "retention/hold_form.html", {"form": form, "child": standing.child})


def hold_lift(request, child_id):
    standing = selectors.access_file(request.user, child_id, "retention.hold.lift")
    form = LiftForm(request.POST or None, holds=LegalHold.objects.filter(child=standing.child, lifted_at__isnull=True))
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.retention_hold_lift(actor=request.user, **form.cleaned_data)):
            messages.success(request, "The legal hold is lifted, and the reason kept with it.")
            return redirect("retention:child", standing.child.pk)
    return render(request, "retention/lift_form.html", {"form": form, "child": standing.child})


def keep(request, child_id):
    standing = selectors.access_file(request.user, child_id, "retention.keep")
    form = KeepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = run_service(form, lambda: services.retention_keep(actor=request.user, child=standing.child,
                                                                      **form.cleaned_data))
        if decision:
            messages.success(request, f"The file is kept until {decision.kept_until:%-d %B %Y}, when it is "
                                      "reviewed again.")
            return redirect("retention:child", standing.child.pk)
    return render(request, "retention/keep_form.html", {"form": form, "file": standing, "child": standing.child})


def propose(request, child_id):
    standing = selectors.access_file(request.user, child_id, "retention.propose")
    form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.retention_destruction_propose(actor=request.user,
                                                                             child=standing.child)):
            messages.success(request, "The destruction is proposed. A second reviewer must approve it before "
                                      "anything is destroyed.")
            return redirect("retention:child", standing.child.pk)
    return render(request, "retention/propose_form.html", {"form": form, "file": standing, "child": standing.child})


def approve(request, child_id):
    standing = selectors.access_file(request.user, child_id, "retention.approve")
    form = ApproveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == ApproveForm.APPROVE:
            tombstone = run_service(form, lambda: services.retention_destruction_approve(actor=request.user,
                                                                                          child=standing.child))
            if tombstone:
                messages.success(request, f"The file of {tombstone.initials} is destroyed. Its tombstone is in "
                                          "the register of destroyed files.")
                return redirect("retention:destroyed")
        elif run_service(form, lambda: services.retention_destruction_decline(
                actor=request.user, child=standing.child, reason=form.cleaned_data["reason"])):
            messages.success(request, "The destruction is declined. The file is kept.")
            return redirect("retention:child", standing.child.pk)
    return render(request, "retention/approve_form.html", {"form": form, "file": standing, "child": standing.child})
