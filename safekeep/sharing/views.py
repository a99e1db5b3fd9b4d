from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from safekeep.core.db_router import reads_from_replica

from . import lawful_basis, selectors, services
from .export import register_csv
from .forms import RegisterFilterForm, ShareConcernForm, ShareForm
from .models import Consent, SourceKind
from .picking import chosen_establishment, pick


def shared_at_from(day):
    """A date typed on a form: midday that day (UK time), or now when it is today or empty."""
    if day is None or day == clock.today():
        return None
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def share_new(request):
    """A DSL records something they shared with another agency, from the child's page, in a few clicks."""
    picked = pick(request)
    if not picked.children:
        return render(request, "sharing/pick.html", {"picked": picked, "title": "Record information shared",
                                                     "action_url": request.path})
    # A name search posts too (intent "find"): it is not the share being sent.
    sent = request.method == "POST" and not picked.searching
    form = ShareForm(request.POST if sent else None, initial={"lawful_basis": lawful_basis.DEFAULT})
    establishment = chosen_establishment(picked, request.POST.get("establishment"))
    followed = ShareConcernForm(request.POST if sent else None, concerns=concerns_visible_to(request.user).filter(
        establishment=establishment, children_involved__child__in=picked.children).distinct().order_by(
        "-recorded_at"))
    # A printout (chronology, safety plan) handed to another agency is an export in the register.
    source_kind = SourceKind.EXPORT if request.GET.get("source") == "export" else SourceKind.OTHER
    if sent and all([form.is_valid(), followed.is_valid()]):
        try:
            services.share_add(actor=request.user, establishment=establishment, children=picked.children,
                               authorised_by=request.user, shared_at=shared_at_from(form.cleaned_data["shared_on"]),
                               source_kind=source_kind, concern=followed.cleaned_data["concern"],
                               **form.service_fields())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The share is recorded in the information-sharing register and in the "
                                      "chronology of each child.")
            return redirect("children:detail", picked.children[0].pk)
    return render(request, "sharing/new.html", {"picked": picked, "form": form, "followed": followed,
                                                "establishment": establishment,
                                                "establishments": picked.establishments,
                                                "bases": lawful_basis.LAWFUL_BASES})


def _filters(request):
    establishments = list(selectors.register_establishments(request.user))
    form = RegisterFilterForm(request.GET, establishments=establishments)
    return form, form.filters()


def _export_filters(request):
    """The same filters, checked against the establishments' ids alone: the CSV shows no form."""
    form = RegisterFilterForm(request.GET, establishment_ids=selectors.register_establishment_ids(request.user))
    return form.filters()


@reads_from_replica
def register(request):
    """The information-sharing register: the data protection officer's view of every disclosure."""
    form, filters = _filters(request)
    page, rows = selectors.read_register_page(request.user, filters, request.GET.get("page", 1))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "sharing/register.html", {
        "form": form, "page": page, "shares": rows, "query": query.urlencode(),
        "filtered": bool(filters), "consents": Consent, "kinds": SourceKind,
        "export": selectors.export_period(filters, clock.today())})


@reads_from_replica
def export(request):
    """The register as CSV, formula-safe, a year at most (selectors.export_period). Audited (sharing.export);
    not itself a row in the register."""
    filters = _export_filters(request)
    period = selectors.export_period(filters, clock.today())
    rows = selectors.read_register_export(request.user, {**filters, "date_from": period.first, "date_to": period.last})
    # Streamed a line at a time: a year of a whole group's register never sits in memory.
    response = StreamingHttpResponse(register_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="information-sharing-register-{period.first:%Y-%m-%d}'
                                       f'-to-{period.last:%Y-%m-%d}.csv"')
    response["Cache-Control"] = "no-store"
    return response
