"""The governor and SLT pages: the termly report (page and PDF) and the exploitation risk review (CE 10.6).

Every page asks the selectors who may see which report; none shows a child, a name of a child or the words of
a record. The report is audited when it is read, and as an export when it is downloaded.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, can, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core import clock
from safekeep.core.forms import Form, run_service

from . import selectors, services
from .forms import (ACTION_ROWS, PlanItemForm, PolicyReviewAnswersForm, ReviewActionForm, ReviewForm,
                    VoiceAnswerForm, VoiceLinkForm)
from .pdf import report_pdf

REPORT = Permission.GOVERNANCE_REPORT_VIEW


def index(request):
    """The reports the person may read: their establishments', and the trust's where they hold it trust-wide."""
    return render(request, "governance/index.html", {
        "establishments": selectors.report_establishments(request.user),
        "trust": selectors.trust_for(request.user)})


def _read(request, report, *, establishment=None, organisation=None, export=False):
    role = (role_for(request.user, REPORT, establishment) if establishment is not None
            else str(scope_for(request.user).role_for(REPORT) or ""))
    audit_record(actor=request.user, action="governance.report.export" if export else "governance.report.view",
                 obj=establishment or organisation, role=role, establishment_id=getattr(establishment, "pk", None),
                 detail={"term": report["this_term"], "format": "pdf" if export else "page"})


def _pdf_response(report, name: str) -> HttpResponse:
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


def _report_page(request, report, *, establishment, organisation):
    last = selectors.last_review(organisation, establishment)
    reviews = selectors.reviews_visible_to(request.user).filter(organisation=organisation,
                                                                establishment=establishment)[:10]
    return render(request, "governance/report.html", {
        "report": report, "establishment": establishment, "organisation": organisation, "last": last,
        "reviews": reviews, "can_record": _may_record(request.user, establishment, organisation)})


def _may_record(actor, establishment, organisation) -> bool:
    scope = scope_for(actor)
    if establishment is not None:
        return can(actor, Permission.GOVERNANCE_REVIEW_RECORD, establishment)
    return organisation.pk in scope.organisations_with(Permission.GOVERNANCE_REVIEW_RECORD)


def establishment_report(request, establishment_id):
    with transaction.atomic():  # the read and its audit row together (fail closed)
        establishment = selectors.access_report_establishment(request.user, establishment_id)
        report = selectors.establishment_report(establishment)
        _read(request, report, establishment=establishment)
    return _report_page(request, report, establishment=establishment, organisation=establishment.organisation)


def establishment_pdf(request, establishment_id):
    with transaction.atomic():
        establishment = selectors.access_report_establishment(request.user, establishment_id)
        report = selectors.establishment_report(establishment)
        _read(request, report, establishment=establishment, export=True)
    return _pdf_response(report, f"termly-report-{establishment.pk}")


def _trust_or_index(request):
    organisation = selectors.trust_for(request.user)
    if organisation is None:
        messages.info(request, "You read the reports of your own establishments: the trust's report is for "
                               "its trust-wide governors and the group head.")
    return organisation


def trust_report(request):
    organisation = _trust_or_index(request)
    if organisation is None:
        return redirect("governance:index")
    with transaction.atomic():
        report = selectors.trust_report(organisation)
        _read(request, report, organisation=organisation)
    return _report_page(request, report, establishment=None, organisation=organisation)


def trust_pdf(request):
    organisation = _trust_or_index(request)
    if organisation is None:
        return redirect("governance:index")
    with transaction.atomic():
        report = selectors.trust_report(organisation)
        _read(request, report, organisation=organisation, export=True)
    return _pdf_response(report, f"termly-report-trust-{organisation.pk}")


def _review_page(request, *, establishment, organisation, report):
    """Record the review; the page opens on what the last meeting decided and whether each action was done."""
    sent = request.method == "POST"
    places = [] if establishment is not None else list(organisation.establishments.order_by("name"))
    form = ReviewForm(request.POST if sent else None)
    kind = establishment.kind if establishment is not None else None
    action_forms = [ReviewActionForm(request.POST if sent else None, prefix=f"actions-{i}", establishments=places,
                                     kind=kind) for i in range(ACTION_ROWS)]
    if sent and all([form.is_valid(), *[f.is_valid() for f in action_forms]]):
        by_pk = {str(p.pk): p for p in places}
        agreed = [{**f.cleaned_data, "establishment": by_pk.get(f.cleaned_data.get("establishment") or "")}
                  for f in action_forms if not f.is_blank]
        try:
            review = services.review_record(actor=request.user, organisation=organisation, establishment=establishment,
                                            report=report, actions=agreed, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(error, form, action_forms, [i for i, f in enumerate(action_forms) if not f.is_blank])
        else:
            messages.success(request, "The exploitation risk review is recorded. Its actions are on the action "
                                      "list of those who must do them.")
            return redirect("governance:review", review.pk)
    return render(request, "governance/review_new.html", {
        "form": form, "action_forms": action_forms, "report": report, "establishment": establishment,
        "organisation": organisation, "last": selectors.last_review(organisation, establishment),
        "forms_with_errors": form.errors or any(f.errors for f in action_forms)})


def _show_errors(error, form, action_forms, used):
    for field, problems in error.message_dict.items():
        if field.startswith("actions-"):
            _, index, name = field.split("-", 2)
            target = action_forms[used[int(index)]]
            target.add_error(name if name in target.fields else None, problems)
        else:
            form.add_error(field if field in form.fields else None, problems)


def review_new(request, establishment_id):
    with transaction.atomic():
        establishment = selectors.access_report_establishment(request.user, establishment_id)
        if not _may_record(request.user, establishment, establishment.organisation):
            raise NotVisible("governance.review.create", "establishment", establishment.pk, establishment.pk)
        report = selectors.establishment_report(establishment)
        _read(request, report, establishment=establishment)
    return _review_page(request, establishment=establishment, organisation=establishment.organisation,
                        report=report)


def trust_review_new(request):
    organisation = _trust_or_index(request)
    if organisation is None:
        return redirect("governance:index")
    with transaction.atomic():
        report = selectors.trust_report(organisation)
        _read(request, report, organisation=organisation)
    return _review_page(request, establishment=None, organisation=organisation, report=report)


def review_detail(request, review_id):
    with transaction.atomic():
        review = selectors.access_review(request.user, review_id)
        audit_record(actor=request.user, action="governance.review.view", obj=review,
                     establishment_id=review.establishment_id)
    return render(request, "governance/review.html", {
        "review": review, "report": review.report, "actions": review.actions.select_related("owner", "establishment"),
        "last": selectors.last_review(review.organisation, review.establishment, before=review)})



# --- the annual policy review (CoC 1.4, 5.5, 14.2-14.3) ----------------------------------------------------

LEAD = Permission.POLICY_REVIEW_LEAD


def _policy_review_page(request, establishment, *, answers_form=None, link_form=None, plan_form=None):
    """The review open at the establishment (else the last one closed): the questions with their answers (for
    its leads only), the figures beside them, the questionnaires' counts and the action plan."""
    pack, _ = selectors.reviewed_pack(establishment)
    is_lead = can(request.user, LEAD, establishment)
    review = selectors.open_policy_review(establishment, pack.pack) if pack else None
    last = selectors.last_closed_reviews([establishment.pk]).get((establishment.pk, pack.pack)) if pack else None
    shown = review or last
    context = {"establishment": establishment, "pack": pack, "review": review, "last": last, "is_lead": is_lead,
               "today": clock.today()}
    if pack is not None:
        rules = pack.policy_review
        context |= {"rules": rules, "opens_on": selectors.opens_on(pack)}
    if shown is not None and pack is not None:
        written = {a.question: a.text for a in shown.answers.all()} if is_lead else {}
        panels = shown.evidence["panels"]
        # A figure several questions draw on is shown in full beside the first; the later ones point back to it.
        questions, shown_already = [], set()
        for q in rules.questions:
            keys = [key for key in q.evidence if key in panels]
            questions.append({"question": q, "answer": written.get(q.code, ""),
                              "panels": [panels[key] for key in keys if key not in shown_already],
                              "above": [panels[key] for key in keys if key in shown_already]})
            shown_already.update(keys)
        context |= {
            "questions": questions,
            "threshold": shown.evidence["threshold"],
            "voices": selectors.voice_results(shown, rules, shown.evidence["threshold"]),
            "links": list(shown.links.all()) if is_lead else [],
            "plan": shown.actions.select_related("owner").order_by("due_at"),
            "plan_review_by": shown.opened_at.date() + timedelta(days=rules.plan_review_every_days),
            "shown": shown}
        if review is not None and is_lead:
            initial = {f"q_{code}": text for code, text in written.items()} | {"summary": review.summary}
            context |= {
                "answers_form": answers_form or PolicyReviewAnswersForm(initial=initial, questions=rules.questions),
                "link_form": link_form or VoiceLinkForm(questionnaires=rules.questionnaires),
                "plan_form": plan_form or PlanItemForm(owners=services.PLAN_OWNERS, kind=establishment.kind)}
    with transaction.atomic():
        audit_record(actor=request.user, action="governance.policy_review.view", obj=shown or establishment,
                     establishment_id=establishment.pk)
    return render(request, "governance/policy_review.html", context)


