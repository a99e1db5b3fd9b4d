"""Places as records (issue 14 section 1; CoC 2.4-2.5, 2.5(e)-(f); CE 5.1-5.2): an establishment's places with
their counts and hotspot flag, a place's page with its concerns, its heat by day and time and its own notes, the
site plan with its pins, and the establishment's own thresholds. Everything is built through the services."""

import importlib
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from PIL import Image

from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.establishments import services as establishments
from safekeep.establishments.models import HotspotThresholds
from safekeep.places import selectors, services
from safekeep.places.models import PlaceNote, PlacePin, SitePlan

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)  # a Wednesday
FRIDAY_AFTER_SCHOOL = datetime(2026, 11, 20, 16, 30, tzinfo=LONDON)
MONDAY_EARLY = datetime(2026, 11, 23, 8, 15, tzinfo=LONDON)
HIDDEN = "Marker-hidden-allegation-at-the-bus-stop"


@pytest.fixture
def bus_stop(world, adopted):
    return establishments.location_add(actor=world.personas[Role.ADMINISTRATOR],
                                       establishment=world.establishments["here"], kind="off_site",
                                       name="the bus stop on Park Road")


def _record(world, time_machine, place, at, key, **extra):
    time_machine.move_to(NOW, tick=False)
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}], occurred_at=at,
            place=place, narrative=extra.pop("narrative", "Older boys waiting by the shelter"), idempotency_key=key,
            **extra)
    return concern


def _three(world, time_machine, place):
    return [_record(world, time_machine, place, FRIDAY_AFTER_SCHOOL, "f1"),
            _record(world, time_machine, place, FRIDAY_AFTER_SCHOOL + timedelta(minutes=20), "f2"),
            _record(world, time_machine, place, MONDAY_EARLY, "m1")]


def _png(width=200, height=100) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 220, 240)).save(out, "PNG")
    return out.getvalue()


def test_the_place_page_counts_by_day_and_time_and_raises_the_flag(world, bus_stop, time_machine, client,
                                                                    signed_in):
    made = _three(world, time_machine, bus_stop)
    found = selectors.read_place(world.personas[Role.DSL], bus_stop.pk)
    grid = {day: cells for day, cells, _ in found["heat"].grid}
    assert grid["Friday"] == [0, 0, 0, 2] and grid["Monday"] == [1, 0, 0, 0] and found["heat"].total == 3
    assert found["row"].recent == 3 and found["row"].flagged
    signed_in(world.personas[Role.DSL])
    text = client.get(f"/places/{bus_stop.pk}/").content.decode()
    assert "3 concerns here in the last 28 days (the flag is set at 3)" in text
    assert "The most concerns at one day and time: 2, on Friday (4pm onwards)" in text
    assert all(f'href="/concerns/{concern.pk}/"' in text for concern in made)
    assert "Older boys" not in text  # the page lists when, never what a concern says
    assert AuditEvent.objects.filter(action="place.view", actor_id=world.personas[Role.DSL].pk).exists()


def test_the_establishments_places_show_their_counts_and_flag(world, bus_stop, time_machine, client, signed_in):
    _three(world, time_machine, bus_stop)
    _record(world, time_machine, bus_stop, NOW - timedelta(days=40), "old")
    _record(world, time_machine, None, MONDAY_EARLY, "nowhere")
    found = selectors.read_establishment_places(world.personas[Role.DSL], world.establishments["here"].pk)
    rows = {row.place.name: row for row in found["rows"]}
    assert (rows["the bus stop on Park Road"].recent, rows["the bus stop on Park Road"].total) == (3, 4)
    assert rows["the bus stop on Park Road"].flagged and not rows["Playground"].flagged
    assert found["unplaced"].total == 2  # with the world's own concern, which names no place
    signed_in(world.personas[Role.DSL])
    text = client.get("/places/").content.decode()  # the DSL sees places at one establishment: its list at once
    assert "Last 28 days" in text and "Hotspot" in text and "No place given" in text
    assert f'href="/places/{bus_stop.pk}/"' in text


