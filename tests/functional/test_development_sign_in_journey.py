"""The first ten minutes in Chromium (issue 11, section 7): in development, the second sign-in step shows
the demo user's current code; read from the page and typed with the keyboard alone, it signs them in."""

import re

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.world import PASSWORD, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _to_the_second_step(page, live_server):
    """The demo DSL gives their email and password, by keyboard, and reaches the code step."""
    world = build_world()
    dsl = world.personas[Role.DSL]
    enrol_totp(dsl)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("Email", re.I)).fill(dsl.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/accounts/2fa/authenticate/"))


def test_in_development_the_code_on_the_page_signs_the_demo_user_in_by_keyboard(page, live_server, settings):
    settings.DEBUG, settings.SAFEKEEP_SHOW_DEMO_CODE = True, True
    _to_the_second_step(page, live_server)
    shown = page.locator("#development-code")
    expect(shown).to_contain_text("Development only")
    assert_accessible(page)
    code = re.search(r"\b(\d{6})\b", shown.inner_text()).group(1)
    page.get_by_label(re.compile("code", re.I)).first.focus()
    page.keyboard.type(code)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Find a child").first).to_be_visible()


def test_outside_development_the_page_shows_no_code(page, live_server):
    _to_the_second_step(page, live_server)
    expect(page.get_by_role("heading", name="Enter the code from your authenticator app")).to_be_visible()
    expect(page.locator("#development-code")).to_have_count(0)