def _lead_establishment(request, establishment_id):
    establishment = selectors.access_policy_review_establishment(request.user, establishment_id)
    if not can(request.user, LEAD, establishment):
        raise NotVisible("governance.policy_review.lead", "establishment", establishment.pk, establishment.pk)
    pack, _ = selectors.reviewed_pack(establishment)
    review = selectors.open_policy_review(establishment, pack.pack) if pack else None
    return establishment, review


def policy_review(request, establishment_id):
    """GET: the review. POST (its leads): open it, or save its answers and summary."""
    if request.method != "POST":
        return _policy_review_page(request, selectors.access_policy_review_establishment(request.user,
                                                                                         establishment_id))
    establishment, review = _lead_establishment(request, establishment_id)
    if review is None:
        form = Form(request.POST)
        if run_service(form, lambda: services.policy_review_open(actor=request.user, establishment=establishment)):
            messages.success(request, "The review is open. Answer each question beside the figures, hear pupils, "
                                      "parents and staff, and agree the action plan.")
        else:
            messages.error(request, " ".join(form.non_field_errors()))
        return redirect("governance:policy_review", establishment.pk)
    pack, _ = selectors.reviewed_pack(establishment)
    form = PolicyReviewAnswersForm(request.POST, questions=pack.policy_review.questions)
    if form.is_valid() and run_service(form, lambda: services.policy_review_answer(
            actor=request.user, review=review, answers=form.answers(), summary=form.cleaned_data["summary"])):
        messages.success(request, "The answers are saved.")
        return redirect("governance:policy_review", establishment.pk)
    return _policy_review_page(request, establishment, answers_form=form)


