"""The child protection file follows the child (issue 15 section 2; KCSIE 2025 Annex C): the DSL builds it from
the child's page, choosing what goes in, and sends it with the keyboard alone; the code is shown once; the new
school's DSL, with no account, opens the emailed link with the code, downloads the file and confirms receipt;
the sender's page then shows the receipt; a school in another organisation imports the file into the child's
chronology. axe on every page."""

import re
from datetime import datetime

import pytest
from django.core import mail
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp, give_role, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)
SENDING = datetime(2026, 12, 3, 9, 0, tzinfo=LONDON)


def test_the_dsl_sends_the_file_and_the_new_school_opens_it_with_the_code_and_confirms_receipt(
        page, live_server, time_machine):
    time_machine.move_to(WHEN, tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    child, here, dsl = world.children["here"], world.establishments["here"], world.personas[Role.DSL]
    concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=here, occurred_at=WHEN,
                            children=[{"child": child, "role": "harmed", "categories": []}],
                            narrative="Said an older boy took their phone.", idempotency_key="journey-transfer")
    time_machine.move_to(SENDING, tick=True)
    cases.child_leaving_record(actor=dsl, child=child, establishment=here, destination="Establishment elsewhere",
                               leaves_on=SENDING.date())
    mail.outbox = []

    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name="Child protection file", exact=True).click()
    expect(page.get_by_role("heading", name=f"{child.display_name}'s child protection file")).to_be_visible()
    expect(page.get_by_label("Concerns", exact=True)).to_be_checked()
    assert_accessible(page)

    # With the keyboard alone: leave out the safety plans, then who it goes to.
    tab_to(page, "id_parts_8")
    page.keyboard.press("Space")
    expect(page.get_by_label("Safety plans and sanctions")).not_to_be_checked()
    tab_to(page, "id_recipient_name")
    page.keyboard.type("Robin Ade")
    page.keyboard.press("Tab")
    page.keyboard.type("not an address")
    page.keyboard.press("Tab")
    page.keyboard.type("Establishment elsewhere")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.get_by_label("Name of the receiving DSL")).to_have_value("Robin Ade")
    assert_accessible(page)
    page.get_by_label("Their email address").fill("r.ade@new-school.example.org")
    page.get_by_role("button", name="Build and send the file").click()
    expect(page.get_by_role("heading", name="File sent to Robin Ade")).to_be_visible()
    code = page.locator("#transfer-code").inner_text()
    assert re.fullmatch(r"\d{8}", code)
    assert_accessible(page)

    [email] = mail.outbox
    path = re.search(r"http://[^/\s]+(/transfers/receive/\S+/)", email.body).group(1)
    receiver = page.context.browser.new_context().new_page()  # another school's browser: no session here
    receiver.goto(f"{live_server.url}{path}")
    expect(receiver.get_by_role("heading", name="Open the child protection file")).to_be_visible()
    assert_accessible(receiver)
    tab_to(receiver, "id_code")
    receiver.keyboard.type(code)
    receiver.keyboard.press("Enter")
    expect(receiver.get_by_role("heading", name="Child protection file from Establishment here")).to_be_visible()
    expect(receiver.get_by_role("link", name="Download the file to read (PDF)")).to_be_visible()
    assert_accessible(receiver)
    with receiver.expect_download() as downloading:
        receiver.get_by_role("link", name=re.compile("Download the file for your records system")).click()
    received = downloading.value.path()
    tab_to(receiver, "id_name")
    receiver.keyboard.type("Robin Ade")
    receiver.keyboard.press("Tab")
    receiver.keyboard.type("Designated safeguarding lead")
    receiver.keyboard.press("Enter")
    expect(receiver.get_by_role("heading", name="Receipt confirmed")).to_be_visible()
    assert_accessible(receiver)

    page.get_by_role("link", name="Back to the file").click()
    expect(page.locator("main")).to_contain_text("by Robin Ade, Designated safeguarding lead")
    assert_accessible(page)

    # At the new school, in another organisation on the same Safekeep: the file joins the child's chronology.
    elsewhere, arriving = world.establishments["elsewhere"], world.children["elsewhere"]
    their_dsl = make_user("r.ade@new-school.example.org", world.organisations["two"], name="Robin Ade")
    give_role(their_dsl, Role.DSL, establishment=elsewhere)
    theirs = page.context.browser.new_context().new_page()
    sign_in(theirs, live_server, their_dsl, enrol_totp(their_dsl))
    theirs.goto(f"{live_server.url}/children/{arriving.pk}/")
    theirs.get_by_role("link", name="Import a file from a previous school").click()
    expect(theirs.get_by_role("heading", name="Import a child protection file")).to_be_visible()
    assert_accessible(theirs)
    theirs.get_by_label("The child protection file (JSON)").set_input_files(received)
    theirs.get_by_label("The child it is about").select_option(str(arriving.pk))
    theirs.get_by_role("button", name="Import the file").click()
    expect(theirs.get_by_role("heading", name="File imported")).to_be_visible()
    assert_accessible(theirs)
    theirs.get_by_role("link", name=f"Read {arriving.display_name}'s chronology").click()
    expect(theirs.locator("main")).to_contain_text("Transferred from the previous school's file")
    expect(theirs.locator("main")).to_contain_text("From Establishment here: Concern recorded.")
    expect(theirs.locator("main")).to_contain_text("Recorded by Persona Member of staff on 20 November 2026")
