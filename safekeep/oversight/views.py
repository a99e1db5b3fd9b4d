from django.core.paginator import Paginator
from django.shortcuts import render

from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.establishments.models import Establishment
from safekeep.training import selectors as training

from . import selectors
from .forms import AwaitingDrillDown, DrillDown

# The columns of the side-by-side table a regional director or group head can sort by (?sort=name,
# ?sort=-overdue for the most first): the key in the address, the heading, the figure.
COLUMNS = (("name", "Establishment", None), ("open", "Open concerns", "open_concerns"),
           ("overdue", "Overdue actions", "overdue"),
           ("late", "Referrals unanswered past their window", "referrals_late"),
           ("clocks", "Clocks missed this term", "clocks_missed"),
           ("this_term", "Concerns this term", "concerns_this_term"),
           ("last_term", "Concerns last term", "concerns_last_term"))
SORTS = {key: figure for key, _, figure in COLUMNS}
# What needs looking at first: the most overdue actions.
DEFAULT_SORT = "-overdue"
# The side-by-side table shows this many establishments a page, in the order chosen: a group of 200 is four
# pages, each well inside the 200 KiB a page may weigh (issue 12, section 2), the busiest first by default.
COMPARED_PAGE = 50


def home(request):
    """What needs this person now (issue 13, section 1): the safeguarding team's figures for their
    establishment, and for those who oversee several, one row per establishment. Staff, administrators
    and the data protection officer keep their links; governors find their termly reports."""
    scope = scope_for(request.user)
    page = selectors.home_page(request.user) if scope.roles else selectors.HomePage()
    sort = request.GET.get("sort", DEFAULT_SORT)
    sort = sort if sort.lstrip("-") in SORTS else DEFAULT_SORT
    compared = Paginator(sort_rows(page.compared, sort), COMPARED_PAGE).get_page(request.GET.get("page"))
    return render(request, "oversight/home.html", {
        "page": page, "compared": compared, "sort": sort, "columns": _headings(sort),
        "can_search": scope.has(Permission.CHILD_SEARCH),
        "can_manage_people": scope.has(Permission.PERSON_MANAGE),
        "can_import": scope.has(Permission.IMPORT_RUN),
        "can_audit": scope.has(Permission.AUDIT_LOG_VIEW),
        "has_roles": bool(scope.roles),
        # The governor's way in to the termly reports (safekeep.governance), and the head's and above.
        "can_read_reports": scope.has(Permission.GOVERNANCE_REPORT_VIEW),
        "training": _training_flags(request.user, scope) if scope.roles else None,
        "can_subject_access": scope.has(Permission.SUBJECT_ACCESS_MANAGE),
    })


def _training_flags(user, scope) -> dict:
    """Overdue training is a flag, not a silent number (issue 15): the person's own courses overdue or never
    recorded, and for those who keep an establishment's training, how many people there are overdue."""
    mine = [row for row in training.training_of(user) if row.needs_doing]
    kept = scope.establishment_ids(Permission.TRAINING_VIEW_ESTABLISHMENT)
    group = bool(scope.establishment_ids(Permission.TRAINING_VIEW_GROUP))
    counts = training.overdue_people_counts(kept) if kept else {}
    places = [] if group else [
        (place, counts.get(place.pk, 0))
        for place in Establishment.objects.filter(pk__in=kept, is_active=True).order_by("name", "pk")]
    return {"mine": mine, "places": places, "group": group, "group_overdue": sum(counts.values()) if group else 0}


def sort_rows(rows, sort: str) -> list:
    """The establishments' rows in the order asked for; an establishment with no term loaded (no figure)
    comes last whichever way a term column is sorted, and ties keep name order."""
    by_name = sorted(rows, key=lambda f: (f.establishment.name.lower(), f.establishment.pk))
    figure = SORTS[sort.lstrip("-")]
    if figure is None:
        return by_name[::-1] if sort.startswith("-") else by_name
    counted = [f for f in by_name if getattr(f, figure) is not None]
    counted.sort(key=lambda f: getattr(f, figure), reverse=sort.startswith("-"))
    return counted + [f for f in by_name if getattr(f, figure) is None]


def _headings(sort: str) -> list[dict]:
    """Each column's heading, its link (the other way round when it is the current order; names A to Z and
    figures most first otherwise) and its aria-sort."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    headings = []
    for key, label, figure in COLUMNS:
        first = key if figure is None else f"-{key}"
        link = (key if descending else f"-{key}") if key == current else first
        state = ("descending" if descending else "ascending") if key == current else ""
        headings.append({"key": key, "label": label, "link": link, "aria_sort": state, "numeric": figure is not None})
    return headings


def _drill_down(request, form, permission, action):
    """The establishments a drill-down list covers: the one asked for, if the person may see it there, or
    every one they may. A place they may not see is a 404, as if it did not exist."""
    allowed = scope_for(request.user).establishment_ids(permission)
    if not allowed:
        raise NotVisible(action)
    chosen = form.cleaned_data.get("establishment") if form.is_valid() else None
    if chosen is not None and chosen not in allowed:
        raise NotVisible(action, "establishment", chosen, chosen)
    place = Establishment.objects.get(pk=chosen) if chosen else None
    return ({chosen} if chosen else allowed), place


def referrals_awaiting(request):
    """The referrals behind "referrals awaiting an answer" (?window=late: past the response window)."""
    form = AwaitingDrillDown(request.GET)
    ids, place = _drill_down(request, form, Permission.CHILD_VIEW, "referral.list")
    late = form.is_valid() and form.cleaned_data["window"] == "late"
    rows = selectors.referrals_awaiting(request.user, ids, late=late, establishment_id=place.pk if place else None)
    return render(request, "oversight/referrals.html", {"form": form, "place": place, "late": late, "rows": rows,
                                                         "page_size": selectors.DRILL_DOWN_PAGE})


def open_cases(request):
    """The children behind "open cases"."""
    form = DrillDown(request.GET)
    ids, place = _drill_down(request, form, Permission.CHILD_VIEW, "case.list")
    rows = selectors.open_case_list(request.user, ids, establishment_id=place.pk if place else None)
    return render(request, "oversight/cases.html", {"form": form, "place": place, "rows": rows,
                                                     "page_size": selectors.DRILL_DOWN_PAGE})


def clocks_missed(request):
    """The actions behind "clocks missed this term"."""
    form = DrillDown(request.GET)
    ids, place = _drill_down(request, form, Permission.CLOCKS_MISSED_VIEW, "action.list")
    rows = selectors.clocks_missed_list(request.user, ids, establishment_id=place.pk if place else None)
    return render(request, "oversight/clocks.html", {"form": form, "place": place, "rows": rows,
                                                      "page_size": selectors.DRILL_DOWN_PAGE})
