"""The information-sharing register (CoC 12.1): one write path, nothing written on a refusal or an error,
the DPO reads the register organisation-wide and never what a concern says, a formula-safe CSV."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.sharing import services
from safekeep.sharing.export import safe_cell
from safekeep.sharing.models import InformationShare
from safekeep.sharing.selectors import export_period, shares_for_child

pytestmark = pytest.mark.django_db
SECRET = "He said the older boys made him carry a parcel to Slough"


def fields(**overrides):
    return {"recipient": "Sam Patel", "recipient_organisation": "Hillingdon children's services",
            "what": "Concern record and chronology", "purpose": "Referral for a section 47 enquiry",
            "lawful_basis": "public-task-safeguarding", "consent": "not_sought",
            "consent_note": "Asking would put him at greater risk", "secure_handling_agreed": True,
            "secure_handling_note": "Secure email"} | overrides


def add(world, role=Role.DSL, location="here", **overrides):
    return services.share_add(actor=world.personas[role], establishment=world.establishments[location],
                              children=[world.children[location]], **fields(**overrides))


def counts():
    return (InformationShare.objects.count(), ChronologyEntry.objects.filter(kind="share.recorded").count(),
            AuditEvent.objects.filter(action="sharing.record").count())


def secret_concern(world):
    """A concern with a narrative and the child's words the DPO must never read."""
    from safekeep.concerns import services as concerns

    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
            occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC), narrative=SECRET,
            childs_words="NOBODY-BUT-THE-DSL", idempotency_key="secret")
    return concern


@pytest.mark.django_db(transaction=True)
def test_share_record_runs_only_inside_the_callers_transaction(world):
    with pytest.raises(RuntimeError):
        services.share_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                              children=[world.children["here"]], source_kind="referral", **fields())


def test_a_share_writes_the_row_a_chronology_entry_per_child_and_an_audit_event(world):
    before = counts()
    share = add(world)
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    entry = ChronologyEntry.objects.get(kind="share.recorded", object_id=str(share.pk))
    assert entry.child == world.children["here"] and "Hillingdon children's services" in entry.summary
    event = AuditEvent.objects.get(action="sharing.record", object_id=str(share.pk))
    assert event.detail["lawful_basis"] == "public-task-safeguarding" and event.role == "dsl"
    assert share.authorised_by == world.personas[Role.DSL] and share.source_kind == "other"
    with pytest.raises(TypeError):
        share.save()  # never edited


def test_all_of_it_rolls_back_with_the_callers_transaction(world):
    before = counts()
    with pytest.raises(LookupError), transaction.atomic():
        services.share_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                              children=[world.children["here"]], source_kind="referral", source_id=7, **fields())
        assert counts()[0] == before[0] + 1
        raise LookupError("the referral that called it fails afterwards")
    assert counts() == before


def test_every_rule_is_a_plain_english_message_and_nothing_is_written(world):
    before = counts()
    with pytest.raises(ValidationError) as problem:
        add(world, recipient=" ", recipient_organisation="", what="", purpose="", lawful_basis="whim",
            consent="refused", consent_note="", secure_handling_agreed=False, secure_handling_note="")
    assert set(problem.value.message_dict) == {"recipient", "recipient_organisation", "what", "purpose",
                                                "lawful_basis", "consent_note", "secure_handling_note"}
    assert "without consent" in problem.value.message_dict["consent_note"][0]
    with pytest.raises(ValidationError) as problem:
        add(world, lawful_basis="consent", consent="refused")
    assert "Consent cannot be the lawful basis" in problem.value.message_dict["lawful_basis"][0]
    with pytest.raises(ValidationError) as problem:
        add(world, shared_at=datetime.now(UTC) + timedelta(days=2))
    assert "future" in problem.value.message_dict["shared_at"][0]
    assert counts() == before
    # Given consent needs no reason.
    assert add(world, consent="given", consent_note="").consent_note == ""


