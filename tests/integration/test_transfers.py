"""The child protection file follows the child (issue 15 section 2; KCSIE 2025 Annex C): built by the DSL from what
they may read of the child's record, sent to the new school's DSL by a one-time link and a code given by phone,
confirmed there (which meets the pack's "confirm receipt" step), and imported into the child's chronology at a
school in another organisation on the same Safekeep."""

import io
import json
import re
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from pypdf import PdfReader

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.packs import services as packs
from safekeep.policy.packs import SHIPPED
from safekeep.transfers import package
from safekeep.transfers.models import TransferPackage
from tests.world import give_role, make_user, sign_in

pytestmark = pytest.mark.django_db
WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
SENT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
NARRATIVE = "Came in with a bruise on the left arm and said an uncle did it."
CHILDS_WORDS = "he grabbed me when I would not go to the flat"
RECIPIENT = {"recipient_name": "Robin Ade", "recipient_email": "r.ade@new-school.example.org",
             "recipient_school": "Establishment elsewhere"}
LINK = re.compile(r"http://[^/\s]+(/transfers/receive/[A-Za-z0-9_-]+/)")
PARTS = ["concern", "addendum", "triage", "linked", "share", "meeting", "referral", "case", "plan", "other"]


@pytest.fixture
def leaving(world, adopted, time_machine):
    """A concern about the child at "here" (a school), then the DSL records the child leaving for a school in
    another organisation: the baseline's two file steps are set."""
    time_machine.move_to(WHEN)
    child, here = world.children["here"], world.establishments["here"]
    with transaction.atomic():
        concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=here, occurred_at=WHEN,
                                children=[{"child": child, "role": "harmed", "categories": []}], narrative=NARRATIVE,
                                childs_words=CHILDS_WORDS, disclosure=True, idempotency_key="transfer-1")
    time_machine.move_to(SENT)
    with transaction.atomic():
        return cases.child_leaving_record(actor=world.personas[Role.DSL], child=child, establishment=here,
                                          destination="Establishment elsewhere", leaves_on=SENT.date())


def _page(world):
    return f"/transfers/{world.children['here'].pk}/{world.establishments['here'].pk}/"


def _send(client, world, **changes):
    sign_in(client, world.personas[Role.DSL])
    mail.outbox = []
    return client.post(_page(world), {"parts": PARTS, **RECIPIENT, **changes})


def _sent(client, world):
    response = _send(client, world)
    code = re.search(r'id="transfer-code">(\d{8})<', response.content.decode()).group(1)
    path = LINK.search(mail.outbox[0].body).group(1)
    return code, path


def _receiver():
    return Client(enforce_csrf_checks=False)


def _open(path, code):
    receiver = _receiver()
    assert receiver.post(path, {"code": code}).status_code == 302
    return receiver


def test_the_dsl_ticks_the_parts_then_sends_and_sees_the_code_once_and_the_email_holds_nothing_of_the_file(
        world, leaving, client):
    sign_in(client, world.personas[Role.DSL])
    page = client.get(_page(world)).content.decode()
    assert 'type="checkbox" name="parts" value="concern"' in page and "checked" in page
    assert "Leaving on 3 December 2026 for Establishment elsewhere" in page
    response = _send(client, world)
    text = response.content.decode()
    code = re.search(r'id="transfer-code">(\d{8})<', text).group(1)
    assert "Phone Robin Ade at Establishment elsewhere" in text
    [email] = mail.outbox
    assert email.to == ["r.ade@new-school.example.org"]
    assert "A child protection file has been sent to you by Establishment here." in email.body
    assert "You will need the code the sender gives you separately" in email.body
    child = world.children["here"]
    for secret in (child.first_name + " " + child.last_name, NARRATIVE, CHILDS_WORDS, code, "bruise",
                   child.date_of_birth.isoformat()):
        assert secret not in email.body and secret not in email.subject
    sent = TransferPackage.objects.get()
    assert sent.code_hash != code and code not in sent.code_hash
    # Stored encrypted: neither form of the file is readable in its column.
    assert NARRATIVE.encode() not in bytes(sent.json) and b"%PDF" not in bytes(sent.pdf)[:20]
    # The code is shown once: the sender's page afterwards never shows it again.
    assert code not in client.get(_page(world)).content.decode()


