"""The termly governor and SLT report, and who may read it (docs/domain/oversight.md).

Every figure is counted by the database in grouped queries (one each for concerns by category, concerns by
establishment, referrals and actions), the same four for one school or for a trust of 200, and only the
published figures leave this module: small numbers hidden (safekeep.policy.suppression), no child, no name
of a child, no free text. The report is a plain dict, so a review can keep it exactly as it stood.
"""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from safekeep.actions.models import Action
from safekeep.authz.access import establishments_where, get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.core import clock
from safekeep.establishments.models import Establishment, Location, Organisation
from safekeep.missing.models import MissingEpisode
from safekeep.packs.models import PolicyPackVersion
from safekeep.packs.selectors import adopted_versions, organisation_texts, packs_for
from safekeep.peergroups.models import PeerGroup, PeerGroupMember
from safekeep.policy.deadlines import LONDON
from safekeep.policy.packs import Pack, PolicyReviewRules, parse_packs_once, shipped_packs
from safekeep.policy.reporting import Reporting, Term, term_before, term_of
from safekeep.policy.suppression import share_published, suppress_table
from safekeep.referrals.models import Agency, Referral, ReferralOutcome
from safekeep.training.selectors import establishment_currency
from safekeep.trends.measures import ALL, CATEGORY, CHILD_ON_CHILD
from safekeep.trends.periods import Period, school_year_of
from safekeep.trends.selectors import read_trends

from .models import ExploitationReview, PolicyReview, VoiceAnswer, VoiceLink

REPORT = Permission.GOVERNANCE_REPORT_VIEW
# The sizes the governor report counts watched peer groups by: a display choice, not a policy rule.
PEER_GROUP_SIZES = (("Up to 3 children", 3), ("4 to 6 children", 6), ("7 children or more", 10 ** 9))


# --- who may read which report ---------------------------------------------------------------

def report_establishments(actor):
    """The establishments whose report the person may read."""
    return Establishment.objects.filter(pk__in=establishments_where(actor, REPORT)).order_by("name")


def access_report_establishment(actor, establishment_id) -> Establishment:
    return get_visible(report_establishments(actor).select_related("organisation"), establishment_id,
                       "governance.report.view")


def trust_for(actor) -> Organisation | None:
    """The organisation whose trust report the person may read: held organisation-wide (a trust's governor,
    the group head), never through one establishment."""
    ids = scope_for(actor).organisations_with(REPORT)
    if not ids:
        return None
    own = getattr(actor, "organisation_id", None)
    return Organisation.objects.get(pk=own if own in ids else min(ids))


def reviews_visible_to(actor):
    scope = scope_for(actor)
    return ExploitationReview.objects.filter(
        Q(establishment_id__in=scope.establishment_ids(REPORT))
        | Q(establishment__isnull=True, organisation_id__in=scope.organisations_with(REPORT))
    ).select_related("establishment", "organisation", "recorded_by")


def access_review(actor, review_id) -> ExploitationReview:
    return get_visible(reviews_visible_to(actor), review_id, "governance.review.view")


def last_review(organisation, establishment, *, before: ExploitationReview | None = None):
    """The review this body (an establishment's governors or SLT, or the trust) held last: what the next
    meeting looks back on."""
    reviews = ExploitationReview.objects.filter(organisation=organisation, establishment=establishment)
    if before is not None:
        reviews = reviews.filter(Q(held_on__lt=before.held_on) | Q(held_on=before.held_on, pk__lt=before.pk))
    return reviews.prefetch_related("actions__owner", "actions__establishment").first()


# --- the report -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _shipped() -> tuple:
    """The packs Safekeep ships, read once: they change only with a release."""
    return tuple(shipped_packs())


def _reporting(packs) -> Reporting:
    """The threshold and terms of the packs followed, else the shipped statutory baseline's."""
    return next((p.reporting for p in (*packs, *_shipped()) if p.reporting is not None))


def _start(day) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def _bucket(field: str, this_term: Term):
    return Case(When(**{f"{field}__gte": _start(this_term.starts)}, then=Value(1)), default=Value(0),
                output_field=IntegerField())


class _Taxonomy:
    """The categories of the packs followed: their labels, and the broadest category each falls under."""

    def __init__(self, packs):
        self.categories = {c.code: c for pack in (packs or _shipped()) for c in pack.categories}

    def root(self, code: str) -> str:
        seen = set()
        while code in self.categories and self.categories[code].parent and code not in seen:
            seen.add(code)
            code = self.categories[code].parent
        return code

    def roots(self):
        return [c for c in self.categories.values() if not c.parent and "about_adult" not in c.tags]

    def root_tagged(self, tag: str):
        return next((c for c in self.roots() if tag in c.tags), None)

    def under(self, root: str):
        return [c for c in self.categories.values() if c.code != root and self.root(c.code) == root]


