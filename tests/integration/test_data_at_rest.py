"""Data at rest and on the device (issue 10, section 5): the chronology keeps no plaintext copy of what is
encrypted in its own table; pages with case data are never kept by the browser; flashed messages stay on the
server; a child's name never goes into a URL."""

import importlib
import re
from datetime import timedelta

import yaml
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry, KeyEventMark
from safekeep.chronology.services import chronology_mark_key
from safekeep.concerns import services as concerns
from safekeep.concerns.models import ConcernChild
from safekeep.core import clock
from safekeep.meetings.services import meeting_record
from safekeep.referrals.services import consultation_record
from tests.integration.test_query_counts import _grow as grow

# Words that appear only in the encrypted records the chronology summarises.
ADDENDUM = "Addendum words heronsgate"
RATIONALE = "Rationale words kestrelmoor"
DECISIONS = "Decision words larkspurton"
ADVICE = "Advice words marshwillow"
REASON = "Reason words nettlecombe"
WORDS = (ADDENDUM, RATIONALE, DECISIONS, ADVICE)


def _raw(table, column) -> str:
    """Everything stored in one column, as the database holds it (what a dump shows)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")
        return "\n".join(str(value) for (value,) in cursor.fetchall())


def _case_with_every_kind_of_words(world):
    """A concern with an addendum and a triage, a meeting and a no-names consultation about its child."""
    staff, dsl = world.personas[Role.STAFF], world.personas[Role.DSL]
    here, child = world.establishments["here"], world.children["here"]
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=staff, establishment=here, children=[{"child": child, "role": "harmed", "categories": []}],
            occurred_at=clock.now() - timedelta(hours=3), narrative="What was seen", idempotency_key="at-rest")
    with transaction.atomic():
        concerns.addendum_add(actor=staff, concern=concern, text=ADDENDUM)
    involved = ConcernChild.objects.get(concern=concern, child=child)
    with transaction.atomic():
        concerns.triage_record(actor=dsl, involved=involved, risk="low", rationale=RATIONALE,
                               categories=involved.categories, outcome="monitor")
    meeting_record(actor=dsl, establishment=here, kind="professionals", held_at=clock.now() - timedelta(hours=2),
                   children=[child], attendees=[{"name": "A social worker", "role": "", "agency": "Children's services"}],
                   decisions=DECISIONS)
    consultation_record(actor=dsl, establishment=here, child=child, agency="childrens_services",
                        spoke_to="Duty desk", held_at=clock.now() - timedelta(hours=1), advice=ADVICE)
    return concern


def test_the_chronology_keeps_no_plaintext_copy_of_encrypted_words(client, world, adopted, signed_in):
    _case_with_every_kind_of_words(world)
    entries = ChronologyEntry.objects.filter(child=world.children["here"])
    # The words did go into the chronology (read through the model)...
    summaries = " ".join(entries.values_list("summary", flat=True))
    assert all(words in summaries for words in WORDS)
    # ...but the column holds none of them, nor any other entry's words.
    stored = _raw(ChronologyEntry._meta.db_table, "summary")
    assert [words for words in WORDS if words in stored] == []
    assert "Concern recorded" not in stored and "No-names consultation" not in stored

    entry = entries.get(kind="concern.triaged")
    with transaction.atomic():
        chronology_mark_key(actor=world.personas[Role.DSL], entry_id=entry.pk, key=True, reason=REASON)
    assert REASON not in _raw(KeyEventMark._meta.db_table, "reason")
    assert KeyEventMark.objects.get(entry=entry).reason == REASON

    # The DSL still reads every word, on the page and in the print view, and the filters still work.
    signed_in(world.personas[Role.DSL])
    page = client.get(f"/chronology/{world.children['here'].pk}/").content.decode()
    printed = client.get(f"/chronology/{world.children['here'].pk}/?print=1").content.decode()
    assert all(words in page and words in printed for words in WORDS)
    triage_only = client.get(f"/chronology/{world.children['here'].pk}/?type=triage").content.decode()
    assert RATIONALE in triage_only and ADDENDUM not in triage_only


def test_entries_written_before_are_encrypted_by_the_migration(world, adopted):
    _case_with_every_kind_of_words(world)
    entry = ChronologyEntry.objects.get(child=world.children["here"], kind="concern.addendum")
    # As an entry was stored before: the words in plaintext in the column.
    table, column = connection.ops.quote_name(ChronologyEntry._meta.db_table), connection.ops.quote_name("summary")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [f"Addendum: {ADDENDUM}", entry.pk])
    assert ADDENDUM in _raw(ChronologyEntry._meta.db_table, "summary")
    assert ChronologyEntry.objects.get(pk=entry.pk).summary == f"Addendum: {ADDENDUM}"  # still readable

    migration = importlib.import_module("safekeep.chronology.migrations.0004_encrypt_summaries_and_reasons")
    # With the models as the migration sees them (plain managers), as `migrate` runs it.
    migration.encrypt(MigrationExecutor(connection).loader.project_state(
        ("chronology", "0004_encrypt_summaries_and_reasons")).apps, None)

    assert ADDENDUM not in _raw(ChronologyEntry._meta.db_table, "summary")
    assert ChronologyEntry.objects.get(pk=entry.pk).summary == f"Addendum: {ADDENDUM}"
    assert all(words in " ".join(ChronologyEntry.objects.values_list("summary", flat=True)) for words in WORDS)


# --- Pages are never kept by the browser ----------------------------------------------------------------------

def test_pages_and_api_answers_with_case_data_are_never_stored_but_static_files_are_cached(
        client, world, adopted, signed_in):
    concern = _case_with_every_kind_of_words(world)
    signed_in(world.personas[Role.DSL])
    for url in (f"/concerns/{concern.pk}/", f"/chronology/{world.children['here'].pk}/", "/concerns/",
                f"/api/v1/concerns/{concern.pk}/", "/api/v1/me/", "/no-such-page/"):
        response = client.get(url)
        assert (response["Cache-Control"], response["Pragma"]) == ("no-store", "no-cache"), url
    # A refusal to someone signed out is not stored either (it names nothing, but nor does it linger).
    client.logout()
    assert client.get(f"/concerns/{concern.pk}/")["Cache-Control"] == "no-store"
    static = client.get("/static/safekeep/safekeep.css")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")


# --- Flashed messages stay on the server ----------------------------------------------------------------------

def test_a_message_naming_a_child_is_kept_on_the_server_not_in_a_cookie(client, world, adopted, signed_in):
    child = world.children["here"]
    signed_in(world.personas[Role.DSL])
    response = client.post(f"/safety-plans/child/{child.pk}/decision/",
                           {"role": "witness", "decision": "not_needed", "reason": "Saw it from a distance"})
    assert response.status_code == 302
    # Only the session and CSRF cookies are ever set, and neither carries the child's name.
    assert set(response.cookies) <= {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    assert all(child.last_name not in morsel.value for morsel in response.cookies.values())
    # The message itself still reaches the DSL on the next page, once.
    page = client.get(response["Location"])
    assert f"Your decision for {child.display_name} is recorded" in page.content.decode()
    assert "messages" not in page.cookies
    # The session holding it is a row in the database: nothing of it is in the browser but its id.
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert f"Your decision for {child.display_name}" not in client.get(response["Location"]).content.decode()


# --- A child's name never goes into a URL ---------------------------------------------------------------------

def _forms(page: str) -> list[str]:
    return re.findall(r"<form\b[^>]*>.*?</form>", page, flags=re.S)


def test_finding_a_child_sends_the_name_in_the_body_never_the_address(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    child = world.children["here"]
    for url in ("/children/", "/concerns/new/", "/sharing/new/", f"/sharing/new/?child={child.pk}",
                "/meetings/new/", f"/meetings/new/?child={child.pk}"):
        page = client.get(url).content.decode()
        searches = [form for form in _forms(page) if re.search(r'name="(q|find_q)"', form)]
        assert searches, url
        for form in searches:
            assert 'method="post"' in form and "csrfmiddlewaretoken" in form and "hx-get" not in form, url
    # Typing (htmx) and the button both POST the name, and find the child.
    typed = client.post("/children/", {"q": "here"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Child Here" in typed and "<h1" not in typed
    assert "Child Here" in client.post("/children/", {"q": "here"}).content.decode()
    # An old address with the name in it is refused with a clear message, and searches nothing.
    searches_before = AuditEvent.objects.filter(action="child.search").count()
    old = client.get("/children/?q=here")
    assert old.status_code == 400 and "Child Here" not in old.content.decode()
    assert "a name is never put in the page address" in old.content.decode()
    assert AuditEvent.objects.filter(action="child.search").count() == searches_before
    # The recording page's picker, and the one for a share or a meeting, search only what was posted.
    assert "Add Child Here" not in client.get("/concerns/new/?find_q=here&intent=find").content.decode()
    for url in ("/sharing/new/", "/meetings/new/"):
        assert "Add Child Here" not in client.get(f"{url}?q=here").content.decode()
        assert "a name is never put in the page address" in client.get(f"{url}?q=here").content.decode()
        found = client.post(url, {"q": "here", "intent": "find"})
        assert found.status_code == 200 and f"child={child.pk}" in found.content.decode()
        another = client.post(f"{url}?child={child.pk}", {"q": "nobody", "intent": "find"})
        assert another.status_code == 200 and "No child you can see matches" in another.content.decode()
        assert "There is a problem" not in another.content.decode()  # a search, not the form sent empty
    # No link on the results carries a name: only the child's number.
    assert all("here" not in href.lower() for href in re.findall(r'href="([^"]+)"', typed))
    # Bad input in the body is a clear error, never a 500.
    assert client.post("/children/", {"q": "Ch\x00ild"}).status_code == 400


def test_the_api_finds_children_by_a_name_in_the_body_and_refuses_one_in_the_address(client, world):
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="script", mfa_passed=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    found = client.post("/api/v1/children/search/", {"search": "here"}, content_type="application/json", **auth)
    assert found.status_code == 200 and [c["last_name"] for c in found.json()["results"]] == ["Here"]
    assert AuditEvent.objects.filter(action="child.search", detail__api=True).exists()
    for address in ("/api/v1/children/?search=here", "/api/v1/children/?q=here"):
        refused = client.get(address, **auth)
        assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
        assert "POST /api/v1/children/search/" in str(refused.json()["errors"])
    assert client.post("/api/v1/children/search/", {"search": "Ch\x00ild"}, content_type="application/json",
                       **auth).status_code == 400
    # The committed API description offers no name in a query string anywhere.
    described = yaml.safe_load(open("docs/api/openapi.yaml"))
    in_query = {p["name"] for methods in described["paths"].values() for operation in methods.values()
                for p in operation.get("parameters", []) if p["in"] == "query"}
    assert not in_query & {"search", "q", "name", "first_name", "last_name"}


def test_a_search_by_post_makes_a_fixed_number_of_queries_however_many_children(client, world, signed_in):
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="q", mfa_passed=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    signed_in(world.personas[Role.DSL])

    def counts():
        sizes = []
        for search in (lambda: client.post("/children/", {"q": "child"}),
                       lambda: client.post("/api/v1/children/search/", {"search": "child"},
                                           content_type="application/json", **auth)):
            search()  # warm caches that are per process, not per request
            with CaptureQueriesContext(connection) as queries:
                assert search().status_code == 200
            sizes.append(len(queries))
        return sizes

    grow(world, 0, 3)
    small = counts()
    grow(world, 3, 30)
    assert counts() == small and max(small) <= 25
