"""Decades after the child left, the school's safeguarding lead finds their file due for review, places a legal
hold with the keyboard alone and lifts it with a reason, proposes the destruction (refused until they confirm
they checked), and cannot approve it themselves; the headteacher approves it and finds the tombstone in the
register with the initials only. axe on every page (IRMS toolkit; docs/domain/records-lifecycle.md)."""

from datetime import datetime

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.children.models import Child
from safekeep.concerns.services import concern_submit
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import (adopt_every_shipped_pack, build_world, enrol_totp, give_role, link_school_and_home,
                         make_user)

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


def test_the_safeguarding_lead_records_a_childs_death_with_the_keyboard_and_the_review_date_follows(
        page, live_server, time_machine):
    """The child at the school "here" also lives at its linked home: their file is the home's, 75 years from birth,
    until their death aged 13 is recorded; then 15 years from the death (CH(E)R 2015 reg 36(2)(b))."""
    world = build_world()
    adopt_every_shipped_pack(world)
    link_school_and_home(world)
    dsl, child = world.personas[Role.DSL], world.children["here"]
    time_machine.move_to(datetime(2026, 1, 6, 10, 0, tzinfo=LONDON), tick=True)
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/retention/child/{child.pk}/")
    expect(page.locator("#standing")).to_contain_text("1 May 2087")
    expect(page.locator("#death")).to_contain_text("Not recorded")
    page.goto(f"{live_server.url}/children/{child.pk}/")
    expect(page.locator("#date-of-death")).to_contain_text("Not recorded")
    assert_accessible(page)
    page.locator("#date-of-death").get_by_role("link", name="Record a date of death").click()
    expect(page.get_by_role("heading", name=f"The date {child.display_name} died")).to_be_visible()
    assert_accessible(page)

    # With the keyboard alone: a date still to come is refused with what to do, and what was typed stays.
    tab_to(page, "id_died_on")
    page.keyboard.type("10/06/2027")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must be today or in the past")
    expect(page.get_by_label("The date the child died")).to_have_value("10/06/2027")
    assert_accessible(page)
    page.get_by_label("The date the child died").fill("10/06/2025")
    page.get_by_role("button", name="Record the date of death").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The date of death is recorded")
    expect(page.locator("#date-of-death")).to_contain_text("10 June 2025")
    assert_accessible(page)

    page.goto(f"{live_server.url}/retention/child/{child.pk}/")
    expect(page.locator("#death")).to_contain_text("10 June 2025")
    expect(page.locator("#standing")).to_contain_text("10 June 2040")
    expect(page.locator("#standing")).to_contain_text("15 years from the death of a child who dies before 18")
    assert_accessible(page)


def test_an_allegation_is_reviewed_and_destroyed_by_the_head_and_the_safeguarding_lead(page, live_server,
                                                                                    time_machine):
    """Ten years after an allegation about a teacher, the head finds it on the review list, proposes its
    destruction once they confirm the teacher has reached pension age, and the safeguarding lead approves it: the
    tombstone holds the teacher's initials only (KCSIE Part four)."""
    world = build_world()
    adopt_every_shipped_pack(world)
    dsl, head = world.personas[Role.DSL], world.personas[Role.HEAD]
    teacher = make_user("teacher@example.org", world.organisations["one"], name="Sam Jones")
    give_role(teacher, Role.STAFF, establishment=world.establishments["here"])
    time_machine.move_to(datetime(2026, 3, 2, 10, 0, tzinfo=LONDON))
    allegation, _ = concern_submit(
        actor=world.people["here"], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=LONDON), narrative="Grabbed the child's arm",
        idempotency_key="journey-allegation", about_adult=True, subject=teacher, subject_relationship="staff")
    time_machine.move_to(datetime(2036, 3, 3, 10, 0, tzinfo=LONDON), tick=True)
    sign_in(page, live_server, head, enrol_totp(head))

    page.get_by_role("link", name="Retention", exact=True).click()
    row = page.locator("#files tbody tr", has_text="Allegation about Sam Jones, 2 March 2026")
    expect(row).to_contain_text("Allegations about staff, volunteers and contractors")
    expect(row).to_contain_text("2 March 2036")
    assert_accessible(page)
    row.get_by_role("link").click()
    expect(page.locator("#standing")).to_contain_text("or until the adult reaches 67 if later")
    expect(page.locator("body")).not_to_contain_text("Grabbed")
    assert_accessible(page)
    page.get_by_role("link", name="Propose destruction").click()
    page.get_by_label("I have checked that no hold, claim, inquiry or request needs this allegation").check()
    page.get_by_role("button", name="Propose destruction").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Confirm that the adult has reached normal pension age")
    assert_accessible(page)
    page.get_by_label("I have checked that the adult has reached normal pension age (67)").check()
    page.get_by_role("button", name="Propose destruction").click()
    expect(page.locator("#standing")).to_contain_text("Destruction awaiting approval")

    page.context.clear_cookies()
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/retention/allegation/{allegation.pk}/approve/")
    assert_accessible(page)
    page.get_by_label("Yes, destroy the allegation: I am the second reviewer").check()
    page.get_by_role("button", name="Record the decision").click()
    register = page.locator("#tombstones tbody tr").first
    expect(register).to_contain_text(f"Allegation about an adult {allegation.pk} (S.J.)")
    expect(register).not_to_contain_text("Sam Jones")
    assert_accessible(page)
    page.goto(f"{live_server.url}/retention/allegation/{allegation.pk}/")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
