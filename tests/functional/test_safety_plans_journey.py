"""Issue 5's "done when" for safety plans, in Debian's Chromium with axe-core on every page: a child-on-child
case with three children gets a safety plan for each of the two principal children and a recorded decision
for the witness (CoC 11.1, 11.4, Appendix 3)."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect
from django.db import transaction

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _three_children_concern(world):
    from safekeep.children.models import Child, Enrolment
    from safekeep.concerns import services as concerns
    from safekeep.core import clock

    children = {}
    for first, mis in (("Hana", "H1"), ("Rory", "R1"), ("Wes", "W1")):
        children[first] = Child.objects.create(organisation=world.organisations["one"], first_name=first,
                                               last_name="Pupil", date_of_birth=date(2011, 4, 1), year_group="Year 9")
        Enrolment.objects.create(child=children[first], establishment=world.establishments["here"], mis_id=mis)
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": children["Hana"], "role": "harmed", "categories": ["coc_bullying"]},
                      {"child": children["Rory"], "role": "alleged_responsible", "categories": ["coc_bullying"]},
                      {"child": children["Wes"], "role": "witness", "categories": []}],
            occurred_at=clock.now() - timedelta(hours=3), narrative="Pushed against the lockers and filmed",
            idempotency_key="journey-coc")
    return concern, children


def clock_today():
    from safekeep.core import clock

    return clock.now().date()


def _fill_plan(page, *, avoid, who, review_in_days):
    from safekeep.core import clock

    today = clock.now().date()
    page.get_by_label("Situations, places, groups or people to avoid").fill(avoid)
    page.get_by_label("Who the child checks in with").fill(who)
    page.get_by_label("How often they check in").fill("Every morning at registration")
    page.get_by_label("How the child reports a worry, in school and online").fill("Tell their check-in adult")
    page.get_by_label("Childline").check()
    page.get_by_label("Front door here").check()
    page.get_by_label("Changes to where the child goes (classrooms, break and lunch, toilets, trips)").fill(
        "Stays in the library at lunch")
    page.get_by_label("The child", exact=True).check()
    page.get_by_label("Their parents or carers").check()
    page.get_by_label("Date it was agreed").fill(today.isoformat())
    page.get_by_label("Review by").fill((today + timedelta(days=review_in_days)).isoformat())


def test_a_child_on_child_case_gets_two_plans_and_a_decision_for_the_witness(page, live_server):
    from safekeep.actions.models import Action
    from safekeep.safetyplans.models import PlanDecision, SafetyPlan

    world = build_world()
    adopt_every_shipped_pack(world)
    concern, children = _three_children_concern(world)
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    concern_url = f"{live_server.url}/concerns/{concern.pk}/"

    page.goto(concern_url)
    expect(page.get_by_role("heading", name="Safety plans")).to_be_visible()
    assert_accessible(page)

    # Hana (harmed): a first try with nothing filled in keeps what was typed and shows every problem.
    page.get_by_role("link", name="Start a safety plan for Hana Pupil").click()
    expect(page.get_by_role("heading", name="How can I try and ensure I will not be at risk", exact=False)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Situations, places, groups or people to avoid").fill("The lockers by the science block")
    page.get_by_role("button", name="Put the plan in place").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Situations, places, groups or people to avoid").input_value() == \
        "The lockers by the science block"
    expect(page.get_by_role("link", name="Say who the child checks in with.")).to_be_visible()
    assert_accessible(page)
    _fill_plan(page, avoid="The lockers by the science block", who="Ms Shah, head of year", review_in_days=28)
    page.get_by_role("button", name="Put the plan in place").click()
    page.wait_for_url(re.compile(r"/safety-plans/\d+/$"))
    expect(page.get_by_text("The lockers by the science block")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Print view").click()
    expect(page.get_by_role("heading", name="Safety plan: Hana Pupil")).to_be_visible()
    expect(page.locator(".govuk-service-navigation")).to_have_count(0)
    assert_accessible(page)

    # Rory (alleged to be responsible).
    page.goto(concern_url)
    page.get_by_role("link", name="Start a safety plan for Rory Pupil").click()
    _fill_plan(page, avoid="Contact with Hana, in school and online", who="Mr Bell, learning mentor",
               review_in_days=21)
    page.get_by_role("button", name="Put the plan in place").click()
    page.wait_for_url(re.compile(r"/safety-plans/\d+/$"))
    assert_accessible(page)

    # Wes (witness): the DSL assesses the risk and records the decision (CoC 11.4).
    page.goto(concern_url)
    page.get_by_role("link", name="Record a decision for Wes Pupil").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No safety plan is needed").check()
    page.get_by_label("Why").fill("Saw it from across the corridor; spoken to with his mum; not worried")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(concern_url)
    expect(page.get_by_text("no safety plan is needed", exact=False)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Start a safety plan"))).to_have_count(0)
    assert_accessible(page)

    # A sanction for Rory: a suspension needs the reason other options were not enough (CoC 13.6).
    page.get_by_role("link", name="Record a sanction for Rory Pupil").click()
    assert_accessible(page)
    page.get_by_label("Suspension (fixed-period exclusion)").check()
    page.get_by_label("Describe the sanction").fill("Two days' suspension")
    page.get_by_label("Why this sanction").fill("Filmed and shared the video after a warning")
    page.get_by_label("How the child's welfare and safety were considered").fill("Mentor; check-ins continue")
    page.get_by_label("Date of the decision").fill(clock_today().isoformat())
    page.get_by_role("button", name="Record sanction").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Describe the sanction").input_value() == "Two days' suspension"
    assert_accessible(page)
    page.get_by_label("For a suspension or exclusion: why other options were not enough").fill(
        "Restorative work and detentions did not stop it; Hana is frightened")
    page.get_by_role("button", name="Record sanction").click()
    page.wait_for_url(re.compile(rf"/safety-plans/child/{children['Rory'].pk}/$"))
    expect(page.get_by_text("Restorative work and detentions did not stop it", exact=False)).to_be_visible()
    assert_accessible(page)

    # Each plan's review is on the action list; the child's page lists their plans.
    page.goto(f"{live_server.url}/safety-plans/child/{children['Hana'].pk}/")
    expect(page.get_by_role("link", name=re.compile("Harmed or affected"))).to_be_visible()
    assert_accessible(page)
    plans = SafetyPlan.objects.filter(concern=concern)
    assert sorted(plans.values_list("role", flat=True)) == ["alleged_responsible", "harmed"]
    assert Action.objects.filter(pk__in=plans.values("review_action_id"), status="open", owner_role="dsl").count() == 2
    assert PlanDecision.objects.get(child=children["Wes"]).decision == "not_needed"
