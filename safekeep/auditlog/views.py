"""The audit log for a data protection officer or the group head of safeguarding, and its CSV.

The filters come in the body of a POST (a name typed is never put in the address); the page and each next page
are read by keyset, from the last entry shown. Reading the log is audited (audit.view), and so is its export
(audit.export), before a row of it leaves.
"""

from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from safekeep.audit import selectors
from safekeep.audit.services import audit_record
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from safekeep.core.db_router import reads_from_replica

from .export import audit_csv
from .forms import AuditFilterForm, filter_names, selector_arguments
from .names import row_for, with_names

EXPORT_CHUNK = 2000


def _filtered(request):
    """The form, its valid filters, and the log they select (newest first, with names), for this reader."""
    scope = scope_for(request.user)
    organisations = scope.organisations_with(Permission.AUDIT_LOG_VIEW)
    data = request.POST if request.method == "POST" else request.GET
    form = AuditFilterForm(data, actor=request.user, organisation_ids=organisations,
                           name_in_address=request.method != "POST")
    filters = form.filters()
    visible_concerns = concerns_visible_to(request.user)

    def concern_ids_for(child):
        return list(visible_concerns.filter(children_involved__child=child).values_list("pk", flat=True))

    events = selectors.audit_events(actor=request.user, organisation_ids=organisations,
                                    **selector_arguments(filters, concern_ids_for=concern_ids_for))
    return form, filters, with_names(events, request.user), scope.role_for(Permission.AUDIT_LOG_VIEW) or ""


def _before(request) -> int | None:
    """Where the page starts: older than this entry. Anything but a whole number is the first page."""
    value = (request.POST if request.method == "POST" else request.GET).get("before", "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


@reads_from_replica
def audit_log(request):
    form, filters, events, role = _filtered(request)
    before = _before(request)
    # Read before the audit's transaction so that, with a replica, the log is read there.
    page, next_before = selectors.audit_page(events, before=before)
    with transaction.atomic():
        audit_record(actor=request.user, action="audit.view", object_type="audit", role=role,
                     detail={"rows": len(page), "filters": filter_names(filters), "page_after": before})
    return render(request, "auditlog/log.html", {
        "form": form, "errors": form.error_anchors(), "carried": form.carried(), "rows": [row_for(e) for e in page],
        "next_before": next_before, "first_page": before is None, "filtered": bool(filters)},
        status=400 if form.errors else 200)


@reads_from_replica
def export(request):
    """The filtered log as CSV, formula-safe, streamed a chunk of rows at a time: the log of a whole group never
    sits in memory, and the queries are the same however many rows it has. Audited before a row is read."""
    form, filters, events, role = _filtered(request)
    with transaction.atomic():
        audit_record(actor=request.user, action="audit.export", object_type="audit", role=role,
                     detail={"filters": filter_names(filters)})
    rows = (row_for(event) for event in events.iterator(chunk_size=EXPORT_CHUNK))
    response = StreamingHttpResponse(audit_csv(rows), content_type="text/csv; charset=utf-8")
    stamp = clock.now().astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
