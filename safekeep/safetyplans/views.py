"""Pages for safety plans, decisions and sanctions. Every write goes through services; every read
through selectors (scoped, audited). A failed submission shows the errors and keeps what was typed."""

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, role_for
from safekeep.authz.roles import Permission
from safekeep.children.selectors import access_child, establishment_for
from safekeep.concerns.selectors import access_concern, concerns_visible_to
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import packs_for

from . import selectors, services
from .forms import CloseForm, DecisionForm, ReviewForm, SafetyPlanForm, SanctionForm, WithdrawForm, template_from
from .models import PlanRole, Sanction

# The service's name for an error that belongs to a group of fields, and the field it is shown beside.
ERROR_FIELDS = {"agreed_with": "agreed_with_child"}


def _run(form, call):
    """run_service, with errors about a group of fields shown beside its first field."""
    try:
        return call()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                field = ERROR_FIELDS.get(field, field)
                form.add_error(field if field in form.fields else None, problems)
        else:
            form.add_error(None, error.messages)
        return None


def _concern_from_query(request, child, action):
    """?concern=<id>: a concern the person may see, naming this child; its role for the child."""
    raw = request.GET.get("concern") or request.POST.get("concern") or ""
    if not raw:
        return None, None
    concern = access_concern(request.user, raw, action)
    involved = concern.children_involved.filter(child=child).first()
    if involved is None:
        raise NotVisible(action, "concern", concern.pk, concern.establishment_id)
    return concern, involved


def _establishment(request, child, concern):
    if concern is not None:
        return concern.establishment
    return Establishment.objects.get(pk=establishment_for(request.user, child, Permission.CHILD_VIEW))


def _back(child, concern):
    return f"/concerns/{concern.pk}/" if concern else f"/safety-plans/child/{child.pk}/"


def plan_create(request, child_id):
    with transaction.atomic():
        child = access_child(request.user, child_id, action="plan.create")
        concern, involved = _concern_from_query(request, child, "plan.create")
    establishment = _establishment(request, child, concern)
    packs = packs_for(establishment)
    initial = {"role": involved.role if involved else ""}
    form = SafetyPlanForm(request.POST or None, initial=initial, packs=packs,
                          support=services.support_offered(establishment))
    if request.method == "POST" and form.is_valid():
        plan = _run(form, lambda: services.safety_plan_create(
            actor=request.user, establishment=establishment, child=child, concern=concern,
            role=form.cleaned_data.get("role") or "", values=form.values()))
        if plan:
            messages.success(request, f"The safety plan for {child.display_name} is in place. Its review is on "
                                      "the action list.")
            return redirect("safetyplans:detail", plan.pk)
    return render(request, "safetyplans/plan_form.html", {
        "form": form, "child": child, "concern": concern, "establishment": establishment, "revising": False,
        "source": template_from(packs)[1], "back_url": _back(child, concern),
        "title": f"Safety plan for {child.display_name}"})


def plan_detail(request, plan_id):
    plan = selectors.read_plan(request.user, plan_id)
    versions = list(plan.versions.all())
    return render(request, "safetyplans/plan_detail.html", {
        "plan": plan, "current": versions[0], "earlier": versions[1:], "reviews": list(plan.reviews.all()),
        "sections": _sections_shown(plan, versions[0])})


def plan_print(request, plan_id):
    plan = selectors.read_plan(request.user, plan_id)
    versions = list(plan.versions.all())
    return render(request, "safetyplans/plan_print.html", {
        "plan": plan, "current": versions[0], "earlier": versions[1:], "reviews": list(plan.reviews.all()),
        "sections": _sections_shown(plan, versions[0])})


def _sections_shown(plan, version):
    """The current version's answers under the Appendix 3 headings of the pack (or the shipped wording)."""
    form = SafetyPlanForm(packs=packs_for(plan.establishment), revising=True)
    rows = []
    for section in form.section_fields():
        answers = [(field.label, getattr(version, field.name) or "") for field in section["fields"]]
        rows.append({"heading": section["heading"], "answers": answers,
                     "support": version.support_list if section["support"] else None})
    rows.append({"heading": "Changes to the school day", "answers": [
        (form.fields[name].label, getattr(version, name) or "")
        for name in ("timetable_changes", "location_changes", "transport_changes")], "support": None})
    return rows


def plan_revise(request, plan_id):
    plan = selectors.read_plan(request.user, plan_id)
    current = plan.versions.all()[0]
    packs = packs_for(plan.establishment)
    support = services.support_offered(plan.establishment)
    initial = {name: getattr(current, name) for name in SafetyPlanForm.base_fields
               if hasattr(current, name) and name not in ("reason", "review_due", "agreed_on")}
    initial["support_chosen"] = [name for name in current.support_list if name in support]
    form = SafetyPlanForm(request.POST or None, initial=initial, packs=packs, support=support, revising=True)
    if request.method == "POST" and form.is_valid():
        version = _run(form, lambda: services.safety_plan_revise(
            actor=request.user, plan=plan, values=form.values(), reason=form.cleaned_data.get("reason") or ""))
        if version:
            messages.success(request, f"Version {version.number} of the plan is recorded; the earlier versions "
                                      "are kept.")
            return redirect("safetyplans:detail", plan.pk)
    return render(request, "safetyplans/plan_form.html", {
        "form": form, "child": plan.child, "concern": plan.concern, "establishment": plan.establishment,
        "revising": True, "plan": plan, "source": template_from(packs)[1],
        "back_url": f"/safety-plans/{plan.pk}/", "title": f"Revise the safety plan for {plan.child.display_name}"})