def test_a_hidden_allegation_is_neither_counted_nor_listed(world, bus_stop, time_machine, client, signed_in):
    _record(world, time_machine, bus_stop, FRIDAY_AFTER_SCHOOL, "f1")
    allegation = _record(world, time_machine, bus_stop, MONDAY_EARLY, "about-dsl", narrative=HIDDEN,
                         about_adult=True, subject=world.personas[Role.DSL], subject_relationship="staff")
    dsl = selectors.read_place(world.personas[Role.DSL], bus_stop.pk)
    head = selectors.read_place(world.personas[Role.GROUP_HEAD], bus_stop.pk)
    assert (dsl["row"].total, dsl["heat"].total, head["row"].total, head["heat"].total) == (1, 1, 2, 2)
    signed_in(world.personas[Role.DSL])
    text = client.get(f"/places/{bus_stop.pk}/").content.decode()
    assert f"/concerns/{allegation.pk}/" not in text and HIDDEN not in text
    listed = selectors.read_establishment_places(world.personas[Role.DSL], world.establishments["here"].pk)
    assert {row.place.name: row.total for row in listed["rows"]}["the bus stop on Park Road"] == 1


def test_a_place_elsewhere_answers_as_one_that_does_not_exist(world, bus_stop, client, signed_in):
    elsewhere = world.places["region"]
    for persona in (world.personas[Role.DSL], world.personas[Role.STAFF], world.personas[Role.GOVERNOR]):
        signed_in(persona)
        for path in (f"/places/{elsewhere.pk}/", "/places/999999/"):
            assert client.get(path).status_code == 404, (persona, path)
    with pytest.raises(NotVisible):
        selectors.read_place(world.personas[Role.DSL], elsewhere.pk)
    assert AuditEvent.objects.filter(outcome="denied").count() >= 6
    assert AuditEvent.objects.filter(action="place.view", outcome="denied").count() == 2  # the DSL's, by the selector


def test_a_note_is_kept_encrypted_audited_and_shown(world, bus_stop, time_machine, client, signed_in):
    time_machine.move_to(NOW, tick=False)
    signed_in(world.personas[Role.DSL])
    empty = client.post(f"/places/{bus_stop.pk}/notes/", {"text": "  "})
    assert empty.status_code == 200 and "Write the note: what was seen or done about the place." in empty.content.decode()
    response = client.post(f"/places/{bus_stop.pk}/notes/", {"text": "Asked the bus company for camera footage"})
    assert response.status_code == 302
    note = PlaceNote.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM places_placenote WHERE id = %s", [note.pk])
        assert "camera" not in str(cursor.fetchone()[0])
    assert AuditEvent.objects.filter(action="place.note", actor_id=world.personas[Role.DSL].pk).exists()
    assert "Asked the bus company for camera footage" in client.get(f"/places/{bus_stop.pk}/").content.decode()
    with pytest.raises(NotVisible):
        services.place_note_add(actor=world.personas[Role.STAFF], place=bus_stop, text="A note")
    with pytest.raises(TypeError):
        note.save()


def test_the_site_plan_is_checked_by_content_served_only_to_the_team_and_never_cached(world, bus_stop, client,
                                                                                        signed_in):
    here = world.establishments["here"]
    signed_in(world.personas[Role.DSL])
    refused = client.post(f"/places/establishments/{here.pk}/plan/upload/",
                          {"plan": SimpleUploadedFile("plan.png", b"<svg onload=alert(1)>", "image/png")})
    assert refused.status_code == 200 and "The site plan must be a PNG or JPEG image." in refused.content.decode()
    assert client.post(f"/places/establishments/{here.pk}/plan/upload/",
                       {"plan": SimpleUploadedFile("x.bin", _png(), "application/octet-stream")}).status_code == 302
    image = client.get(f"/places/establishments/{here.pk}/plan/image/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert "no-store" in image["Cache-Control"] and image["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(image.content)).size == (200, 100)
    assert AuditEvent.objects.filter(action="place.plan.upload").exists()
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/places/establishments/{here.pk}/plan/image/").status_code == 404


