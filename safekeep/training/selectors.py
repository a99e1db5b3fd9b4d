"""Training currency, counted by the database (docs/domain/records-lifecycle.md).

A course is current while its last completion is due on or after today: the cut-off date comes from the course's
cycle (policy/training.py), so "who is current" is a comparison of completed_on with one date, per course, in SQL.
Pages ask a fixed number of queries per course, whatever the number of staff or completions.

Who may see whom: a person's training is seen by those who hold the permission at an establishment where the
person holds a role now (people_visible_to); anyone else gets a 404, as if the person did not exist.
"""

from dataclasses import dataclass, field
from datetime import date
from functools import reduce
from operator import or_

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery

from safekeep.accounts.models import User
from safekeep.authz.access import establishments_where, get_visible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Permission, Scope
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import packs_for, packs_for_each
from safekeep.policy.training import Course, Standing, courses_in

from .models import TrainingCompletion


def courses_at(establishment) -> list[Course]:
    """The courses the establishment's adopted packs name."""
    return courses_in(packs_for(establishment))


def roles_held_at(establishment_ids, roles=None):
    """Current roles held at these establishments (not for a region or an organisation), by active people."""
    memberships = RoleMembership.objects.current().filter(scope=Scope.ESTABLISHMENT,
                                                          establishment_id__in=establishment_ids,
                                                          user__is_active=True)
    return memberships if roles is None else memberships.filter(role__in=roles)


def people_visible_to(actor, permission: Permission):
    """The people whose training this person may see or record: those holding a role now at an establishment
    where the person holds the permission."""
    places = establishments_where(actor, permission)
    return User.objects.filter(pk__in=roles_held_at(places).values("user_id"))


def access_person(actor, permission: Permission, person_id, action: str) -> User:
    return get_visible(people_visible_to(actor, permission), person_id, action)


def shared_establishment(actor, permission: Permission, person) -> Establishment:
    """Where the actor sees this person from: the first establishment (by name) where both meet."""
    places = establishments_where(actor, permission)
    return (Establishment.objects.filter(pk__in=roles_held_at(places).filter(user=person).values("establishment_id"))
            .order_by("name", "pk").first())


def _current(course: Course, today: date, person_ref: str = "pk") -> Exists:
    """The person (OuterRef person_ref) has a completion of the course that is current today."""
    completions = TrainingCompletion.objects.filter(person=OuterRef(person_ref), course_code=course.code)
    start = course.current_from(today)
    return Exists(completions if start is None else completions.filter(completed_on__gte=start))


def _last(course: Course, person_ref: str = "pk") -> Subquery:
    return Subquery(TrainingCompletion.objects.filter(person=OuterRef(person_ref), course_code=course.code)
                    .order_by("-completed_on").values("completed_on")[:1])


# --- one person's own training -----------------------------------------------------------------

@dataclass
class PersonCourse:
    course: Course
    last_completed: date | None
    standing: Standing
    due_on: date | None
    establishments: list[str] = field(default_factory=list)

    @property
    def needs_doing(self) -> bool:
        return self.standing in (Standing.OVERDUE, Standing.NOT_RECORDED)


ORDER = {Standing.OVERDUE: 0, Standing.NOT_RECORDED: 1, Standing.EXPIRING: 2, Standing.CURRENT: 3}


def training_of(person, *, today: date | None = None) -> list[PersonCourse]:
    """The courses asked of this person by the roles they hold at each establishment, with when each is due:
    overdue and never recorded first, then expiring soon, then current. Three queries."""
    today = today or clock.today()
    memberships = list(RoleMembership.objects.current().filter(user=person, scope=Scope.ESTABLISHMENT)
                       .select_related("establishment").order_by("establishment__name", "pk"))
    places = {m.establishment_id: m.establishment for m in memberships}
    packs = packs_for_each(places.values())
    last = dict(TrainingCompletion.objects.filter(person=person).values("course_code")
                .annotate(last=Max("completed_on")).values_list("course_code", "last"))
    rows: dict[str, PersonCourse] = {}
    for membership in memberships:
        for course in courses_in(packs[membership.establishment_id]):
            if membership.role not in course.roles:
                continue
            row = rows.get(course.code)
            if row is None:
                done = last.get(course.code)
                row = rows[course.code] = PersonCourse(course, done, course.standing(done, today),
                                                       course.due_on(done) if done else None)
            name = places[membership.establishment_id].name
            if name not in row.establishments:
                row.establishments.append(name)
    return sorted(rows.values(), key=lambda r: (ORDER[r.standing], r.due_on or date.min, r.course.title))


def completions_of(person, courses) -> list[TrainingCompletion]:
    """Everything recorded for the person, newest first, each with its course's title (`title`) where the packs
    still name it."""
    titles = {course.code: course.title for course in courses}
    completions = list(TrainingCompletion.objects.filter(person=person).select_related("recorded_by"))
    for completion in completions:
        completion.title = titles.get(completion.course_code, completion.course_code)
    return completions


