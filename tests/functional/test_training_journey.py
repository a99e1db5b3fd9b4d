"""The head loads a CSV file of training records (a bad row first: the whole file refused, the row named), sees
the establishment's currency with who is overdue; a member of staff sees what they need to renew and the flag on
their home page. axe on every page."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
TODAY = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def test_the_head_loads_training_and_a_member_of_staff_sees_what_to_renew(page, live_server, time_machine, tmp_path):
    time_machine.move_to(TODAY)
    world = build_world()
    adopt_every_shipped_pack(world)
    head, staff, bob = world.personas[Role.HEAD], world.personas[Role.STAFF], world.people["here"]
    bad = tmp_path / "training.csv"
    bad.write_text("Email,Course,Completed on,Evidence\n"
                   f"{staff.email},exploitation-introduction,01/04/2024,Online certificate\n"
                   f"{bob.email},Exploitation - An Introduction (includes Prevent),next week,\n")
    secret = enrol_totp(head)
    sign_in(page, live_server, head, secret)
    page.get_by_role("link", name="Training", exact=True).click()
    expect(page.get_by_role("heading", name="My training")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Load training records for Establishment here").click()
    page.get_by_label("CSV file of training records").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Nothing has been loaded: 1 row needs correcting")).to_be_visible()
    expect(page.get_by_text("Line 3: The date completed “next week” is not a date like 31/01/2026.")).to_be_visible()
    assert_accessible(page)

    good = tmp_path / "training-corrected.csv"
    good.write_text(bad.read_text().replace("next week", "28/02/2024"))
    page.get_by_label("CSV file of training records").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Every row of 2 has been checked. Nothing has been saved yet.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Load 2 training records").click()
    expect(page.get_by_text("2 training records loaded from training-corrected.csv; 0 were already recorded."))\
        .to_be_visible()

    page.get_by_role("link", name="Training at Establishment here").click()
    summary = page.locator("[data-table=summary] tr[data-course=exploitation-introduction]")
    expect(summary.locator("[data-figure=percent]")).to_have_text("20% (1 of 5)")
    overdue = page.get_by_role("table", name="Exploitation - An Introduction (includes Prevent)")
    expect(overdue).to_contain_text(bob.full_name)
    expect(overdue).to_contain_text("28 February 2027")
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    # Everyone there has something overdue or never recorded (the file held only the exploitation course).
    expect(page.get_by_role("link", name="5 people at Establishment here")).to_be_visible()
    assert_accessible(page)

    # The staff persona's yearly update is not recorded: flagged on their home page, listed on My training.
    page.context.clear_cookies()
    staff_secret = enrol_totp(staff)
    sign_in(page, live_server, staff, staff_secret)
    expect(page.get_by_text("Your safeguarding training is overdue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="See your training").click()
    courses = page.get_by_role("table", name="What your roles ask of you")
    row = courses.locator("tr[data-course=exploitation-introduction]")
    expect(row).to_contain_text("1 April 2027")
    expect(row).to_contain_text("Current")
    expect(courses.locator("tr[data-course=base-all-staff-update]")).to_contain_text("Not recorded")
    assert_accessible(page)

    # Four days on (signed out long since), the exploitation course is due within its 30 days.
    time_machine.move_to(datetime(2027, 3, 5, 9, 0, tzinfo=UTC))
    page.context.clear_cookies()
    sign_in(page, live_server, staff, staff_secret)
    page.goto(f"{live_server.url}/training/")
    expect(page.get_by_role("table", name="What your roles ask of you").locator(
        "tr[data-course=exploitation-introduction]")).to_contain_text("Due soon")