def _table(key, title, about, labels, counts, threshold, share=False):
    published = suppress_table(counts, threshold) if counts else suppress_table([[0, 0]], threshold)
    rows = [{"label": label, "cells": list(published.cells[i])} for i, label in enumerate(labels)]
    table = {"key": key, "title": title, "about": about, "rows": rows, "totals": list(published.totals)}
    if share:
        table["share"] = [share_published(counts[0][c], counts[0][c] + counts[1][c], threshold) for c in (0, 1)]
    return table


def report(*, establishment_ids, packs, title: str, trust: bool = False) -> dict:
    """The termly report for these establishments: this term against last, small numbers hidden."""
    reporting = _reporting(packs)
    threshold = reporting.threshold
    today = clock.today()
    this_term = term_of(today, reporting.periods)
    last_term = term_before(this_term, reporting.periods)
    since, until = _start(last_term.starts), _start(this_term.ends)
    taxonomy = _Taxonomy(packs)

    # Each child named in a concern, by the categories recorded for them (few distinct lists: grouped by the
    # list itself, then each list counted under its categories). Allegations about adults are not here.
    by_categories = (ConcernChild.objects
                     .filter(concern__establishment_id__in=establishment_ids, concern__about_adult=False,
                             concern__recorded_at__gte=since, concern__recorded_at__lt=until)
                     .annotate(term=_bucket("concern__recorded_at", this_term))
                     .values("term", "categories").annotate(n=Count("id")).order_by())
    roots, forms, types = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    coc, exploitation = taxonomy.root_tagged("child_on_child"), taxonomy.root_tagged("exploitation")
    for row in by_categories:
        codes, term, n = list(row["categories"] or []), row["term"], row["n"]
        for root in {taxonomy.root(code) for code in codes} or {""}:
            roots[root][term] += n
        for wanted, counts in ((coc, forms), (exploitation, types)):
            if wanted is None:
                continue
            named = {code for code in codes if code != wanted.code and taxonomy.root(code) == wanted.code}
            for code in named or ({""} if wanted.code in codes else set()):
                counts[code][term] += n

    tables = []
    root_list = taxonomy.roots()
    labels = [c.label for c in root_list] + ["Category not yet given"]
    tables.append(_table(
        "categories", "Concerns about a child, by category",
        "Each child named in a concern recorded in the term, under each broad category recorded for them "
        "(a child with two categories counts under each). Allegations about adults are not included.",
        labels, [roots[c.code] for c in root_list] + [roots[""]], threshold))
    for wanted, counts, key, heading, none in (
            (coc, forms, "child_on_child", "Child-on-child abuse, by form (CoC 2.2)", "Form not given"),
            (exploitation, types, "exploitation", "Exploitation, by type", "Type not given")):
        if wanted is None:
            continue
        under = taxonomy.under(wanted.code)
        tables.append(_table(key, heading, f"Each child named in a concern of {wanted.label.lower()}, under each "
                             "form recorded for them.", [c.label for c in under] + [none],
                             [counts[c.code] for c in under] + [counts[""]], threshold))

    referrals = defaultdict(lambda: [0, 0])
    for row in (Referral.objects.filter(establishment_id__in=establishment_ids, made_at__gte=since, made_at__lt=until)
                .annotate(term=_bucket("made_at", this_term)).values("term", "agency").annotate(n=Count("id"))
                .order_by()):
        referrals[row["agency"]][row["term"]] += row["n"]
    tables.append(_table("referrals", "Referrals made, by agency",
                         "Referrals recorded as made in the term, to each kind of agency.",
                         [label[0].upper() + label[1:] for _, label in Agency.choices],
                         [referrals[value] for value, _ in Agency.choices], threshold))

    # Contexts (issue 14, section 6): governors see where concerns happen and how often children go missing
    # only as counts, small numbers hidden like every other table; never a place's or a child's records.
    kinds = defaultdict(lambda: [0, 0])
    for row in (Concern.objects.filter(establishment_id__in=establishment_ids, about_adult=False,
                                       recorded_at__gte=since, recorded_at__lt=until)
                .annotate(term=_bucket("recorded_at", this_term)).values("term", "place__kind")
                .annotate(n=Count("id")).order_by()):
        kinds[row["place__kind"] or ""][row["term"]] += row["n"]
    tables.append(_table("places", "Concerns about a child, by kind of place (CoC 2.4-2.5)",
                         "Concerns recorded in the term, by the kind of place where what happened happened.",
                         [label for _, label in Location.Kind.choices] + ["Place not given"],
                         [kinds[value] for value, _ in Location.Kind.choices] + [kinds[""]], threshold))
    went = defaultdict(lambda: [0, 0])
    for row in (MissingEpisode.objects.filter(establishment_id__in=establishment_ids, went_missing_at__gte=since,
                                              went_missing_at__lt=until)
                .annotate(term=_bucket("went_missing_at", this_term)).values("term", "missing_from")
                .annotate(n=Count("id")).order_by()):
        went[row["missing_from"]][row["term"]] += row["n"]
    tables.append(_table("missing", "Times children went missing, by where from (CE 5.3, 7.8)",
                         "Each episode recorded as starting in the term: a child who went missing twice counts twice.",
                         [label for _, label in MissingEpisode.MissingFrom.choices],
                         [went[value] for value, _ in MissingEpisode.MissingFrom.choices], threshold))

    # Peer groups (issue 14, sections 2 and 6; CoC 2.4-2.5, CE 5.1-5.2): the groups the safeguarding team saved to
    # watch, as they stood at the end of each term, by their size, and the children in them; counts only, never a
    # group's name or a child. Two grouped queries: one row per group, one per child.
    this_start = _start(this_term.starts)
    sizes, children_in = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    members = PeerGroupMember.objects.filter(group__establishment_id__in=establishment_ids, added_at__lt=until)
    for row in (members.values("group_id").annotate(last=Count("id", filter=Q(added_at__lt=this_start)),
                                                    now=Count("id")).order_by()):
        for term, size in ((0, row["last"]), (1, row["now"])):
            if size:
                sizes[next(label for label, most in PEER_GROUP_SIZES if size <= most)][term] += 1
    for row in (members.values("child_id").annotate(
            last=Count("group_id", distinct=True, filter=Q(added_at__lt=this_start)),
            now=Count("group_id", distinct=True)).order_by()):
        for term, groups in ((0, row["last"]), (1, row["now"])):
            if groups:
                children_in["In one peer group" if groups == 1 else "In two or more"][term] += 1
    tables.append(_table("peer_groups", "Peer groups the safeguarding team watches, by size (CoC 2.4-2.5)",
                         "The groups of children saved to watch together, as they stood at the end of the term "
                         "(this term: today), by how many children were in each.",
                         [label for label, _ in PEER_GROUP_SIZES], [sizes[label] for label, _ in PEER_GROUP_SIZES],
                         threshold))
    tables.append(_table("peer_group_children", "Children in the peer groups watched (CE 5.1-5.2)",
                         "Each child in a watched peer group at the end of the term, once, by how many groups.",
                         ["In one peer group", "In two or more"],
                         [children_in["In one peer group"], children_in["In two or more"]], threshold))

    # Steps due in the term (up to now), whether done by the time they were due: the casework's own actions,
    # not those a governance review agreed.
    now = clock.now()
    on_time, not_on_time = [0, 0], [0, 0]
    for row in (Action.objects.filter(establishment_id__in=establishment_ids, child__isnull=False,
                                      due_at__gte=since, due_at__lt=min(until, now))
                .exclude(status=Action.Status.CANCELLED).annotate(term=_bucket("due_at", this_term))
                .values("term").annotate(
                    on_time=Count("id", filter=Q(status=Action.Status.DONE, completed_at__lte=F("due_at"))),
                    all=Count("id")).order_by()):
        on_time[row["term"]] += row["on_time"]
        not_on_time[row["term"]] += row["all"] - row["on_time"]
    tables.append(_table("actions", "Actions done on time",
                         "Actions the policies or the safeguarding team set, due in the term up to today: done by "
                         "the time they were due, or done late or still to do. Cancelled actions are not counted.",
                         ["Done on time", "Done late, or not yet done"], [on_time, not_on_time], threshold,
                         share=True))

    if trust:
        per_place = defaultdict(lambda: [0, 0])
        for row in (Concern.objects.filter(establishment_id__in=establishment_ids, about_adult=False,
                                           recorded_at__gte=since, recorded_at__lt=until)
                    .annotate(term=_bucket("recorded_at", this_term)).values("term", "establishment_id")
                    .annotate(n=Count("id")).order_by()):
            per_place[row["establishment_id"]][row["term"]] += row["n"]
        places = list(Establishment.objects.filter(pk__in=establishment_ids).order_by("name").values_list("pk", "name"))
        tables.append(_table("establishments", "Concerns, by establishment",
                             "Concerns about children recorded at each establishment in the term.",
                             [name for _, name in places], [per_place[pk] for pk, _ in places], threshold))

    return {"title": title, "this_term": this_term.label, "last_term": last_term.label,
            "threshold": threshold, "threshold_source": reporting.threshold_source,
            "terms_source": reporting.periods_source, "made_on": today.isoformat(), "tables": tables}


