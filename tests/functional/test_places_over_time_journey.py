"""Places over time and across the group (issue 14): the DSL counts a place's heat over a period (a date range
typed backwards refused with the dates kept), assesses the place from its own page and records a referral about
it on the assessment; uploads a new site plan, reads that the pins stayed on the previous plan, opens it, and pins
the place again with the keyboard alone; the group head reads the places across the organisation in a period.
axe on every page (CoC 2.4-2.5, 2.5(h), 7.3; CE 5.1-5.2)."""

import io
import re
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from safekeep.establishments import services as establishments
from safekeep.places import services as places
from tests.functional.conftest import assert_accessible, tab_to
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)  # a Wednesday
FRIDAY_AFTER_SCHOOL = datetime(2026, 11, 20, 16, 30, tzinfo=LONDON)


def _png(width, height) -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (width, height), (230, 240, 250)).save(picture, "PNG")
    return picture.getvalue()


def _world(time_machine):
    time_machine.move_to(NOW - timedelta(days=120), tick=True)
    world = build_world()
    adopt_every_shipped_pack(world)
    school = world.establishments["here"]
    bus_stop = establishments.location_add(actor=world.personas[Role.ADMINISTRATOR], establishment=school,
                                           kind="off_site", name="the bus stop on Park Road")
    places.site_plan_upload(actor=world.personas[Role.DSL], establishment=school,
                            upload=SimpleUploadedFile("plan.png", _png(400, 200), "image/png"))
    places.place_pin_set(actor=world.personas[Role.DSL], place=world.places["here"], x=40, y=60)
    for i, at in enumerate((NOW - timedelta(days=100), FRIDAY_AFTER_SCHOOL, FRIDAY_AFTER_SCHOOL + timedelta(hours=1))):
        time_machine.move_to(max(at, NOW - timedelta(days=100)) + timedelta(minutes=5), tick=True)
        concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=school, place=bus_stop, occurred_at=at,
                                narrative="Older boys waiting by the shelter", idempotency_key=f"bus-{i}",
                                children=[{"child": world.children["here"], "role": "harmed", "categories": []}])
    time_machine.move_to(NOW, tick=True)
    return world, bus_stop


def test_a_dsl_counts_a_period_assesses_the_place_refers_it_and_pins_a_new_plan_and_the_group_head_reads_the_group(
        page, live_server, time_machine, tmp_path):
    world, bus_stop = _world(time_machine)
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))
    page.goto(f"{live_server.url}/places/{bus_stop.pk}/")
    heat = page.locator("#heat")
    expect(heat.locator("caption")).to_have_text("Concerns here by day and time they happened: all concerns")

    # A range typed backwards: refused in the error summary, the dates kept, every concern still counted.
    page.get_by_label("Between two dates").check()
    page.get_by_label("From", exact=True).fill("2026-11-20")
    page.get_by_label("To", exact=True).fill("2026-11-01")
    page.get_by_role("button", name="Count this period").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The 'to' date must be the same as or after")
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-11-20")
    expect(page.locator("#period-refused")).to_contain_text("counts all concerns")
    assert_accessible(page)
    page.get_by_label("The last 28 days").check()
    page.get_by_role("button", name="Count this period").click()
    expect(heat.locator("caption")).to_have_text("Concerns here by day and time they happened: the last 28 days")
    expect(heat.get_by_role("row", name=re.compile("^Every day")).get_by_role("cell").last).to_have_text("2")
    assert_accessible(page)

    # Assessed from the place's own page, then a referral about the place recorded on the assessment.
    expect(page.locator("#no-assessments")).to_be_visible()
    page.get_by_role("link", name="Assess this place").click()
    expect(page.get_by_role("heading", name="Assess the bus stop on Park Road")).to_be_visible()
    for box in page.locator("textarea").all():
        box.fill("Older boys wait at the shelter after school")
    page.get_by_role("button", name=re.compile("^Save")).click()
    page.get_by_label("The community safety partnership").check()
    page.get_by_label("Date the referral was made").fill("2026-11-24")
    page.get_by_label("What was referred about the context, and what was asked for").fill(
        "The shelter after 3pm: asked for a patrol")
    page.get_by_role("button", name="Record the referral").click()
    expect(page.locator("#referrals")).to_contain_text("24 Nov 2026, to the community safety partnership")
    assert_accessible(page)
    page.goto(f"{live_server.url}/places/{bus_stop.pk}/")
    expect(page.locator("#assessments").get_by_role("link")).to_have_count(1)

    # A new site plan: the pin stays on the previous plan, which is kept; placed again with the keyboard alone.
    page.goto(f"{live_server.url}/places/establishments/{world.establishments['here'].pk}/plan/")
    plan = tmp_path / "new.png"
    plan.write_bytes(_png(600, 300))
    page.get_by_label("Site plan image").set_input_files(str(plan))
    page.get_by_role("button", name="Upload a new site plan").click()
    expect(page.locator("#pins-on-previous")).to_contain_text("The 1 pin set before was on the previous plan")
    expect(page.locator("#pins").get_by_role("row", name=re.compile("Playground"))).to_contain_text("Not pinned")
    assert_accessible(page)
    page.locator("#pins-on-previous").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Earlier site plan", level=1)).to_be_visible()
    expect(page.locator("#pins")).to_contain_text("40% across, 60% down")
    expect(page.locator("form.place-pin-form")).to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Current site plan").click()
    playground = world.places["here"]
    expect(page.locator(f"#id_pin-{playground.pk}-x")).to_have_value("40")  # offered where it was
    tab_to(page, f"id_pin-{playground.pk}-x")
    page.keyboard.press("Control+a")
    page.keyboard.type("55")
    page.keyboard.press("Enter")
    expect(page.locator("#pins").get_by_role("row", name=re.compile("Playground"))).to_contain_text(
        "55% across, 60% down")
    expect(page.locator("#pins-on-previous")).to_have_count(0)

    # The group head: the places across the organisation in the last 28 days, each a link to its page.
    page.context.clear_cookies()
    head = world.personas[Role.GROUP_HEAD]
    sign_in(page, live_server, head, enrol_totp(head))
    page.get_by_role("link", name="Places", exact=True).click()
    page.get_by_role("link", name="Places across the organisation").click()
    table = page.locator("#group-places")
    expect(table.locator("caption")).to_have_text("Concerns by place: the last 28 days")
    expect(table.get_by_role("row", name=re.compile("the bus stop on Park Road"))).to_contain_text("2")
    assert_accessible(page)
    page.get_by_label("The last 12 months").check()
    page.get_by_role("button", name="Count this period").click()
    expect(table.get_by_role("row", name=re.compile("the bus stop on Park Road"))).to_contain_text("3")
    table.get_by_role("link", name="the bus stop on Park Road").click()
    expect(page.get_by_role("heading", name="the bus stop on Park Road", level=1)).to_be_visible()
