"""A group head opens the trends: every chart is drawn beside its table, the chart's numbers are the table's,
the page passes axe, and a keyboard alone reaches a count and opens the concerns behind it."""

import json
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from safekeep.trends.services import trends_refresh
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MORNING = datetime(2026, 11, 16, 9, 0, tzinfo=LONDON)


def _world_with_concerns(time_machine):
    time_machine.move_to(MORNING - timedelta(days=14), tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    time_machine.move_to(MORNING - timedelta(days=1), tick=True)
    for day, categories in enumerate((["cse"], ["cse", "neglect"], ["coc_bullying"])):
        concerns.concern_submit(actor=world.people["here"], establishment=world.establishments["here"],
                                occurred_at=MORNING - timedelta(days=10 - day), narrative=f"Seen upset {day}",
                                idempotency_key=f"browser-{day}",
                                children=[{"child": world.children["here"], "role": "harmed",
                                           "categories": categories}])
    time_machine.move_to(MORNING, tick=True)
    trends_refresh(full=True)
    return world


def _chart_numbers(page, table_id):
    return json.loads(page.locator(f"#{table_id}-data").text_content())["datasets"][0]["data"]


def test_the_charts_match_their_tables_pass_axe_and_a_keyboard_reaches_the_concerns(page, live_server,
                                                                                    time_machine):
    world = _world_with_concerns(time_machine)
    head = world.personas[Role.GROUP_HEAD]
    sign_in(page, live_server, head, enrol_totp(head))
    page.get_by_role("link", name="Trends").click()
    expect(page.get_by_role("heading", name="Concerns", level=1)).to_be_visible()
    expect(page.locator("#figures-as-of")).to_contain_text("Figures as of 09:00")
    # Every chart on the page is drawn (Chart.js ran under the page's CSP), beside its table.
    charts = page.locator("[data-trend-chart]")
    expect(charts.first).to_have_attribute("data-drawn", "true")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-drawn", "true")
    table = page.locator("#by-category")
    expect(table.get_by_role("row", name="Child sexual exploitation (CSE)")).to_contain_text("2")
    # A linked count reads "2 Child sexual exploitation (CSE): see the concerns" to a screen reader.
    cells = [int(text.split()[0]) for text in table.locator("tbody td").all_text_contents()]
    assert _chart_numbers(page, "by-category") == cells
    by_place = [int(text.split()[0]) for text in page.locator("#by-establishment tbody td").all_text_contents()]
    assert _chart_numbers(page, "by-establishment") == by_place == [3]
    assert_accessible(page)

    # A keyboard alone: tab to the CSE count and open it.
    link = table.get_by_role("link", name="2 Child sexual exploitation (CSE): see the concerns")
    for _ in range(80):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Child sexual exploitation (CSE)", level=1)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)

    for name in ("Child-on-child abuse", "Exploitation", "The clocks"):
        page.goto(f"{live_server.url}/trends/")
        page.get_by_role("link", name=name, exact=True).first.click()
        expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
        assert_accessible(page)
    expect(page.locator("#clocks-summary")).to_contain_text("Actions due by now")