def test_only_the_case_team_records_and_only_for_their_own_children(world):
    before = counts()
    for role in (Role.STAFF, Role.DPO, Role.GOVERNOR, Role.ADMINISTRATOR):
        with pytest.raises(NotVisible):
            add(world, role=role)
    with pytest.raises(ValidationError) as problem:  # a child at another establishment
        services.share_add(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                           children=[world.children["region"]], **fields())
    assert "children" in problem.value.message_dict
    assert counts() == before


def test_a_correction_is_a_new_row_naming_the_one_it_corrects(world):
    first = add(world)
    second = add(world, recipient="Sam Patel (duty team)", corrects=first)
    assert second.corrects == first and InformationShare.objects.get(pk=first.pk).recipient == "Sam Patel"
    assert "Correction" in ChronologyEntry.objects.get(object_id=str(second.pk), kind="share.recorded").summary


def test_the_dsl_records_a_share_from_the_childs_page(world, signed_in):
    child = world.children["here"]
    client = signed_in(world.personas[Role.DSL])
    page = client.get(f"/sharing/new/?child={child.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="public-task-safeguarding" checked' in html and "Sch 1 para 18" in html
    assert 'id="conditional-id_consent_note_refused"' in html
    before = counts()
    typed = {"recipient": "Sam Patel", "recipient_organisation": "", "what": "Concern record",
             "purpose": "Referral", "lawful_basis": "public-task-safeguarding", "consent": "refused",
             "consent_note_refused": "", "secure_handling_agreed": "yes", "secure_note_yes": "Portal"}
    failed = client.post(f"/sharing/new/?child={child.pk}", typed)
    assert failed.status_code == 200 and counts() == before
    html = failed.content.decode()
    assert "There is a problem" in html and "Enter the organisation they work for." in html
    assert 'id="id_consent_note_refused-error"' in html  # beside the box that needs it
    assert 'value="Sam Patel"' in html and 'value="refused" checked' in html  # what was typed is kept
    done = client.post(f"/sharing/new/?child={child.pk}", typed | {"recipient_organisation": "Police",
                                                                    "consent_note_refused": "Urgent"})
    assert done.status_code == 302 and counts()[0] == before[0] + 1
    share = InformationShare.objects.latest("id")
    assert share.consent_note == "Urgent" and share.secure_handling_note == "Portal"
    assert list(shares_for_child(world.personas[Role.DSL], child))[0] == share
    assert list(shares_for_child(world.personas[Role.DPO], child)) == []  # the DPO reads the register, not files


def test_without_a_child_the_page_offers_a_search(world, signed_in):
    client = signed_in(world.personas[Role.DSL])
    html = client.post("/sharing/new/", {"q": "here", "intent": "find"}).content.decode()
    assert f"child={world.children['here'].pk}" in html and f"child={world.children['region'].pk}" not in html


def test_the_dpo_reads_the_register_organisation_wide_and_never_a_narrative(world, signed_in):
    concern = secret_concern(world)
    with transaction.atomic():
        services.share_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                              children=[world.children["here"]], source_kind="referral", source_id=concern.pk,
                              **fields(recipient="Register Person"))
    client = signed_in(world.personas[Role.DPO])
    html = client.get("/sharing/").content.decode()
    assert "Register Person" in html and "Child Here" in html and "Child Organisation" in html
    assert "Child Elsewhere" not in html  # another organisation
    csv_text = _csv(client, "/sharing/export.csv")
    api = client.get("/api/v1/sharing/").content.decode()
    chronology = list(ChronologyEntry.objects.filter(child=world.children["here"]).exclude(kind="share.recorded")
                      .values_list("summary", flat=True))
    for text in (html, csv_text, api):
        assert SECRET not in text and "NOBODY-BUT-THE-DSL" not in text
        assert "Seen upset at here" not in text
        for summary in chronology:
            assert summary not in text
    assert "Register Person" in csv_text and "Register Person" in api
    assert AuditEvent.objects.filter(action="sharing.export", actor_id=world.personas[Role.DPO].pk).count() == 1
    assert AuditEvent.objects.filter(action="sharing.view", actor_id=world.personas[Role.DPO].pk).count() == 2
    # The export is audited, not itself a share in the register.
    assert not InformationShare.objects.filter(source_kind="export").exists()


