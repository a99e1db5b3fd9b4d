"""The annual review of the child-on-child abuse policy (CoC 1.4, 5.5, 14.2-14.3) in the browser: the DSL opens
it as the review date nears, makes a questionnaire link for pupils, a pupil answers anonymously in a browser of
their own, the DSL sees the counts with small numbers hidden and adds an item to the action plan with the
keyboard alone; adopting the revised pack closes the review and the policy page says when it was last reviewed.
axe on every page."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.governance.models import PolicyReview
from safekeep.packs import services as packs
from safekeep.policy.packs import SHIPPED
from tests.functional.conftest import assert_accessible
from tests.functional.test_chronology_journey import _tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# 42 days before the shipped pack's review date (1 September 2026): inside its 60-day window.
REVIEW_DAY = datetime(2026, 7, 20, 9, 0, tzinfo=UTC)


def test_the_dsl_reviews_the_policy_hears_pupils_and_the_policy_page_says_last_reviewed(
        page, browser, live_server, time_machine):
    time_machine.move_to(REVIEW_DAY)
    world = build_world()
    adopt_every_shipped_pack(world)
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    here = world.establishments["here"]

    page.goto(f"{live_server.url}/governance/establishments/{here.pk}/policy-review/")
    assert_accessible(page)
    page.get_by_role("button", name="Open this year's review").click()
    expect(page.get_by_role("heading", name="Opened 20 July 2026")).to_be_visible()
    expect(page.get_by_label("Should the school have intervened earlier and in a different manner?")).to_be_visible()
    # The same figures sit beside each question they answer: the first is beside the first question.
    expect(page.get_by_role("table", name="Concerns by category, this school year and last").first).to_contain_text(
        "fewer than 5")
    assert_accessible(page)

    page.get_by_label("Pupils").check()
    page.get_by_role("button", name="Make a questionnaire link").click()
    expect(page.get_by_text("The questionnaire link is ready")).to_be_visible()
    token = PolicyReview.objects.get().links.get().token

    pupil_browser = browser.new_context()  # a pupil's own browser: never signed in
    pupil = pupil_browser.new_page()
    pupil.goto(f"{live_server.url}/governance/voices/{token}/")
    expect(pupil.get_by_role("heading", name="What pupils think about feeling safe")).to_be_visible()
    assert_accessible(pupil)
    pupil.get_by_role("group", name="Do you feel safe from other pupils at school?").get_by_text(
        "Mostly", exact=True).click()
    pupil.get_by_role("button", name="Send my answers").click()
    expect(pupil.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(pupil)
    assert {cookie["name"] for cookie in pupil_browser.cookies()} <= {"csrftoken"}  # no session, nothing of theirs
    pupil_browser.close()

    page.reload()
    expect(page.get_by_text("Fewer than 5 answered.")).to_be_visible()
    expect(page.get_by_role("table", name="Do you feel safe from other pupils at school?")).to_contain_text(
        "fewer than 5")

    # The action plan, with the keyboard alone.
    _tab_to(page, "id_what", most=200)
    page.keyboard.type("Add consent lessons to the RSE curriculum")
    _tab_to(page, "id_owner_role")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "id_due_on")
    page.keyboard.type("10162026")
    page.keyboard.press("Enter")
    expect(page.get_by_text("The item is on the action plan")).to_be_visible()
    expect(page.get_by_role("table", name="The action plan")).to_contain_text(
        "Add consent lessons to the RSE curriculum")
    expect(page.get_by_text("The plan is next reviewed by 19 October 2026")).to_be_visible()
    assert_accessible(page)

    group_head = world.personas[Role.GROUP_HEAD]
    text = (SHIPPED / "child-on-child-abuse.yaml").read_text().replace('version: "2025-09-r7"', 'version: "2026-09"')
    revised = packs.pack_load(actor=group_head, organisation=world.organisations["one"],
                              file_name="child-on-child-abuse.yaml", text=text)
    packs.pack_adopt(actor=group_head, pack_version=revised, organisation=world.organisations["one"])
    page.goto(f"{live_server.url}/policies/")
    expect(page.get_by_text("Last reviewed 20 July 2026.")).to_be_visible()
    assert_accessible(page)