@require_POST
def policy_review_link(request, establishment_id):
    """Its leads make a questionnaire link for an audience, or close one (`close` names it)."""
    establishment, review = _lead_establishment(request, establishment_id)
    if review is None:
        return redirect("governance:policy_review", establishment.pk)
    if request.POST.get("close"):
        link = review.links.filter(pk=request.POST["close"] if request.POST["close"].isdigit() else None).first()
        if link is not None:
            services.voice_link_close(actor=request.user, link=link)
            messages.success(request, "The questionnaire is closed: it takes no more answers.")
        return redirect("governance:policy_review", establishment.pk)
    rules = selectors.reviewed_pack(establishment)[0].policy_review
    form = VoiceLinkForm(request.POST, questionnaires=rules.questionnaires)
    if form.is_valid() and run_service(form, lambda: services.voice_link_create(
            actor=request.user, review=review, audience=form.cleaned_data["audience"])):
        messages.success(request, "The questionnaire link is ready: share its address. Nobody needs to sign in, "
                                  "and nothing about who answers is kept.")
        return redirect("governance:policy_review", establishment.pk)
    return _policy_review_page(request, establishment, link_form=form)


@require_POST
def policy_review_plan(request, establishment_id):
    """Its leads add an item to the action plan (CoC 14.3): a real action, with an owner and a date."""
    establishment, review = _lead_establishment(request, establishment_id)
    if review is None:
        return redirect("governance:policy_review", establishment.pk)
    form = PlanItemForm(request.POST, owners=services.PLAN_OWNERS, kind=establishment.kind)
    if form.is_valid() and run_service(form, lambda: services.policy_review_action_add(
            actor=request.user, review=review, **form.cleaned_data)):
        messages.success(request, "The item is on the action plan and on its owner's list of actions.")
        return redirect("governance:policy_review", establishment.pk)
    return _policy_review_page(request, establishment, plan_form=form)


def voices(request, token):
    """The anonymous questionnaire (CoC 1.4, 5.5): no sign-in, no session, nothing kept about who answers; the
    thank-you page is shown at once, not after a redirect, so no message needs a session cookie."""
    link = selectors.voice_link(token)
    questionnaire = services.voice_questionnaire(link) if link is not None else None
    if questionnaire is None:
        return render(request, "governance/voices_closed.html")
    form = VoiceAnswerForm(request.POST or None, questionnaire=questionnaire)
    if request.method == "POST" and form.is_valid():
        try:
            services.voice_answer_record(link=link, choices=form.cleaned_data)
        except services.VoiceClosed:
            return render(request, "governance/voices_closed.html")
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return render(request, "governance/voices_thanks.html")
    return render(request, "governance/voices.html", {"form": form, "questionnaire": questionnaire})
