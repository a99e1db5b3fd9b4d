"""The chronology as a PDF for a case conference (issue 15, section 3): read back as a reader of it would, page
by page; tagged for screen readers; marked with who printed it and when; other people's names withheld on
request from the names Safekeep holds as records; audited; refused to those who may not read the chronology."""

import io
import logging
import uuid
from datetime import UTC, date, datetime

import pytest
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology import prepared
from safekeep.chronology.models import ChronologyPdfRequest
from safekeep.chronology.pdf import chronology_pdf
from safekeep.chronology.selectors import read_chronology_for_export
from safekeep.chronology.tasks import chronology_pdfs_expire
from safekeep.concerns import services as concerns
from safekeep.sharing import services as sharing

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
PRINTED = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
# Kept as typed: capitals, punctuation, curly quotes and doubled spaces (the recording form never tidies them).
CHILDS_WORDS = "they said I “owe them” for the trainers — Kit Friend was there, and Ms Odum saw it too!"


@pytest.fixture
def friend(world):
    """Another child at the same school, named in the same concern."""
    friend = Child.objects.create(organisation=world.organisations["one"], first_name="Kit", last_name="Friend",
                                  date_of_birth=date(2012, 1, 1))
    Enrolment.objects.create(child=friend, establishment=world.establishments["here"], mis_id="KF")
    return friend


@pytest.fixture
def casework(world, friend, time_machine):
    """A concern about the child and their friend, with the child's own words, a share with a social worker, and
    enough entries on the child's file to run to several pages."""
    time_machine.move_to(WHEN)
    child, here = world.children["here"], world.establishments["here"]
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=here, occurred_at=WHEN, disclosure=True,
            children=[{"child": child, "role": "harmed", "categories": []},
                      {"child": friend, "role": "alleged_responsible", "categories": []}],
            narrative="Kit Friend took Child Here's phone at the gate.", childs_words=CHILDS_WORDS,
            idempotency_key="pdf-1")
    for number in range(40):
        with transaction.atomic():
            concerns.addendum_add(actor=world.personas[Role.DSL], concern=concern,
                                  text=f"Follow-up {number}: spoke with Child Here and then with Kit at break.")
    with transaction.atomic():
        sharing.share_record(actor=world.personas[Role.DSL], establishment=here, children=[child],
                             recipient="Sam Okafor", recipient_organisation="Hillingdon children's services",
                             what="Concern record", purpose="Strategy discussion",
                             lawful_basis="public-task-safeguarding", consent="not_sought",
                             consent_note="Would increase the risk", secure_handling_agreed=True,
                             source_kind="other", shared_at=WHEN)
    time_machine.move_to(PRINTED)
    return concern


def _export(client, child, *, redact=False):
    response = client.post(f"/chronology/{child.pk}/pdf/", {"redact": "on"} if redact else {})
    return response


def _pages(response) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages]


def _flat(text: str) -> str:
    """The text as read aloud: a line break where a line wrapped is a space."""
    return " ".join(text.split())


