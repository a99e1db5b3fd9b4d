"""In Chromium: the safeguarding lead, the head and the group head each open their home page on a
Wednesday morning of the autumn term and, with the keyboard alone, follow a figure to the list behind
it (the group head first sorts the establishments). axe on every page."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.integration.test_home_pages import NOW, home_world  # noqa: F401 (the world, as a fixture)
from tests.world import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def opened(page, live_server, home_world, time_machine):  # noqa: F811
    """opened(role): the browser signed in as that persona, on the home page, the clock running from NOW."""
    time_machine.move_to(NOW, tick=True)

    def _open(role):
        client = Client()
        sign_in(client, home_world.personas[role])
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                   "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
        page.goto(live_server.url + "/")
        return page

    return _open


def _tab_to_link(page, words: re.Pattern, most: int = 120) -> None:
    """Press Tab until a link whose words match has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if words.search(page.evaluate("document.activeElement ? document.activeElement.textContent : ''") or ""):
            return
    raise AssertionError(f"no link matching {words.pattern} can be reached with the Tab key")


def test_the_safeguarding_lead_follows_the_urgent_figure_to_the_concern(opened, home_world):  # noqa: F811
    page = opened(Role.DSL)
    expect(page.get_by_role("heading", name="What needs you now at Establishment here")).to_be_visible()
    expect(page.get_by_role("link", name="1 urgent concerns at Establishment here")).to_be_visible()
    expect(page.get_by_role("link", name="4 unread concerns at Establishment here")).to_be_visible()
    assert_accessible(page)
    _tab_to_link(page, re.compile(r"^1 urgent concerns"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"show=urgent"))
    expect(page.get_by_text("Showing: Unread, with a child at risk now at Establishment here")).to_be_visible()
    expect(page.locator(f'a[href="/concerns/{home_world.urgent.pk}/"]')).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    assert_accessible(page)


def test_the_head_follows_the_clocks_missed_this_term(opened, home_world):  # noqa: F811
    page = opened(Role.HEAD)
    expect(page.get_by_text("Autumn 2026: actions done late or still overdue")).to_be_visible()
    assert_accessible(page)
    _tab_to_link(page, re.compile(r"^6 clocks missed this term"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/oversight/clocks-missed/"))
    expect(page.get_by_role("heading", name="Clocks missed this term at Establishment here")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(6)
    expect(page.get_by_role("link", name="Meet the parents")).to_be_visible()
    expect(page.get_by_role("link", name="Update the safety plan")).to_have_count(0)
    assert_accessible(page)


def test_the_group_head_sorts_the_establishments_and_drills_down(opened, home_world):  # noqa: F811
    page = opened(Role.GROUP_HEAD)
    table = page.get_by_role("table", name="Your establishments")
    expect(table.get_by_role("row")).to_have_count(4)  # the headings and three establishments
    expect(table.get_by_role("columnheader", name="Overdue actions")).to_have_attribute("aria-sort", "descending")
    assert_accessible(page)
    _tab_to_link(page, re.compile(r"^Establishment$"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=name"))
    expect(table.get_by_role("columnheader", name="Establishment")).to_have_attribute("aria-sort", "ascending")
    expect(table.get_by_role("row").nth(1)).to_contain_text("Establishment here")
    expect(table.get_by_role("row").nth(3)).to_contain_text("Establishment region")
    assert_accessible(page)
    _tab_to_link(page, re.compile(r"^1 referrals past their window at Establishment here"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"window=late"))
    expect(page.get_by_role("heading", name=re.compile("past their response window at Establishment here"))) \
        .to_be_visible()
    expect(page.locator(f'a[href="/referrals/{home_world.unanswered.pk}/"]')).to_be_visible()
    assert_accessible(page)
