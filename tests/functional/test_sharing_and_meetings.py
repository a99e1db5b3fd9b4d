"""A DSL records a strategy meeting about two children with an action and a share; the data protection
officer finds it in the register, downloads the CSV and sees no narrative. axe on every page."""

import re
from datetime import timedelta

import pytest

from safekeep.authz.roles import Role
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARRATIVE = "Seen upset at here"  # the narrative of the world's concern about this child


def test_a_meeting_with_an_action_and_a_share_reaches_the_register_and_its_csv(page, live_server):
    from safekeep.children.models import Child, Enrolment
    from safekeep.meetings.models import Meeting

    world = build_world()
    child = world.children["here"]
    noor = Child.objects.create(organisation=world.organisations["one"], first_name="Noor", last_name="Baker",
                                date_of_birth="2012-02-02", year_group="Year 9")
    Enrolment.objects.create(child=noor, establishment=world.establishments["here"], mis_id="NB")

    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/meetings/new/?child={child.pk}")
    assert_accessible(page)
    page.get_by_label("Add another child").fill("noor")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="Add Noor Baker, Year 9").click()
    assert_accessible(page)
    page.get_by_label("Strategy discussion").check()
    yesterday = clock.now().astimezone(LONDON).date() - timedelta(days=1)
    page.get_by_label("Date of the meeting").fill(yesterday.isoformat())
    page.get_by_label("Time it started").fill("14:30")
    page.locator("#id_attendees-0-name").fill("Sam Patel")
    page.locator("#id_attendees-0-role").fill("Social worker")
    page.locator("#id_attendees-0-agency").fill("Hillingdon children's services")
    page.get_by_label("Decisions").fill("Section 47 enquiry for both children")
    page.locator("#id_actions-0-what").fill("Update the safety plans")
    page.locator("#id_actions-0-due_on").fill((yesterday + timedelta(days=8)).isoformat())
    page.get_by_label("Information about the children was shared").check()
    page.locator("#id_share-recipient").fill("DC Jones")
    page.locator("#id_share-recipient_organisation").fill("Metropolitan Police")
    page.locator("#id_share-what").fill("Chronology for both children")
    page.locator("#id_share-purpose").fill("=Disrupting exploitation")
    page.locator("#id_share-consent-not_sought").check()
    page.locator("#id_share-consent_note_not_sought").fill("Asking would alert the adults involved")
    page.locator("#id_share-secure_handling_agreed").check()
    assert_accessible(page)
    page.get_by_role("button", name="Record the meeting").click()
    assert "The meeting is recorded" in page.content()
    assert "Update the safety plans" in page.content() and "Noor Baker" in page.content()
    assert_accessible(page)
    meeting = Meeting.objects.latest("id")
    assert meeting.agreed_actions.count() == 2  # one for each child

    page.context.clear_cookies()
    dpo = world.personas[Role.DPO]
    sign_in(page, live_server, dpo, enrol_totp(dpo))
    page.goto(f"{live_server.url}/sharing/")
    assert_accessible(page)
    page.get_by_label("Recipient organisation contains").fill("metropolitan")
    page.get_by_role("button", name="Filter").click()
    html = page.content()
    assert "DC Jones" in html and "Noor Baker" in html and NARRATIVE not in html
    assert "Section 47 enquiry" not in html  # the meeting's decisions stay with the case team
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download the shares from")).click()
    text = open(download.value.path(), encoding="utf-8").read()
    assert "DC Jones" in text and "'=Disrupting exploitation" in text
    assert NARRATIVE not in text and "Section 47 enquiry" not in text
    assert page.goto(f"{live_server.url}/meetings/{meeting.pk}/").status == 404
