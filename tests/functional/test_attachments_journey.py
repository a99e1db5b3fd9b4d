"""The joined journey of issue 4 in Debian's Chromium, every page checked with axe-core (WCAG 2.2 AA)."""

import re

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.integration.test_attachments import jpeg_with_gps
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Saw Noor push her against the lockers by the science block."
WORDS = "she said I have to give her my dinner money every day"


def test_two_child_concern_with_photo_reaches_the_dsl_and_both_chronologies(page, live_server, smtp_server):
    from safekeep.children.models import Child, Enrolment
    from safekeep.concerns.models import Concern

    world = build_world()
    adopt_every_shipped_pack(world)
    harmed = world.children["here"]
    noor = Child.objects.create(organisation=world.organisations["one"], first_name="Noor", last_name="Baker",
                                date_of_birth="2012-02-02", year_group="Year 9")
    Enrolment.objects.create(child=noor, establishment=world.establishments["here"], mis_id="NB")

    # A member of staff records it: two children, a disclosure, a mark on the body map and a photo.
    staff = world.personas[Role.STAFF]
    sign_in(page, live_server, staff, enrol_totp(staff))
    page.get_by_role("link", name="Record a concern").click()
    page.get_by_label("Which child? Type part of their name").fill("here")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Add Child Here").click()
    page.get_by_label("Add another child").fill("noor")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("button", name="Add Noor Baker, Year 9").click()
    expect(page.get_by_role("group", name="Noor Baker, Year 9")).to_be_visible()  # drawn in place by htmx
    page.locator(f"#role-{harmed.pk} input[value=harmed]").check()
    page.locator(f"#role-{noor.pk} input[value=alleged_responsible]").check()
    page.get_by_label("Date it happened").fill("2026-11-20")
    page.get_by_label("What you saw, heard or were told").fill(NARRATIVE)
    page.get_by_label("The child's own words (optional)").fill(WORDS)
    page.get_by_label("A child told me about harm to them (a disclosure)").check()
    page.get_by_label("Add a photo or screenshot").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}])
    page.get_by_label("Back", exact=True).check()
    page.get_by_label("Where on the body").select_option(label="Left forearm or wrist")
    page.get_by_label("What the mark looks like").fill("Red finger marks, about 4 cm")
    page.get_by_role("button", name="Add the mark").click()
    # The round trip kept the photo on the server (not in the browser) and every word typed.
    expect(page.get_by_text("photo.jpg — kept")).to_be_visible()
    expect(page.get_by_text("Back, left forearm or wrist:")).to_be_visible()
    assert page.get_by_label("What you saw, heard or were told").input_value() == NARRATIVE
    expect(page.locator("svg.sk-body-map circle[fill='#d4351c']")).to_have_count(1)
    assert_accessible(page)
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.get_by_text("Your concern has been sent")).to_be_visible()
    expect(page.get_by_text("Back, left forearm or wrist:")).to_be_visible()
    assert_accessible(page)
    concern = Concern.objects.get(recorded_by=staff)
    assert concern.attachments.count() == 1 and concern.body_marks.count() == 1

    # The DSL is emailed at once, with a link and no case content.
    dsl = world.personas[Role.DSL]
    to_dsl = [m for m in smtp_server.messages if m["To"] == dsl.email and "new concern" in m["Subject"]]
    assert len(to_dsl) == 1
    assert f"/concerns/{concern.pk}/" in to_dsl[0].get_content()
    mail = "\n".join(m.as_string() for m in smtp_server.messages)  # every email sent, to anyone
    for secret in ("Noor", "Baker", "Child Here", "lockers", "dinner money", "finger", "photo.jpg"):
        assert secret not in mail, secret

    # The DSL opens the inbox and the concern, downloads the photo (never shown inline), triages each child.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/concerns/")
    assert_accessible(page)
    page.locator(f'a[href="/concerns/{concern.pk}/"]').click()
    expect(page.get_by_text(NARRATIVE)).to_be_visible()
    expect(page.get_by_text("Red finger marks, about 4 cm")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download photo.jpg").click()
    assert download.value.suggested_filename == "photo.jpg"
    for child, risk, outcome in ((harmed, "High", "Referral to children's services"), (noor, "Medium", "Early help")):
        page.get_by_role("link", name=f"Triage {child.display_name}").click()
        assert_accessible(page)
        page.get_by_label(risk, exact=True).check()
        page.get_by_label("Why", exact=True).fill(f"Decision for {child.first_name} after reading the concern")
        page.get_by_label(outcome, exact=True).check()
        page.get_by_role("button", name="Record decision").click()
        expect(page.get_by_text(re.compile(f"Your decision for {child.display_name}"))).to_be_visible()
        assert_accessible(page)

    # Both chronologies show the concern, each with that child's own role.
    for child, own, other in ((harmed, "harmed or at risk", "alleged to be responsible"),
                              (noor, "alleged to be responsible", "harmed or at risk")):
        page.goto(f"{live_server.url}/chronology/{child.pk}/")
        expect(page.locator("table").get_by_text(re.compile(own, re.I)).first).to_be_visible()
        assert other not in page.locator("main").inner_text().lower()
        expect(page.locator("table").get_by_text(re.compile("Triage decision", re.I)).first).to_be_visible()
        assert_accessible(page)