def test_a_place_is_pinned_by_typing_and_the_plan_shows_the_pin_with_its_count(world, bus_stop, time_machine,
                                                                               client, signed_in):
    playground = world.places["here"]
    _record(world, time_machine, playground, FRIDAY_AFTER_SCHOOL, "p1")
    here = world.establishments["here"]
    services.site_plan_upload(actor=world.personas[Role.DSL], establishment=here,
                              upload=SimpleUploadedFile("plan.png", _png(), "image/png"))
    signed_in(world.personas[Role.DSL])
    wrong = client.post(f"/places/{playground.pk}/pin/", {f"pin-{playground.pk}-x": "140",
                                                          f"pin-{playground.pk}-y": "60"})
    text = wrong.content.decode()
    assert "Give a whole number from 0 to 100 (percent)." in text and 'value="140"' in text
    assert client.post(f"/places/{playground.pk}/pin/", {f"pin-{playground.pk}-x": "40",
                                                         f"pin-{playground.pk}-y": "60"}).status_code == 302
    assert (PlacePin.objects.get(place=playground).x, PlacePin.objects.get(place=playground).y) == (40, 60)
    page = client.get(f"/places/establishments/{here.pk}/plan/").content.decode()
    assert 'cx="40%" cy="60%"' in page and "Playground (1)</text>" in page and "40% across, 60% down" in page
    with pytest.raises(Exception, match="Only a place on site"):
        services.place_pin_set(actor=world.personas[Role.DSL], place=bus_stop, x=10, y=10)
    assert AuditEvent.objects.filter(action="place.pin").count() == 1


def test_the_thresholds_form_sets_the_establishments_own_and_keeps_bad_typing(world, bus_stop, client, signed_in):
    here = world.establishments["here"]
    signed_in(world.personas[Role.HEAD])
    page = client.get(f"/places/establishments/{here.pk}/thresholds/").content.decode()
    assert "Policy's figure: <strong>3 concerns within 28 days</strong>" in page and "CoC 2.5(e)" in page
    bad = client.post(f"/places/establishments/{here.pk}/thresholds/", {"place_concerns": "lots", "place_days": "7"})
    text = bad.content.decode()
    assert "There is a problem" in text and 'value="lots"' in text and not HotspotThresholds.objects.exists()
    assert client.post(f"/places/establishments/{here.pk}/thresholds/",
                       {"place_concerns": "2", "place_days": "7"}).status_code == 302
    own = HotspotThresholds.objects.get(establishment=here)
    assert (own.place_concerns, own.place_days, own.kind_concerns) == (2, 7, None)
    assert AuditEvent.objects.filter(action="hotspots.thresholds.set", actor_id=world.personas[Role.HEAD].pk).exists()
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/places/establishments/{here.pk}/thresholds/").status_code == 404


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_place_pages_make_a_fixed_number_of_queries_however_many_concerns(world, bus_stop, time_machine,
                                                                               client, signed_in):
    here = world.establishments["here"]
    services.site_plan_upload(actor=world.personas[Role.DSL], establishment=here,
                              upload=SimpleUploadedFile("plan.png", _png(), "image/png"))
    paths = (f"/places/{bus_stop.pk}/", f"/places/establishments/{here.pk}/",
             f"/places/establishments/{here.pk}/plan/")
    _record(world, time_machine, bus_stop, MONDAY_EARLY, "first")
    signed_in(world.personas[Role.DSL])
    client.get("/")  # the session's first page sets it up; every page after reads the same
    before = [_queries(client, path) for path in paths]
    for i in range(12):
        _record(world, time_machine, bus_stop if i % 2 else world.places["here"],
                MONDAY_EARLY - timedelta(days=i, hours=i), f"more-{i}")
        services.place_note_add(actor=world.personas[Role.DSL], place=bus_stop, text=f"Note {i}")
    signed_in(world.personas[Role.DSL])
    client.get("/")
    assert [_queries(client, path) for path in paths] == before


