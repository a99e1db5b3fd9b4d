"""Data at rest and on the device (issue 10, section 5): the chronology keeps no plaintext copy of what is
encrypted in its own table; pages with case data are never kept by the browser; flashed messages stay on the
server; a child's name never goes into a URL."""

import importlib
from datetime import timedelta

from django.apps import apps as global_apps
from django.conf import settings
from django.db import connection, transaction

from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry, KeyEventMark
from safekeep.chronology.services import chronology_mark_key
from safekeep.concerns import services as concerns
from safekeep.concerns.models import ConcernChild
from safekeep.core import clock
from safekeep.meetings.services import meeting_record
from safekeep.referrals.services import consultation_record

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
    migration.encrypt(global_apps, None)

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