def plan_review(request, plan_id):
    plan = selectors.read_plan(request.user, plan_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review = _run(form, lambda: services.safety_plan_review(
            actor=request.user, plan=plan, note=form.cleaned_data.get("note") or "",
            next_review_due=form.cleaned_data.get("next_review_due")))
        if review:
            messages.success(request, "The review is recorded and the next one is on the action list.")
            return redirect("safetyplans:detail", plan.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Review the safety plan for {plan.child.display_name}: no change",
        "submit_label": "Record the review", "back_url": f"/safety-plans/{plan.pk}/"})


def plan_close(request, plan_id):
    plan = selectors.read_plan(request.user, plan_id)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        closed = _run(form, lambda: services.safety_plan_close(actor=request.user, plan=plan,
                                                                reason=form.cleaned_data.get("reason") or ""))
        if closed:
            messages.success(request, "The safety plan is closed. It stays in the child's chronology.")
            return redirect("safetyplans:detail", plan.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Close the safety plan for {plan.child.display_name}",
        "submit_label": "Close the plan", "back_url": f"/safety-plans/{plan.pk}/"})


def decision(request, child_id):
    with transaction.atomic():
        child = access_child(request.user, child_id, action="plan.decision")
        concern, involved = _concern_from_query(request, child, "plan.decision")
    establishment = _establishment(request, child, concern)
    form = DecisionForm(request.POST or None, role_fixed=involved is not None)
    if request.method == "POST" and form.is_valid():
        role = involved.role if involved else form.cleaned_data.get("role") or ""
        row = _run(form, lambda: services.plan_decision_record(
            actor=request.user, establishment=establishment, child=child, concern=concern, role=role,
            decision=form.cleaned_data.get("decision") or "", reason=form.cleaned_data.get("reason") or ""))
        if row:
            messages.success(request, f"Your decision for {child.display_name} is recorded in their chronology.")
            return redirect(_back(child, concern))
    role_words = PlanRole(involved.role).label.lower() if involved and involved.role in PlanRole.values else ""
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Safety plan decision for {child.display_name}"
                               + (f" ({role_words})" if role_words else ""),
        "submit_label": "Record decision", "back_url": _back(child, concern)})


def _concern_choices(request, child, establishment):
    concerns = (concerns_visible_to(request.user).filter(establishment=establishment, about_adult=False,
                                                         children_involved__child=child)
                .select_related("establishment").prefetch_related("children_involved__triages")
                .order_by("-occurred_at")[:50])
    return [c for c in concerns if services.is_child_on_child(c)]


def sanction_create(request, child_id):
    with transaction.atomic():
        child = access_child(request.user, child_id, action="sanction.record")
        chosen, _ = _concern_from_query(request, child, "sanction.record")
    establishment = _establishment(request, child, chosen)
    concerns = _concern_choices(request, child, establishment)
    form = SanctionForm(request.POST or None)

    form.fields["concern"] = django_forms.ChoiceField(
        label="The child-on-child concern it follows", required=False,
        choices=[("", "Choose")] + [(str(c.pk), f"Recorded {c.recorded_at:%-d %B %Y}") for c in concerns],
        initial=str(chosen.pk) if chosen else "")
    form.fields["concern"].widget.attrs["class"] = "govuk-select"
    form.order_fields(["concern"])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        concern = next((c for c in concerns if str(c.pk) == data.get("concern")), None)
        sanction = _run(form, lambda: services.sanction_record(
            actor=request.user, establishment=establishment, child=child, concern=concern,
            kind=data.get("kind") or "", what=data.get("what") or "", why=data.get("why") or "",
            safeguarding_considerations=data.get("safeguarding_considerations") or "",
            last_resort_reason=data.get("last_resort_reason") or "", decided_on=data.get("decided_on"),
            police_or_childrens_services=data.get("police_or_childrens_services") or False,
            partnership_note=data.get("partnership_note") or ""))
        if sanction:
            messages.success(request, f"The sanction for {child.display_name} is recorded in their chronology.")
            return redirect("safetyplans:child", child.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Record a sanction for {child.display_name}", "submit_label": "Record sanction",
        "back_url": _back(child, chosen)})


def sanction_withdraw(request, sanction_id):
    with transaction.atomic():  # the page shows a sanction of the child: read and audited together
        sanction = selectors.access_sanction(request.user, sanction_id, "sanction.withdraw")
        audit_record(actor=request.user, action="sanction.withdraw", obj=sanction.child,
                     establishment_id=sanction.establishment_id, detail={"sanction": sanction.pk},
                     role=role_for(request.user, Permission.CHILD_VIEW, sanction))
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _run(form, lambda: services.sanction_withdraw(actor=request.user, sanction=sanction,
                                                              reason=form.cleaned_data.get("reason") or ""))
        if done:
            messages.success(request, "The sanction is withdrawn. The record of it and of the withdrawal are kept.")
            return redirect("safetyplans:child", sanction.child_id)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Withdraw a sanction ({Sanction.Kind(sanction.kind).label.lower()}, "
                               f"{sanction.decided_on:%-d %B %Y})",
        "submit_label": "Withdraw the sanction", "back_url": f"/safety-plans/child/{sanction.child_id}/"})


def child_plans(request, child_id):
    child, plans, decisions, sanctions = selectors.read_child_plans(request.user, child_id)
    return render(request, "safetyplans/child.html", {"child": child, "plans": plans, "decisions": decisions,
                                                      "sanctions": sanctions})