@pytest.mark.parametrize("role", [Role.DSL, Role.STAFF, Role.GOVERNOR, Role.ADMINISTRATOR, Role.HEAD])
def test_nobody_else_reads_the_register(world, signed_in, role):
    client = signed_in(world.personas[role])
    for path in ("/sharing/", "/sharing/export.csv", "/api/v1/sharing/"):
        assert client.get(path).status_code == 404


def test_the_csv_neutralises_every_cell_a_spreadsheet_would_run(world, signed_in):
    for first in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{first}1+1") == f"'{first}1+1"
    assert safe_cell("Sam Patel") == "Sam Patel" and safe_cell(None) == ""
    add(world, recipient='=HYPERLINK("http://evil.example","x")', recipient_organisation="+44 police",
        what="-2+3", purpose="@SUM(A1)", secure_handling_note="\tcmd")
    rows = list(csv.reader(io.StringIO(_csv(signed_in(world.personas[Role.DPO]), "/sharing/export.csv"))))
    row = next(r for r in rows if "HYPERLINK" in "".join(r))
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://evil.example","x")' in row and "'+44 police" in row and "'-2+3" in row


def test_the_register_filters(world, signed_in):
    add(world, recipient_organisation="Thames Valley Police", lawful_basis="public-task-crime", consent="given")
    add(world, role=Role.GROUP_HEAD, location="region", recipient_organisation="CAMHS", shared_at=datetime(2025, 3, 1, 12, tzinfo=UTC))
    client = signed_in(world.personas[Role.DPO])

    def recipients(query):
        data = client.get(f"/api/v1/sharing/?{query}").json()
        return sorted(row["recipient_organisation"] for row in data["results"])

    assert recipients("organisation=police") == ["Thames Valley Police"]
    assert recipients("lawful_basis=public-task-crime") == ["Thames Valley Police"]
    assert recipients("consent=given") == ["Thames Valley Police"]
    assert recipients("date_to=2025-12-31") == ["CAMHS"]
    assert recipients("date_from=2025-03-01&date_to=2025-03-01") == ["CAMHS"]
    assert recipients(f"establishment={world.establishments['region'].pk}") == ["CAMHS", "Children's services"]
    assert recipients("source_kind=meeting") == ["Children's services", "Children's services", "Children's services"]
    assert client.get("/api/v1/sharing/?date_from=2026-02-30").status_code == 400
    assert client.get(f"/api/v1/sharing/?establishment={world.establishments['elsewhere'].pk}").status_code == 400
    page = client.get("/sharing/?date_from=2026-02-30&organisation=police").content.decode()
    assert "Some filters were not applied" in page and "Thames Valley Police" in page
    assert "Thames Valley Police" in _csv(client, "/sharing/export.csv?organisation=police")
    assert "CAMHS" not in _csv(client, "/sharing/export.csv?organisation=police")


def test_a_download_holds_a_year_of_shares_at_most_and_the_page_says_which(world, signed_in, time_machine):
    time_machine.move_to(datetime(2026, 12, 3, 10, tzinfo=UTC))
    add(world, recipient_organisation="Shared this week", shared_at=datetime(2026, 12, 1, 12, tzinfo=UTC))
    add(world, recipient_organisation="Shared a year ago", shared_at=datetime(2025, 12, 4, 12, tzinfo=UTC))
    add(world, recipient_organisation="Shared over a year ago", shared_at=datetime(2025, 12, 3, 12, tzinfo=UTC))
    client = signed_in(world.personas[Role.DPO])

    page = client.get("/sharing/").content.decode()
    assert "Download the shares from 4 December 2025 to 3 December 2026 as CSV" in page
    response = client.get("/sharing/export.csv")
    assert 'filename="information-sharing-register-2025-12-04-to-2026-12-03.csv"' in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert "Shared this week" in text and "Shared a year ago" in text and "Shared over a year ago" not in text

    # Dates further apart than a year: the latest year of them, and the page says so.
    query = "date_from=2020-01-01&date_to=2025-12-31"
    page = client.get(f"/sharing/?{query}").content.decode()
    assert "Download the shares from 1 January 2025 to 31 December 2025 as CSV" in page
    assert "A download covers a year at most" in page
    text = _csv(client, f"/sharing/export.csv?{query}")
    assert "Shared over a year ago" in text and "Shared a year ago" in text and "Shared this week" not in text
    # Within a year, the dates chosen are the download's.
    page = client.get("/sharing/?date_from=2025-12-03&date_to=2025-12-03").content.decode()
    assert "Download the shares from 3 December 2025 to 3 December 2025" in page
    assert "A download covers a year at most" not in page


