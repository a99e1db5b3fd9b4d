"""The governor and SLT pages: the termly report (page and PDF) and the exploitation risk review (CE 10.6).

Every page asks the selectors who may see which report; none shows a child, a name of a child or the words of
a record. The report is audited when it is read, and as an export when it is downloaded.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, can, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for

from . import selectors, services
from .forms import ACTION_ROWS, ReviewActionForm, ReviewForm
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

