"""Reading children's files and allegations about adults for their review (docs/domain/records-lifecycle.md). A
file is reachable by whoever holds `retention.review` at an establishment the child was ever on roll or placed
at: a file comes up for review long after the child has left. An allegation is reachable only by whoever also
reads allegations there, and never by the adult it is about (ADR 0008). Deny by default; 404 for missing and
not yours alike."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse

from safekeep.audit.services import audit_record
from safekeep.authz.access import establishments_where, get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.models import Child, Enrolment
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.concerns.selectors import allegations_hidden_from
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import packs_for_each
from safekeep.policy import retention
from safekeep.policy.packs import parse_packs_once, shipped_texts
from safekeep.policy.retention import FROM_ALLEGATION, FROM_DATE_OF_BIRTH, Review, RetentionRule

from .models import LegalHold, RetentionReview, Tombstone


@dataclass
class FileStanding:
    """Where a record under review stands: a child's file, or an allegation about an adult (`concern`, with
    `child` None). Its rule and review date, any hold, the last decision."""
    child: Child | None
    establishments: list[Establishment]
    review: Review | None
    holds: list[LegalHold] = field(default_factory=list)  # active only
    decisions: list[RetentionReview] = field(default_factory=list)  # newest first
    today: date | None = None
    concern: Concern | None = None

    @property
    def is_allegation(self) -> bool:
        return self.concern is not None

    @property
    def title(self) -> str:
        """What the record is, as the review list and the pages name it."""
        if self.concern is None:
            return self.child.display_name
        adult = self.concern.subject.full_name if self.concern.subject_id else "an adult"
        return f"Allegation about {adult}, {self.concern.recorded_at.astimezone(clock.LONDON):%-d %B %Y}"

    @property
    def record_words(self) -> str:
        """The record in a sentence: "the file of Alfie Khan", "the allegation about Sam Jones, 3 March 2028"."""
        return f"the {self.title[0].lower()}{self.title[1:]}" if self.concern else f"the file of {self.title}"

    @property
    def urls(self) -> dict[str, str]:
        """The record's retention pages: its own, and each step of its review."""
        prefix, pk = ("allegation", self.concern.pk) if self.concern else ("child", self.child.pk)
        steps = ("hold", "lift", "keep", "propose", "approve")
        return {"page": reverse(f"retention:{prefix}", args=[pk])} | {
            step: reverse(f"retention:{prefix}_{step}" if self.concern else f"retention:{step}", args=[pk])
            for step in steps}

    @property
    def kept_until(self) -> date | None:
        return next((d.kept_until for d in self.decisions if d.outcome == RetentionReview.Outcome.KEEP), None)

    @property
    def review_on(self) -> date | None:
        """The date the file is (next) due for review: the rule's, or a later one a review kept it to."""
        if self.review is None:
            return None
        return max(self.review.due_on, self.kept_until or date.min)

    @property
    def proposal(self) -> RetentionReview | None:
        """The destruction proposed and not yet approved or declined."""
        latest = self.decisions[0] if self.decisions else None
        return latest if latest is not None and latest.outcome == RetentionReview.Outcome.PROPOSE else None

    @property
    def status(self) -> str:
        return retention.status(self.review, self.today, held=bool(self.holds), kept_until=self.kept_until)

    @property
    def due(self) -> bool:
        return self.status == retention.DUE

    @property
    def held(self) -> bool:
        return self.status == retention.HELD

    @property
    def status_words(self) -> str:
        if self.held:
            return "Legal hold"
        if self.proposal is not None:
            return "Destruction awaiting approval"
        return "Due for review" if self.due else "Not due"


def files_visible_to(actor, permission=Permission.RETENTION_REVIEW):
    """Children on roll or placed, now or before, at an establishment where the actor holds the permission."""
    places = establishments_where(actor, permission)
    if not places:
        return Child.objects.none()
    return Child.objects.filter(pk__in=Enrolment.objects.filter(establishment_id__in=places).values("child_id"))


def _with_everything(children):
    return children.prefetch_related(
        Prefetch("enrolments", queryset=Enrolment.objects.select_related("establishment").order_by("id")),
        Prefetch("legal_holds", queryset=LegalHold.objects.filter(lifted_at__isnull=True), to_attr="active_holds"),
        Prefetch("retention_reviews", queryset=RetentionReview.objects.select_related("decided_by"),
                 to_attr="decisions"))


@cache
def _shipped_rules() -> tuple[RetentionRule, ...]:
    return tuple(rule for pack in parse_packs_once(tuple(sorted(shipped_texts().items())))
                 for rule in pack.retention_rules)


