"""A DSL opens a place from the establishment's places, reads when its concerns happen in the heat table, writes a
note in the place's chronology, uploads the site plan and pins a place on it with the keyboard alone, then sets
the establishment's own hotspot threshold; every page passes axe (CoC 2.4-2.5, 2.5(e)-(f); CE 5.1-5.2)."""

import io
import re
from datetime import datetime, timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from safekeep.establishments import services as establishments
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)  # a Wednesday
FRIDAY_AFTER_SCHOOL = datetime(2026, 11, 20, 16, 30, tzinfo=LONDON)


def _world(time_machine):
    time_machine.move_to(NOW - timedelta(days=1), tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    school = world.establishments["here"]
    bus_stop = establishments.location_add(actor=world.personas[Role.ADMINISTRATOR], establishment=school,
                                           kind="off_site", name="the bus stop on Park Road")
    for i in range(3):
        concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=school, place=bus_stop,
                                occurred_at=FRIDAY_AFTER_SCHOOL + timedelta(minutes=10 * i),
                                narrative="Older boys waiting by the shelter", idempotency_key=f"bus-{i}",
                                children=[{"child": world.children["here"], "role": "harmed", "categories": []}])
    time_machine.move_to(NOW, tick=True)
    return world


def test_a_dsl_reads_a_places_heat_writes_a_note_pins_it_on_the_plan_and_sets_a_threshold(
        page, live_server, time_machine, tmp_path):
    world = _world(time_machine)
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))

    page.get_by_role("link", name="Places", exact=True).click()
    places = page.locator("#places")
    expect(places.get_by_role("row", name=re.compile("the bus stop on Park Road"))).to_contain_text("Hotspot")
    assert_accessible(page)

    places.get_by_role("link", name="the bus stop on Park Road").click()
    expect(page.get_by_role("heading", name="the bus stop on Park Road", level=1)).to_be_visible()
    expect(page.locator("#flag")).to_contain_text("3 concerns here in the last 28 days (the flag is set at 3)")
    friday = page.locator("#heat").get_by_role("row", name=re.compile("^Friday"))
    expect(friday.get_by_role("cell")).to_have_text(["0", "0", "0", "3", "3"])
    expect(page.locator("#concerns").get_by_role("link")).to_have_count(3)
    assert_accessible(page)

    # A note left empty keeps the page with its error; then written.
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write the note")
    assert_accessible(page)
    page.get_by_label("Note").fill("Asked the bus company for camera footage")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator("#notes")).to_contain_text("Asked the bus company for camera footage")

    page.get_by_role("link", name=re.compile("Places at Establishment here")).click()
    page.get_by_role("link", name="Site plan").click()
    expect(page.locator("#no-plan")).to_be_visible()
    assert_accessible(page)
    plan = tmp_path / "site.png"
    picture = io.BytesIO()
    Image.new("RGB", (400, 200), (230, 240, 250)).save(picture, "PNG")
    plan.write_bytes(picture.getvalue())
    page.get_by_label("Site plan image").set_input_files(str(plan))
    page.get_by_role("button", name="Upload the site plan").click()
    expect(page.get_by_role("img", name=re.compile("^Site plan of Establishment here"))).to_be_visible()

    # Pinned with the keyboard alone: Tab to the place's first box, type, Tab, type, Enter.
    playground = world.places["here"]
    tab_to(page, f"id_pin-{playground.pk}-x")
    page.keyboard.type("40")
    page.keyboard.press("Tab")
    page.keyboard.type("60")
    page.keyboard.press("Enter")
    expect(page.locator("#pins").get_by_role("row", name=re.compile("Playground"))).to_contain_text(
        "40% across, 60% down")
    expect(page.locator("#site-plan text")).to_have_text(["Playground (0)"])
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("Places at Establishment here")).click()
    page.get_by_role("link", name="Hotspot thresholds").click()
    expect(page.locator(".govuk-inset-text").first).to_contain_text("Policy's figure: 3 concerns within 28 days")
    assert_accessible(page)
    page.get_by_label("Concerns at one place").fill("two")
    page.get_by_role("button", name="Save the thresholds").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a whole number from 1 to 365")
    expect(page.get_by_label("Concerns at one place")).to_have_value("two")
    assert_accessible(page)
    page.get_by_label("Concerns at one place").fill("4")
    page.get_by_role("button", name="Save the thresholds").click()
    expect(page.get_by_text("Hotspot thresholds saved.")).to_be_visible()
    page.get_by_role("link", name="Places", exact=True).first.click()
    expect(page.locator("#places").get_by_role("row", name=re.compile("the bus stop"))).not_to_contain_text("Hotspot")
