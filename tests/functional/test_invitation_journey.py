"""A new deputy gets in: the administrator adds them, the invitation arrives by real SMTP, its link sets their
password and leads them into two-factor set-up; the link works once."""

import re

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.world import PASSWORD, build_world, current_code, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "a brand new long password 19"


def sign_in(page, live_server, user, secret):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("Email", re.I)).fill(user.email)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile("/accounts/2fa/authenticate/"))
    page.get_by_label(re.compile("code", re.I)).first.fill(current_code(secret))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")


def test_a_new_deputy_is_invited_sets_a_password_and_sets_up_two_factor(page, browser, live_server, smtp_server,
                                                                        settings):
    settings.SAFEKEEP_BASE_URL = live_server.url
    world = build_world()
    admin = world.personas[Role.ADMINISTRATOR]
    sign_in(page, live_server, admin, enrol_totp(admin))
    page.goto(f"{live_server.url}/people/")
    page.get_by_role("button", name="Add a person").click()
    page.get_by_label("Full name").fill("New Deputy")
    page.get_by_label("Work email address").fill("new.deputy@one.example")
    page.get_by_label("Job title").fill("Deputy DSL")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("has been emailed an invitation to set a password")).to_be_visible()

    assert [m["To"] for m in smtp_server.messages] == ["new.deputy@one.example"]
    body = smtp_server.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Child" not in body and world.establishments["here"].name not in body
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", body).group()

    deputy = browser.new_context().new_page()
    deputy.goto(link)
    expect(deputy.get_by_role("heading", name="Set a new password")).to_be_visible()
    assert_accessible(deputy)
    deputy.get_by_label(re.compile("^(New )?Password$", re.I)).fill(NEW_PASSWORD)
    deputy.get_by_label(re.compile("again|confirm", re.I)).fill(NEW_PASSWORD)
    deputy.get_by_role("button", name="Set password").click()
    # Straight on into two-factor set-up, with no second password prompt and no "verify your email" dead end.
    deputy.wait_for_url(re.compile("/account/two-factor-needed/"))
    deputy.get_by_role("button", name="Set up an authenticator app").click()
    deputy.wait_for_url(re.compile("/accounts/2fa/totp/activate/"))
    expect(deputy.get_by_text("until you have verified your email address")).to_have_count(0)
    assert_accessible(deputy)
    deputy.get_by_text("I cannot scan the QR code").click()
    secret = deputy.locator("#authenticator_secret").inner_text().strip()
    deputy.get_by_label("Code from your authenticator app").fill(current_code(secret))
    deputy.get_by_role("button", name="Turn on authenticator app").click()
    expect(deputy.get_by_text("Authenticator app activated")).to_be_visible()
    deputy.goto(f"{live_server.url}/account/security/")
    expect(deputy).to_have_url(re.compile("/account/security/$"))

    # The link has done its work: nobody can use it again.
    stranger = browser.new_context().new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", name="This link no longer works")).to_be_visible()
