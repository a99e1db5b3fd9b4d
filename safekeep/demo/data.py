"""The demo organisations: fictional people and children, deterministic so tests and docs can name them.

Modelled on the two policies: a group running schools, children's homes and integrated
school/home pairs in England, with the local contacts of the exploitation policy's
section 12; and a schools trust. Everything is written through the same services the
screens use, as the organisation's administrator.
"""

import csv
import io
import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from safekeep.accounts import services as accounts
from safekeep.accounts.models import User
from safekeep.authz import services as authz
from safekeep.authz.models import RoleMembership
from safekeep.authz.selectors import approvers_for
from safekeep.authz.roles import Role
from safekeep.children.models import Child
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.establishments import services as establishments
from safekeep.establishments.models import Establishment, LocalContact, Organisation, Region
from safekeep.imports import services as imports
from safekeep.referrals import services as referrals

DEMO_PASSWORD = "Safekeep-demo-2026"
SEED = 20261123


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    job_title: str
    role: Role
    where: str  # establishment or region name, or "" for the whole organisation
    organisation: str


GROUP = "Harbour Education and Care Group"
TRUST = "St Aidan's Schools Trust"
SOUTH_EAST, MIDLANDS = "London and the South East", "Midlands"

ESTABLISHMENTS = [
    # (organisation, name, kind, region, local authority)
    (GROUP, "Manor Field School", Establishment.Kind.SCHOOL, SOUTH_EAST, "Hillingdon"),
    (GROUP, "Yiewsley House", Establishment.Kind.CHILDRENS_HOME, SOUTH_EAST, "Hillingdon"),
    (GROUP, "Upton House", Establishment.Kind.CHILDRENS_HOME, SOUTH_EAST, "Slough"),
    (GROUP, "Meadow View School", Establishment.Kind.SCHOOL, MIDLANDS, "Leicestershire"),
    (GROUP, "Meadow View House", Establishment.Kind.CHILDRENS_HOME, MIDLANDS, "Leicestershire"),
    (TRUST, "St Aidan's Primary School", Establishment.Kind.SCHOOL, None, "Suffolk"),
    (TRUST, "Kingsfield Academy", Establishment.Kind.SCHOOL, None, "Suffolk"),
]
LINKED_PAIRS = [("Manor Field School", "Yiewsley House"), ("Meadow View School", "Meadow View House")]

# Exploitation policy 12.0: the local authority front doors for the group's Hillingdon and Slough homes and school.
HILLINGDON = dict(kind=LocalContact.Kind.LA_FRONT_DOOR, name="Hillingdon Stronger Families", phone="01895 556006",
                  url="https://www.hillingdon.gov.uk/stronger-families",
                  notes="All referrals about exploitation (exploitation policy 12.0).")
SLOUGH = dict(kind=LocalContact.Kind.LA_FRONT_DOOR, name="Slough Children First", phone="01753 875362",
              url="https://www.sloughchildrenfirst.co.uk/first-contact/",
              notes="All referrals about exploitation (exploitation policy 12.0).")
LOCAL_CONTACTS = {
    "Manor Field School": [HILLINGDON],
    "Yiewsley House": [HILLINGDON],
    "Upton House": [SLOUGH],
    "Meadow View School": [dict(kind=LocalContact.Kind.LA_FRONT_DOOR, name="Leicestershire children's services",
                                notes="Fictional demo contact.")],
    "St Aidan's Primary School": [dict(kind=LocalContact.Kind.LA_FRONT_DOOR, name="Suffolk children's services",
                                       notes="Fictional demo contact.")],
}

