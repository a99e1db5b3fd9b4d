"""A parent asks for their child's records. The data protection officer finds the child and records the request
with the keyboard alone (a missing answer is shown in the error summary, what was typed kept) and sees it due in
one calendar month, then extends it with its reason (three months); the safeguarding lead prepares the answer, withholding another child's name as third-party
data with the keyboard, and downloads the PDF, where the name never appears and the exemption does. axe on every
page (UK GDPR Art. 12(3), 15; DPA 2018 Sch 2 para 16)."""

import io
import re
from datetime import date, datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Sunday 31 January 2027: the answer is due on Sunday 28 February (no 31 February).
RECEIVED = datetime(2027, 1, 31, 10, 0, tzinfo=LONDON)


def _world_with_a_concern_naming_another_child(time_machine):
    time_machine.move_to(datetime(2027, 1, 20, 10, 0, tzinfo=LONDON), tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    here, child = world.establishments["here"], world.children["here"]
    friend = Child.objects.create(organisation=world.organisations["one"], first_name="Kit", last_name="Friend",
                                  date_of_birth=date(2012, 1, 1))
    Enrolment.objects.create(child=friend, establishment=here, mis_id="KF")
    concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=here, occurred_at=datetime(2027, 1, 20, 9, 0, tzinfo=LONDON),
        disclosure=True, children=[{"child": child, "role": "harmed", "categories": []},
                                   {"child": friend, "role": "alleged_responsible", "categories": []}],
        narrative="Kit Friend took Child Here's phone at the gate.", childs_words="", idempotency_key="sar-journey")
    time_machine.move_to(RECEIVED, tick=True)
    return world, child


def test_the_dpo_records_a_request_and_the_lead_prepares_the_answer_withholding_another_child(
        page, browser, live_server, time_machine):
    world, child = _world_with_a_concern_naming_another_child(time_machine)
    dpo = world.personas[Role.DPO]
    sign_in(page, live_server, dpo, enrol_totp(dpo))
    page.get_by_role("link", name="Subject access requests").click()
    expect(page.get_by_role("heading", name="Subject access requests")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "id_name")
    page.keyboard.type("Here")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Children found: 1")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(f"Record a request for {child.display_name}")).click()
    assert_accessible(page)

    # With the keyboard alone, leaving out how it reached us: the error summary says so, the name is kept.
    tab_to(page, "id_requester_name")
    page.keyboard.type("Mrs Here")
    tab_to(page, "id_relationship_0")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("A parent")).to_be_checked()
    tab_to(page, "id_received_on")
    page.keyboard.type("31/01/2027")
    page.get_by_role("button", name="Record the request").focus()
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Say how the request reached you.")
    expect(page.get_by_label("Who asked for the records?")).to_have_value("Mrs Here")
    expect(page.get_by_label("The date it was received")).to_have_value("31/01/2027")
    assert_accessible(page)
    tab_to(page, "id_received_how_0")
    page.keyboard.press("Space")
    expect(page.get_by_label("Email")).to_be_checked()
    page.get_by_role("button", name="Record the request").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("The answer is due by 28 February 2027")
    expect(page.locator("#request")).to_contain_text("Mrs Here (a parent)")
    # The data protection officer sees the request, never the records: the answer is the lead's to prepare.
    expect(page.get_by_role("link", name="Prepare the answer")).to_have_count(0)
    assert_accessible(page)
    address = page.url

    # The request is complex: the DPO extends it, with the keyboard. Without a reason it is refused in the error
    # summary; with one, the answer is due three months from receipt (30 April) and the reason is kept.
    page.get_by_role("link", name="Extend the request").click()
    expect(page.get_by_role("heading", name=f"Extend the request for {child.display_name}'s records")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Extend the request").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the extension")
    assert_accessible(page)
    tab_to(page, "id_reason")
    page.keyboard.type("Complex: records held at two establishments")
    page.get_by_role("button", name="Extend the request").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert", name="Success")).to_contain_text("now due by 30 April 2027")
    expect(page.locator("#request")).to_contain_text("Complex: records held at two establishments")

    lead = world.personas[Role.DSL]
    lead_page = browser.new_context().new_page()
    sign_in(lead_page, live_server, lead, enrol_totp(lead))
    lead_page.goto(address)
    lead_page.get_by_role("link", name="Prepare the answer").click()
    expect(lead_page.get_by_role("heading", name=f"Prepare the answer for {child.display_name}")).to_be_visible()
    assert_accessible(lead_page)
    friend = lead_page.get_by_role("group", name="Another child named in the same concerns, shares or meetings: Kit Friend")
    expect(friend).to_be_visible()
    # Withhold Kit's name as third-party data; keep everything else. All with the keyboard: a radio group is one
    # Tab stop, Space chooses the first answer and the arrow keys move to the next.
    friend_id = friend.get_by_label("Withhold it").get_attribute("id")
    for index in range(lead_page.locator("input[type=radio][value=keep]").count()):
        tab_to(lead_page, f"id_form-{index}-decision_0")
        lead_page.keyboard.press("Space")
        if f"id_form-{index}-decision_1" == friend_id:
            lead_page.keyboard.press("ArrowDown")
            tab_to(lead_page, f"id_form-{index}-exemption")  # third-party data is proposed already
    expect(friend.get_by_label("Withhold it")).to_be_checked()
    expect(lead_page.locator(f"#{friend_id.replace('decision_1', 'exemption')}")).to_have_value("third_party")
    lead_page.get_by_role("button", name="Keep these decisions").focus()
    lead_page.keyboard.press("Enter")
    expect(lead_page.locator("#decisions")).to_contain_text("Third-party data (DPA 2018 Sch 2 para 16)")
    assert_accessible(lead_page)
    lead_page.get_by_role("button", name="Download the answer (PDF)").focus()
    with lead_page.expect_download() as download:
        lead_page.keyboard.press("Enter")
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read())).pages).split())
    assert "Kit" not in text and "Friend" not in text
    assert "[withheld: Third-party data (DPA 2018 Sch 2 para 16)]" in text