@pytest.mark.parametrize(("chosen", "first", "last"), [
    ({}, "2025-12-04", "2026-12-03"),
    ({"date_to": "2024-02-29"}, "2023-03-01", "2024-02-29"),
    ({"date_to": "2025-03-01"}, "2024-03-02", "2025-03-01"),
    ({"date_from": "2026-06-01"}, "2026-06-01", "2026-12-03"),
])
def test_the_year_a_download_covers_is_counted_back_from_its_last_day(chosen, first, last):
    period = export_period({k: date.fromisoformat(v) for k, v in chosen.items()}, date(2026, 12, 3))
    assert (period.first.isoformat(), period.last.isoformat()) == (first, last)


def _csv(client, path) -> str:
    """The export, read to its end as a browser downloads it (it streams)."""
    response = client.get(path)
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def _queries(client, path):
    # The first page after signing in writes the session's activity time; the next minute's pages do not.
    warm = client.get(path)
    b"".join(warm.streaming_content) if warm.streaming else warm.content
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        assert response.status_code == 200
        b"".join(response.streaming_content) if response.streaming else response.content
    return len(queries)


def test_the_register_makes_the_same_number_of_queries_however_many_shares(world, signed_in):
    client = signed_in(world.personas[Role.DPO])
    add(world)
    counted = {path: _queries(client, path) for path in ("/sharing/", "/sharing/export.csv", "/api/v1/sharing/")}
    for _ in range(30):
        add(world, role=Role.GROUP_HEAD, location="organisation")
    assert {path: _queries(client, path) for path in counted} == counted


def test_the_api_records_a_share_for_the_case_team_only(world, signed_in):
    child = world.children["here"]
    body = fields() | {"establishment": world.establishments["here"].pk, "children": [child.pk]}
    response = signed_in(world.personas[Role.DSL]).post("/api/v1/sharing/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["children"] == [{"id": child.pk, "name": "Child Here"}]
    bad = signed_in(world.personas[Role.DSL]).post("/api/v1/sharing/", body | {"consent_note": ""},
                                                   content_type="application/json")
    assert bad.status_code == 400 and "consent_note" in bad.content.decode()
    assert signed_in(world.personas[Role.DPO]).post("/api/v1/sharing/", body,
                                                    content_type="application/json").status_code == 404
    # Referrals and meetings record their own shares: the API cannot pose as one.
    posing = signed_in(world.personas[Role.DSL]).post("/api/v1/sharing/", body | {"source_kind": "meeting"},
                                                      content_type="application/json")
    assert posing.status_code == 400 and "source_kind" in posing.json()["errors"]


def test_a_printout_given_to_another_agency_is_recorded_as_an_export(world, signed_in):
    child = world.children["here"]
    client = signed_in(world.personas[Role.DSL])
    printout = client.get(f"/chronology/{child.pk}/?print=1").content.decode()
    link = f"/sharing/new/?child={child.pk}&amp;source=export"
    assert link in printout and "sk-screen-only" in printout  # on screen, never on the paper
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert "source=export" in form  # the form posts back with it
    typed = {"recipient": "Duty social worker", "recipient_organisation": "Children's services",
             "what": "The chronology, printed", "purpose": "Strategy meeting", "lawful_basis": "public-task-safeguarding",
             "consent": "not_sought", "consent_note_not_sought": "Strategy discussion under section 47",
             "secure_handling_agreed": "yes", "secure_note_yes": "Handed over in person"}
    assert client.post(f"/sharing/new/?child={child.pk}&source=export", typed).status_code == 302
    assert InformationShare.objects.latest("id").source_kind == "export"