def _rules(packs) -> tuple[RetentionRule, ...]:
    """The retention rules of the packs followed, each once (the baseline may be adopted at every place). The law
    binds whatever was adopted, so where no adopted pack gives a retention rule the shipped baseline's apply: a
    file is never left without a review date."""
    found = {}
    for pack in packs:
        for rule in pack.retention_rules:
            found.setdefault(rule.code, rule)
    return tuple(found.values()) or _shipped_rules()


def _standing(child, packs_by_place, today) -> FileStanding:
    places = [enrolment.establishment for enrolment in child.enrolments.all()]
    rules = _rules(pack for place in places for pack in packs_by_place.get(place.pk, ()))
    review = retention.child_review(rules, date_of_birth=child.date_of_birth, kinds={p.kind for p in places},
                                    died_on=child.died_on)
    return FileStanding(child=child, establishments=places, review=review, holds=list(child.active_holds),
                        decisions=list(child.decisions), today=today)


def standing_of(child) -> FileStanding:
    """One child's file, with everything its review needs (child read with _with_everything or not)."""
    child = _with_everything(Child.objects.filter(pk=child.pk)).get()
    places = [enrolment.establishment for enrolment in child.enrolments.all()]
    return _standing(child, packs_for_each(places), clock.today())


@transaction.atomic
def access_file(actor, child_id, action="retention.file.view") -> FileStanding:
    """The child's file for review, or 404; the read is audited."""
    child = get_visible(files_visible_to(actor), child_id, action)
    standing = standing_of(child)
    audit_record(actor=actor, action=action, obj=child, role=_role(actor),
                 establishment_id=standing.establishments[0].pk if standing.establishments else None)
    return standing


@transaction.atomic
def access_child_for_death(actor, child_id) -> Child:
    """The child whose date of death the actor may record (the safeguarding team or the head at an establishment
    the child was at), or 404; opening the form is audited as a read of the child."""
    child = get_visible(files_visible_to(actor, Permission.CHILD_DEATH_RECORD), child_id, "child.death.form")
    audit_record(actor=actor, action="child.death.form", obj=child,
                 role=_role(actor, Permission.CHILD_DEATH_RECORD))
    return child


def _role(actor, permission=Permission.RETENTION_REVIEW) -> str:
    role = scope_for(actor).role_for(permission)
    return str(role) if role is not None else ""


@transaction.atomic
def review_list(actor) -> list[FileStanding]:
    """The files and allegations due for review, held, or awaiting a second person's approval, soonest first.
    Only children old enough for the shortest rule to have run (or who died), allegations old enough for theirs,
    and records with a hold or a decision, are read one by one."""
    today = clock.today()
    places = Establishment.objects.filter(pk__in=establishments_where(actor, Permission.RETENTION_REVIEW))
    packs_by_place = packs_for_each(places)
    shortest = min((rule.keep_years for packs in packs_by_place.values() for rule in _rules(packs)
                    if rule.starts == FROM_DATE_OF_BIRTH), default=None)
    visible = files_visible_to(actor)
    born_by = retention.add_years(today, -shortest) if shortest is not None else date.min
    # A child who died is read too: a home's 15 years from the death may come before the shortest rule's.
    candidates = (visible.filter(date_of_birth__lte=born_by) | visible.filter(died_on__isnull=False)
                  | visible.filter(legal_holds__lifted_at__isnull=True)
                  | visible.filter(retention_reviews__isnull=False)).distinct()
    children = list(_with_everything(candidates))
    # The rules of places the child was at that the reviewer does not reach count too.
    elsewhere = {e.establishment for child in children for e in child.enrolments.all()
                 if e.establishment_id not in packs_by_place}
    packs_by_place |= packs_for_each(elsewhere)
    files = [_standing(child, packs_by_place, today) for child in children] + _allegations_listed(
        actor, packs_by_place, today)
    files = [f for f in files if f.status != retention.NOT_DUE or f.proposal is not None]
    files.sort(key=lambda f: (f.review_on or date.max, f.is_allegation, f.title if f.is_allegation
                              else f.child.last_name, (f.concern or f.child).pk))
    audit_record(actor=actor, action="retention.list.view", object_type="retention", role=_role(actor),
                 detail={"shown": len(files)})
    return files


def allegations_visible_to(actor, permission=Permission.RETENTION_REVIEW):
    """Allegations about adults at establishments where the actor holds the permission and reads allegations
    (the DSL, the head): never the data protection officer, who does not read them, and never their subject."""
    places = establishments_where(actor, permission)
    if not places:
        return Concern.objects.none()
    return Concern.objects.filter(about_adult=True, establishment_id__in=places).exclude(
        pk__in=allegations_hidden_from(actor))