PEOPLE = [
    DemoPerson("admin@harbour.example", "Sam Okafor", "Safekeep administrator", Role.ADMINISTRATOR, "", GROUP),
    DemoPerson("dsl@harbour.example", "Priya Shah", "Designated safeguarding lead", Role.DSL,
               "Manor Field School", GROUP),
    DemoPerson("deputy@harbour.example", "Tom Ellis", "Deputy designated safeguarding lead", Role.DEPUTY_DSL,
               "Manor Field School", GROUP),
    DemoPerson("staff@harbour.example", "Jo Brennan", "Teaching assistant", Role.STAFF, "Manor Field School", GROUP),
    DemoPerson("head@harbour.example", "Ruth Adeyemi", "Headteacher", Role.HEAD, "Manor Field School", GROUP),
    DemoPerson("home-lead@harbour.example", "Dan Price", "Safeguarding lead", Role.DSL, "Yiewsley House", GROUP),
    DemoPerson("manager@harbour.example", "Lena Novak", "Registered manager", Role.HEAD, "Yiewsley House", GROUP),
    DemoPerson("care@harbour.example", "Kofi Mensah", "Residential care worker", Role.STAFF, "Yiewsley House", GROUP),
    DemoPerson("upton-lead@harbour.example", "Grace Hill", "Safeguarding lead", Role.DSL, "Upton House", GROUP),
    DemoPerson("meadow-dsl@harbour.example", "Owen Clarke", "Designated safeguarding lead", Role.DSL,
               "Meadow View School", GROUP),
    DemoPerson("regional@harbour.example", "Helen Marsh", "Regional director", Role.REGIONAL_DIRECTOR, SOUTH_EAST,
               GROUP),
    DemoPerson("group-head@harbour.example", "Ayesha Khan", "Group head of safeguarding", Role.GROUP_HEAD, "", GROUP),
    DemoPerson("dpo@harbour.example", "Mark Fielding", "Data protection officer", Role.DPO, "", GROUP),
    DemoPerson("governor@harbour.example", "Irene Walsh", "Chair of governors", Role.GOVERNOR, "Manor Field School",
               GROUP),
    DemoPerson("admin@staidans.example", "Chris Lowe", "Safekeep administrator", Role.ADMINISTRATOR, "", TRUST),
    DemoPerson("dsl@staidans.example", "Beth Morgan", "Designated safeguarding lead", Role.DSL, "Kingsfield Academy",
               TRUST),
    DemoPerson("staff@staidans.example", "Nadia Hussain", "Teacher", Role.STAFF, "Kingsfield Academy", TRUST),
]
# The four a newcomer is told about first.
HEADLINE = ["dsl@harbour.example", "staff@harbour.example", "group-head@harbour.example", "admin@harbour.example"]

FIRST = ["Aaliyah", "Ben", "Chloe", "Dylan", "Ella", "Finn", "Grace", "Harry", "Isla", "Jack", "Kai", "Lily",
         "Mason", "Nia", "Oscar", "Poppy", "Reuben", "Sofia", "Theo", "Zara", "Amir", "Bethan", "Callum", "Divya"]
