"""Pages and endpoints make a fixed number of database queries, however much data there is
(DESIGN.md section 7). Each is measured with a little data and with ten times as much."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from safekeep.accounts import services as accounts
from safekeep.accounts.models import User
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.core.clock import LONDON
from safekeep.establishments.models import Establishment, LocalContact
from safekeep.referrals import services as referrals
from safekeep.referrals.models import Consultation, Referral, ReferralOutcome
from tests.world import give_role, make_user

PAGES = [
    (Role.DSL, "/children/"),
    (Role.DSL, "/children/{child}/"),
    (Role.DSL, "/children/{child}/access-log/"),
    (Role.STAFF, "/establishments/"),
    (Role.STAFF, "/establishments/{establishment}/"),
    (Role.ADMINISTRATOR, "/people/"),
    (Role.ADMINISTRATOR, "/people/{person}/"),
    (Role.GROUP_HEAD, "/audit/"),
    (Role.DSL, "/actions/"),
    (Role.DSL, "/actions/?establishment={establishment}"),
    (Role.DSL, "/actions/{action}/"),
    (Role.DSL, "/api/v1/actions/"),
    (Role.DSL, "/concerns/"),
    (Role.DSL, "/chronology/{child}/"),
    (Role.DSL, "/api/v1/children/?establishment={establishment}"),
    (Role.DSL, "/api/v1/children/{child}/"),
    (Role.STAFF, "/api/v1/establishments/"),
    (Role.STAFF, "/api/v1/establishments/{establishment}/"),
]


def _grow(world, start, stop):
    """More children, local contacts and people at establishment "here"."""
    here = world.establishments["here"]
    for i in range(start, stop):
        child = Child.objects.create(organisation=here.organisation, first_name="Child", last_name=f"More{i}",
                                     date_of_birth=date(2013, 1, 1))
        Enrolment.objects.create(child=child, establishment=here, mis_id=f"G{i}")
        LocalContact.objects.create(establishment=here, kind=LocalContact.Kind.OTHER, name=f"Contact {i}")
        give_role(make_user(f"grown{i}@example.org", here.organisation), Role.STAFF, establishment=here)
        Action.objects.create(establishment=here, child=child, what=f"Action {i}", owner_role="dsl",
                              deadline_unit="working days", deadline_amount=1,
                              due_at=world.actions["here"].due_at)
        concern = Concern.objects.create(establishment=here, recorded_by=world.people["here"], narrative=f"N {i}",
                                         occurred_at=world.actions["here"].due_at, idempotency_key=f"grow-{i}")
        ConcernChild.objects.create(concern=concern, child=world.children["here"], role="harmed")
        ChronologyEntry.objects.create(child=world.children["here"], establishment=here, kind="concern.recorded",
                                       summary=f"Entry {i}", occurred_at=world.actions["here"].due_at)
        # The child's page lists their referrals (with answers), consultations, meetings and shares.
        referral = Referral.objects.create(
            establishment=here, child=world.children["here"], agency="police", agency_name=f"Police {i}",
            made_by=world.personas[Role.DSL], made_at=world.actions["here"].due_at, how="phone", what_shared="x",
            consent="given")
        ReferralOutcome.objects.create(referral=referral, outcome="accepted", received_at=referral.made_at,
                                       response="agree", recorded_by=world.personas[Role.DSL])
        Consultation.objects.create(establishment=here, child=world.children["here"], agency="lado", spoke_to="x",
                                    held_at=referral.made_at, advice="x", recorded_by=world.personas[Role.DSL])


def _count(client, signed_in, world, role, template):
    path = template.format(child=world.children["here"].pk, establishment=world.establishments["here"].pk,
                           person=world.people["here"].pk, action=world.actions["here"].pk)
    if path.startswith("/api/"):
        _, key = accounts.api_token_create(actor=world.personas[role], name="q", mfa_passed=True)
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    else:
        signed_in(world.personas[role])
        headers = {}
    client.get(path, **headers)  # warm caches that are per process, not per request
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, **headers).status_code == 200
    return len(queries)


@pytest.mark.parametrize("role,template", PAGES, ids=[p for _, p in PAGES])
def test_queries_do_not_grow_with_data(client, signed_in, world, role, template):
    _grow(world, 0, 3)
    small = _count(client, signed_in, world, role, template)
    _grow(world, 3, 30)
    large = _count(client, signed_in, world, role, template)
    print(f"queries {template}: {small}")
    assert large == small, f"{template}: {small} queries with a little data, {large} with ten times as much"
    assert small <= 25, f"{template}: {small} queries"


def _casework(world, start, stop):
    """Concerns about the child, each triaged and referred, through the services: entries of every kind the
    chronology links (a concern, a triage decision, a referral, its share, the policies' actions)."""
    child, here, dsl = world.children["here"], world.establishments["here"], world.personas[Role.DSL]
    when = world.actions["here"].due_at.replace(year=2026)
    for i in range(start, stop):
        with transaction.atomic():
            concern, _ = concerns.concern_submit(
                actor=world.personas[Role.STAFF], establishment=here, occurred_at=when, narrative=f"N {i}",
                children=[{"child": child, "role": "harmed", "categories": ["cce"]}], idempotency_key=f"case-{i}")
            concerns.triage_record(actor=dsl, involved=concern.children_involved.get(), risk="high",
                                   rationale="Older youths", categories=["cce"], outcome="childrens_services")
            referrals.referral_record(actor=dsl, establishment=here, child=child, agency="childrens_services",
                                      contact=world.contacts["here"], made_at=when, how="phone", what_shared="x",
                                      consent="given", lawful_basis="public-task-safeguarding",
                                      secure_handling_agreed=True, concern=concern)


@pytest.mark.parametrize("template", ["/chronology/{child}/", "/chronology/{child}/?tracked=1",
                                      "/chronology/{child}/?print=1&tracked=1",
                                      "/api/v1/children/{child}/chronology/?tracked=true"])
def test_the_chronology_with_its_record_links_does_not_grow_with_rows(client, signed_in, world, adopted, template):
    """Each link asks the record's own selector once per kind of record on the page, never once per row."""
    _casework(world, 0, 1)
    small = _count(client, signed_in, world, Role.DSL, template)
    _casework(world, 1, 6)
    large = _count(client, signed_in, world, Role.DSL, template)
    print(f"queries {template}: {small}")
    assert large == small, f"{template}: {small} queries with one concern's casework, {large} with six"
    assert small <= 25, f"{template}: {small} queries"


# --- Recording a concern (issue 12, DESIGN.md section 7) ---------------------------------------------------
# What one submission costs, through the real service, with the production task queue (emails are rows in
# the same database): the concern, each child's part, the steps the adopted policies set, their chronology
# entries, audit rows and emails, and the team's alert. The steps, entries, audit rows and emails are each
# written in one insert, so the count does not grow with the number of steps or children.
RECORDING_BUDGET = 20
# A Tuesday in term, mid-morning in London: deadlines fall on ordinary working days.
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def _children_at_here(world, how_many):
    here = world.establishments["here"]
    children = [world.children["here"]]
    for i in range(how_many - 1):
        child = Child.objects.create(organisation=here.organisation, first_name="Child", last_name=f"Also{i}",
                                     date_of_birth=date(2012, 3, 1))
        Enrolment.objects.create(child=child, establishment=here, mis_id=f"A{i}")
        children.append(child)
    return children


def _record(world, key, children, categories, **flags):
    """Record as a request does: the recorder and the establishment read afresh, nothing cached on them."""
    actor = User.objects.get(pk=world.personas[Role.STAFF].pk)
    here = Establishment.objects.get(pk=world.establishments["here"].pk)
    with CaptureQueriesContext(connection) as queries:
        concern, created = concerns.concern_submit(
            actor=actor, establishment=here, occurred_at=TUESDAY - timedelta(hours=1), narrative="What I saw",
            children=[{"child": child, "role": "harmed", "categories": categories} for child in children],
            idempotency_key=key, **flags)
    assert created
    return len(queries), Action.objects.filter(concern_id=concern.pk).count()


@pytest.fixture
def recording(world, adopted, settings, time_machine):
    time_machine.move_to(TUESDAY)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _record(world, "warm", [world.children["here"]], ["neglect"])  # per-process caches (parsed packs)
    return world


@pytest.mark.parametrize("categories,flags,children", [
    (["neglect"], {}, 1), (["cce"], {"disclosure": True}, 1), (["neglect"], {}, 3)],
    ids=["one child, neglect", "CCE and a disclosure", "three children"])
def test_recording_a_concern_with_its_steps_is_within_budget(recording, categories, flags, children):
    queries, steps = _record(recording, "budget", _children_at_here(recording, children), categories, **flags)
    print(f"recording {categories} {flags} x{children}: {queries} queries, {steps} steps")
    assert queries <= RECORDING_BUDGET, f"{queries} queries to record a concern with {steps} steps"


def test_recording_costs_the_same_however_many_steps_the_policies_set(recording):
    fewer_queries, fewer = _record(recording, "cce", [recording.children["here"]], ["cce"])
    more_queries, more = _record(recording, "cce-disclosure", [recording.children["here"]], ["cce"],
                                 disclosure=True, immediate_risk=True)
    assert fewer < more, (fewer, more)
    assert more_queries == fewer_queries, f"{fewer} steps: {fewer_queries} queries; {more}: {more_queries}"


def test_recording_costs_the_same_however_many_children_are_named(recording):
    one, _ = _record(recording, "one", _children_at_here(recording, 1), ["neglect"])
    children = _children_at_here(recording, 3)
    two, _ = _record(recording, "two", children[:2], ["neglect", "physical_abuse"])
    three, _ = _record(recording, "three", children, ["neglect", "physical_abuse"])
    # Children named together add their pairs to the peer graph in one statement, however many (ADR 0015).
    assert three == two == one + 1, f"one child: {one} queries; two: {two}; three: {three}"
