"""The children's home's safeguarding lead records a child going missing with the keyboard alone (a date
that does not exist is refused beside its field, the words kept), records the return and finds the return
home interview due 72 hours later on the action list; at the third episode in 90 days the inbox shows the
pattern; the description for the police is written and printed. axe on every page (CE 5.3, 5.4, 7.8;
statutory guidance on children who run away or go missing from home or care; the Philomena protocol)."""

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.core.clock import LONDON
from safekeep.missing import services as missing
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp, give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Saturday 21 November 2026, 10:00: the child went missing on Friday night and came back at dawn.
MORNING = datetime(2026, 11, 21, 10, 0, tzinfo=LONDON)
FOUND = "By the canal bridge with an older man; brought back by the police"


def _home_with_two_earlier_episodes(time_machine):
    time_machine.move_to(MORNING - timedelta(days=40), tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    home, child = world.establishments["region"], world.children["region"]
    lead = make_user("home-lead@example.org", world.organisations["one"], name="Hana Lead")
    give_role(lead, Role.DSL, establishment=home)
    for days_ago in (30, 12):
        went = MORNING - timedelta(days=days_ago, hours=12)
        time_machine.move_to(went + timedelta(hours=2), tick=True)
        episode = missing.episode_record(actor=lead, establishment=home, child=child, missing_from="care",
                                         went_missing_at=went, reported_by="Care worker on shift")
        missing.episode_return(actor=lead, episode=episode, returned_at=went + timedelta(hours=1, minutes=30),
                               where_found="Walked back on their own")
    time_machine.move_to(MORNING, tick=True)
    return world, lead, child


def test_the_homes_lead_records_an_episode_with_the_keyboard_and_sees_the_interview_and_the_pattern(
        page, live_server, time_machine):
    world, lead, child = _home_with_two_earlier_episodes(time_machine)
    sign_in(page, live_server, lead, enrol_totp(lead))
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name="Missing episodes", exact=True).click()
    expect(page.get_by_role("heading", name=f"Missing episodes: {child.display_name}")).to_be_visible()
    expect(page.locator("#episodes tbody tr")).to_have_count(2)
    assert_accessible(page)
    page.get_by_role("link", name=f"Record {child.first_name} going missing").click()
    assert_accessible(page)

    # With the keyboard alone: where from, a date that does not exist, who reported it.
    tab_to(page, "id_missing_from_0")  # a radio group is one Tab stop; the arrow keys choose within it
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Care (their placement)")).to_be_checked()
    tab_to(page, "id_went_missing_at_0")
    page.keyboard.type("31")
    page.keyboard.press("Tab")
    page.keyboard.type("11")
    page.keyboard.press("Tab")
    page.keyboard.type("2026")
    page.keyboard.press("Tab")
    page.keyboard.type("22:40")
    tab_to(page, "id_reported_by")
    page.keyboard.type("Jo, night care worker")
    tab_to(page, "id_circumstances")
    page.keyboard.type("Left after a phone call; said “I’m just going to the shop”.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The date they went missing must be a real date")
    expect(page.get_by_label("Who reported them missing?")).to_have_value("Jo, night care worker")
    expect(page.get_by_label("What happened (optional)")).to_have_value(
        "Left after a phone call; said “I’m just going to the shop”.")
    assert_accessible(page)
    page.locator("#id_went_missing_at_0").fill("20")
    page.get_by_role("button", name="Record the missing episode").click()
    expect(page.get_by_text("The missing episode is recorded.")).to_be_visible()
    expect(page.locator("#episodes tbody tr").first).to_contain_text("Still missing")
    expect(page.locator("#episodes tbody tr").first).to_contain_text("“I’m just going to the shop”")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("^Record the return")).click()
    page.locator("#id_returned_at_0").fill("21")
    page.locator("#id_returned_at_1").fill("11")
    page.locator("#id_returned_at_2").fill("2026")
    page.locator("#id_returned_at_3").fill("06:15")
    page.get_by_label("Where were they found?").fill(FOUND)
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("Record the return")).click()
    # Saturday 06:15 and 72 clock hours: Tuesday 06:15, the weekend not stretching it.
    expect(page.get_by_text(f"{child.display_name}'s return is recorded.")).to_be_visible()
    expect(page.locator("#episodes tbody tr").first).to_contain_text("To do, due 24 Nov 2026, 06:15")
    assert_accessible(page)

    # The third episode in 90 days: a pattern to look at on the inbox.
    page.get_by_role("link", name="Concerns", exact=True).click()
    expect(page.locator("#patterns")).to_contain_text(f"{child.display_name}: went missing 3 times in the last 90 days")
    assert_accessible(page)

    page.goto(f"{live_server.url}/missing/child/{child.pk}/description/")
    page.get_by_role("link", name="Write the description").click()
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("How do they look?").fill("Tall, short dark hair, a red puffer jacket")
    page.get_by_label("Places they go").fill("The canal bridge; the chicken shop on Station Road")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.get_by_text("The description for the police is saved.")).to_be_visible()
    expect(page.get_by_text("Tall, short dark hair, a red puffer jacket")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Print it for the police").click()
    expect(page.get_by_text("The canal bridge; the chicken shop on Station Road")).to_be_visible()
    assert_accessible(page)
