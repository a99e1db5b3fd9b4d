"""The audit log the data protection officer uses (issue 15, section 6): names where the reader may see the
child, filters sent in the body, keyset pages past the latest 200 rows, a formula-safe streamed CSV that is
itself audited, and nothing of an allegation for its subject."""

import csv
import io
import re
import uuid
from datetime import UTC, date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from safekeep.accounts.services import person_update
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.children.selectors import read_child_record
from safekeep.concerns.services import concern_submit
from safekeep.core import clock

RECORDED = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SEQ = re.compile(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">(\d+)</td>')


def _read(response) -> str:
    return (b"".join(response.streaming_content) if response.streaming else response.content).decode()


def _open_child(world, times, location="here"):
    for _ in range(times):
        read_child_record(world.personas[Role.DSL] if location == "here" else world.personas[Role.GROUP_HEAD],
                          world.children[location].pk)


def test_a_child_is_named_only_where_the_reader_may_see_them(client, world, signed_in):
    _open_child(world, 1)
    read_child_record(world.personas[Role.GROUP_HEAD], world.children["organisation"].pk)
    signed_in(world.personas[Role.DPO])
    page = _read(client.get("/audit/"))
    assert "Child Here&#x27;s record" in page and "Persona Designated safeguarding lead" in page
    assert f"child {world.children['here'].pk}<" not in page
    assert "Child Organisation&#x27;s record" in page  # on roll in the DPO's organisation, at another school


def test_filters_by_child_person_record_and_date_with_clear_errors(client, world, signed_in, time_machine):
    time_machine.move_to(RECORDED)
    _open_child(world, 2)
    time_machine.move_to(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    read_child_record(world.personas[Role.HEAD], world.children["here"].pk)
    read_child_record(world.personas[Role.GROUP_HEAD], world.children["region"].pk)
    signed_in(world.personas[Role.DPO])

    page = _read(client.post("/audit/", {"child": "Child Here"}))
    assert page.count("Child Here&#x27;s record") == 3 and "Child Region" not in page
    page = _read(client.post("/audit/", {"child": "Child Here", "person": "Persona Headteacher"}))
    assert page.count("Child Here&#x27;s record") == 1
    page = _read(client.post("/audit/", {"date_from_day": "25", "date_from_month": "11", "date_from_year": "2026",
                                         "record_kind": "child"}))
    assert page.count("Child Here&#x27;s record") == 1 and "Child Region&#x27;s record" in page

    response = client.post("/audit/", {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026",
                                       "child": "Nobody Like This"})
    page = _read(response)
    assert response.status_code == 400
    assert "The from date must be a real date" in page and "No child on roll in your organisation" in page
    assert 'value="31"' in page and 'value="Nobody Like This"' in page  # the words kept on screen
    # A name in the address is refused, never searched.
    assert "never put in the page address" in _read(client.get("/audit/?child=Child+Here"))


def test_pages_go_past_the_latest_200_rows_by_keyset(client, world, signed_in):
    _open_child(world, 230)
    signed_in(world.personas[Role.DPO])
    seen, before = [], None
    while True:
        page = _read(client.post("/audit/", {"child": "Child Here", **({"before": before} if before else {})}))
        seen += [int(seq) for seq in SEQ.findall(page)]
        found = re.search(r'name="before" value="(\d+)"', page)
        if not found:
            break
        before = found.group(1)
    assert len(seen) == 230 == len(set(seen)) and seen == sorted(seen, reverse=True)


def test_a_page_far_back_costs_the_same_queries_as_the_first(client, world, signed_in):
    _open_child(world, 120)
    signed_in(world.personas[Role.DPO])
    client.post("/audit/", {"child": "Child Here"})
    with CaptureQueriesContext(connection) as first:
        client.post("/audit/", {"child": "Child Here"})
    oldest = AuditEvent.objects.filter(action="child.view").order_by("seq")[5].seq
    with CaptureQueriesContext(connection) as far:
        client.post("/audit/", {"child": "Child Here", "before": oldest})
    assert len(far) == len(first) <= 25


def test_the_csv_is_formula_safe_streamed_audited_and_of_fixed_queries(client, world, signed_in):
    # A name typed by an administrator that a spreadsheet would run: a tab, then a formula.
    person_update(actor=world.personas[Role.ADMINISTRATOR], person=world.personas[Role.DSL], full_name="\t=1+2 Lee")
    _open_child(world, 3)
    signed_in(world.personas[Role.DPO])
    client.get("/=HYPERLINK(1)/")
    client.post("/audit/export.csv", {"child": "Child Here"})
    with CaptureQueriesContext(connection) as small:
        response = client.post("/audit/export.csv")
        text = _read(response)
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Entry", "When", "Who"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)
    assert any(row[7] == "Child Here's record" for row in rows)
    assert any(row[2] == "'\t=1+2 Lee" for row in rows)
    exported = AuditEvent.objects.filter(action="audit.export").order_by("-seq")
    assert exported.count() == 2 and exported[0].actor_id == world.personas[Role.DPO].pk
    _open_child(world, 40)
    with CaptureQueriesContext(connection) as large:
        assert len(list(csv.reader(io.StringIO(_read(client.post("/audit/export.csv")))))) > len(rows) + 39
    # The session and the person, their roles and places, the allegation check, the export's audit row (a
    # savepoint, the chain's head and insert, and on PostgreSQL its advisory lock) and the log itself.
    assert len(large) == len(small) <= (11 if connection.vendor == "postgresql" else 10)


def test_the_subject_of_an_allegation_sees_nothing_of_it_on_the_page_in_the_csv_or_the_panel(client, world,
                                                                                              adopted, signed_in):
    subject = world.personas[Role.DPO]
    concern, _ = concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}], occurred_at=RECORDED,
        narrative="Shouted at her.", idempotency_key=uuid.uuid4().hex, about_adult=True, subject=subject,
        subject_relationship="staff")
    signed_in(world.personas[Role.DEPUTY_DSL])
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200
    named = f"({concern.pk})"
    signed_in(subject)
    page = _read(client.post("/audit/", {"record_kind": "concern", "record_id": concern.pk}))
    assert "No entries match." in page and named not in page
    text = _read(client.post("/audit/export.csv", {"child": "Child Here"}))
    assert not [row for row in csv.reader(io.StringIO(text)) if row[8] == "concern" and row[9] == str(concern.pk)]
    # The group head, who is not its subject, sees who opened it.
    signed_in(world.personas[Role.GROUP_HEAD])
    assert f"A concern about Child Here {named}" in _read(client.post("/audit/", {"child": "Child Here"}))