def establishment_report(establishment) -> dict:
    return report(establishment_ids=[establishment.pk], packs=packs_for(establishment), title=establishment.name)


def trust_report(organisation) -> dict:
    texts = organisation_texts(organisation.pk)
    packs = list(parse_packs_once(tuple(sorted(texts.items())))) if texts else []
    ids = list(Establishment.objects.filter(organisation=organisation).values_list("pk", flat=True))
    return report(establishment_ids=ids, packs=packs, title=f"{organisation.name} (the trust)", trust=True)


# --- the annual policy review (CoC 1.4, 5.5, 14.2-14.3) ----------------------------------------------------

REVIEW_VIEW = Permission.POLICY_REVIEW_VIEW


def policy_review_establishments(actor):
    """The establishments whose annual policy review the person may read (the head, the DSL, the governors)."""
    return Establishment.objects.filter(pk__in=establishments_where(actor, REVIEW_VIEW)).order_by("name")


def access_policy_review_establishment(actor, establishment_id) -> Establishment:
    return get_visible(policy_review_establishments(actor).select_related("organisation"), establishment_id,
                       "governance.policy_review.view")


def policy_reviews_visible_to(actor):
    return PolicyReview.objects.filter(establishment_id__in=establishments_where(actor, REVIEW_VIEW)).select_related(
        "establishment", "organisation", "reviewed_version", "closed_by_version", "opened_by")


