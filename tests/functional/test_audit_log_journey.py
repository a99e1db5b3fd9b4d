"""The data protection officer filters the audit log by a child and downloads it; the DSL opens "Who has seen
this record" from the child's page. axe on every page."""

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.children.selectors import read_child_record
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dpo_filters_by_a_child_and_exports_and_the_dsl_sees_who_has_seen_the_record(page, live_server):
    world = build_world()
    child = world.children["here"]
    read_child_record(world.personas[Role.HEAD], child.pk)

    dpo = world.personas[Role.DPO]
    sign_in(page, live_server, dpo, enrol_totp(dpo))
    page.goto(f"{live_server.url}/audit/")
    assert_accessible(page)
    page.get_by_label("Day", exact=True).first.fill("31")
    page.get_by_label("Month", exact=True).first.fill("2")
    page.get_by_label("Year", exact=True).first.fill("2026")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("link", name="The from date must be a real date, for example 27 3 2026.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Day", exact=True).first.fill("")
    page.get_by_label("Month", exact=True).first.fill("")
    page.get_by_label("Year", exact=True).first.fill("")
    page.get_by_label("Child", exact=True).fill("Child Here")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.get_by_role("cell", name="Child Here's record").first).to_be_visible()
    expect(page.get_by_role("cell", name="Child Region's record")).to_have_count(0)
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert "Child Here's record" in text and world.personas[Role.HEAD].full_name in text

    page.context.clear_cookies()
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name="Who has seen this record").click()
    expect(page.get_by_role("heading", name="Who has seen Child Here's record")).to_be_visible()
    expect(page.get_by_role("cell", name=world.personas[Role.HEAD].full_name).first).to_be_visible()
    assert_accessible(page)