def test_the_pdf_holds_the_childs_words_exactly_with_name_and_date_of_birth_and_page_numbers_on_every_page(
        world, casework, client, signed_in):
    signed_in(world.personas[Role.DSL])
    response = _export(client, world.children["here"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition == f'attachment; filename="chronology-{world.children["here"].pk}-2026-12-03.pdf"'
    assert "Here" not in disposition
    pages = _pages(response)
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert "Child Here, born 1 May 2012" in text, number
        assert f"Page {number} of {len(pages)}" in text, number
        assert "Printed by Persona Designated safeguarding lead, Designated safeguarding lead, on 3 December 2026 " \
               "at 14:05" in _flat(text), number
    everything = _flat(" ".join(pages))
    assert _flat(CHILDS_WORDS) in everything
    assert "Kit Friend" in everything and "Sam Okafor" in everything and "[name withheld]" not in everything


def test_the_childs_words_keep_their_line_breaks_and_spaces_in_the_pdf(world, casework, client, signed_in):
    """The words are laid out as written (pre-wrap): a reader sees the same lines the child's words were typed in."""
    with transaction.atomic():
        concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"], occurred_at=WHEN,
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
            narrative="At lunch.", childs_words="first line\nsecond   line", idempotency_key="pdf-2")
    signed_in(world.personas[Role.DSL])
    text = " ".join(_pages(_export(client, world.children["here"])))
    assert "first line\nsecond   line" in text


def test_names_withheld_on_request_are_the_third_parties_never_the_childs_nor_the_staffs(
        world, casework, client, signed_in):
    signed_in(world.personas[Role.DSL])
    pages = _pages(_export(client, world.children["here"], redact=True))
    everything = _flat(" ".join(pages))
    for withheld in ("Kit Friend", "Kit", "Friend", "Sam Okafor"):
        assert withheld not in everything.replace("Friend]", ""), withheld
    assert "Child Here" in everything  # the child's own name, in the words and at the top of every page
    # The staff who recorded and acted are the professional record a case conference reads: kept.
    assert "Recorded 20 Nov 2026, 10:00 by Persona Member of staff, Establishment here" in everything
    assert "Addendum by Persona Designated safeguarding lead: Follow-up 0" in everything
    assert "[name withheld] took Child Here's phone at the gate." in everything
    assert "spoke with Child Here and then with [name withheld] at break" in everything
    assert "Information shared with [name withheld], Hillingdon children's services" in everything
    assert "Names withheld." in everything
    # A name written only in the words (a teacher no record names) is not guessed at: the PDF says so.
    assert "Ms Odum" in everything and "A name written only in the words of a record may remain" in everything
    for number, text in enumerate(pages, start=1):
        assert "Child Here, born 1 May 2012" in text and "Names withheld" in text, number


def test_the_pdf_is_tagged_for_screen_readers_in_british_english_with_a_title(world, casework, client, signed_in):
    signed_in(world.personas[Role.DSL])
    reader = PdfReader(io.BytesIO(_export(client, world.children["here"]).content))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    assert catalog["/Lang"] == "en-GB"
    assert reader.metadata.title == "Chronology: Child Here"


def test_every_export_is_audited_with_the_child_whether_redacted_and_how_many_entries_and_no_words(
        world, casework, client, signed_in):
    signed_in(world.personas[Role.DSL])
    child = world.children["here"]
    _export(client, child)
    _export(client, child, redact=True)
    rows = list(AuditEvent.objects.filter(action="child.chronology.export", object_type="child",
                                          object_id=str(child.pk), detail__has_key="entries").order_by("id"))
    assert [(row.detail["redacted"], row.detail["entries"]) for row in rows] == [(False, 42), (True, 42)]
    assert {row.actor_id for row in rows} == {world.personas[Role.DSL].pk}
    for row in rows:
        assert "trainers" not in str(row.detail) and "Kit" not in str(row.detail)


def test_a_child_you_cannot_see_is_a_404_and_staff_and_governors_cannot_export(world, casework, client, signed_in):
    signed_in(world.personas[Role.DSL])
    assert _export(client, world.children["region"]).status_code == 404
    assert client.post("/chronology/999999/pdf/").status_code == 404
    assert client.get(f"/chronology/{world.children['here'].pk}/pdf/").status_code == 405  # a download is POSTed
    for role in (Role.STAFF, Role.GOVERNOR):
        signed_in(world.personas[role])
        response = _export(client, world.children["here"])
        assert response.status_code == 404 and response["Content-Type"] != "application/pdf", role
    assert not AuditEvent.objects.filter(action="child.chronology.export", detail__has_key="entries",
                                         actor_id__in=[world.personas[Role.STAFF].pk,
                                                       world.personas[Role.GOVERNOR].pk]).exists()


def test_a_hidden_allegation_never_appears_in_the_pdf(world, casework, client, signed_in):
    """The regional director reads the child's chronology, not allegations about staff; the DSL it is about
    reads nothing of it (ADR 0008)."""
    with transaction.atomic():
        concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"], occurred_at=WHEN,
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
            narrative="Said the teacher grabbed her arm.", childs_words="he grabbed my arm", about_adult=True,
            subject=world.personas[Role.DSL], subject_relationship="staff", idempotency_key=uuid.uuid4().hex)
    signed_in(world.personas[Role.HEAD])
    assert "he grabbed my arm" in _flat(" ".join(_pages(_export(client, world.children["here"]))))
    for reader in (Role.REGIONAL_DIRECTOR, Role.DSL):
        signed_in(world.personas[reader])
        everything = _flat(" ".join(_pages(_export(client, world.children["here"]))))
        assert _flat(CHILDS_WORDS) in everything, reader
        assert "grabbed" not in everything and "Allegation" not in everything, reader


def test_the_pdf_fetches_nothing_and_escapes_what_it_prints(world, friend, time_machine):
    """A record's words are printed as text: markup in them loads nothing."""
    time_machine.move_to(WHEN)
    with transaction.atomic():
        concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"], occurred_at=WHEN,
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
            narrative='<img src="https://example.org/t.png">', childs_words='<link rel="stylesheet" href="file:///x">',
            idempotency_key="pdf-3")
    from safekeep.chronology.pdf import STYLESHEET
    from safekeep.core.pdf import OwnStylesheetOnly

    fetcher = OwnStylesheetOnly(STYLESHEET)
    export = read_chronology_for_export(world.personas[Role.DSL], world.children["here"].pk, redact=False)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(chronology_pdf(export, fetcher=fetcher))).pages)
    assert fetcher.refused == [] and '<img src="https://example.org/t.png">' in _flat(text)