def test_the_receiver_opens_with_the_code_downloads_both_forms_whose_hashes_match_and_confirms_receipt(
        world, leaving, client):
    code, path = _sent(client, world)
    sent = TransferPackage.objects.get()
    receiver = _open(path, code)
    opened = receiver.get(path).content.decode()
    assert sent.pdf_sha256 in opened and sent.json_sha256 in opened
    pdf = receiver.get(path + "download/pdf/")
    document = receiver.get(path + "download/json/")
    assert pdf["Content-Type"] == "application/pdf" and document["Content-Type"] == "application/json"
    assert package.sha256(pdf.content) == sent.pdf_sha256 and package.sha256(document.content) == sent.json_sha256
    pages = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Child Here" in pages
    data = json.loads(document.content)
    schema = json.loads(package.SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    assert data["format_version"] == "1.0" and data["sent_by"]["establishment"] == "Establishment here"
    recorded = next(entry for entry in data["entries"] if entry["kind"] == "concern.recorded")
    assert recorded["narrative"] == NARRATIVE and recorded["childs_words"] == CHILDS_WORDS
    assert not any(entry["type"] == "action" for entry in data["entries"])

    done = receiver.post(path + "receipt/", {"name": "Robin Ade", "role": "Designated safeguarding lead"})
    assert "Receipt confirmed" in done.content.decode()
    steps = {a.action_code: a for a in Action.objects.filter(child=world.children["here"],
                                                              action_code__in=["send-cp-file", "confirm-receipt"])}
    assert steps["send-cp-file"].status == Action.Status.DONE
    assert steps["confirm-receipt"].status == Action.Status.DONE
    assert "the new school's confirmation that the file arrived" in steps["confirm-receipt"].completion_note
    assert steps["confirm-receipt"].met_by_record == ("the new school's receipt", _page(world))
    sender = client.get(_page(world)).content.decode()
    assert "Confirmed 3 December 2026" in sender and "by Robin Ade, Designated safeguarding lead" in sender
    assert sent.pdf_sha256 in sender and sent.json_sha256 in sender and "downloaded 2 times" in sender
    # Used: the link no longer opens, even in the browser that opened it.
    assert "This link cannot be opened" in receiver.get(path).content.decode()
    assert "This link cannot be opened" in receiver.get(path + "download/pdf/").content.decode()
    actions = list(AuditEvent.objects.filter(action__startswith="transfer.").values_list("action", flat=True))
    assert actions.count("transfer.download") == 2
    assert {"transfer.build", "transfer.send", "transfer.link", "transfer.code", "transfer.receipt"} <= set(actions)
    kinds = set(ChronologyEntry.objects.filter(child=world.children["here"]).values_list("kind", flat=True))
    assert {"transfer.sent", "transfer.received"} <= kinds


def test_a_wrong_code_is_counted_and_the_link_locks_after_five(world, leaving, client):
    code, path = _sent(client, world)
    receiver = _receiver()
    wrong = receiver.post(path, {"code": "00000000" if code != "00000000" else "11111111"}).content.decode()
    assert "That code is not right" in wrong and "after 4 more wrong codes the link locks" in wrong
    for _ in range(4):
        receiver.post(path, {"code": "12"})
    assert "This link cannot be opened" in receiver.post(path, {"code": code}).content.decode()
    assert "This link cannot be opened" in _receiver().get(path).content.decode()
    assert AuditEvent.objects.filter(action="transfer.code", outcome="denied").count() == 5


def test_an_expired_link_and_an_unknown_one_answer_alike(world, leaving, client, time_machine):
    code, path = _sent(client, world)
    time_machine.move_to(SENT + timedelta(days=14, minutes=1))
    expired = _receiver().post(path, {"code": code})
    unknown = _receiver().get("/transfers/receive/not-a-real-secret/")
    assert expired.status_code == unknown.status_code == 200
    assert expired.content == unknown.content and b"This link cannot be opened" in expired.content


def test_the_links_expiry_and_its_wrong_codes_follow_the_adopted_baseline_not_the_code(world, leaving, client):
    """The `transfer:` section is rules as data: a group that adopts a revised baseline (7 days, 3 wrong codes)
    gets a link that is open for 7 days and locks after the third wrong code."""
    text = (SHIPPED / "statutory-baseline.yaml").read_text().replace('version: "2026-12-r10"', 'version: "own-7"')
    text = text.replace("link_expires_after_days: 14", "link_expires_after_days: 7").replace(
        "wrong_codes_allowed: 5", "wrong_codes_allowed: 3")
    group_head = world.personas[Role.GROUP_HEAD]
    revised = packs.pack_load(actor=group_head, organisation=world.organisations["one"],
                              file_name="statutory-baseline.yaml", text=text)
    packs.pack_adopt(actor=group_head, pack_version=revised, organisation=world.organisations["one"])
    response = _send(client, world)
    assert "After 3 wrong codes the link locks" in " ".join(response.content.decode().split())
    code = re.search(r'id="transfer-code">(\d{8})<', response.content.decode()).group(1)
    path = LINK.search(mail.outbox[0].body).group(1)
    assert "until 10 December 2026" in mail.outbox[0].body
    receiver = _receiver()
    wrong = receiver.post(path, {"code": "12"}).content.decode()
    assert "after 2 more wrong codes the link locks" in wrong
    receiver.post(path, {"code": "12"})
    receiver.post(path, {"code": "12"})
    assert "This link cannot be opened" in receiver.post(path, {"code": code}).content.decode()
    assert TransferPackage.objects.get().link.expires_at.date() == (SENT + timedelta(days=7)).date()


def test_downloads_need_the_code_in_this_browser(world, leaving, client):
    code, path = _sent(client, world)
    _open(path, code)
    stranger = _receiver().get(path + "download/json/")
    assert b"This link cannot be opened" in stranger.content
    assert not AuditEvent.objects.filter(action="transfer.download").exists()


def test_the_childs_page_links_to_the_file_only_for_those_who_may_send_it(world, leaving, client):
    child = world.children["here"]
    for role, shown in ((Role.DSL, True), (Role.DEPUTY_DSL, True), (Role.HEAD, False), (Role.GROUP_HEAD, False)):
        sign_in(client, world.personas[role])
        assert (_page(world) in client.get(f"/children/{child.pk}/").content.decode()) is shown, role


def test_the_senders_page_is_404_alike_for_other_people_and_other_places(world, leaving, client):
    child, here = world.children["here"], world.establishments["here"]
    dsl_elsewhere = make_user("dsl-far@example.org", world.organisations["two"])
    give_role(dsl_elsewhere, Role.DSL, establishment=world.establishments["elsewhere"])
    for person in (world.personas[Role.STAFF], world.personas[Role.GOVERNOR], dsl_elsewhere):
        sign_in(client, person)
        assert client.get(_page(world)).status_code == 404
    sign_in(client, world.personas[Role.DSL])
    assert client.get(f"/transfers/{child.pk + 999}/{here.pk}/").status_code == 404
    assert client.get(f"/transfers/{world.children['elsewhere'].pk}/{here.pk}/").status_code == 404


def test_bad_input_keeps_what_was_typed_with_an_error_summary(world, leaving, client):
    response = _send(client, world, parts=[], recipient_email="not an address")
    text = response.content.decode()
    assert "There is a problem" in text and "Choose at least one part of the record to send." in text
    assert 'value="Robin Ade"' in text and mail.outbox == []
    assert not TransferPackage.objects.exists()


def test_a_school_in_another_organisation_imports_the_file_as_transferred_entries(world, leaving, client):
    code, path = _sent(client, world)
    receiver = _open(path, code)
    data = receiver.get(path + "download/json/").content
    elsewhere, child = world.establishments["elsewhere"], world.children["elsewhere"]
    their_dsl = make_user("dsl-new@example.org", world.organisations["two"], name="Robin Ade")
    give_role(their_dsl, Role.DSL, establishment=elsewhere)
    sign_in(client, their_dsl)
    assert "Import a child protection file" in client.get(f"/transfers/import/{elsewhere.pk}/").content.decode()
    upload = io.BytesIO(data)
    upload.name = "file.json"
    done = client.post(f"/transfers/import/{elsewhere.pk}/", {"file": upload, "child": child.pk})
    assert "File imported" in done.content.decode()
    moved = ChronologyEntry.objects.filter(child=child, kind="transfer.entry")
    recorded = next(entry for entry in moved if NARRATIVE in entry.summary)
    assert recorded.occurred_at == WHEN and recorded.establishment == elsewhere
    staff = world.personas[Role.STAFF].full_name
    assert recorded.summary.startswith("From Establishment here: Concern recorded.\n")
    assert recorded.summary.endswith(f"\nRecorded by {staff} on 20 November 2026 at the school it came from.")
    assert CHILDS_WORDS in recorded.summary
    page = client.get(f"/chronology/{child.pk}/").content.decode()
    assert "Transferred from the previous school&#x27;s file" in page or "Transferred from the previous school" in page
    assert f"Recorded by {staff} on 20 November 2026 at the school it came from." in page
    # Stored on the entry itself, encrypted as its words are: not readable in the table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT summary FROM chronology_chronologyentry WHERE id = %s", [recorded.pk])
        assert staff not in cursor.fetchone()[0]
    assert AuditEvent.objects.filter(action="transfer.import", actor_id=their_dsl.pk).exists()
    upload.seek(0)
    again = client.post(f"/transfers/import/{elsewhere.pk}/", {"file": upload, "child": child.pk}).content.decode()
    assert "This file was imported for Child Elsewhere on 3 December 2026" in again
    assert ChronologyEntry.objects.filter(child=child, kind="transfer.entry").count() == moved.count()


def _valid() -> dict:
    """A file of format 1.0 about the child at "elsewhere" (born 1 May 2012), with one entry."""
    return {"format": "safekeep-child-protection-file", "format_version": "1.0", "created_at": "2026-12-03T09:00:00+00:00",
            "sent_by": {"establishment": "A school", "organisation": "A trust", "person": "Sam", "role": "DSL"},
            "child": {"first_name": "Child", "last_name": "Elsewhere", "date_of_birth": "2012-05-01"},
            "leaving": {"leaves_on": "2026-12-03", "destination": "Establishment elsewhere"}, "parts": ["concern"],
            "entries": [{"occurred_at": "2026-11-20T10:00:00+00:00", "recorded_at": "2026-11-20T10:05:00+00:00",
                         "type": "concern", "kind": "concern.recorded", "kind_words": "Concern recorded",
                         "place": "A school", "recorded_by": "Sam", "summary": "A concern", "key_event": False}]}


def test_a_file_that_does_not_follow_the_format_is_refused_with_what_is_wrong(world, leaving, client):
    elsewhere, child = world.establishments["elsewhere"], world.children["elsewhere"]
    their_dsl = make_user("dsl-new@example.org", world.organisations["two"])
    give_role(their_dsl, Role.DSL, establishment=elsewhere)
    sign_in(client, their_dsl)
    for content, words in ((b"not json", "it is not JSON"),
                           (json.dumps({"format": "safekeep-child-protection-file"}).encode(),
                            "does not follow the child protection file format 1.0"),
                           (json.dumps({**_valid(), "child": {**_valid()["child"], "date_of_birth": "2011-02-03"}}).encode(),
                            "The file is about a child born 3 February 2011"),
                           (json.dumps({**_valid(), "entries": [{**_valid()["entries"][0], "occurred_at": "20 Nov"}]}
                                       ).encode(), "This file has a date Safekeep cannot read: 20 Nov.")):
        upload = io.BytesIO(content)
        upload.name = "file.json"
        text = client.post(f"/transfers/import/{elsewhere.pk}/", {"file": upload, "child": child.pk}).content.decode()
        assert "There is a problem" in text and words in text
    assert not ChronologyEntry.objects.filter(child=child, kind="transfer.entry").exists()


def test_a_part_left_unticked_stays_out_of_both_forms_of_the_file(world, leaving, client):
    response = _send(client, world, parts=["case"])
    code = re.search(r'id="transfer-code">(\d{8})<', response.content.decode()).group(1)
    path = LINK.search(mail.outbox[0].body).group(1)
    receiver = _open(path, code)
    data = json.loads(receiver.get(path + "download/json/").content)
    assert data["parts"] == ["case"] and {entry["type"] for entry in data["entries"]} == {"case"}
    assert NARRATIVE not in json.dumps(data)
    pages = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(receiver.get(path + "download/pdf/").content)).pages)
    assert "bruise" not in pages and "Leaving for another school" in pages


def test_an_allegation_the_sender_may_not_read_never_goes_in_the_file(world, leaving, client):
    """The file is built through the sender's own selectors: an allegation about the DSL who sends it stays out
    of both forms (ADR 0008)."""
    with transaction.atomic():
        concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"], occurred_at=WHEN,
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
            narrative="Said the teacher pinched her ear.", childs_words="sir pinched my ear", about_adult=True,
            subject=world.personas[Role.DSL], subject_relationship="staff", idempotency_key="transfer-allegation")
    code, path = _sent(client, world)
    receiver = _open(path, code)
    document = receiver.get(path + "download/json/").content.decode()
    pdf = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(receiver.get(path + "download/pdf/").content)).pages)
    assert NARRATIVE in document
    assert "pinched" not in document and "pinched" not in pdf