def _allegations_with_everything(concerns):
    return concerns.select_related("establishment", "subject").prefetch_related(
        Prefetch("legal_holds", queryset=LegalHold.objects.filter(lifted_at__isnull=True), to_attr="active_holds"),
        Prefetch("retention_reviews", queryset=RetentionReview.objects.select_related("decided_by"),
                 to_attr="decisions"))


def _allegation_standing(concern, packs_by_place, today) -> FileStanding:
    """An allegation is kept 10 years from when it was made, or to the adult's normal pension age if later
    (KCSIE Part four). Safekeep holds no adult's date of birth, so the 10 years date the review, and the
    reviewer confirms the adult has reached the pension age before proposing destruction."""
    rules = _rules(packs_by_place.get(concern.establishment_id, ()))
    review = retention.allegation_review(rules, made_on=concern.recorded_at.astimezone(clock.LONDON).date())
    return FileStanding(child=None, concern=concern, establishments=[concern.establishment], review=review,
                        holds=list(concern.active_holds), decisions=list(concern.decisions), today=today)


def _allegations_listed(actor, packs_by_place, today) -> list[FileStanding]:
    """The allegations the reviewer may see that are old enough for their rule to have run, held or decided."""
    shortest = min((rule.keep_years for packs in packs_by_place.values() for rule in _rules(packs)
                    if rule.starts == FROM_ALLEGATION), default=None)
    visible = allegations_visible_to(actor)
    # Made before the day after (today - the shortest period), in UK time: its period has run.
    made_by = (datetime.combine(retention.add_years(today, -shortest) + timedelta(days=1), time.min,
                                tzinfo=clock.LONDON) if shortest is not None else None)
    candidates = (visible.filter(legal_holds__lifted_at__isnull=True) | visible.filter(retention_reviews__isnull=False))
    if made_by is not None:
        candidates = candidates | visible.filter(recorded_at__lt=made_by)
    return [_allegation_standing(concern, packs_by_place, today)
            for concern in _allegations_with_everything(candidates.distinct())]


def allegation_standing_of(concern) -> FileStanding:
    concern = _allegations_with_everything(Concern.objects.filter(pk=concern.pk)).get()
    return _allegation_standing(concern, packs_for_each([concern.establishment]), clock.today())


@transaction.atomic
def access_allegation(actor, concern_id, action="retention.allegation.view") -> FileStanding:
    """The allegation for its review, or 404 (the same for the adult it is about); the read is audited."""
    concern = get_visible(allegations_visible_to(actor), concern_id, action)
    standing = allegation_standing_of(concern)
    audit_record(actor=actor, action=action, obj=concern, role=_role(actor), establishment_id=concern.establishment_id)
    return standing


def destruction_blockers(child) -> list[str]:
    """Why the file cannot be destroyed whole: a meeting or a share it shares with another child's file (kept with
    that file) and allegations about adults (kept under their own rule). Empty: nothing stops it. A concern that
    also names another child does not stop it: the child's part of it goes, the concern stays for the others
    (ADR 0016)."""
    blockers = []
    concerns = ConcernChild.objects.filter(child=child).values("concern_id")
    if Concern.objects.filter(pk__in=concerns, about_adult=True).exists():
        blockers.append("An allegation about an adult names this child: it is kept under the allegation rule.")
    for model, through, source, target in shared_records():
        parents = through.objects.filter(**{target: child.pk}).values(source)
        if through.objects.filter(**{f"{source}__in": parents}).exclude(**{target: child.pk}).exists():
            blockers.append(f"A {model._meta.verbose_name} about this child also names another child: it is kept "
                            "with that child's file.")
    return blockers


def concerns_kept_for_others(child) -> int:
    """How many concerns about this child also name another child: destroying the file keeps them for the others."""
    concerns = ConcernChild.objects.filter(child=child).values("concern_id")
    return ConcernChild.objects.filter(concern_id__in=concerns).exclude(child=child).values("concern_id").distinct().count()


def shared_records():
    """Records that name children through a list of them (a meeting, an information share): each model, its
    list's table and the names of the columns for the record and the child."""
    return [(rel.related_model, rel.through, rel.field.m2m_field_name(), rel.field.m2m_reverse_field_name())
            for rel in Child._meta.related_objects if rel.many_to_many]


def tombstones_visible_to(actor):
    """The register of destroyed files of the organisations where the actor reviews files."""
    organisation_ids = Establishment.objects.filter(
        pk__in=establishments_where(actor, Permission.RETENTION_REVIEW)).values("organisation_id")
    return Tombstone.objects.filter(organisation_id__in=organisation_ids).select_related("proposed_by", "approved_by")
