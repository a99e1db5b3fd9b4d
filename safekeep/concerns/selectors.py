from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import (BooleanField, Count, ExpressionWrapper, Prefetch, Q, Subquery,
                              prefetch_related_objects)

from safekeep.actions.models import Action
from safekeep.actions.selectors import actions_visible_to
from safekeep.audit.services import audit_record
from safekeep.authz.access import deny_if_subject_of_allegation, establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.authz.selectors import people_at
from safekeep.core import clock

from .models import Concern, ConcernChild, SubjectNaming


def _case_team(actor) -> Q:
    """The concerns whose case this person follows: the list form of can(actor, child.view, concern),
    which for an allegation also needs allegation.view there (ADR 0008, ADR 0009)."""
    return (Q(about_adult=False, establishment_id__in=establishments_where(actor, Permission.CHILD_VIEW))
            | Q(about_adult=True, establishment_id__in=establishments_where(actor, Permission.ALLEGATION_VIEW)))


def concerns_visible_to(actor):
    """Staff see only the concerns they recorded; the safeguarding team sees their establishments'.

    An allegation about an adult is seen only by those who hold ALLEGATION_VIEW there (and by its
    recorder), and never by the adult it is about, whatever their role (DESIGN.md section 1).
    """
    scope = scope_for(actor)
    if not scope.roles:
        return Concern.objects.none()
    return (Concern.objects.filter(Q(recorded_by=actor) | _case_team(actor))
            .exclude(subject=actor).exclude(pk__in=_proposed_as_subject(actor)))


def _proposed_as_subject(actor):
    """The allegations whose subject, waiting for confirmation, is this person: hidden from them meanwhile."""
    return SubjectNaming.objects.filter(outcome=SubjectNaming.Outcome.WAITING, subject=actor).values("concern_id")


def allegations_hidden_from(actor):
    """The allegations whose records this person may not see, as a subquery of ids: their chronology
    entries, actions, referrals, shares and plans are left out of everything else the person reads.

    Only `allegation.view` reveals them. Having recorded an allegation shows the recorder their own
    words (concerns_visible_to), not the case that follows from it.
    """
    # about_adult first: the partial index concern_allegation holds only allegations, a small set.
    return Concern.objects.filter(about_adult=True).exclude(_allegation_readable(actor)).values("pk")


def _allegation_readable(actor, via: str = "") -> Q:
    """An allegation (reached through the relation `via`, if given) that this person may read."""
    at = f"{via}__" if via else ""
    readers = scope_for(actor).establishment_ids(Permission.ALLEGATION_VIEW)
    return (Q(**{f"{at}establishment_id__in": readers}) & ~Q(**{f"{at}subject": actor, f"{at}subject__isnull": False})
            & ~Q(**{f"{at}pk__in": _proposed_as_subject(actor)}))


def not_a_hidden_allegation(actor, via: str) -> Q:
    """The same decision as allegations_hidden_from, for records that carry their concern as a foreign key
    named `via` and already join it: judged on the record's own concern, so nothing else is read."""
    return Q(**{f"{via}__isnull": True}) | Q(**{f"{via}__about_adult": False}) | _allegation_readable(actor, via)


def adults_to_name(establishment):
    """The adults a recorder can name in an allegation: everyone with a role at the establishment.
    Staff know their colleagues' names; nothing about any concern is shown with them."""
    return people_at(establishment)


def is_subject_of(actor, obj) -> bool:
    """The predicate registered with authz.access: true when obj belongs to an allegation about actor."""
    if actor is None or not actor.is_authenticated:
        return False
    if isinstance(obj, Concern):
        if not obj.about_adult or obj.subject_id == actor.pk:
            return obj.about_adult
        return _proposed_as_subject(actor).filter(concern_id=obj.pk).exists()
    concern_id = getattr(obj, "concern_id", None)
    return concern_id is not None and Concern.objects.filter(
        Q(subject=actor) | Q(pk__in=_proposed_as_subject(actor)), pk=concern_id, about_adult=True).exists()


def access_concern(actor, concern_id, action="concern.view") -> Concern:
    concern = get_visible(concerns_visible_to(actor).select_related("establishment"), concern_id, action)
    deny_if_subject_of_allegation(actor, concern, action)
    return concern


def read_concern(actor, concern_id) -> Concern:
    """The concern as this person may see it, audited in the same transaction (fail closed).

    `concern.team` says whether they follow the case (can child.view, and allegation.view for an
    allegation). The team gets every triage decision, action and addendum. The member of staff who
    recorded it gets their own words, their own addenda and steps, and whether the team has read it:
    never the case that follows (docs/domain/recording-and-triage.md). Each child's latest decision
    is `involved.decision`, the addenda `concern.addenda_shown`, the actions `concern.actions_shown`.
    """
    with transaction.atomic():
        concern = get_visible(concerns_visible_to(actor).select_related("establishment", "recorded_by", "place",
                                                                        "subject")
                              .prefetch_related(Prefetch("children_involved", queryset=ConcernChild.objects
                                                         .select_related("child").order_by("id"))),
                              concern_id, "concern.view")
        deny_if_subject_of_allegation(actor, concern, "concern.view")
        team_role = role_for(actor, Permission.CHILD_VIEW, concern)  # can(), with the role for the audit row
        concern.team = bool(team_role)
        audit_record(actor=actor, action="concern.view", obj=concern, role=team_role,
                     establishment_id=concern.establishment_id)
    involved = list(concern.children_involved.all())
    if concern.team:
        prefetch_related_objects(involved, "triages")
    for child_part in involved:
        child_part.decision = next(iter(child_part.triages.all()), None) if concern.team else None
    addenda = concern.addenda.select_related("added_by")
    concern.addenda_shown = list(addenda if concern.team else addenda.filter(added_by=actor))
    concern.actions_shown = list(actions_visible_to(actor).filter(concern_id=concern.pk).select_related("child")
                                 .order_by("due_at", "id"))
    return concern