def access_policy_review(actor, review_id, action="governance.policy_review.view") -> PolicyReview:
    return get_visible(policy_reviews_visible_to(actor), review_id, action)


def reviewed_pack(establishment) -> tuple[Pack, PolicyPackVersion] | tuple[None, None]:
    """The adopted pack that has an annual review (the child-on-child abuse policy's), and its stored version."""
    pack = next((p for p in packs_for(establishment) if p.policy_review is not None), None)
    if pack is None:
        return None, None
    return pack, adopted_versions(establishment)[pack.pack]


def opens_on(pack: Pack) -> date:
    """The first day a review of this pack may be opened: its window before the review date (CoC 1.4)."""
    return pack.review_due - timedelta(days=pack.policy_review.open_before_days)


def open_policy_review(establishment, pack_id: str) -> PolicyReview | None:
    return PolicyReview.objects.filter(establishment=establishment, pack=pack_id, closed_at__isnull=True).first()


def last_closed_reviews(establishment_ids) -> dict[tuple[int, str], PolicyReview]:
    """(establishment id, pack id) -> the review closed last there: what the policy page says was decided."""
    found = {}
    for review in PolicyReview.objects.select_related("reviewed_version").filter(
            establishment_id__in=establishment_ids, closed_at__isnull=False
                                              ).order_by("closed_at", "id"):
        found[(review.establishment_id, review.pack)] = review
    return found


def small_numbers_threshold(establishment) -> int:
    return _reporting(packs_for(establishment)).threshold


def _years(today):
    this = school_year_of(today)
    return Period(year=this), Period(year=this - 1)


def _two_columns(key, title, about, labels, this_year, last_year, threshold) -> dict:
    counts = [[this_year.get(code, 0), last_year.get(code, 0)] for code in labels]
    return _table(key, title, about, list(labels.values()), counts, threshold)


