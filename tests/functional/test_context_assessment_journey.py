"""The DSL assesses the bus bay off the school site with the keyboard alone: the neighbourhood triangle's questions
from the child-on-child abuse pack, a side left empty refused in the error summary with the words kept; then plans a
referral to the local safeguarding partnership about the place, finds it on the action list about no child, records
a review that keeps the plan, and a meeting with the partnership. axe on every page (CoC 2.4-2.5, 2.5(h), 7.3)."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.contexts.services import context_assess, context_review_record
from safekeep.core.clock import LONDON
from safekeep.establishments.models import Location
from safekeep.establishments.services import location_add
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
HARM = "Older pupils take Year 7s' phones at the bus bay after school"


def _type_into(page, element_id, text):
    tab_to(page, element_id)
    page.keyboard.type(text)


def test_the_dsl_assesses_a_place_plans_a_partnership_referral_and_reviews_the_plan_with_the_keyboard(
        page, live_server, time_machine):
    time_machine.move_to(MONDAY, tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    school = world.establishments["here"]
    Location.objects.create(establishment=school, kind=Location.Kind.OFF_SITE, name="Bus bay on Park Road")
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))

    page.get_by_role("link", name="Contexts", exact=True).click()
    expect(page.get_by_role("heading", name="Context assessments", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Assess a context at Establishment here").click()
    assert_accessible(page)

    # With the keyboard alone: choose the bus bay, continue, answer two sides of three.
    tab_to(page, "id_subject")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_subject")).to_have_value(re.compile(r"^location-\d+$"))
    expect(page.locator("#id_subject option:checked")).to_have_text("Bus bay on Park Road (off site)")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Assess Bus bay on Park Road")).to_be_visible()
    expect(page.get_by_text("Neighbourhood assessment triangle, Establishment here")).to_be_visible()
    assert_accessible(page)
    _type_into(page, "id_side_harm", HARM)
    _type_into(page, "id_side_environment", "No lighting after 4pm; the 3.20 bus is always full")
    _type_into(page, "id_summary", "Adults at the bus bay at 3.15pm and a later bus")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Answer this side of the triangle: Which adults with a caring intention")
    expect(page.get_by_label(re.compile("^What harm do young people meet"))).to_have_value(HARM)
    assert_accessible(page)
    summary.get_by_role("link").first.click()  # the summary's link takes the focus to the empty side
    expect(page.locator("#id_side_guardianship")).to_be_focused()
    page.keyboard.type("The bus company's marshal, on Mondays only")
    tab_to(page, "id_summary")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Bus bay on Park Road (a place off the site)", level=1)).to_be_visible()
    expect(page.get_by_text("The plan is to be reviewed by 4 January 2027.")).to_be_visible()  # 42 days on
    expect(page.locator("#answers")).to_contain_text(HARM)
    assert_accessible(page)

    # The plan: a referral to the local partnership about the place, due as the pack gives (5 days).
    tab_to(page, "id_action-kind_0")
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label(re.compile("^A referral to the local safeguarding partnership"))).to_be_checked()
    _type_into(page, "id_action-what", "Refer the bus bay to the local safeguarding partnership")
    tab_to(page, "id_action-due_on")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    plan = page.locator("#plan")
    expect(plan).to_contain_text("A referral to the local safeguarding partnership about the context")
    expect(plan).to_contain_text("28 Nov 2026")
    assert_accessible(page)

    # A review with no words is refused and keeps the choice; then kept, with what changed.
    tab_to(page, "id_review-outcome_0")
    page.keyboard.press("ArrowDown")
    tab_to(page, "id_review-notes")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what changed in the context")
    expect(page.get_by_label("Kept: the plan goes on as it is")).to_be_checked()
    assert_accessible(page)
    _type_into(page, "id_review-notes", "Two staff on the bus bay since Tuesday; no phones taken")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#reviews")).to_contain_text("Kept: the plan goes on as it is")
    expect(page.locator("#reviews")).to_contain_text("no phones taken")

    # A meeting with the partnership about the place, recorded from the assessment.
    page.locator("#id_meeting-held_on").fill("2026-11-23")
    _type_into(page, "id_meeting-attendees", "Local safeguarding partnership; Park Road PCSO")
    _type_into(page, "id_meeting-notes", "A PCSO patrol at the bus bay at 3.15pm")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#meetings")).to_contain_text("Park Road PCSO")
    assert_accessible(page)

    # The referral is on the action list, about no child.
    page.get_by_role("link", name="Actions", exact=True).click()
    row = page.get_by_role("row", name=re.compile("Refer the bus bay"))
    expect(row).to_contain_text("None: from a context plan")
    assert_accessible(page)


def test_the_contexts_index_lists_open_and_closed_assessments_accessibly(page, live_server, time_machine):
    """The index with rows in it: the playground assessed and still open, a bus bay assessed and its plan closed
    at review, each built through the services. Its table passes axe with its caption and header cells."""
    time_machine.move_to(MONDAY, tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    school, dsl = world.establishments["here"], world.personas[Role.DSL]
    bus_bay = location_add(actor=world.personas[Role.ADMINISTRATOR], establishment=school,
                           kind=Location.Kind.OFF_SITE, name="Bus bay on Park Road")
    context_assess(actor=dsl, establishment=school, location=world.places["here"],
                   answers={"harm": "Pushing by the benches", "features": "No sight line from the door",
                            "capacity": "One member of staff on duty"}, summary="Playground at lunchtime")
    closed = context_assess(actor=dsl, establishment=school, location=bus_bay,
                            answers={"harm": HARM, "guardianship": "The bus company's marshal",
                                     "environment": "No lighting after 4pm"}, summary="Bus bay after school")
    context_review_record(actor=dsl, assessment=closed, outcome="closed", notes="A PCSO patrol; no phones taken")
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.get_by_role("link", name="Contexts", exact=True).click()
    rows = page.locator("#assessments tbody tr")
    expect(rows).to_have_count(2)
    expect(page.get_by_role("row", name=re.compile("Playground"))).to_contain_text("Review by 4 Jan 2027")
    expect(page.get_by_role("row", name=re.compile("Bus bay on Park Road"))).to_contain_text("Closed 23 Nov 2026")
    assert_accessible(page)