def test_the_inbox_hotspot_flag_links_to_the_places_page(world, bus_stop, time_machine, client, signed_in):
    _three(world, time_machine, bus_stop)
    signed_in(world.personas[Role.DSL])
    text = client.get("/concerns/").content.decode()
    assert "3 concerns at the bus stop on Park Road" in text and f'href="/places/{bus_stop.pk}/"' in text


def test_the_place_heat_counts_the_period_asked_for_and_its_caption_says_which(world, bus_stop, time_machine,
                                                                                client, signed_in):
    _three(world, time_machine, bus_stop)  # two on Friday 20 November, one on Monday 23 November
    _record(world, time_machine, bus_stop, datetime(2026, 7, 3, 10, 0, tzinfo=LONDON), "july")  # a Friday morning
    signed_in(world.personas[Role.DSL])
    path = f"/places/{bus_stop.pk}/"
    every = client.get(path).content.decode()
    assert "Concerns here by day and time they happened: all concerns" in every
    recent = selectors.read_place(world.personas[Role.DSL], bus_stop.pk, selectors.period_of("28d"))
    assert recent["heat"].total == 3 and recent["row"].total == 4  # the summary counts are not the period's
    months = client.get(path, {"period": "3m"}).content.decode()
    assert "Concerns here by day and time they happened: the last 3 months, since 25 August 2026" in months
    year = selectors.read_place(world.personas[Role.DSL], bus_stop.pk, selectors.period_of("12m"))
    assert year["heat"].total == 4
    ranged = client.get(path, {"period": "range", "since": "2026-07-01", "until": "2026-11-20"}).content.decode()
    assert "Concerns here by day and time they happened: 1 July 2026 to 20 November 2026" in ranged
    grid = {day: cells for day, cells, _ in selectors.read_place(
        world.personas[Role.DSL], bus_stop.pk, selectors.period_of("range", NOW.date() - timedelta(days=145),
                                                                   FRIDAY_AFTER_SCHOOL.date()))["heat"].grid}
    assert grid["Friday"] == [0, 1, 0, 2] and grid["Monday"] == [0, 0, 0, 0]  # the 20th counts whole, not the 23rd
    assert AuditEvent.objects.filter(action="place.view", detail__period="range").exists()


def test_the_establishments_heat_counts_the_period_asked_for_too(world, bus_stop, time_machine, client, signed_in):
    _three(world, time_machine, bus_stop)  # two on Friday 20 November, one on Monday 23 November
    _record(world, time_machine, bus_stop, datetime(2026, 7, 3, 10, 0, tzinfo=LONDON), "july")
    signed_in(world.personas[Role.DSL])
    path = f"/places/establishments/{bus_stop.establishment_id}/"
    every = client.get(path).content.decode()
    assert "Concerns at the establishment by day and time they happened: all concerns" in every
    every_total = selectors.read_establishment_places(world.personas[Role.DSL], bus_stop.establishment_id)["heat"].total
    months = client.get(path, {"period": "3m"}).content.decode()
    assert "Concerns at the establishment by day and time they happened: the last 3 months, since 25 August 2026" \
        in months
    # The three in November; July's, and the world's from January, count only among every concern.
    assert selectors.read_establishment_places(world.personas[Role.DSL], bus_stop.establishment_id,
                                               selectors.period_of("3m"))["heat"].total == 3 < every_total
    mistaken = client.get(path, {"period": "fortnight"}).content.decode()
    assert "There is a problem" in mistaken and "Choose a period from the list." in mistaken
    assert "The period could not be used, so the table counts all concerns." in mistaken
    assert AuditEvent.objects.filter(action="places.view", detail__period="3m").exists()