INBOX_PAGE = 50

# The inbox's order, in bands: unread with a child at risk now, other unread, then the rest; newest first in each.
INBOX_BANDS = (Q(read_by_dsl_at__isnull=True, immediate_risk=True), Q(read_by_dsl_at__isnull=True, immediate_risk=False),
               Q(read_by_dsl_at__isnull=False))


# What the home pages count and the inbox narrows to (docs/domain/oversight.md): one definition for both.
# Unread: the safeguarding team has not yet opened it (CE 10.1, CoC 6.6: the DSL sees every concern).
UNREAD = Q(read_by_dsl_at__isnull=True)
# Urgent: unread, and the recorder said a child is at risk now (CE 10.1: the DSL at once).
URGENT = UNREAD & Q(immediate_risk=True)


def undecided() -> Q:
    """Open: a child in it still waits for the safeguarding lead's decision (no triage yet, CoC 6.6).
    triage_record marks the concern decided when its last child is decided (Concern.decided_at)."""
    return Q(decided_at__isnull=True)


def recorded_between(first_day, last_day, via: str = "") -> Q:
    """Recorded on one of these UK days, first and last included (a term's first and last day)."""
    at = f"{via}__" if via else ""
    return Q(**{f"{at}recorded_at__gte": datetime.combine(first_day, time(), clock.LONDON),
                f"{at}recorded_at__lt": datetime.combine(last_day + timedelta(days=1), time(), clock.LONDON)})


@dataclass
class InboxPage:
    rows: list
    next_cursor: str = ""  # the value of ?after= for the next page; empty on the last page


def inbox_cursor(after: str) -> tuple[int, int] | None:
    """?after=<band>.<concern id>: where the previous page ended. Anything else starts at the beginning."""
    band, _, concern_id = (after or "").partition(".")
    if band.isdigit() and concern_id.isdigit() and int(band) < len(INBOX_BANDS) and len(concern_id) < 19:
        return int(band), int(concern_id)
    return None


# What a concern's row in the inbox page never shows: encrypted, and decrypted row by row if read (issue 12).
CASE_WORDS = ("narrative", "childs_words", "action_taken", "subject_description")


def inbox(actor, *, after: str = "", limit: int | None = None, only: Q | None = None,
          words: bool = True) -> InboxPage:
    """New and urgent first: unread concerns with a child at risk now, then other unread, then the rest,
    a page at a time (keyset: each band is read newest first from where the last page ended, so a page
    costs the same at the first concern as at the millionth). `only` narrows it (a home page's drill-down).

    Each row carries how many of its actions are overdue, for those who follow its case (None for the
    member of staff who only recorded it): one aggregate for the page. A fixed number of queries.
    words=False leaves out the concern's own words (CASE_WORDS), for a page that lists without them.
    """
    limit = limit or INBOX_PAGE
    visible = concerns_visible_to(actor)
    if only is not None:
        visible = visible.filter(only)
    cursor = inbox_cursor(after)
    first_band = cursor[0] if cursor else 0
    rows = []
    with transaction.atomic():
        for band in range(first_band, len(INBOX_BANDS)):
            concerns = visible.filter(INBOX_BANDS[band])
            if cursor and band == cursor[0]:
                # The concern the last page ended with: newer ones were on that page (ids break ties in time).
                then = Concern.objects.filter(pk=cursor[1]).values("recorded_at")[:1]
                concerns = concerns.filter(Q(recorded_at__lt=Subquery(then))
                                           | Q(recorded_at=Subquery(then), pk__lt=cursor[1]))
            if not words:
                concerns = concerns.defer(*CASE_WORDS)
            found = list(concerns.select_related("establishment", "recorded_by")
                         .annotate(followed=ExpressionWrapper(_case_team(actor), output_field=BooleanField()))
                         .order_by("-recorded_at", "-pk")[:limit + 1 - len(rows)])
            for concern in found:
                concern.band = band
            rows += found
            if len(rows) > limit:
                break
        more = len(rows) > limit
        rows = rows[:limit]
        audit_record(actor=actor, action="concern.list", object_type="concern", detail={"results": len(rows)})
    prefetch_related_objects(rows, Prefetch("children_involved",
                                            queryset=ConcernChild.objects.select_related("child").order_by("id")))
    _count_overdue_actions(rows)
    return InboxPage(rows=rows, next_cursor=f"{rows[-1].band}.{rows[-1].pk}" if more else "")


def _count_overdue_actions(concerns):
    """Sets each concern's `overdue_actions`: one grouped count for the page, for those who follow its case
    (`followed`, from _case_team in the page's own query)."""
    team = {c.pk for c in concerns if c.followed}
    counts = dict(Action.objects.filter(concern_id__in=team, status=Action.Status.OPEN, due_at__lt=clock.now())
                  .order_by().values("concern_id").annotate(n=Count("id")).values_list("concern_id", "n")) \
        if team else {}
    for concern in concerns:
        concern.overdue_actions = counts.get(concern.pk, 0) if concern.pk in team else None


def concerns_about(actor, child, limit=20) -> list[ConcernChild]:
    """The child's part in the latest concerns the actor may see, newest first (for the child's page)."""
    return list(ConcernChild.objects.filter(child=child, concern__in=concerns_visible_to(actor))
                .select_related("concern").order_by("-concern__recorded_at")[:limit])
