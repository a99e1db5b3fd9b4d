"""The facts the rules need, asked on the page (issue 11 section 1), in Chromium with axe-core: the recording
page asks whether images or videos of a child are being shared, by keyboard alone, and the triage page warns
about a child under 13 placed as "normal" with no further action."""

import re
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.children.models import Child
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.imports import services as imports
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_recording_page_asks_about_images_by_keyboard_and_the_dsl_gets_the_urgent_step(page, live_server):
    world = build_world()
    adopt_every_shipped_pack(world)
    staff, child = world.personas[Role.STAFF], world.children["here"]
    sign_in(page, live_server, staff, enrol_totp(staff))
    page.goto(f"{live_server.url}/concerns/new/?child={child.pk}")
    images = page.get_by_label("Images or videos of a child are being shared")
    expect(images).not_to_be_checked()
    expect(page.get_by_text("Do not look at, copy, save or forward them")).to_be_visible()
    assert_accessible(page)
    page.locator(f"#role-{child.pk} input[value=harmed]").check()
    page.get_by_label("Date it happened").fill(clock.now().astimezone(clock.LONDON).date().isoformat())
    page.get_by_label("What you saw, heard or were told").fill("A picture of her is going round Year 9.")
    images.focus()
    page.keyboard.press("Space")  # keyboard only: the box is reached and ticked without a mouse
    expect(images).to_be_checked()
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.get_by_text("Your concern has been sent")).to_be_visible()
    step = Action.objects.get(child=child, action_code="stop-spread")
    assert step.owner_role == "dsl" and step.deadline == "immediately"


def test_the_triage_page_warns_about_a_child_under_13_and_the_error_passes_axe(page, live_server):
    world = build_world()
    adopt_every_shipped_pack(world)
    school, admin = world.establishments["here"], world.personas[Role.ADMINISTRATOR]
    young = (clock.now().date() - timedelta(days=8 * 366)).strftime("%d/%m/%Y")
    batch, errors = imports.import_check(
        actor=admin, establishment=school, kind="children", file_name="pupils.csv",
        data=("Admission Number,UPN,Legal Forename,Legal Surname,Preferred Forename,Date of Birth,Gender,"
              f"Year Group,SEN Status,Looked After\nE3,,Pip,Young,,{young},Male,Year 3,N,No\n").encode())
    assert not errors
    imports.import_start(actor=admin, batch=batch, background=False)
    pip = Child.objects.get(first_name="Pip")
    concern, _ = concerns.concern_submit(
        actor=world.people["here"], establishment=school,
        children=[{"child": pip, "role": "harmed", "categories": ["coc_sexual_harassment"]}],
        occurred_at=clock.now() - timedelta(hours=1), narrative="Two children in Year 3.",
        idempotency_key=uuid.uuid4().hex)
    involved = concern.children_involved.get()
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/concerns/{concern.pk}/children/{involved.pk}/triage/")
    expect(page.get_by_text("A child under 13 can never consent to sexual activity")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Low", exact=True).check()
    page.get_by_label("Why", exact=True).fill("Two children playing")
    page.get_by_label("Normal", exact=True).check()
    page.get_by_label("Why there on the continuum").fill("Curiosity")
    page.get_by_label("No further action", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_role("alert")).to_contain_text("can never consent")
    expect(page.get_by_label("Why", exact=True)).to_have_value("Two children playing")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("can never consent")).click()
    expect(page.get_by_label("If you place the behaviour as normal with no further action, say why")).to_be_focused()
    page.keyboard.type("Developmentally expected; spoke to both families")
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(f"{live_server.url}/concerns/{concern.pk}/")
    assert involved.triages.get().under_13_reason == "Developmentally expected; spoke to both families"
