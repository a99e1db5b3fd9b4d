"""What needs each person now, counted by the database (issue 13, section 1; docs/domain/oversight.md).

Every figure is a grouped, conditional count over the same selectors the lists behind it use
(concerns_visible_to, actions_visible_to, referrals_visible_to), so a number and its drill-down agree and
neither shows what the person may not see: an allegation about its subject, another region's records.
A fixed number of queries whatever the number of establishments or records.
"""

from dataclasses import dataclass, field

from django.db import transaction
from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, F, OuterRef, Q

from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.actions.selectors import actions_visible_to, due_later_today, overdue
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.cases.models import Case, CaseStatusChange
from safekeep.concerns.models import ConcernChild
from safekeep.concerns.patterns import patterns_in
from safekeep.concerns.selectors import UNREAD, URGENT, concerns_visible_to, undecided
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.establishments.selectors import this_and_last_terms
from safekeep.referrals.models import Referral
from safekeep.referrals.selectors import referrals_visible_to


@dataclass
class Figures:
    """One establishment's figures. A term figure is None where the establishment has no term loaded."""

    establishment: Establishment
    this_term: object = None  # TermDate
    last_term: object = None
    unread: int = 0
    urgent: int = 0
    open_concerns: int = 0
    due_today: int = 0
    overdue: int = 0
    open_cases: int = 0
    referrals_waiting: int = 0
    referrals_late: int = 0
    clocks_missed: int | None = 0
    concerns_this_term: int | None = 0
    concerns_last_term: int | None = 0
    clocks_shown: bool = False  # the person sees this establishment's missed clocks (the head, CoC 6.6)


@dataclass
class HomePage:
    """needs_you: the establishments whose cases the person works (DSL, head); compared: those they
    oversee side by side (regional director, group head). patterns: how many patterns to look at."""

    needs_you: list[Figures] = field(default_factory=list)
    compared: list[Figures] = field(default_factory=list)
    patterns: int = 0


def home_page(actor) -> HomePage:
    scope = scope_for(actor)
    compared = scope.establishment_ids(Permission.ESTABLISHMENTS_COMPARE)
    # Those who oversee see their establishments side by side rather than one case list per establishment.
    working = scope.establishment_ids(Permission.CHILD_VIEW) - compared
    page = HomePage()
    if working:
        page.needs_you = establishment_figures(actor, working, full=True)
        clocks = scope.establishment_ids(Permission.CLOCKS_MISSED_VIEW)
        for figure in page.needs_you:
            figure.clocks_shown = figure.establishment.pk in clocks
        page.patterns = len(patterns_in(concerns_visible_to(actor).filter(establishment_id__in=working)))
    if compared:
        page.compared = establishment_figures(actor, compared, full=False)
    return page


def establishment_figures(actor, establishment_ids, *, full: bool) -> list[Figures]:
    """The figures for these establishments (already within the person's scope), in name order.
    full: also what needs the safeguarding team today (unread, urgent, due today, open cases)."""
    places = list(Establishment.objects.filter(pk__in=establishment_ids).order_by("name", "pk"))
    terms = this_and_last_terms([p.pk for p in places], clock.today())
    figures = {p.pk: Figures(p, *terms.get(p.pk, (None, None))) for p in places}
    now = clock.now()
    this_term = _in_terms(figures, "this_term", "recorded_at")
    last_term = _in_terms(figures, "last_term", "recorded_at")
    concern_counts = {"open_concerns": undecided(), "concerns_this_term": this_term, "concerns_last_term": last_term}
    if full:
        concern_counts |= {"unread": UNREAD, "urgent": URGENT}
    _fill(figures, concerns_visible_to(actor).filter(establishment_id__in=figures), concern_counts)
    action_counts = {"overdue": overdue(),
                     "clocks_missed": _in_terms(figures, "this_term", "due_at", until=now) & clock_missed()}
    if full:
        action_counts["due_today"] = due_later_today()
    _fill(figures, actions_visible_to(actor).filter(establishment_id__in=figures), action_counts)
    _fill(figures, awaiting_answer(actor, figures),
          {"referrals_late": Q(chase_action__due_at__lt=now), "referrals_waiting": Q(chase_action__due_at__gte=now)})
    if full:
        _count(figures, open_cases(actor, figures), {"open_cases": Count("child_id", distinct=True)},
               group="concern__establishment_id")
    for figure in figures.values():  # no term loaded: no term figures, rather than a misleading 0
        if figure.this_term is None:
            figure.clocks_missed = figure.concerns_this_term = None
        if figure.last_term is None:
            figure.concerns_last_term = None
    return list(figures.values())


def _fill(figures, queryset, counts, group="establishment_id"):
    """counts: each figure's name and the condition of the rows it counts. The conditions, joined by OR,
    narrow the rows first: the database reads what some figure counts (the undecided, the unread, a term's
    days, the open actions) from their indexes, rather than every record the establishments have ever had
    (a group head's home page at 1,000,000 concerns: 28 s)."""
    queryset = queryset.filter(reduce(or_, counts.values()))
    _count(figures, queryset, {name: Count("pk", filter=condition) for name, condition in counts.items()}, group)