# --- A long chronology is prepared by the worker (issue 15, section 3) ----------------------------------------------
# The production queue, in the database: the build waits for the worker, as it does on a server.
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
BUILD = "safekeep.chronology.tasks.chronology_pdf_build"


@pytest.fixture
def long(settings):
    """The casework's 42 entries count as a long chronology; the build is queued for the worker."""
    settings.SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM = 40
    settings.TASKS = DATABASE_QUEUE


def _run_worker():
    """Run what is queued with the database worker's own code, as `db_worker` would; the worker must never fail."""
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    queued = list(DBTaskResult.objects.filter(task_path=BUILD, status="READY"))
    for row in queued:
        worker.run_task(row)
        row.refresh_from_db()
        assert row.status == "SUCCESSFUL"
    return queued


def _ask(client, child, *, redact=False):
    response = _export(client, child, redact=redact)
    assert response.status_code == 302, response.status_code
    return response["Location"]


def test_a_long_chronology_is_prepared_by_the_worker_and_offered_to_whoever_asked(
        world, casework, client, signed_in, long):
    dsl, child = world.personas[Role.DSL], world.children["here"]
    signed_in(dsl)
    page = _ask(client, child)
    asked = ChronologyPdfRequest.objects.get()
    assert page == f"/chronology/pdf/{asked.pk}/"  # ids only: nothing of the child in the address
    waiting = client.get(page).content.decode()
    assert "Your PDF is being prepared" in waiting and 'aria-live="polite"' in waiting
    assert 'hx-trigger="every 5s"' in waiting and "Download the PDF" not in waiting
    assert "42 entries, with names as recorded" in waiting and "Child Here" not in waiting
    # Queued with the request, by id alone: the queue holds nothing of the record.
    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.filter(task_path=BUILD)] == [[asked.pk]]
    assert client.get(f"{page}download/").status_code == 404  # nothing to download yet
    requested = AuditEvent.objects.get(action="child.chronology.export.request", object_type="chronologypdfrequest")
    assert requested.actor_id == dsl.pk and requested.detail == {"child": child.pk, "redacted": False, "entries": 42}
    assert not AuditEvent.objects.filter(action="child.chronology.export", detail__has_key="entries").exists()

    _run_worker()
    ready = client.get(page).content.decode()
    assert "Your PDF is ready" in ready and "Download the PDF" in ready and "every 5s" not in ready
    download = client.get(f"{page}download/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "no-store"
    assert download["Content-Disposition"] == f'attachment; filename="chronology-{child.pk}-2026-12-03.pdf"'
    pages = _pages(download)
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert "Child Here, born 1 May 2012" in text and f"Page {number} of {len(pages)}" in text, number
    everything = _flat(" ".join(pages))
    assert _flat(CHILDS_WORDS) in everything and "Printed by Persona Designated safeguarding lead" in everything
    # The build's read is audited as the direct download's is, as the person who asked; each download too.
    rows = AuditEvent.objects.filter(action="child.chronology.export", detail__has_key="entries")
    assert [(row.actor_id, row.detail["redacted"], row.detail["entries"]) for row in rows] == [(dsl.pk, False, 42)]
    client.get(f"{page}download/")
    downloads = AuditEvent.objects.filter(action="child.chronology.export.download", outcome="allowed")
    assert [(row.actor_id, row.object_id) for row in downloads] == [(dsl.pk, str(child.pk))] * 2
    # Stored encrypted: the bytes kept are not a PDF, and hold none of the child's words.
    asked.refresh_from_db()
    assert asked.status == "ready" and bytes(asked.pdf)[:5] != b"%PDF-" and b"trainers" not in bytes(asked.pdf)


def test_asking_again_while_it_is_prepared_is_the_same_pdf_not_a_second_build(
        world, casework, client, signed_in, long):
    child = world.children["here"]
    signed_in(world.personas[Role.DSL])
    first, again = _ask(client, child), _ask(client, child)  # a double click
    assert first == again and ChronologyPdfRequest.objects.count() == 1
    assert DBTaskResult.objects.filter(task_path=BUILD).count() == 1
    asks = AuditEvent.objects.filter(action="child.chronology.export.request", object_type="chronologypdfrequest")
    assert [row.detail.get("already_waiting", False) for row in asks.order_by("seq")] == [False, True]
    _run_worker()
    # Once it is ready, asking again prepares a new one (the record may have changed).
    assert _ask(client, child) != first and DBTaskResult.objects.filter(task_path=BUILD).count() == 2


def test_names_withheld_are_withheld_from_the_prepared_pdf_too(world, casework, client, signed_in, long):
    signed_in(world.personas[Role.DSL])
    page = _ask(client, world.children["here"], redact=True)
    assert "with other people's names withheld" in client.get(page).content.decode()
    _run_worker()
    everything = _flat(" ".join(_pages(client.get(f"{page}download/"))))
    assert "[name withheld] took Child Here's phone at the gate." in everything and "Sam Okafor" not in everything


def test_only_the_person_who_asked_opens_the_prepared_pdf_anyone_else_gets_a_404(
        world, casework, client, signed_in, long):
    """The deputy reads the same chronology, and may ask for their own PDF: never open someone else's."""
    signed_in(world.personas[Role.DSL])
    page = _ask(client, world.children["here"])
    _run_worker()
    for other in (Role.DEPUTY_DSL, Role.HEAD, Role.STAFF, Role.GOVERNOR):
        signed_in(world.personas[other])
        assert client.get(page).status_code == 404, other
        response = client.get(f"{page}download/")
        assert response.status_code == 404 and response["Content-Type"] != "application/pdf", other
    # Each refusal is written to the audit log, as every denial is.
    assert AuditEvent.objects.filter(action="child.chronology.export.view", outcome="denied",
                                     actor_id=world.personas[Role.DEPUTY_DSL].pk).exists()
    signed_in(world.personas[Role.DSL])
    assert client.get("/chronology/pdf/999999/").status_code == 404
    assert client.get("/chronology/pdf/999999/download/").status_code == 404
    assert not AuditEvent.objects.filter(action="child.chronology.export.download", outcome="allowed").exists()


def test_a_short_chronology_still_downloads_at_once(world, casework, client, signed_in, settings):
    settings.SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM = 43
    settings.TASKS = DATABASE_QUEUE
    signed_in(world.personas[Role.DSL])
    assert _export(client, world.children["here"])["Content-Type"] == "application/pdf"
    assert not ChronologyPdfRequest.objects.exists() and not DBTaskResult.objects.filter(task_path=BUILD).exists()


def test_a_build_that_fails_says_so_keeps_nothing_and_logs_ids_only(
        world, casework, client, signed_in, long, monkeypatch, caplog):
    def breaks(export, **options):
        raise RuntimeError(f"could not lay out {export.child.first_name}'s words: {CHILDS_WORDS}")

    monkeypatch.setattr(prepared, "chronology_pdf", breaks)
    signed_in(world.personas[Role.DSL])
    page = _ask(client, world.children["here"])
    with caplog.at_level(logging.ERROR, logger="safekeep.chronology.prepared"):
        _run_worker()  # the worker carries on: its task succeeded in telling the person
    asked = ChronologyPdfRequest.objects.get()
    assert asked.status == "failed" and asked.pdf is None and asked.ready_at is None
    text = client.get(page).content.decode()
    assert "We could not prepare the PDF. Try again." in text and "Download the PDF" not in text
    assert "every 5s" not in text and "Ask for the PDF again" in text
    assert client.get(f"{page}download/").status_code == 404
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert f"request {asked.pk} for child {world.children['here'].pk}" in logged and "RuntimeError" in logged
    assert "Child" not in logged.replace("Chronology", "") and "trainers" not in logged


def test_a_prepared_pdf_is_deleted_a_day_after_it_was_asked_for(
        world, casework, client, signed_in, long, time_machine):
    signed_in(world.personas[Role.DSL])
    page = _ask(client, world.children["here"])
    _run_worker()
    time_machine.move_to(datetime(2026, 12, 4, 14, 0, tzinfo=UTC))  # under a day: kept
    chronology_pdfs_expire.call()
    signed_in(world.personas[Role.DSL])  # the next morning's session
    assert client.get(f"{page}download/").status_code == 200
    time_machine.move_to(datetime(2026, 12, 4, 14, 10, tzinfo=UTC))
    assert chronology_pdfs_expire.call() == "1 chronology PDFs deleted"
    signed_in(world.personas[Role.DSL])
    asked = ChronologyPdfRequest.objects.get()
    assert asked.status == "expired" and asked.pdf is None
    assert client.get(f"{page}download/").status_code == 404
    text = client.get(page).content.decode()
    assert "This PDF has been deleted" in text and "Ask for the PDF again" in text
