"""A small, fixed world for access tests: two organisations, establishments in every relation to
the personas' own, a child and a person at each, and one persona per role.

Personas hold their role at "here": establishment A for establishment roles, region 1 for
regional roles, organisation 1 for organisation roles. Objects sit:
  here          establishment A (region 1, organisation 1)
  region        establishment B (region 1, organisation 1)
  organisation  establishment C (region 2, organisation 1)
  elsewhere     establishment D (organisation 2)
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from safekeep.accounts.models import User
from safekeep.actions.models import Action
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import ROLES, Role, Scope
from safekeep.children.models import Child, Enrolment
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.establishments.models import Establishment, EstablishmentLink, LocalContact, Location, Organisation, Region
from safekeep.imports.models import ImportBatch
from safekeep.referrals.models import NrmTracker, Referral
from safekeep.safetyplans.models import SafetyPlan, SafetyPlanVersion, Sanction

LOCATIONS = ("here", "region", "organisation", "elsewhere")
PASSWORD = "a long test password 42"


@dataclass
class World:
    organisations: dict = field(default_factory=dict)
    establishments: dict = field(default_factory=dict)
    children: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)  # location -> a staff member there
    contacts: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)  # location -> a place on that establishment's list
    memberships: dict = field(default_factory=dict)  # location -> that staff member's membership
    batches: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)  # location -> an open action for that child, owned by the DSL
    concerns: dict = field(default_factory=dict)  # location -> a concern recorded there by its member of staff
    attachments: dict = field(default_factory=dict)  # location -> a photo on that concern
    referrals: dict = field(default_factory=dict)  # location -> a referral its member of staff made
    nrm_trackers: dict = field(default_factory=dict)  # location -> an NRM tracker for the child there
    plans: dict = field(default_factory=dict)  # location -> a safety plan for the child there, from its concern
    sanctions: dict = field(default_factory=dict)  # location -> a sanction for the child there
    shares: dict = field(default_factory=dict)  # location -> a share in the register about the child there
    meetings: dict = field(default_factory=dict)  # location -> a meeting about the child there
    personas: dict = field(default_factory=dict)  # role -> user
    pack_version: object = None  # a shipped policy pack version (visible to every organisation)


def make_user(email, organisation, name=None) -> User:
    user = User.objects.create_user(email, PASSWORD, full_name=name or email.split("@")[0].title(),
                                    organisation=organisation)
    return user


def give_role(user, role, *, establishment=None, region=None, organisation=None):
    organisation = organisation or (establishment or region).organisation
    scope = Scope.ESTABLISHMENT if establishment else Scope.REGION if region else Scope.ORGANISATION
    return RoleMembership.objects.create(user=user, role=role, scope=scope, organisation=organisation,
                                         region=region, establishment=establishment)


def enrol_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def steady_step() -> int:
    """The current 30-second TOTP step, waiting for the next one if this is about to end, so a code
    computed now is still current when the request arrives (a person would glance at the next code)."""
    import time

    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.05)
    return int(time.time()) // 30


def current_code(secret: str) -> str:
    """The code an authenticator app shows now, like a phone would."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, steady_step()))


def sign_in(client, user, *, mfa=True):
    """A signed-in session as if the person had typed their password and (with mfa) their code."""
    client.force_login(user)
    session = client.session
    records = [{"method": "password", "at": 0, "email": user.email}]
    if mfa:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            enrol_totp(user)
        records.append({"method": "mfa", "at": 0, "id": 0, "type": "totp"})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def _attachment(concern, person):
    from safekeep.attachments.files import encrypt
    from safekeep.attachments.models import Attachment

    png = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                        "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
    return Attachment.objects.create(concern=concern, added_by=person, filename="photo.png",
                                     content_type="image/png", size=len(png), ciphertext=encrypt(png))


def _plan(establishment, child, concern, person):
    plan = SafetyPlan.objects.create(establishment=establishment, child=child, concern=concern, role="harmed",
                                     created_by=person, review_due=date(2030, 1, 7))
    SafetyPlanVersion.objects.create(plan=plan, number=1, created_by=person, situations_to_avoid="The back field",
                                     check_ins_who="Form tutor", check_ins_how_often="Daily", reporting="Tell a teacher",
                                     agreed_with_child=True, agreed_on=date(2026, 1, 6), review_due=date(2030, 1, 7))
    return plan


def _share_and_meeting(establishment, child, person):
    from safekeep.meetings.models import Attendee, Meeting
    from safekeep.sharing.models import InformationShare

    when = datetime(2026, 1, 6, 10, 0, tzinfo=UTC)
    meeting = Meeting.objects.create(kind=Meeting.Kind.STRATEGY, held_at=when, establishment=establishment,
                                     decisions="Section 47 enquiry to start", recorded_by=person)
    meeting.children.set([child])
    Attendee.objects.create(meeting=meeting, name="Sam Patel", role="Social worker", agency="Children's services")
    share = InformationShare.objects.create(
        establishment=establishment, recipient="Sam Patel", recipient_organisation="Children's services",
        what="Concern record", purpose="Strategy discussion", lawful_basis="public-task-safeguarding",
        consent="not_sought", consent_note="Would increase the risk", authorised_by=person,
        secure_handling_agreed=True, source_kind="meeting", source_id=meeting.pk, shared_at=when, recorded_by=person)
    share.children.set([child])
    return share, meeting


