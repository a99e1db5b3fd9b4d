"""The group itself: one organisation with regions, establishments (schools, children's homes, colleges; some
school and home pairs linked as integrated education and care), their places and local contacts, people in
every role, and children on roll or placed, some at both halves of a pair.

Proportions follow the group measured in issue 12: 200 establishments and about 100,000 children for
1,000,000 concerns over five years (one child for every ten concerns). The first establishment is the
busiest (School 1, half of an integrated pair with Home 2): its DSL is dsl-100000@bench.example. People's
addresses are <role>-<URN>@bench.example, and group-head@, dpo@ and admin@bench.example; none has a second
factor yet (a benchmark that signs in sets up TOTP for the people it uses)."""

import random
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from safekeep.accounts.models import User
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Role, Scope
from safekeep.children.models import Child, Enrolment
from safekeep.establishments.models import Establishment, EstablishmentLink, LocalContact, Location, Organisation, Region
from safekeep.packs.services import shipped_packs_install

PASSWORD = "Safekeep-bench-2026"  # every generated person's password (bench only)
PACKS = ("statutory-baseline", "child-exploitation", "child-on-child-abuse")
PLACES = (("on_site", "Playground"), ("on_site", "Classroom"), ("on_site", "Corridor"), ("off_site", "Bus stop"),
          ("online", "Social media"))
FIRST = ("Alfie", "Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hamza", "Isla", "Jay", "Kai", "Lily",
         "Mia", "Noah", "Olivia", "Priya", "Reuben", "Sofia", "Tom", "Zara")
