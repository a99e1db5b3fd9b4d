"""In Chromium: a DSL opens a child's chronology before a case conference. It shows what happened to the
child; with the keyboard alone they show the steps Safekeep tracked, then open a record from its entry,
and print. axe on every page."""

import re
import uuid
from datetime import datetime

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect
from pypdf import PdfReader

from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible, tab_to
from tests.integration.test_chronology_pdf import DATABASE_QUEUE
from tests.integration.test_chronology_pdf import _run_worker as run_worker
from tests.world import adopt_every_shipped_pack, build_world, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, element_id: str, most: int = 80) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


def test_the_dsl_reads_the_record_and_shows_the_tracked_steps_with_the_keyboard(page, live_server):
    world = build_world()
    adopt_every_shipped_pack(world)
    child, dsl = world.children["here"], world.personas[Role.DSL]
    concern, _ = concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": child, "role": "harmed", "categories": ["cce"]}], disclosure=True,
        occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=LONDON), narrative="Came back late with new trainers.",
        idempotency_key=uuid.uuid4().hex)
    involved = concern.children_involved.get()
    concerns.triage_record(actor=dsl, involved=involved, risk="high", rationale="Older boy seen at the gates.",
                           categories=involved.categories, outcome="childrens_services")
    client = Client()
    sign_in(client, dsl)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])

    page.goto(f"{live_server.url}/chronology/{child.pk}/")
    table = page.locator("table.sk-chronology")
    expect(table.get_by_text("Concern recorded", exact=True)).to_be_visible()
    expect(table.get_by_text("Triage decision", exact=True)).to_be_visible()
    expect(table.get_by_text(re.compile("^Required:"))).to_have_count(0)
    expect(page.get_by_text(re.compile(r"\d+ steps Safekeep tracked are not shown"))).to_be_visible()
    assert_accessible(page)

    # Keyboard only: to the filter, tick it with Space, on to "Show", Enter.
    _tab_to(page, "tracked")
    page.keyboard.press("Space")
    expect(page.get_by_label("Show the steps Safekeep tracked")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"tracked=1"))
    expect(table.get_by_text(re.compile("^Required:")).first).to_be_visible()
    expect(table.get_by_text("Step Safekeep tracked").first).to_be_visible()
    expect(page.get_by_text("Showing: With the steps Safekeep tracked.")).to_be_visible()
    expect(page.get_by_label("Show the steps Safekeep tracked")).to_be_checked()
    assert_accessible(page)

    # Each entry opens its record, from the keyboard too.
    link = page.get_by_role("link", name=re.compile(r"^Open the concern\s*: triage decision"))
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/concerns/{concern.pk}/")
    expect(page.get_by_text("Came back late with new trainers.")).to_be_visible()

    page.goto(f"{live_server.url}/chronology/{child.pk}/?print=1")
    expect(page.get_by_text(re.compile(r"Not printed: \d+ steps Safekeep tracked"))).to_be_visible()
    expect(page.get_by_text("Older boy seen at the gates.", exact=False).first).to_be_visible()
    assert_accessible(page)


def _dsl_on_a_chronology(page, live_server):
    """A concern about the child recorded through the service, and their DSL signed in on the child's chronology."""
    world = build_world()
    child, dsl = world.children["here"], world.personas[Role.DSL]
    concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": child, "role": "harmed", "categories": []}], childs_words="they said I owe them",
        occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=LONDON), narrative="Came back late with new trainers.",
        idempotency_key=uuid.uuid4().hex)
    client = Client()
    sign_in(client, dsl)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                               "url": live_server.url}])
    page.goto(f"{live_server.url}/chronology/{child.pk}/")
    return child


def test_the_dsl_downloads_the_chronology_as_a_pdf_with_names_withheld_using_the_keyboard(page, live_server):
    """Before a case conference: tick "Withhold other people's names" with Space, Tab to the button, Enter; the
    PDF downloads under a file name with no name in it."""
    child = _dsl_on_a_chronology(page, live_server)
    expect(page.get_by_role("heading", name="Download as PDF for a case conference")).to_be_visible()
    assert_accessible(page)
    _tab_to(page, "id_redact")
    page.keyboard.press("Space")
    expect(page.get_by_label("Withhold other people's names")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Download as PDF")).to_be_focused()
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    name = download.value.suggested_filename
    assert re.fullmatch(rf"chronology-{child.pk}-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", name), name
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"


def test_a_long_chronology_is_prepared_while_the_page_waits_then_downloads_with_the_keyboard(
        page, live_server, settings):
    """The chronology counts as long here (the threshold lowered): asking for the PDF answers at once with a page
    that says it is being prepared; once the worker has built it, the same page, unprompted, offers the download,
    reached and taken with the keyboard. axe on both."""
    settings.SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM = 1
    settings.TASKS = DATABASE_QUEUE
    child = _dsl_on_a_chronology(page, live_server)
    page.get_by_role("button", name="Download as PDF").click()
    page.wait_for_url(re.compile(r"/chronology/pdf/\d+/$"))
    expect(page.get_by_text("Your PDF is being prepared")).to_be_visible()
    expect(page.get_by_role("link", name="Download the PDF")).to_have_count(0)
    assert_accessible(page)

    run_worker()  # the worker builds it; the page asks again within 5 s and shows what changed
    expect(page.get_by_text("Your PDF is ready")).to_be_visible()
    assert_accessible(page)
    tab_to(page, "pdf-download")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    name = download.value.suggested_filename
    assert re.fullmatch(rf"chronology-{child.pk}-\d{{4}}-\d{{2}}-\d{{2}}\.pdf", name), name
    with open(download.value.path(), "rb") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Child Here, born 1 May 2012" in text and "they said I owe them" in text