def _count(figures, queryset, aggregates, group="establishment_id"):
    for row in queryset.order_by().values(group).annotate(**aggregates):
        for name in aggregates:
            setattr(figures[row[group]], name, row[name])


def term_days(starts_on, ends_on) -> tuple[datetime, datetime]:
    """A term as the instants it spans: from midnight on its first day to midnight after its last (UK time),
    as concerns.selectors.recorded_between counts the days of the inbox's drill-down."""
    return (datetime.combine(starts_on, time(), clock.LONDON),
            datetime.combine(ends_on + timedelta(days=1), time(), clock.LONDON))


def _in_terms(figures, which: str, moment: str, until=None) -> Q:
    """Each establishment's own term (this or last), as one condition: establishments that share their term
    dates (a trust's schools usually do) share one clause. Q(pk__in=[]) where none has the term."""
    by_dates = {}
    for pk, figure in figures.items():
        term = getattr(figure, which)
        if term is not None:
            by_dates.setdefault((term.starts_on, term.ends_on), []).append(pk)
    clauses = []
    for (starts_on, ends_on), ids in by_dates.items():
        first, after = term_days(starts_on, ends_on)
        if until is not None:
            after = min(after, until)
        clauses.append(Q(establishment_id__in=ids, **{f"{moment}__gte": first, f"{moment}__lt": after}))
    return reduce(or_, clauses) if clauses else Q(pk__in=[])


def clock_missed() -> Q:
    """An action whose clock was missed: done after its due time, or still open past it (a cancelled
    action is neither). The packs set each deadline, with its source (CE 10.1, CoC 10.5, Working Together)."""
    return (Q(status=Action.Status.DONE, completed_at__gt=F("due_at"))
            | Q(status=Action.Status.OPEN, due_at__lt=clock.now()))


def awaiting_answer(actor, establishment_ids):
    """Referrals whose agency has not yet given its decision: the chase action is still open (any decision
    completes it; "received, no decision yet" keeps it running: docs/domain/referrals-and-cases.md). The referral
    says so itself (Referral.awaiting_answer), so only those are read, from their own index."""
    return referrals_visible_to(actor).filter(establishment_id__in=establishment_ids, awaiting_answer=True)


def open_cases(actor, establishment_ids):
    """The children in the concerns the person's team reads there, whose case is open: a case is open
    until the DSL closes it, and the latest opening or closing wins. The Case row keeps that status, so the
    closed cases are read once rather than each child's latest change looked up (cases.selectors.case_status)."""
    closed = Case.objects.filter(child_id=OuterRef("child_id"), establishment_id=OuterRef("concern__establishment_id"),
                                 status=CaseStatusChange.Status.CLOSED)
    team = concerns_visible_to(actor).filter(establishment_id__in=establishment_ids)
    return ConcernChild.objects.filter(~Exists(closed), concern__in=team)


# A drill-down list shows this many rows a page.
DRILL_DOWN_PAGE = 100


def _audited(actor, action, object_type, establishment_id, rows):
    """A list naming children is a read of their records: audited in the same transaction (fail closed)."""
    with transaction.atomic():
        rows = list(rows)
        audit_record(actor=actor, action=action, object_type=object_type, establishment_id=establishment_id,
                     detail={"results": len(rows)})
    return rows


def referrals_awaiting(actor, establishment_ids, *, late: bool, establishment_id=None) -> list[Referral]:
    """The referrals behind "referrals awaiting an answer": past their response window (late) or within it."""
    now = clock.now()
    referrals = awaiting_answer(actor, establishment_ids).filter(
        Q(chase_action__due_at__lt=now) if late else Q(chase_action__due_at__gte=now))
    rows = (referrals.select_related("establishment", "child", "chase_action")
            .order_by("chase_action__due_at", "pk")[:DRILL_DOWN_PAGE])
    return _audited(actor, "referral.list", "referral", establishment_id, rows)


def open_case_list(actor, establishment_ids, *, establishment_id=None) -> list[dict]:
    """The children behind "open cases", one row per child and establishment."""
    rows = (open_cases(actor, establishment_ids)
            .values("child_id", "child__first_name", "child__last_name", "concern__establishment_id",
                    "concern__establishment__name")
            .annotate(concerns=Count("concern_id", distinct=True))
            .order_by("child__last_name", "child__first_name", "child_id")[:DRILL_DOWN_PAGE])
    return _audited(actor, "case.list", "case", establishment_id, rows)


def clocks_missed_list(actor, establishment_ids, *, establishment_id=None) -> list[Action]:
    """The actions behind "clocks missed this term", the latest due first."""
    places = {p.pk: p for p in Establishment.objects.filter(pk__in=establishment_ids)}
    terms = this_and_last_terms(list(places), clock.today())
    figures = {pk: Figures(place, *terms.get(pk, (None, None))) for pk, place in places.items()}
    actions = (actions_visible_to(actor).filter(establishment_id__in=places)
               .filter(_in_terms(figures, "this_term", "due_at", until=clock.now()) & clock_missed())
               .select_related("establishment", "child").order_by("-due_at", "-pk")[:DRILL_DOWN_PAGE])
    return _audited(actor, "action.list", "action", establishment_id, actions)
