"""A chair of governors reads the termly report, records the meeting's exploitation risk review (CE 10.6) with a
decision and an action for the head; the head does it; at the next meeting the review page shows what was
decided last time and that the action is done. axe on every page."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from safekeep.actions.services import action_complete
from safekeep.authz.roles import Role
from safekeep.governance.models import ExploitationReview
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEETING_DAY = datetime(2031, 5, 12, 9, 0, tzinfo=UTC)


def test_a_review_with_a_decision_and_an_action_is_seen_by_the_next_meeting(page, live_server, time_machine):
    time_machine.move_to(MEETING_DAY)
    world = build_world()
    adopt_every_shipped_pack(world)
    governor = world.personas[Role.GOVERNOR]
    secret = enrol_totp(governor)
    sign_in(page, live_server, governor, secret)

    page.goto(f"{live_server.url}/governance/")
    assert_accessible(page)
    page.get_by_role("link", name="Establishment here").click()
    expect(page.get_by_role("heading", name="Establishment here")).to_be_visible()
    expect(page.get_by_role("table", name="Concerns about a child, by category")).to_contain_text("fewer than 5")
    assert_accessible(page)

    page.get_by_role("link", name="Record this meeting's exploitation risk review").click()
    expect(page.get_by_text("This is the first review recorded here.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Governing body or trust board meeting").check()
    page.get_by_label("Date of the meeting").fill("2031-05-12")
    page.get_by_label("Who reviewed the report").fill("Jo Khan (chair of governors)")
    page.get_by_label("What was discussed").fill("Online grooming is the risk most raised by staff.")
    page.get_by_label("Decisions").fill("Staff training on online grooming this half term.")
    page.locator("#id_actions-0-what").fill("Arrange online grooming training for all staff")
    page.locator("#id_actions-0-owner_role").select_option(label="Headteacher")
    page.locator("#id_actions-0-due_on").fill("2031-06-20")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("The exploitation risk review is recorded.")).to_be_visible()
    expect(page.get_by_role("table", name="Actions agreed")).to_contain_text("Arrange online grooming training")
    assert_accessible(page)

    review = ExploitationReview.objects.get()
    action_complete(actor=world.personas[Role.HEAD], action=review.actions.get(), note="Training held on 3 June")
    time_machine.move_to(datetime(2031, 7, 7, 9, 0, tzinfo=UTC))  # the next meeting: signed out long since
    sign_in(page, live_server, governor, secret)
    page.goto(f"{live_server.url}/governance/establishments/{world.establishments['here'].pk}/reviews/new/")
    expect(page.get_by_role("heading", name="Last time: governing body or trust board meeting, 12 May 2031")
           ).to_be_visible()
    expect(page.get_by_text("Staff training on online grooming this half term.")).to_be_visible()
    last_actions = page.get_by_role("table", name="Actions agreed last time")
    expect(last_actions).to_contain_text("Arrange online grooming training for all staff")
    expect(last_actions).to_contain_text("Done")
    assert_accessible(page)
