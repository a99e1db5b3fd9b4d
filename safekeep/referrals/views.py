from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import children_visible_to
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core.forms import run_service
from safekeep.establishments.models import Establishment

from . import selectors, services
from .forms import ConsultationForm, NrmForm, OutcomeForm, ReferralForm
from .models import NrmTracker


def _child_and_place(request, child_id, permission, action):
    """The child and the establishment through which the person reaches them. The form pages show the
    child, so the read is audited with it, in one transaction (fail closed)."""
    scope = scope_for(request.user)
    reachable = scope.establishment_ids(permission)
    with transaction.atomic():
        child = children_visible_to(request.user, permission).filter(pk=child_id).first()
        if child is None:
            raise NotVisible(action, "child", child_id)
        place = (Establishment.objects.filter(pk__in=reachable, enrolments__child=child)
                 .order_by("name").first())
        place_id = place.pk if place else None
        audit_record(actor=request.user, action=action, obj=child, establishment_id=place_id,
                     role=role_for(request.user, permission, place) if place else "")
    return child, place


def _concerns_about(request, child, establishment):
    return concerns_visible_to(request.user).filter(children_involved__child=child,
                                                   establishment=establishment).order_by("-recorded_at")


def referral_new(request, child_id):
    """Record a referral already made (by phone, email or an online form). Anyone may refer (CoC 9.3)."""
    child, establishment = _child_and_place(request, child_id, Permission.CHILD_SEARCH, "referral.create")
    form = ReferralForm(request.POST if request.method == "POST" else None, contacts=establishment.local_contacts.all(),
                        concerns=_concerns_about(request, child, establishment))
    if request.method == "POST" and form.is_valid():
        referral = run_service(form, lambda: services.referral_record(
            actor=request.user, establishment=establishment, child=child, **form.cleaned_data))
        if referral:
            messages.success(request, f"The referral to {referral.agency_name} is recorded. Safekeep will remind "
                                      "you to chase their decision." if referral.chase_action_id else
                                      f"The referral to {referral.agency_name} is recorded.")
            return redirect("referrals:detail", referral.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Record a referral for {child.display_name}", "submit_label": "Record the referral",
        "intro": f"At {establishment.name}. Record it once it is made; the contacts are the ones kept for "
                 f"{establishment.name}."})


def referral_detail(request, referral_id):
    referral = selectors.read_referral(request.user, referral_id)
    return render(request, "referrals/referral.html", {
        "referral": referral, "form": OutcomeForm() if referral.team else None})


@require_POST
def referral_outcome(request, referral_id):
    referral = selectors.access_referral(request.user, referral_id, "referral.outcome")
    form = OutcomeForm(request.POST)
    if form.is_valid() and run_service(form, lambda: services.referral_outcome_record(
            actor=request.user, referral=referral, **form.cleaned_data)):
        messages.success(request, "The agency's decision is recorded in the chronology.")
        return redirect("referrals:detail", referral.pk)
    referral = selectors.read_referral(request.user, referral_id)
    return render(request, "referrals/referral.html", {"referral": referral, "form": form})


def consultation_new(request, child_id):
    child, establishment = _child_and_place(request, child_id, Permission.CHILD_VIEW, "consultation.create")
    form = ConsultationForm(request.POST if request.method == "POST" else None, concerns=_concerns_about(request, child, establishment))
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.consultation_record(
                actor=request.user, establishment=establishment, child=child, **form.cleaned_data)):
            messages.success(request, "The consultation and its advice are in the chronology.")
            return redirect("children:detail", child.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Record a no-names consultation about {child.display_name}",
        "submit_label": "Record the consultation",
        "intro": "A borderline case talked through with children's services or the LADO without naming the child "
                 "(CoC 10.4)."})


@require_POST
def nrm_new(request, child_id):
    child, establishment = _child_and_place(request, child_id, Permission.CHILD_VIEW, "nrm.create")
    tracker = services.nrm_open(actor=request.user, establishment=establishment, child=child)
    return redirect("referrals:nrm", tracker.pk)


def nrm_detail(request, tracker_id):
    tracker = selectors.read_nrm(request.user, tracker_id)
    initial = {name: getattr(tracker, name) for name in services.NRM_FIELDS}
    form = NrmForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.nrm_update(actor=request.user, tracker=tracker, **form.cleaned_data)):
            messages.success(request, "The NRM tracker is up to date.")
            return redirect("referrals:nrm", tracker.pk)
    return render(request, "referrals/nrm.html", {"tracker": tracker, "form": form,
                                                  "decisions": NrmTracker.Decision})