# --- an establishment's currency --------------------------------------------------------------------

@dataclass
class Someone:
    person: User
    last_completed: date | None
    due_on: date | None


@dataclass
class CourseCurrency:
    course: Course
    people: int = 0
    current: int = 0
    expiring: list[Someone] = field(default_factory=list)
    overdue: list[Someone] = field(default_factory=list)  # overdue, or never recorded

    @property
    def percent(self) -> int | None:
        return None if not self.people else round(100 * self.current / self.people)


def establishment_currency(establishment, *, today: date | None = None) -> list[CourseCurrency]:
    """Per course: how many of its audience are current, and who is overdue or expiring soon. Two queries a course:
    the count, and the people not comfortably current (those the page names)."""
    today = today or clock.today()
    result = []
    for course in courses_at(establishment):
        audience = User.objects.filter(pk__in=roles_held_at([establishment.pk], course.roles).values("user_id"))
        counted = audience.annotate(is_current=_current(course, today)).aggregate(
            people=Count("pk"), current=Count("pk", filter=Q(is_current=True)))
        currency = CourseCurrency(course, people=counted["people"], current=counted["current"])
        attention = audience.annotate(last=_last(course)).order_by("full_name", "email")
        if course.months is None:
            attention = attention.filter(last__isnull=True)
        else:
            attention = attention.filter(Q(last__isnull=True) | Q(last__lt=course.not_expiring_from(today)))
        for person in attention:
            due = course.due_on(person.last) if person.last else None
            someone = Someone(person, person.last, due)
            standing = course.standing(person.last, today)
            (currency.expiring if standing == Standing.EXPIRING else currency.overdue).append(someone)
        result.append(currency)
    return result


# --- across establishments ------------------------------------------------------------------------

def courses_followed(establishments) -> dict[tuple, tuple[Course, set[int]]]:
    """Each distinct course (code and cycle) the establishments follow, with the establishments following it."""
    packs = packs_for_each(establishments)
    found: dict[tuple, tuple[Course, set[int]]] = {}
    for establishment_id, adopted in packs.items():
        for course in courses_in(adopted):
            key = (course.code, course.months, course.audience)
            found.setdefault(key, (course, set()))[1].add(establishment_id)
    return found


def overdue_people_counts(establishment_ids, *, today: date | None = None) -> dict[int, int]:
    """Establishment id -> how many people there have at least one course overdue or never recorded. One query,
    plus the packs."""
    today = today or clock.today()
    establishments = list(Establishment.objects.filter(pk__in=establishment_ids))
    definitions = courses_followed(establishments)
    if not definitions:
        return {}
    overdue = reduce(or_, (Q(establishment_id__in=ids, role__in=course.roles) & ~_current(course, today, "user_id")
                           for course, ids in definitions.values()))
    counts = (roles_held_at([e.pk for e in establishments]).filter(overdue).values("establishment_id")
              .annotate(people=Count("user_id", distinct=True)))
    return {row["establishment_id"]: row["people"] for row in counts}


@dataclass
class Cell:
    followed: bool  # the establishment's packs name the course
    percent: int | None = None  # None: nobody there is asked to do it


@dataclass
class EstablishmentRow:
    establishment: Establishment
    overdue_people: int = 0
    percents: dict[str, int | None] = field(default_factory=dict)  # course code -> % current, for followed courses
    cells: list[Cell] = field(default_factory=list)  # one per column, in the columns' order


def group_currency(actor, *, today: date | None = None) -> tuple[list[Course], list[EstablishmentRow]]:
    """One row per establishment the person oversees, with the share of each course's audience that is current.
    A query per distinct course, whatever the number of establishments."""
    today = today or clock.today()
    ids = establishments_where(actor, Permission.TRAINING_VIEW_GROUP)
    establishments = list(Establishment.objects.filter(pk__in=ids, is_active=True).order_by("name", "pk"))
    definitions = courses_followed(establishments)
    rows = {e.pk: EstablishmentRow(e) for e in establishments}
    columns: dict[str, Course] = {}
    for course, following in definitions.values():
        columns.setdefault(course.code, course)
        counts = (roles_held_at(following, course.roles).annotate(is_current=_current(course, today, "user_id"))
                  .values("establishment_id")
                  .annotate(people=Count("user_id", distinct=True),
                            current=Count("user_id", distinct=True, filter=Q(is_current=True))))
        for establishment_id in following:
            rows[establishment_id].percents[course.code] = None
        for row in counts:
            rows[row["establishment_id"]].percents[course.code] = (
                round(100 * row["current"] / row["people"]) if row["people"] else None)
    for establishment_id, people in overdue_people_counts(ids, today=today).items():
        if establishment_id in rows:
            rows[establishment_id].overdue_people = people
    for row in rows.values():
        row.cells = [Cell(code in row.percents, row.percents.get(code)) for code in columns]
    return list(columns.values()), list(rows.values())