LAST = ("Ahmed", "Brown", "Clarke", "Davies", "Evans", "Green", "Hughes", "Jones", "Khan", "Lewis", "Martin",
        "Nowak", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Wilson", "Wright", "Young")
STAFF_PER_ESTABLISHMENT = 6
BUSIER = 0.35  # how steeply concerns and children fall from the busiest establishment to the quietest
FEWEST_CHILDREN = 4  # at every establishment, so a concern can name several  # the people who record most concerns; the team below decides on them


@dataclass
class Group:
    organisation: Organisation
    establishments: list = field(default_factory=list)
    pairs: list = field(default_factory=list)  # (school, home) linked as integrated education and care
    children_at: dict = field(default_factory=dict)  # establishment pk -> [Child]
    staff_at: dict = field(default_factory=dict)  # establishment pk -> [User] who record concerns
    dsl_at: dict = field(default_factory=dict)  # establishment pk -> the DSL (or safeguarding lead)
    places_at: dict = field(default_factory=dict)  # establishment pk -> [Location]
    people: dict = field(default_factory=dict)  # role -> one person holding it (organisation-wide ones)


def children_for(concerns: int, establishments: int) -> int:
    return max(concerns // 10, establishments * FEWEST_CHILDREN)


def busyness(establishments) -> list[float]:
    """Some establishments are much busier than others: in the measured group the busiest held 2.1 % of all
    concerns (20,739 of 997,449), about what these weights give the first of 200."""
    return [1 / (rank + 1) ** BUSIER for rank in range(len(establishments))]


def build_group(*, establishments: int, children: int, seed: int, name: str = "Harbour Bench Group") -> Group:
    """Writes the group in bulk (none of this is case content, and no service records it: an administrator's
    set-up screens would, one at a time)."""
    rng = random.Random(seed)
    organisation = Organisation.objects.create(name=name, kind=Organisation.Kind.GROUP,
                                               safeguarding_email="safeguarding@bench.example")
    shipped_packs_install(organisation=organisation, adopt=PACKS)
    regions = Region.objects.bulk_create([Region(organisation=organisation, name=f"Region {n + 1}")
                                          for n in range(max(1, establishments // 20))])
    pairs = max(1, establishments // 10)  # one establishment in five is half of an integrated pair
    kinds = []
    for n in range(establishments):
        if n < 2 * pairs:
            kinds.append(Establishment.Kind.SCHOOL if n % 2 == 0 else Establishment.Kind.CHILDRENS_HOME)
        else:
            kinds.append(rng.choices([Establishment.Kind.SCHOOL, Establishment.Kind.CHILDRENS_HOME,
                                      Establishment.Kind.COLLEGE], weights=[70, 20, 10])[0])
    group = Group(organisation=organisation)
    group.establishments = Establishment.objects.bulk_create([
        Establishment(organisation=organisation, region=regions[n % len(regions)], kind=kind,
                      name=f"{'School' if kind == 'school' else 'Home' if kind == 'childrens_home' else 'College'} "
                           f"{n + 1}", urn=f"{100000 + n}", local_authority="Hillingdon")
        for n, kind in enumerate(kinds)])
    group.pairs = [(group.establishments[2 * n], group.establishments[2 * n + 1]) for n in range(pairs)]
    EstablishmentLink.objects.bulk_create([EstablishmentLink(first=school, second=home) for school, home in group.pairs])
    places = Location.objects.bulk_create([Location(establishment=e, kind=kind, name=name)
                                           for e in group.establishments for kind, name in PLACES])
    for place in places:
        group.places_at.setdefault(place.establishment_id, []).append(place)
    LocalContact.objects.bulk_create([
        LocalContact(establishment=e, kind=kind, name=f"{label} for {e.name}")
        for e in group.establishments for kind, label in (("la_front_door", "Hillingdon Stronger Families"),
                                                           ("lado", "LADO"), ("police", "Police"))])
    _people(group, regions)
    _children(group, children, rng)
    return group


def _people(group: Group, regions) -> None:
    # Hashed once (hashing 2,000 passwords would take minutes), and with the hasher production settings use
    # first: the page benchmarks sign these people in under production settings, which do not accept the test
    # settings' quick hasher.
    password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    users, grants = [], []

    def person(email, name, role, **where):
        user = User(email=email, full_name=name, organisation=group.organisation, password=password)
        users.append(user)
        grants.append((user, role, where))
        return user

    for e in group.establishments:
        n = e.urn
        group.dsl_at[e.pk] = person(f"dsl-{n}@bench.example", f"Dsl {n}", Role.DSL, establishment=e)
        person(f"deputy-{n}@bench.example", f"Deputy {n}", Role.DEPUTY_DSL, establishment=e)
        person(f"head-{n}@bench.example", f"Head {n}", Role.HEAD, establishment=e)
        person(f"governor-{n}@bench.example", f"Governor {n}", Role.GOVERNOR, establishment=e)
        group.staff_at[e.pk] = [person(f"staff-{n}-{k}@bench.example", f"Staff {n} {k}", Role.STAFF, establishment=e)
                                for k in range(STAFF_PER_ESTABLISHMENT)]
    for region in regions:
        person(f"regional-{region.pk}@bench.example", f"Regional {region.name}", Role.REGIONAL_DIRECTOR, region=region)
    for role, email in ((Role.GROUP_HEAD, "group-head"), (Role.DPO, "dpo"), (Role.ADMINISTRATOR, "admin")):
        group.people[role] = person(f"{email}@bench.example", email.replace("-", " ").title(), role)
    User.objects.bulk_create(users)
    RoleMembership.objects.bulk_create([
        RoleMembership(user=user, role=role, organisation=group.organisation,
                       scope=Scope.ESTABLISHMENT if "establishment" in where else
                       Scope.REGION if "region" in where else Scope.ORGANISATION, **where)  # neither: organisation-wide
        for user, role, where in grants])


def _children(group: Group, count: int, rng: random.Random) -> None:
    kids = Child.objects.bulk_create([
        Child(organisation=group.organisation, first_name=rng.choice(FIRST), last_name=rng.choice(LAST),
              date_of_birth=date(2008 + rng.randrange(12), rng.randrange(1, 13), rng.randrange(1, 29)),
              looked_after=rng.random() < 0.08, year_group="")
        for _ in range(count)])
    enrolments = []
    homes = {home.pk: school for school, home in group.pairs}
    weights = busyness(group.establishments)
    for n, child in enumerate(kids):
        if n < FEWEST_CHILDREN * len(group.establishments):
            establishment = group.establishments[n % len(group.establishments)]
        else:
            establishment = rng.choices(group.establishments, weights=weights)[0]
        placement = establishment.kind == Establishment.Kind.CHILDRENS_HOME
        enrolments.append(Enrolment(child=child, establishment=establishment, mis_id=f"C{child.pk}",
                                    kind=Enrolment.Kind.PLACEMENT if placement else Enrolment.Kind.ENROLMENT))
        group.children_at.setdefault(establishment.pk, []).append(child)
        if establishment.pk in homes:  # placed at the home and on roll at its linked school (CE 11.3)
            school = homes[establishment.pk]
            enrolments.append(Enrolment(child=child, establishment=school, mis_id=f"S{child.pk}"))
            group.children_at.setdefault(school.pk, []).append(child)
    Enrolment.objects.bulk_create(enrolments)