def policy_review_evidence(actor, establishment, packs) -> dict:
    """The figures beside the review questions, as they may be published: counts only, this school year against
    the last, small numbers hidden (safekeep.policy.suppression). Read with the opener's own access (the trend
    summaries), kept with the review so its governors read the same."""
    threshold = _reporting(packs).threshold
    today = clock.today()
    this_year, last_year = _years(today)
    ids = [establishment.pk]
    panels = {}
    now_figures = read_trends(actor, establishment_ids=ids, period=this_year, by_establishment=(),
                              audited_as="trends.view")
    before_figures = read_trends(actor, establishment_ids=ids, period=last_year, by_establishment=(),
                                 audited_as="trends.view")
    taxonomy = _Taxonomy(packs)
    roots = {c.code: c.label for c in taxonomy.roots()}
    panels["trends"] = _two_columns(
        "trends", "Concerns by category, this school year and last",
        "Concerns with a child in each broad category, from the trend figures.", roots,
        now_figures.values(CATEGORY), before_figures.values(CATEGORY), threshold)
    change = {"all": "Concerns about a child", "coc": "Concerns of child-on-child abuse"}
    panels["change"] = _two_columns(
        "change", "What changed since last year",
        "All concerns about a child, and those of child-on-child abuse, this school year against the last.", change,
        {"all": now_figures.count(ALL), "coc": now_figures.count(CHILD_ON_CHILD)},
        {"all": before_figures.count(ALL), "coc": before_figures.count(CHILD_ON_CHILD)}, threshold)
    courses = establishment_currency(establishment, today=today)
    panels["training"] = _table(
        "training", "Safeguarding training, by course",
        "Staff whose training is current, and those overdue or never recorded (expiring soon counts as current).",
        [c.course.title for c in courses] or ["No course is set by the adopted policies"],
        [[c.current, c.people - c.current] for c in courses] or [[0, 0]], threshold)
    panels["training"]["columns"] = ["Current", "Not current"]
    # A count of the establishment's saved groups, whoever opens the review (the head does not open peer groups).
    groups = PeerGroup.objects.filter(establishment=establishment).count()
    panels["peer_groups"] = _table("peer_groups", "Peer groups saved",
                                   "Peer groups the safeguarding team has saved here (CoC 2.5(e)-(f)).",
                                   ["Peer groups"], [[groups, 0]], threshold)
    panels["peer_groups"]["columns"] = ["Now", ""]
    since = datetime.combine(date(this_year.year - 1, 9, 1), time(0), tzinfo=LONDON)
    outcomes = defaultdict(lambda: [0, 0])
    for row in (ReferralOutcome.objects.filter(referral__establishment=establishment, received_at__gte=since)
                .annotate(term=Case(When(received_at__gte=datetime.combine(date(this_year.year, 9, 1), time(0),
                                                                           tzinfo=LONDON), then=Value(0)),
                                    default=Value(1), output_field=IntegerField()))
                .values("term", "outcome").annotate(n=Count("id")).order_by()):
        outcomes[row["outcome"]][row["term"]] += row["n"]
    panels["outcomes"] = _table("outcomes", "How referrals ended, this school year and last",
                                "The agencies' answers to the referrals made here.",
                                [label for _, label in ReferralOutcome.Outcome.choices],
                                [outcomes[value] for value, _ in ReferralOutcome.Outcome.choices], threshold)
    for key in ("trends", "change", "outcomes"):
        panels[key]["columns"] = [this_year.label, last_year.label]
    return {"threshold": threshold, "made_on": today.isoformat(), "panels": panels}


def voice_results(review, rules: PolicyReviewRules, threshold: int) -> list[dict]:
    """For each audience with a link: how many answered, and each question's counts per option, small numbers
    hidden (a count under the threshold shows as "fewer than 5", and a total that would give one away is
    hidden too). One grouped query for every link of the review."""
    counted = defaultdict(int)
    for row in (VoiceAnswer.objects.filter(link__review=review).values("link__audience", "question", "option")
                .annotate(n=Count("id")).order_by()):
        counted[(row["link__audience"], row["question"], row["option"])] += row["n"]
    answered = defaultdict(int)
    for link in review.links.all():
        answered[link.audience] += link.answers
    results = []
    for questionnaire in rules.questionnaires:
        if questionnaire.audience not in answered:
            continue
        people = suppress_table([[answered[questionnaire.audience]]], threshold).totals[0]
        questions = []
        for question in questionnaire.questions:
            published = suppress_table([[counted[(questionnaire.audience, question.code, option)]]
                                        for option in question.options], threshold)
            questions.append({"text": question.text, "total": published.totals[0],
                              "rows": [{"label": option, "count": published.cells[i][0]}
                                       for i, option in enumerate(question.options)]})
        results.append({"audience": questionnaire.audience, "title": questionnaire.title,
                        "source": questionnaire.source, "answered": people, "questions": questions})
    return results


def voice_link(token: str) -> VoiceLink | None:
    """The questionnaire behind an address: the token is the only key (no sign-in, nobody's own record)."""
    return VoiceLink.objects.select_related("review__establishment").filter(token=token).first()
