"""A shared device in a staff room or a children's home (issue 10, section 5): after signing out, Back never
shows the concern again, and searching for a child puts no name in the address bar or the history."""

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.test_journeys import sign_in
from tests.world import build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def everyday_page(browser_type, browser_type_launch_args):
    """A browser as staff have it: Playwright switches the back-forward cache off by default, and that cache
    is what shows a page again on Back without asking the server."""
    browser = browser_type.launch(**browser_type_launch_args, ignore_default_args=["--disable-back-forward-cache"])
    yield browser.new_context().new_page()
    browser.close()


def test_back_after_signing_out_does_not_show_the_concern(everyday_page, live_server):
    page = everyday_page
    world = build_world()
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/concerns/{world.concerns['here'].pk}/")
    expect(page.get_by_text("Seen upset at here")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert "/concerns/" not in page.url
    # A page restored from the back-forward cache fires no load event: wait only for the navigation.
    page.go_back(wait_until="commit")
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_text("Seen upset at here")).to_have_count(0)



def test_finding_a_child_puts_no_name_in_the_address_or_the_history(page, live_server):
    world = build_world()
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/children/")
    page.get_by_label("Name").fill("here")
    expect(page.get_by_role("link", name="Child Here")).to_be_visible()  # as you type
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Child Here")).to_be_visible()  # and with the button
    assert "here" not in page.url.lower()
    history = page.evaluate("() => [location.href, document.referrer]")
    assert all("q=" not in address for address in history)
