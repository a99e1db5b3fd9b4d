"""How long a child's chronology takes to build as a PDF for a case conference, at 2,000 entries: the read (the
page's own selector, audited) and the PDF (WeasyPrint, tagged PDF/UA-1), with and without other people's names
withheld. The target is under 10 s for 2,000 entries (issue 15, section 3). A chronology that long is prepared by
the worker (settings.SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM): the bench also times the person's request (the count
that chooses the worker, the request written and the build queued) and the worker's build until the PDF is ready.

The chronology is written through the services, as a year of casework would write it: concerns about the child
and a friend, with the child's own words, the addenda that follow them, and shares with a social worker.

Run: SAFEKEEP_ENV=test .venv/bin/python bench/chronology_pdf_bench.py [entries] [runs]
Uses a throwaway SQLite file (or DATABASE_URL), never your data.
"""

import io
import logging
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta

import throwaway  # noqa: F401,E402 (sets Django up on a throwaway database)

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django_tasks_db.management.commands.db_worker import Worker  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from safekeep.authz.roles import Role  # noqa: E402
from safekeep.children.models import Child, Enrolment  # noqa: E402
from safekeep.chronology.pdf import chronology_pdf  # noqa: E402
from safekeep.chronology.models import ChronologyPdfRequest  # noqa: E402
from safekeep.chronology.selectors import export_length, read_chronology_for_export  # noqa: E402
from safekeep.chronology.services import chronology_pdf_request  # noqa: E402
from safekeep.concerns import services as concerns  # noqa: E402
from safekeep.packs import services as packs  # noqa: E402
from safekeep.sharing import services as sharing  # noqa: E402
from tests.world import build_world  # noqa: E402

START = datetime(2025, 9, 3, 9, 0, tzinfo=UTC)
# Each concern is followed by this many addenda (a concern's own entry makes one more).
ADDENDA = 9


def _fill(world, entries: int) -> None:
    child, here = world.children["here"], world.establishments["here"]
    friend = Child.objects.create(organisation=here.organisation, first_name="Kit", last_name="Friend",
                                  date_of_birth=date(2012, 1, 1))
    Enrolment.objects.create(child=friend, establishment=here, mis_id="BENCH-KF")
    staff, dsl = world.personas[Role.STAFF], world.personas[Role.DSL]
    written = 0
    number = 0
    while written < entries:
        when = START + timedelta(days=number)
        with transaction.atomic():
            concern, _ = concerns.concern_submit(
                actor=staff, establishment=here, occurred_at=when, idempotency_key=f"bench-pdf-{number}",
                children=[{"child": child, "role": "harmed", "categories": []},
                          {"child": friend, "role": "alleged_responsible", "categories": []}],
                narrative=f"Kit Friend and Child Here argued at the gate on day {number}; a teacher stepped in.",
                childs_words=f"he said I owe him again, {number} times now")
        written += 1
        for addendum in range(min(ADDENDA, entries - written)):
            with transaction.atomic():
                concerns.addendum_add(actor=dsl, concern=concern,
                                      text=f"Spoke with Child Here and then with Kit at break ({addendum}).")
            written += 1
        if number % 20 == 0 and written < entries:
            with transaction.atomic():
                sharing.share_record(actor=dsl, establishment=here, children=[child], recipient="Sam Okafor",
                                     recipient_organisation="Hillingdon children's services", what="Concern record",
                                     purpose="Strategy discussion", lawful_basis="public-task-safeguarding",
                                     consent="not_sought", consent_note="Would increase the risk",
                                     secure_handling_agreed=True, source_kind="other", shared_at=when)
            written += 1
        number += 1


def _measure(dsl, child, *, redact: bool, runs: int):
    """Median of the runs: wall time, and the CPU time this process used (on a shared machine the wall time
    counts the other engineers' work too; the CPU time is what an idle machine's wall time would be)."""
    timings = []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        export = read_chronology_for_export(dsl, child.pk, redact=redact)
        read = time.process_time() - cpu
        pdf = chronology_pdf(export)
        timings.append((time.perf_counter() - started, time.process_time() - cpu, read))
    timings.sort(key=lambda timing: timing[1])
    wall, cpu, read = timings[len(timings) // 2]
    return len(export.entries), len(PdfReader(io.BytesIO(pdf)).pages), wall, cpu, read


def _measure_worker(dsl, child):
    """What the person waits for when the worker prepares it: the request (the count that chooses the worker, the
    request and its queued build), then the worker's build until the PDF is stored and offered."""
    started, cpu = time.perf_counter(), time.process_time()
    length = export_length(dsl, child.pk)
    asked = chronology_pdf_request(actor=dsl, child_id=child.pk, redact=False)
    answered = time.perf_counter() - started
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="bench", excluded_queue_names=[])
    for row in DBTaskResult.objects.filter(status="READY", task_path="safekeep.chronology.tasks.chronology_pdf_build"):
        worker.run_task(row)
    asked.refresh_from_db()
    assert asked.status == ChronologyPdfRequest.Status.READY, asked.status
    return length, answered, time.perf_counter() - started, time.process_time() - cpu


# The production queue: an alert is a row written with the concern, never a delivery while the bench writes.
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def main(entries: int, runs: int = 3) -> None:
    logging.disable(logging.WARNING)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    world = build_world()
    for version in packs.shipped_packs_install():
        packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=version,
                         organisation=world.organisations["one"])
    started = time.perf_counter()
    _fill(world, entries)
    print(f"wrote the chronology through the services in {time.perf_counter() - started:.0f} s")
    dsl, child = world.personas[Role.DSL], world.children["here"]
    for redact in (False, True):
        shown, pages, wall, cpu, read = _measure(dsl, child, redact=redact, runs=runs)
        label = "names withheld" if redact else "as recorded"
        print(f"chronology PDF, {shown} entries, {pages} pages, {label:14}: median CPU {cpu:5.1f} s (the read "
              f"{read:4.1f} s), wall {wall:5.1f} s at load {os.getloadavg()[0]:.1f}; target under 10 s")
    length, answered, ready, cpu = _measure_worker(dsl, child)
    print(f"prepared by the worker, {length} entries: the request answered in {answered * 1000:.0f} ms; the PDF "
          f"ready {ready:.1f} s after asking (CPU {cpu:.1f} s) at load {os.getloadavg()[0]:.1f}")

if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000, int(sys.argv[2]) if len(sys.argv) > 2 else 3)