def build_world() -> World:
    world = World()
    org1 = Organisation.objects.create(name="Organisation One", kind=Organisation.Kind.GROUP)
    org2 = Organisation.objects.create(name="Organisation Two", kind=Organisation.Kind.TRUST)
    region1 = Region.objects.create(organisation=org1, name="Region One")
    region2 = Region.objects.create(organisation=org1, name="Region Two")
    world.organisations = {"one": org1, "two": org2}
    placement = {"here": (org1, region1), "region": (org1, region1), "organisation": (org1, region2),
                 "elsewhere": (org2, None)}
    for index, (location, (org, region)) in enumerate(placement.items()):
        establishment = Establishment.objects.create(
            organisation=org, region=region, name=f"Establishment {location}",
            kind=Establishment.Kind.SCHOOL if index % 2 == 0 else Establishment.Kind.CHILDRENS_HOME)
        world.establishments[location] = establishment
        child = Child.objects.create(organisation=org, first_name="Child", last_name=location.title(),
                                     date_of_birth=date(2012, 5, 1), year_group="Year 9")
        Enrolment.objects.create(child=child, establishment=establishment, mis_id=f"M{index}")
        world.children[location] = child
        person = make_user(f"person-{location}@example.org", org)
        world.people[location] = person
        world.memberships[location] = give_role(person, Role.STAFF, establishment=establishment)
        world.contacts[location] = LocalContact.objects.create(
            establishment=establishment, kind=LocalContact.Kind.LA_FRONT_DOOR, name=f"Front door {location}")
        world.places[location] = Location.objects.create(establishment=establishment, kind=Location.Kind.ON_SITE,
                                                         name="Playground")
        world.actions[location] = Action.objects.create(
            establishment=establishment, child=child, what="Refer to the local authority", owner_role="dsl",
            deadline_unit="working days", deadline_amount=1,
            due_at=datetime(2030, 1, 7, 9, 0, tzinfo=UTC), escalation_ladder=["head"])
        world.concerns[location] = Concern.objects.create(
            establishment=establishment, recorded_by=person, occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
            narrative=f"Seen upset at {location}", idempotency_key=f"world-{location}")
        ConcernChild.objects.create(concern=world.concerns[location], child=child, role="harmed")
        world.attachments[location] = _attachment(world.concerns[location], person)
        world.referrals[location] = Referral.objects.create(
            establishment=establishment, child=child, agency="childrens_services", agency_name=f"Front door {location}",
            made_by=person, made_at=datetime(2026, 1, 5, 10, 0, tzinfo=UTC), how="phone", what_shared="The concern",
            consent="given")
        world.nrm_trackers[location] = NrmTracker.objects.create(establishment=establishment, child=child)
        world.plans[location] = _plan(establishment, child, world.concerns[location], person)
        world.sanctions[location] = Sanction.objects.create(
            establishment=establishment, child=child, concern=world.concerns[location], kind="detention",
            what="Lunchtime detention", why="Unkind messages", safeguarding_considerations="Welfare considered",
            decided_on=date(2026, 1, 6), recorded_by=person)
        world.shares[location], world.meetings[location] = _share_and_meeting(establishment, child, person)
        world.batches[location] = ImportBatch.objects.create(
            establishment=establishment, kind=ImportBatch.Kind.CHILDREN, created_by=person, file_name="x.csv",
            rows=json.dumps([]), status=ImportBatch.Status.LOADED)
    from safekeep.packs.services import shipped_packs_install

    world.pack_version = shipped_packs_install()[0]
    for role, definition in ROLES.items():
        user = make_user(f"{role.value}@example.org", org1, name=f"Persona {role.label}")
        if Scope.ESTABLISHMENT in definition.scopes:
            give_role(user, role, establishment=world.establishments["here"])
        elif Scope.REGION in definition.scopes:
            give_role(user, role, region=region1)
        else:
            give_role(user, role, organisation=org1)
        world.personas[role] = user
    return world


def link_school_and_home(world):
    """The school "here" and the home "region" are linked; the child at "here" also lives at the home.
    Returns the school, the home and the home's safeguarding lead."""
    school, home = world.establishments["here"], world.establishments["region"]
    EstablishmentLink.objects.create(first=school, second=home)
    Enrolment.objects.create(child=world.children["here"], establishment=home, kind="placement", mis_id="H1")
    home_lead = make_user("home-lead@example.org", world.organisations["one"])
    give_role(home_lead, Role.DSL, establishment=home)
    return school, home, home_lead


def adopt_every_shipped_pack(world) -> None:
    """Organisation one follows all three shipped policies, as its group head decided."""
    from safekeep.packs import services

    for version in services.shipped_packs_install():
        services.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=version,
                            organisation=world.organisations["one"])
