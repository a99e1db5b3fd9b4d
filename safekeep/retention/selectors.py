"""Reading children's files for their review (docs/domain/records-lifecycle.md). A file is reachable by whoever
holds `retention.review` at an establishment the child was ever on roll or placed at: a file comes up for
review long after the child has left. Deny by default; 404 for missing and not yours alike."""

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django.db import transaction
from django.db.models import Prefetch

from safekeep.audit.services import audit_record
from safekeep.authz.access import establishments_where, get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.models import Child, Enrolment
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import packs_for_each
from safekeep.policy import retention
from safekeep.policy.packs import parse_packs_once, shipped_texts
from safekeep.policy.retention import FROM_DATE_OF_BIRTH, Review, RetentionRule

from .models import LegalHold, RetentionReview, Tombstone


@dataclass
class FileStanding:
    """Where a child's file stands: its rule and review date, any hold, the last decision."""
    child: Child
    establishments: list[Establishment]
    review: Review | None
    holds: list[LegalHold] = field(default_factory=list)  # active only
    decisions: list[RetentionReview] = field(default_factory=list)  # newest first
    today: date | None = None

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
    review = retention.child_review(rules, date_of_birth=child.date_of_birth, kinds={p.kind for p in places})
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


def _role(actor, permission=Permission.RETENTION_REVIEW) -> str:
    role = scope_for(actor).role_for(permission)
    return str(role) if role is not None else ""


@transaction.atomic
def review_list(actor) -> list[FileStanding]:
    """The files due for review, held, or awaiting a second person's approval, soonest first. Only children
    old enough for the shortest rule to have run, or with a hold or a decision, are read one by one."""
    today = clock.today()
    places = Establishment.objects.filter(pk__in=establishments_where(actor, Permission.RETENTION_REVIEW))
    packs_by_place = packs_for_each(places)
    shortest = min((rule.keep_years for packs in packs_by_place.values() for rule in _rules(packs)
                    if rule.starts == FROM_DATE_OF_BIRTH), default=None)
    visible = files_visible_to(actor)
    born_by = retention.add_years(today, -shortest) if shortest is not None else date.min
    candidates = (visible.filter(date_of_birth__lte=born_by)
                  | visible.filter(legal_holds__lifted_at__isnull=True)
                  | visible.filter(retention_reviews__isnull=False)).distinct()
    children = list(_with_everything(candidates))
    # The rules of places the child was at that the reviewer does not reach count too.
    elsewhere = {e.establishment for child in children for e in child.enrolments.all()
                 if e.establishment_id not in packs_by_place}
    packs_by_place |= packs_for_each(elsewhere)
    files = [_standing(child, packs_by_place, today) for child in children]
    files = [f for f in files if f.status != retention.NOT_DUE or f.proposal is not None]
    files.sort(key=lambda f: (f.review_on or date.max, f.child.last_name, f.child.pk))
    audit_record(actor=actor, action="retention.list.view", object_type="retention", role=_role(actor),
                 detail={"shown": len(files)})
    return files


def destruction_blockers(child) -> list[str]:
    """Why the file cannot be destroyed whole: records it shares with another child's file (they are kept
    with that file) and allegations about adults (kept under their own rule). Empty: nothing stops it."""
    blockers = []
    concerns = ConcernChild.objects.filter(child=child).values("concern_id")
    if ConcernChild.objects.filter(concern_id__in=concerns).exclude(child=child).exists():
        blockers.append("A concern about this child also names another child: it is kept with that child's file.")
    if Concern.objects.filter(pk__in=concerns, about_adult=True).exists():
        blockers.append("An allegation about an adult names this child: it is kept under the allegation rule.")
    for model, through, source, target in shared_records():
        parents = through.objects.filter(**{target: child.pk}).values(source)
        if through.objects.filter(**{f"{source}__in": parents}).exclude(**{target: child.pk}).exists():
            blockers.append(f"A {model._meta.verbose_name} about this child also names another child: it is kept "
                            "with that child's file.")
    return blockers


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
