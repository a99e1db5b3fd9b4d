"""Decades after the child left, the school's safeguarding lead finds their file due for review, places a legal
hold with the keyboard alone and lifts it with a reason, proposes the destruction (refused until they confirm
they checked), and cannot approve it themselves; the headteacher approves it and finds the tombstone in the
register with the initials only. axe on every page (IRMS toolkit; docs/domain/records-lifecycle.md)."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.children.models import Child
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The child at "here" was born on 1 May 2012: their school file's review came on 1 May 2037.
LONG_AFTER = datetime(2040, 1, 6, 10, 0, tzinfo=LONDON)


def test_a_file_is_reviewed_held_and_destroyed_by_two_people(page, live_server, time_machine):
    world = build_world()
    adopt_every_shipped_pack(world)
    dsl, head = world.personas[Role.DSL], world.personas[Role.HEAD]
    child = world.children["here"]
    time_machine.move_to(LONG_AFTER, tick=True)
    sign_in(page, live_server, dsl, enrol_totp(dsl))

    page.get_by_role("link", name="Retention", exact=True).click()
    expect(page.get_by_role("heading", name="Files due for review")).to_be_visible()
    row = page.locator("#files tbody tr", has_text=child.display_name)
    expect(row).to_contain_text("School child protection file")
    expect(row).to_contain_text("1 May 2037")
    expect(row).to_contain_text("Due for review")
    assert_accessible(page)
    row.get_by_role("link", name=child.display_name).click()
    expect(page.get_by_role("heading", name=f"Retention: {child.display_name}")).to_be_visible()
    expect(page.locator("#standing")).to_contain_text("IRMS Information Management Toolkit for Schools")
    assert_accessible(page)

    # A legal hold, with the keyboard alone: the reason left out first is asked for, the choice kept.
    page.get_by_role("link", name="Place a legal hold").click()
    assert_accessible(page)
    tab_to(page, "id_kind_0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("A police request")).to_be_checked()
    tab_to(page, "id_reason")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Say what the hold is for")
    expect(page.get_by_label("A police request")).to_be_checked()
    assert_accessible(page)
    tab_to(page, "id_reason")
    page.keyboard.type("Operation Lantern, reference PL-2039-114")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The legal hold is placed")
    expect(page.locator("#holds")).to_contain_text("Operation Lantern")
    expect(page.get_by_role("link", name="Propose destruction")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("link", name="Lift a legal hold").click()
    page.get_by_label("A police request", exact=False).check()
    page.get_by_label("Why can the hold be lifted?").fill("The police closed the operation")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_text("No legal hold is in place.")).to_be_visible()

    # Proposing asks them to confirm they checked; proposing destroys nothing.
    page.get_by_role("link", name="Propose destruction").click()
    assert_accessible(page)
    page.get_by_role("button", name="Propose destruction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that you have checked")
    assert_accessible(page)
    page.get_by_label("I have checked that no hold, claim, inquiry or request needs this file").check()
    page.get_by_role("button", name="Propose destruction").click()
    expect(page.locator("#standing")).to_contain_text("Destruction awaiting approval")

    # The one who proposed cannot approve.
    page.get_by_role("link", name="Approve or decline the destruction").click()
    assert_accessible(page)
    page.get_by_label("Yes, destroy the file: I am the second reviewer").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("another reviewer must approve it")
    assert Child.objects.filter(pk=child.pk).exists()

    # The headteacher is the second reviewer.
    page.context.clear_cookies()
    sign_in(page, live_server, head, enrol_totp(head))
    page.goto(f"{live_server.url}/retention/child/{child.pk}/approve/")
    page.get_by_label("Yes, destroy the file: I am the second reviewer").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Register of destroyed files")).to_be_visible()
    register = page.locator("#tombstones tbody tr").first
    expect(register).to_contain_text(f"Child's file {child.pk} (C.H.)")
    expect(register).to_contain_text("school-child-protection-file")
    expect(register).not_to_contain_text(child.display_name)
    assert_accessible(page)
    assert not Child.objects.filter(pk=child.pk).exists()
    page.goto(f"{live_server.url}/retention/child/{child.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