def test_a_mistaken_period_says_so_keeps_what_was_typed_and_counts_every_concern(world, bus_stop, time_machine,
                                                                                client, signed_in):
    _three(world, time_machine, bus_stop)
    signed_in(world.personas[Role.DSL])
    path = f"/places/{bus_stop.pk}/"
    backwards = client.get(path, {"period": "range", "since": "2026-11-20", "until": "2026-11-01"})
    text = backwards.content.decode()
    assert backwards.status_code == 200 and "There is a problem" in text
    assert "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date." in text
    assert 'value="2026-11-20"' in text and 'value="2026-11-01"' in text
    assert "The period could not be used, so the table counts all concerns." in text
    for bad, message in (({"period": "range", "since": "soon"}, "Enter the &#x27;from&#x27; date as a real date"),
                         ({"period": "range", "since": "2026-11-01"}, "Enter the date the period ends."),
                         ({"period": "range", "since": "2026-11-01", "until": "2026-12-25"},
                          "The date must be today or in the past."),
                         ({"period": "fortnight"}, "Choose a period from the list.")):
        answer = client.get(path, bad)
        assert answer.status_code == 200 and message in answer.content.decode(), bad


def test_a_new_site_plan_starts_with_no_pins_and_keeps_the_previous_plan_and_its_pins_as_history(
        world, time_machine, client, signed_in):
    here, dsl, playground = world.establishments["here"], world.personas[Role.DSL], world.places["here"]
    time_machine.move_to(NOW - timedelta(days=30), tick=False)
    old = services.site_plan_upload(actor=dsl, establishment=here,
                                    upload=SimpleUploadedFile("plan.png", _png(200, 100), "image/png"))
    services.place_pin_set(actor=dsl, place=playground, x=40, y=60)
    time_machine.move_to(NOW, tick=False)
    signed_in(dsl)
    uploaded = client.post(f"/places/establishments/{here.pk}/plan/upload/",
                           {"plan": SimpleUploadedFile("new.png", _png(300, 100), "image/png")}, follow=True)
    text = " ".join(uploaded.content.decode().split())
    assert "It starts with no pins: any pins stay on the previous plan, which is kept." in text
    assert "The 1 pin set before was on the" in text and "previous plan of 26 October 2026" in text
    assert f'href="/places/establishments/{here.pk}/plan/{old.pk}/"' in text
    form = text.split(f'action="/places/{playground.pk}/pin/"', 1)[1].split("</form>", 1)[0]
    assert "Not pinned" in text and 'value="40"' in form and 'value="60"' in form  # offered, not set
    assert "On the previous plan: 40% across, 60% down" in text and "Playground (0)</text>" not in text
    new = SitePlan.objects.filter(establishment=here).first()
    assert new.pk != old.pk and not PlacePin.objects.filter(plan=new).exists()
    upload = AuditEvent.objects.filter(action="place.plan.upload").order_by("pk").last()
    assert upload.detail["previous_plan"] == old.pk and upload.detail["pins_on_previous"] == 1

    assert client.post(f"/places/{playground.pk}/pin/", {f"pin-{playground.pk}-x": "70",
                                                         f"pin-{playground.pk}-y": "20"}).status_code == 302
    assert [(p.plan_id, p.x, p.y) for p in PlacePin.objects.order_by("pk")] == [(old.pk, 40, 60), (new.pk, 70, 20)]
    page = client.get(f"/places/establishments/{here.pk}/plan/").content.decode()
    assert 'cx="70%" cy="20%"' in page and "pins-on-previous" not in page and "1 place pinned" in page

    history = " ".join(client.get(f"/places/establishments/{here.pk}/plan/{old.pk}/").content.decode().split())
    assert "Earlier site plan" in history and "replaced on 25 November 2026" in history
    assert "40% across, 60% down" in history and 'cx="40%" cy="60%"' in history and "<form" not in history.split(
        "<main", 1)[1].split("</main>", 1)[0]
    image = client.get(f"/places/establishments/{here.pk}/plan/{old.pk}/image/")
    assert Image.open(io.BytesIO(image.content)).size == (200, 100) and "no-store" in image["Cache-Control"]
    assert AuditEvent.objects.filter(action="places.plan.previous.view", object_id=str(old.pk)).count() == 1
    # The current plan is not history; another establishment's plan and a stranger's eyes: 404 alike.
    assert client.get(f"/places/establishments/{here.pk}/plan/{new.pk}/").status_code == 404
    assert client.get(f"/places/establishments/{here.pk}/plan/{old.pk + 99}/image/").status_code == 404
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/places/establishments/{here.pk}/plan/{old.pk}/").status_code == 404