def test_the_dsl_sees_who_opened_the_childs_record_chronology_and_concerns(client, world, signed_in):
    signed_in(world.personas[Role.HEAD])
    child = world.children["here"]
    assert client.get(f"/chronology/{child.pk}/").status_code == 200
    assert client.get(f"/concerns/{world.concerns['here'].pk}/").status_code == 200
    signed_in(world.personas[Role.DSL])
    page = _read(client.get(f"/children/{child.pk}/access-log/"))
    assert "Read the child&#x27;s chronology" in page and "Opened a concern" in page
    assert "Persona Headteacher or registered manager" in page


def test_a_child_no_longer_on_roll_stays_a_child_record(client, world, signed_in):
    noor = Child.objects.create(organisation=world.organisations["one"], first_name="Noor", last_name="Baker",
                                date_of_birth=date(2012, 2, 2), year_group="Year 9")
    enrolment = Enrolment.objects.create(child=noor, establishment=world.establishments["here"], mis_id="NB")
    read_child_record(world.personas[Role.DSL], noor.pk)
    Enrolment.objects.filter(pk=enrolment.pk).update(end_date=clock.today() - timedelta(days=1))  # she has left
    signed_in(world.personas[Role.DPO])
    page = _read(client.get("/audit/"))
    assert f"A child record ({noor.pk})" in page and "Noor" not in page
