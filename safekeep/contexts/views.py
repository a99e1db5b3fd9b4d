"""Pages for context assessments. Every write goes through services; every read through selectors (scoped,
audited). A failed submission shows its errors in a GOV.UK error summary and keeps what was typed."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from safekeep.authz.access import can
from safekeep.authz.roles import Permission
from safekeep.core.forms import run_service

from . import selectors, services
from .forms import AssessmentForm, MeetingForm, PlanActionForm, ReferralForm, ReviewForm, SubjectForm, subject_value


def index(request):
    return render(request, "contexts/index.html", {
        "assessments": selectors.assessments_list(request.user),
        "establishments": selectors.establishments_to_assess(request.user)})


def _chosen(value: str, locations, peer_groups):
    """The place or peer group the chooser's value names, among those offered; (None, None) otherwise."""
    for place in locations:
        if value == subject_value("location", place.pk):
            return place, None
    for group in peer_groups:
        if value == subject_value("group", group.pk):
            return None, group
    return None, None


def assess(request, establishment_id):
    with transaction.atomic():
        establishment = selectors.access_establishment(request.user, establishment_id, "context.assess")
        offered = selectors.contexts_at(request.user, establishment)
    rules, _version = selectors.context_rules(establishment)
    chooser = SubjectForm(request.GET if "subject" in request.GET else None, **offered)
    context = {"establishment": establishment, "chooser": chooser, "rules": rules}
    if rules is None or not chooser.is_bound or not chooser.is_valid():
        return render(request, "contexts/choose.html", context | {"form": chooser if chooser.is_bound else None})
    location, group = _chosen(chooser.cleaned_data["subject"], **offered)
    kind = location.kind if location else "peer_group"
    triangle = rules.triangle(kind)
    form = AssessmentForm(request.POST or None, triangle=triangle)
    if request.method == "POST" and form.is_valid():
        assessment = run_service(form, lambda: services.context_assess(
            actor=request.user, establishment=establishment, location=location, peer_group=group,
            answers=form.answers(), summary=form.cleaned_data["summary"]))
        if assessment:
            messages.success(request, f"The assessment is saved. Its plan is to be reviewed by "
                                      f"{assessment.review_due_on:%-d %B %Y}: add the plan's actions below.")
            return redirect("contexts:detail", assessment.pk)
    return render(request, "contexts/assess.html", context | {
        "form": form, "triangle": triangle, "subject": chooser.cleaned_data["subject"],
        "about": location.name if location else f"Peer group: {group.name}"})


def _detail(request, assessment, **forms):
    rules, _version = selectors.context_rules(assessment.establishment)
    kind = assessment.establishment.kind
    may_assess = can(request.user, Permission.CONTEXTS_ASSESS, assessment)
    triangle = rules.triangle(assessment.kind) if rules else None
    labels = {a.code: a.label for a in rules.actions} if rules else {}
    failed = next((form for form in forms.values() if form.errors), None)
    return render(request, "contexts/detail.html", {
        "assessment": assessment, "rules": rules, "triangle": triangle, "may_assess": may_assess,
        "action_form": forms.get("action_form") or PlanActionForm(rules=rules, kind=kind, prefix="action"),
        "review_form": forms.get("review_form") or ReviewForm(prefix="review"),
        "meeting_form": forms.get("meeting_form") or MeetingForm(prefix="meeting"),
        "referral_form": forms.get("referral_form") or ReferralForm(prefix="referral"), "form": failed,
        "plan": [(link, labels.get(link.kind, link.kind)) for link in assessment.plan_actions.all()]})


def detail(request, assessment_id):
    return _detail(request, selectors.read_assessment(request.user, assessment_id))


# The audit action of each form's refusal: the same as its service's.
AUDITED_AS = {"action": "context.plan.action", "review": "context.review", "meeting": "context.meeting",
              "referral": "context.referral"}


def _post(request, assessment_id, form_class, name, call, done: str, form_kwargs=None):
    with transaction.atomic():
        assessment = selectors.access_assessment(request.user, assessment_id, AUDITED_AS[name])
    form = form_class(request.POST, prefix=name, **(form_kwargs(assessment) if form_kwargs else {}))
    if form.is_valid() and run_service(form, lambda: call(assessment, form.cleaned_data)):
        messages.success(request, done)
        return redirect("contexts:detail", assessment.pk)
    return _detail(request, selectors.read_assessment(request.user, assessment_id), **{f"{name}_form": form})


def action_add(request, assessment_id):
    def kwargs(assessment):
        return {"rules": selectors.context_rules(assessment.establishment)[0], "kind": assessment.establishment.kind}
    return _post(request, assessment_id, PlanActionForm, "action", lambda assessment, data: (
        services.context_plan_action_add(actor=request.user, assessment=assessment, **data)),
        "The action is added to the plan and to the action list.", form_kwargs=kwargs)


def review(request, assessment_id):
    return _post(request, assessment_id, ReviewForm, "review", lambda assessment, data: (
        services.context_review_record(actor=request.user, assessment=assessment, **data)),
        "The review of the plan is recorded.", form_kwargs=None)


def meeting(request, assessment_id):
    return _post(request, assessment_id, MeetingForm, "meeting", lambda assessment, data: (
        services.context_meeting_record(actor=request.user, assessment=assessment, **data)),
        "The meeting about the context is recorded.", form_kwargs=None)


def referral(request, assessment_id):
    return _post(request, assessment_id, ReferralForm, "referral", lambda assessment, data: (
        services.context_referral_record(actor=request.user, assessment=assessment, **data)),
        "The referral about the context is recorded.", form_kwargs=None)
