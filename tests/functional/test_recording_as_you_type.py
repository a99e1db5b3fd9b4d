"""The recording page in Chromium: wording suggestions while typing, and an allegation about an adult."""

import re

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wording_is_suggested_while_typing_and_an_allegation_goes_down_its_route(page, live_server):
    from safekeep.concerns.models import Concern

    world = build_world()
    adopt_every_shipped_pack(world)
    staff = world.personas[Role.STAFF]
    sign_in(page, live_server, staff, enrol_totp(staff))
    page.get_by_role("link", name="Record a concern").click()
    live = page.locator("#wording-live")

    # The child's own words are never checked, however they are put.
    page.get_by_label("The child's own words (optional)").fill("he is a perpetrator")
    page.wait_for_timeout(1500)
    assert live.inner_text().strip() == ""
    page.get_by_label("What you saw, heard or were told").fill("The perpetrator grabbed her arm.")
    live.get_by_text(re.compile("Instead of “perpetrator”")).wait_for()
    assert_accessible(page)

    page.get_by_label("Which child? Type part of their name").fill("here")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Add Child Here").click()
    page.locator(f"#role-{world.children['here'].pk} input[value=harmed]").check()
    page.get_by_label("Date it happened").fill("2026-11-20")
    page.get_by_label(re.compile("The concern is about an adult")).check()
    expect(page.get_by_text("never the adult it is about")).to_be_visible()
    page.get_by_label("They are", exact=True).select_option("staff")
    page.get_by_label("Who? (if they use Safekeep)").select_option(label=world.personas[Role.HEAD].full_name)
    page.get_by_label("Where (optional)").select_option(label="Playground")
    assert_accessible(page)
    # The suggestion was seen while typing, so sending is not stopped a second time: never a block.
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    page.get_by_text("Your concern has been sent").wait_for()
    assert_accessible(page)
    concern = Concern.objects.get(recorded_by=staff)
    assert concern.about_adult and concern.subject == world.personas[Role.HEAD]
    assert concern.language_prompts_shown == 1 and concern.place == world.places["here"]
    assert concern.childs_words == "he is a perpetrator"