LAST = ["Ahmed", "Baker", "Campbell", "Davies", "Evans", "Fletcher", "Green", "Hughes", "Iqbal", "Jones", "Kowalski",
        "Lewis", "Morris", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Singh", "Turner", "Walker", "Young"]


def build(stdout=None) -> bool:
    """Create the demo organisations. Returns False when they already exist (nothing is changed)."""
    if Organisation.objects.filter(name=GROUP).exists():
        return False
    rng = random.Random(SEED)
    admins = {}
    for org_name, kind, email_domain, regions, packs in [
        (GROUP, Organisation.Kind.GROUP, "harbour.example", [SOUTH_EAST, MIDLANDS],
         ("statutory-baseline", "child-exploitation", "child-on-child-abuse")),
        (TRUST, Organisation.Kind.TRUST, "staidans.example", [], ("statutory-baseline", "child-on-child-abuse")),
    ]:
        admin = next(p for p in PEOPLE if p.organisation == org_name and p.role == Role.ADMINISTRATOR)
        organisation, admin_user = establishments.organisation_bootstrap(
            name=org_name, kind=kind, safeguarding_email=f"safeguarding@{email_domain}", admin_email=admin.email,
            admin_name=admin.name, regions=regions, packs=packs)
        admins[org_name] = admin_user
    places = {}
    for org_name, name, kind, region, authority in ESTABLISHMENTS:
        actor = admins[org_name]
        organisation = actor.organisation
        places[name] = establishments.establishment_create(
            actor=actor, organisation=organisation, name=name, kind=kind, nation=Establishment.Nation.ENGLAND,
            region=Region.objects.get(organisation=organisation, name=region) if region else None,
            local_authority=authority, urn=str(rng.randint(100000, 150000)), is_active=True)
        for contact in LOCAL_CONTACTS.get(name, []):
            establishments.local_contact_add(actor=actor, establishment=places[name], **contact)
    for first, second in LINKED_PAIRS:
        establishments.establishment_link(actor=admins[GROUP], first=places[first], second=places[second])
    for person in PEOPLE:
        actor = admins[person.organisation]
        user = User.objects.filter(email=person.email).first() or accounts.person_create(
            actor=actor, organisation=actor.organisation, email=person.email, full_name=person.name,
            job_title=person.job_title)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        if person.role == Role.ADMINISTRATOR:
            pass  # given by organisation_bootstrap
        elif person.where in places:
            authz.role_grant(actor=actor, person=user, role=person.role, establishment=places[person.where])
        elif person.where:
            authz.role_grant(actor=actor, person=user, role=person.role,
                             region=Region.objects.get(organisation=actor.organisation, name=person.where))
        else:
            authz.role_grant(actor=actor, person=user, role=person.role, organisation=actor.organisation)
        _enrol_totp(user)
    _approve_roles()
    _load_children(rng, admins, places)
    _casework(admins, places)
    return True


def _approve_roles():
    """The roles that read case content wait for a second person: the group head approves them; the
    organisation's first (the group head, or a trust's DSL) is approved by the platform operator."""
    widest_first = {"organisation": 0, "region": 1, "establishment": 2}
    for membership in sorted(RoleMembership.objects.pending(), key=lambda m: (widest_first[m.scope], m.pk)):
        approvers = approvers_for(membership)
        authz.role_grant_decide(actor=approvers[0] if approvers else None, membership=membership, approve=True)


# Places at Manor Field School, as staff call them (on site, off site, online).
MANOR_FIELD_PLACES = [("on_site", "Playground"), ("on_site", "Year 7 toilets"), ("off_site", "Bus stop on Park Road"),
                      ("online", "Snapchat")]


def _casework(admins, places):
    """A little of what a DSL finds on a Monday: an exploitation concern about the child at both halves of
    the integrated pair, and a child-on-child concern about three pupils; one triaged, one referred.
    Written through the services, as the people who would do it."""
    school = places["Manor Field School"]
    where = {name: establishments.location_add(actor=admins[GROUP], establishment=school, kind=kind, name=name)
             for kind, name in MANOR_FIELD_PLACES}
    staff = User.objects.get(email="staff@harbour.example")
    dsl = User.objects.get(email="dsl@harbour.example")
    alfie = Child.objects.get(first_name="Alexander", last_name="Khan")
    missing = next(sign for sign in sorted(concerns.indicators_offered(school)) if "missing" in sign.lower())
    yesterday = clock.now() - timedelta(days=1)
    concerns.concern_submit(
        actor=staff, establishment=school, place=where["Bus stop on Park Road"], occurred_at=yesterday,
        children=[{"child": alfie, "role": "harmed", "categories": ["cce"], "indicators": [missing]}],
        narrative="Alfie came in late again with new trainers and a second phone. He would not say where from.",
        childs_words="they said I owe them for the trainers", disclosure=True, told_dsl_in_person=True,
        action_taken="Listened, did not promise to keep it secret, told him I would pass it to Ms Shah.",
        idempotency_key="demo-alfie")
    pupils = list(Child.objects.filter(enrolments__establishment=school).exclude(pk=alfie.pk)
                  .order_by("last_name", "first_name")[:3])
    harassment, _ = concerns.concern_submit(
        actor=staff, establishment=school, place=where["Year 7 toilets"], occurred_at=yesterday,
        children=[{"child": pupils[0], "role": "harmed", "categories": ["coc_sexual_harassment"]},
                  {"child": pupils[1], "role": "alleged_responsible", "categories": ["coc_sexual_harassment"]},
                  {"child": pupils[2], "role": "witness", "categories": []}],
        narrative="Comments about her body shouted across the toilets; others laughed. She left in tears.",
        childs_words="he keeps saying it every day", idempotency_key="demo-harassment")
    harmed = harassment.children_involved.get(child=pupils[0])
    concerns.triage_record(actor=dsl, involved=harmed, risk="medium", outcome="monitor",
                           rationale="Repeated over a week; she is frightened to go to the toilets.",
                           categories=["coc_sexual_harassment"])
    referrals.referral_record(
        actor=dsl, establishment=school, child=alfie, agency="childrens_services",
        contact=school.local_contacts.first(), made_at=clock.now() - timedelta(hours=2), how="phone",
        reference="HSF-DEMO-01", what_shared="The concern of yesterday and the chronology.", consent="given",
        lawful_basis="public-task-safeguarding", secure_handling_agreed=True)


def _enrol_totp(user):
    TOTP.activate(user, generate_totp_secret())


def _children_csv(rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Admission Number", "UPN", "Legal Forename", "Legal Surname", "Preferred Forename",
                     "Date of Birth", "Gender", "Year Group", "SEN Status", "Looked After", "Placing Authority"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _load_children(rng, admins, places):
    year_of_birth = {"Year 3": 2018, "Year 5": 2016, "Year 7": 2014, "Year 9": 2012, "Year 10": 2011, "Year 11": 2010}
    counter = 0
    pupils = {}
    for name, establishment in places.items():
        rows = []
        count = 8 if establishment.kind == Establishment.Kind.CHILDRENS_HOME else 16
        for _ in range(count):
            counter += 1
            year = rng.choice(list(year_of_birth))
            looked_after = establishment.kind == Establishment.Kind.CHILDRENS_HOME or rng.random() < 0.1
            rows.append([
                f"{counter:05d}", f"A{rng.randint(10**10, 10**11 - 1)}{rng.randint(0, 9)}"[:13],
                rng.choice(FIRST), rng.choice(LAST), "", f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/"
                f"{year_of_birth[year]}", rng.choice(["Female", "Male"]), year, rng.choice(["N", "N", "N", "K", "E"]),
                "Yes" if looked_after else "No", rng.choice(["Hillingdon", "Slough", "Ealing"]) if looked_after else "",
            ])
        pupils[name] = rows
    # Integrated pairs: the home's residents attend the linked school, with the same UPN.
    for school, home in LINKED_PAIRS:
        pupils[school] += [[f"S{row[0]}", *row[1:]] for row in pupils[home][:5]]
    # A recognisable child the docs and tests can name.
    pupils["Manor Field School"].append(["09001", "A123456789012", "Alexander", "Khan", "Alfie", "14/03/2012",
                                         "Male", "Year 9", "K", "Yes", "Hillingdon"])
    pupils["Yiewsley House"].append(["H9001", "A123456789012", "Alexander", "Khan", "Alfie", "14/03/2012",
                                     "Male", "Year 9", "K", "Yes", "Hillingdon"])
    for name, rows in pupils.items():
        establishment = places[name]
        actor = admins[establishment.organisation.name]
        batch, errors = imports.import_check(actor=actor, establishment=establishment, kind="children",
                                             file_name=f"demo-{name}.csv", data=_children_csv(rows))
        if errors:
            raise RuntimeError(f"Demo data for {name} did not pass its own import check: {errors[:3]}")
        imports.import_start(actor=actor, batch=batch, background=False)
