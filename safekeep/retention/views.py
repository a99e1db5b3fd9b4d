"""Pages for the review of children's files and allegations about adults: the review list, a record with its
rule, date and holds, the hold and its lifting, keeping a record for longer, and the two people's steps to destroy
it; and a child's date of death, which dates a children's home's file. Every write goes through services, every
read through selectors (scoped, audited); a failed submission keeps what was typed."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from safekeep.authz.access import can
from safekeep.authz.roles import Permission
from safekeep.core.forms import run_service

from . import selectors, services
from .forms import ApproveForm, DeathForm, HoldForm, KeepForm, LiftForm, ProposeAllegationForm, ProposeForm
from .models import LegalHold


def _may(request, permission, standing) -> bool:
    if standing.is_allegation:
        return can(request.user, permission, standing.concern)
    return any(can(request.user, permission, place) for place in standing.establishments)


def _load(request, action, child_id=None, concern_id=None):
    """The record the address names, a child's file or an allegation, as the reader may see it (or 404)."""
    if concern_id is not None:
        return selectors.access_allegation(request.user, concern_id, action)
    return selectors.access_file(request.user, child_id, action)


def _target(standing) -> dict:
    """What the services are told the record is."""
    return {"allegation": standing.concern} if standing.is_allegation else {"child": standing.child}


def _holds(standing):
    return LegalHold.objects.filter(**({"concern": standing.concern} if standing.is_allegation
                                       else {"child": standing.child}))


def review_list(request):
    files = selectors.review_list(request.user)
    return render(request, "retention/list.html", {"files": files})


def destroyed(request):
    with transaction.atomic():
        tombstones = list(selectors.tombstones_visible_to(request.user)[:200])
    return render(request, "retention/destroyed.html", {"tombstones": tombstones})


def record(request, child_id=None, concern_id=None):
    standing = _load(request, "retention.allegation.view" if concern_id else "retention.file.view",
                     child_id, concern_id)
    blockers = (selectors.destruction_blockers(standing.child)
                if standing.due and not standing.is_allegation else [])
    return render(request, "retention/child.html", {
        "file": standing, "blockers": blockers,
        "kept_for_others": (selectors.concerns_kept_for_others(standing.child)
                            if standing.due and not standing.is_allegation else 0),
        "may_hold": _may(request, Permission.RETENTION_HOLD, standing),
        "may_record_death": (not standing.is_allegation
                             and _may(request, Permission.CHILD_DEATH_RECORD, standing)),
        "lifted": _holds(standing).filter(lifted_at__isnull=False)})


def hold_place(request, child_id=None, concern_id=None):
    standing = _load(request, "retention.hold.place", child_id, concern_id)
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.retention_hold_place(actor=request.user, **_target(standing),
                                                                    **form.cleaned_data)):
            messages.success(request, "The legal hold is placed. It cannot be destroyed until the hold is lifted.")
            return redirect(standing.urls["page"])
    return render(request, "retention/hold_form.html", {"form": form, "file": standing})


def hold_lift(request, child_id=None, concern_id=None):
    standing = _load(request, "retention.hold.lift", child_id, concern_id)
    form = LiftForm(request.POST or None, holds=_holds(standing).filter(lifted_at__isnull=True))
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.retention_hold_lift(actor=request.user, **form.cleaned_data)):
            messages.success(request, "The legal hold is lifted, and the reason kept with it.")
            return redirect(standing.urls["page"])
    return render(request, "retention/lift_form.html", {"form": form, "file": standing})


def keep(request, child_id=None, concern_id=None):
    standing = _load(request, "retention.keep", child_id, concern_id)
    form = KeepForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = run_service(form, lambda: services.retention_keep(actor=request.user, **_target(standing),
                                                                      **form.cleaned_data))
        if decision:
            messages.success(request, f"It is kept until {decision.kept_until:%-d %B %Y}, when it is reviewed "
                                      "again.")
            return redirect(standing.urls["page"])
    return render(request, "retention/keep_form.html", {"form": form, "file": standing})


def propose(request, child_id=None, concern_id=None):
    standing = _load(request, "retention.propose", child_id, concern_id)
    if standing.is_allegation:
        form = ProposeAllegationForm(request.POST or None,
                                     until_age=standing.review.rule.until_age if standing.review else None)
    else:
        form = ProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.retention_destruction_propose(actor=request.user,
                                                                             **_target(standing))):
            messages.success(request, "The destruction is proposed. A second reviewer must approve it before "
                                      "anything is destroyed.")
            return redirect(standing.urls["page"])
    return render(request, "retention/propose_form.html", {"form": form, "file": standing})


def approve(request, child_id=None, concern_id=None):
    standing = _load(request, "retention.approve", child_id, concern_id)
    form = ApproveForm(request.POST or None, what="allegation" if standing.is_allegation else "file")
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["decision"] == ApproveForm.APPROVE:
            tombstone = run_service(form, lambda: services.retention_destruction_approve(actor=request.user,
                                                                                          **_target(standing)))
            if tombstone:
                messages.success(request, f"The {tombstone.record_type} {tombstone.record_id} is destroyed. Its "
                                          "tombstone is in the register of destroyed records.")
                return redirect("retention:destroyed")
        elif run_service(form, lambda: services.retention_destruction_decline(
                actor=request.user, **_target(standing), reason=form.cleaned_data["reason"])):
            messages.success(request, "The destruction is declined. It is kept.")
            return redirect(standing.urls["page"])
    return render(request, "retention/approve_form.html", {"form": form, "file": standing})


def death(request, child_id):
    """The date a child died, recorded or corrected by the safeguarding lead or the head (CH(E)R 2015 reg 36)."""
    child = selectors.access_child_for_death(request.user, child_id)
    form = DeathForm(request.POST or None, initial={"died_on": child.died_on})
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.child_death_record(actor=request.user, child=child,
                                                                  died_on=form.cleaned_data["died_on"])):
            messages.success(request, "The date of death is recorded. The file's review date is worked out from it.")
            return redirect("children:detail", child.pk)
    return render(request, "retention/death_form.html", {"form": form, "child": child})
