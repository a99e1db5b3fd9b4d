"""Reading the register: organisation-wide for the data protection officer and the group head of
safeguarding (SHARING_REGISTER_VIEW); a child's shares for those who may read the child's record.

The register shows who, what (in a few words), why and on what basis: never a concern's narrative, the
child's words or a chronology summary. Every read is audited in its own transaction (fail closed), and
each page makes the same number of queries however many shares there are.
"""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Func, Prefetch, Subquery
from django.utils import timezone

from safekeep.audit.services import audit_record
from safekeep.authz.access import get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.models import Child
from safekeep.concerns.models import Concern
from safekeep.concerns.selectors import not_a_hidden_allegation
from safekeep.establishments.models import Establishment

from .forms import filter_names
from .models import InformationShare

PAGE_SIZE = 50


def register_establishment_ids(actor) -> set[int]:
    return scope_for(actor).establishment_ids(Permission.SHARING_REGISTER_VIEW)


def register_establishments(actor):
    return Establishment.objects.filter(pk__in=register_establishment_ids(actor)).order_by("name")


def _children_prefetch():
    return Prefetch("children", queryset=Child.objects.only("id", "first_name", "last_name", "preferred_name")
                    .order_by("last_name", "first_name", "id"))


def _not_hidden(actor):
    """Shares, less those from allegations the actor may not see (one may be about them)."""
    return InformationShare.objects.filter(not_a_hidden_allegation(actor, "concern"))


def register_visible_to(actor):
    """Every share at an establishment where the actor may read the register. Nothing by default."""
    ids = scope_for(actor).establishment_ids(Permission.SHARING_REGISTER_VIEW)
    if not ids:
        return InformationShare.objects.none()
    # Every disclosure, allegations included (the register holds no narrative), except one from an
    # allegation about the reader themselves.
    about_reader = Concern.objects.filter(about_adult=True, subject=actor).values("pk")
    return (InformationShare.objects.filter(establishment_id__in=ids).exclude(concern_id__in=about_reader)
            .select_related("establishment", "authorised_by", "recorded_by", "corrects")
            .prefetch_related(_children_prefetch()).order_by("-shared_at", "-id"))


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def apply_filters(shares, filters: dict):
    if filters.get("establishment"):
        shares = shares.filter(establishment_id=filters["establishment"])
    if filters.get("date_from"):
        shares = shares.filter(shared_at__gte=_start_of(filters["date_from"]))
    if filters.get("date_to"):
        shares = shares.filter(shared_at__lt=_start_of(filters["date_to"] + timedelta(days=1)))
    for name in ("lawful_basis", "consent", "source_kind"):
        if filters.get(name):
            shares = shares.filter(**{name: filters[name]})
    if filters.get("organisation"):
        shares = shares.filter(recipient_organisation__icontains=filters["organisation"])
    return shares


def _role(actor) -> str:
    return str(scope_for(actor).role_for(Permission.SHARING_REGISTER_VIEW) or "")


def read_register_page(actor, filters: dict, page_number=1):
    """One page of the register, read, then audited before anything is shown. The reads come before
    the audit's transaction so that, with a replica, they are made there (safekeep/core/db_router.py)."""
    paginator = Paginator(apply_filters(register_visible_to(actor), filters), PAGE_SIZE)
    page = paginator.get_page(page_number)
    rows = list(page.object_list)
    with transaction.atomic():
        audit_record(actor=actor, action="sharing.view", object_type="informationshare", role=_role(actor),
                     establishment_id=filters.get("establishment"),
                     detail={"results": len(rows), "page": page.number, "filters": filter_names(filters)})
    return page, rows


EXPORT_CHUNK = 2000


@dataclass(frozen=True)
class ExportPeriod:
    """The days a CSV download covers. narrowed: the dates chosen spanned more than a year, so the download is
    the latest year of them, and the register page says so."""

    first: date
    last: date
    narrowed: bool


def export_period(filters: dict, today: date) -> ExportPeriod:
    """At most a year of shares, ending on the 'to' date chosen or today. A group's whole register over five
    years (511,213 shares, 230 MB at a million concerns) cannot be sent within the web server's 30 s
    (docs/performance.md), and a year is what a data protection officer reviews at once."""
    last = filters.get("date_to") or today
    try:
        year_before = last.replace(year=last.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: the year before has none, so the year runs from 1 March
        year_before = date(last.year - 1, 3, 1)
    first = filters.get("date_from") or year_before
    if first < year_before:
        return ExportPeriod(year_before, last, narrowed=True)
    return ExportPeriod(first, last, narrowed=False)


def read_register_export(actor, filters: dict) -> Iterator[tuple[InformationShare, list[Child]]]:
    """Every share that matches, with its children, for the CSV, as it is read.

    One query, read in chunks: a row for each share and child, in the register's order, with how many
    shares match (counted once, by the database) for the audit row. The export is audited (sharing.export)
    as soon as the query answers, before a row is handed on: nothing leaves unaudited. It is not itself a
    disclosure about a child, so it is not a row in the register. Memory and queries stay the same
    however many shares there are. `filters` holds the export's period (export_period), not the dates chosen."""
    shares = apply_filters(register_visible_to(actor), filters).prefetch_related(None)
    # COUNT as a plain function, not an aggregate: no GROUP BY, one number for the whole export.
    total = shares.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    rows = (shares.annotate(export_rows=Subquery(total),
                            child_first=F("children__first_name"), child_last=F("children__last_name"),
                            child_preferred=F("children__preferred_name"))
            .order_by("-shared_at", "-id", "children__last_name", "children__first_name", "children__id")
            .iterator(chunk_size=EXPORT_CHUNK))
    first = next(rows, None)
    with transaction.atomic():
        audit_record(actor=actor, action="sharing.export", object_type="informationshare", role=_role(actor),
                     establishment_id=filters.get("establishment"),
                     detail={"rows": first.export_rows if first else 0, "filters": filter_names(filters)})
    return _by_share(first, rows)


def _by_share(first, rows) -> Iterator[tuple[InformationShare, list[Child]]]:
    """The joined rows, one per share and child, gathered back into each share with its children."""
    share, children = first, []
    try:
        for row in itertools.chain([first] if first else [], rows):
            if row.pk != share.pk:
                yield share, children
                share, children = row, []
            if row.child_last is not None:
                children.append(Child(first_name=row.child_first, last_name=row.child_last,
                                      preferred_name=row.child_preferred))
        if first is not None:
            yield share, children
    finally:
        rows.close()  # a download given up half way frees its database cursor at once


def shares_for_child(actor, child):
    """The shares about this child at the establishments where the actor may read the child's record
    (the DSL's view on the child's page). The caller has already read the child, audited."""
    ids = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
    if not ids:
        return InformationShare.objects.none()
    return (_not_hidden(actor).filter(children=child, establishment_id__in=ids)
            .select_related("establishment", "authorised_by").prefetch_related(_children_prefetch())
            .order_by("-shared_at", "-id"))


def access_share_for_correction(actor, share_id):
    """A share the actor may correct: at an establishment where they may read children's records."""
    ids = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
    return get_visible(_not_hidden(actor).filter(establishment_id__in=ids), share_id, "sharing.record")