def _record_at(world, time_machine, location, place, at, key):
    time_machine.move_to(NOW, tick=False)
    with transaction.atomic():
        concerns.concern_submit(actor=world.people[location], establishment=world.establishments[location],
                                children=[{"child": world.children[location], "role": "harmed", "categories": []}],
                                occurred_at=at, place=place, narrative="Older boys waiting by the shelter",
                                idempotency_key=key)


def test_the_group_head_sees_the_places_across_the_organisation_in_a_period_each_linked(
        world, bus_stop, time_machine, client, signed_in):
    _three(world, time_machine, bus_stop)
    _record(world, time_machine, bus_stop, NOW - timedelta(days=60), "older")
    _record_at(world, time_machine, "region", world.places["region"], MONDAY_EARLY, "region-1")
    _record_at(world, time_machine, "elsewhere", world.places["elsewhere"], MONDAY_EARLY, "elsewhere-1")
    signed_in(world.personas[Role.GROUP_HEAD])
    assert 'href="/places/group/"' in client.get("/places/").content.decode()
    page = client.get("/places/group/").content.decode()
    assert "Concerns by place: the last 28 days" in page
    rows = page.split('id="group-places"', 1)[1].split("</table>", 1)[0]
    assert rows.index("the bus stop on Park Road") < rows.index("Establishment region")
    assert f'href="/places/{bus_stop.pk}/"' in rows and f'href="/places/{world.places["region"].pk}/"' in rows
    assert "Establishment elsewhere" not in rows and "Older boys" not in page  # another organisation; no words
    found = selectors.read_group_places(world.personas[Role.GROUP_HEAD], selectors.period_of("3m"))
    assert [(row.place.name, row.establishment, row.concerns, row.may_open) for row in found["rows"]] == [
        ("the bus stop on Park Road", "Establishment here", 4, True), ("Playground", "Establishment region", 1, True)]
    bad = client.get("/places/group/", {"period": "range", "since": "2026-11-30", "until": "2026-11-01"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert 'value="2026-11-30"' in bad.content.decode()
    assert AuditEvent.objects.filter(action="places.group.view", detail__period="3m").count() == 1
    for role in (Role.DSL, Role.REGIONAL_DIRECTOR, Role.GOVERNOR, Role.HEAD):
        signed_in(world.personas[role])
        assert client.get("/places/group/").status_code == 404, role
    with pytest.raises(NotVisible):
        selectors.read_group_places(world.personas[Role.REGIONAL_DIRECTOR], selectors.period_of("28d"))


def test_the_pins_set_before_plans_kept_their_pins_go_to_the_plan_they_were_shown_on(world, time_machine):
    """The migration that gave each pin its plan: a pin set before then was shown on the establishment's latest
    plan, so it belongs to that one; the earlier plans start with none."""
    here, dsl, playground = world.establishments["here"], world.personas[Role.DSL], world.places["here"]
    time_machine.move_to(NOW - timedelta(days=2), tick=False)
    first = services.site_plan_upload(actor=dsl, establishment=here,
                                      upload=SimpleUploadedFile("a.png", _png(), "image/png"))
    services.place_pin_set(actor=dsl, place=playground, x=25, y=75)
    time_machine.move_to(NOW, tick=False)
    latest = services.site_plan_upload(actor=dsl, establishment=here,
                                       upload=SimpleUploadedFile("b.png", _png(), "image/png"))
    assert PlacePin.objects.get().plan == first
    migration = importlib.import_module("safekeep.places.migrations.0002_pins_belong_to_a_plan")
    migration.pins_to_latest_plan(MigrationExecutor(connection).loader.project_state(
        ("places", "0002_pins_belong_to_a_plan")).apps, None)
    assert [(pin.plan, pin.x, pin.y) for pin in PlacePin.objects.all()] == [(latest, 25, 75)]
