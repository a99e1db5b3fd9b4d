"""A child's chronology (issue 4, item 6): every concern as it concerns that child, addenda, triage decisions,
actions and notes from a linked school or home; filters by type, category, date and key events; key events
marked by the rules or by a DSL (audited, permission-checked); a print view; a fixed number of queries."""

import importlib
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from safekeep.accounts import services as accounts
from safekeep.actions.escalation import escalate_overdue
from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.children.models import Enrolment
from safekeep.chronology.models import ChronologyEntry, KeyEventMark
from safekeep.concerns import services as concerns
from safekeep.concerns.models import Concern, ConcernChild, Triage
from safekeep.establishments.services import establishment_link

WHEN = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def _record(world, key, *, children=None, when=WHEN, **flags):
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=children or [{"child": world.children["here"], "role": "harmed", "categories": []}],
            occurred_at=when, narrative=f"Narrative {key}", idempotency_key=key, **flags)
    return concern


def _triage(world, concern, child, **decision):
    involved = ConcernChild.objects.get(concern=concern, child=child)
    fields = {"risk": "low", "rationale": "Reason", "categories": involved.categories, "outcome": "monitor"} | decision
    if set(fields["categories"]) != set(involved.categories):
        fields.setdefault("categories_reason", "Seen again")
    return concerns.triage_record(actor=world.personas[Role.DSL], involved=involved, **fields)


def _page(client, world, query="", child=None):
    child = child or world.children["here"]
    response = client.get(f"/chronology/{child.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _rows(page) -> int:
    return page.count('id="entry-')


@pytest.fixture
def friend(world):
    from safekeep.children.models import Child

    friend = Child.objects.create(organisation=world.organisations["one"], first_name="Kit", last_name="Friend",
                                  date_of_birth=date(2012, 1, 1))
    Enrolment.objects.create(child=friend, establishment=world.establishments["here"], mis_id="KF")
    return friend


# --- What goes in, and what each entry carries ----------------------------------------------------------------

def test_every_entry_about_a_concern_carries_it_and_this_childs_own_categories(world, adopted, friend):
    child = world.children["here"]
    concern = _record(world, "two", disclosure=True, children=[
        {"child": child, "role": "harmed", "categories": ["cce"]},
        {"child": friend, "role": "alleged_responsible", "categories": ["serious_violence"]}])
    with transaction.atomic():
        concerns.addendum_add(actor=world.personas[Role.STAFF], concern=concern, text="It was Tuesday.")
    with transaction.atomic():
        _triage(world, concern, child, categories=["cce", "online_grooming"], risk="high", rationale="Older youths",
                outcome="childrens_services")

    mine = ChronologyEntry.objects.filter(child=child)
    assert mine.filter(kind__startswith="concern.").exclude(concern=concern).count() == 0
    assert mine.filter(kind__startswith="action.").exclude(concern=concern).count() == 0
    recorded = mine.get(kind="concern.recorded")
    assert recorded.category_codes == ["cce"]  # never the other child's
    assert ChronologyEntry.objects.get(child=friend, kind="concern.recorded").category_codes == ["serious_violence"]
    assert mine.get(kind="concern.addendum").object_type == "addendum"
    triaged = mine.get(kind="concern.triaged")
    assert (triaged.object_type, triaged.category_codes) == ("triage", ["cce", "online_grooming"])
    # Actions the new categories required carry the categories as they now are for this child.
    assert set(mine.filter(kind="action.required").last().category_codes) == {"cce", "online_grooming"}


def test_key_events_by_the_rules(world, adopted):
    child = world.children["here"]
    calm = _record(world, "calm")
    told = _record(world, "disclosure", disclosure=True)
    urgent = _record(world, "urgent", immediate_risk=True)
    with transaction.atomic():
        low = _triage(world, calm, child)
        high = _triage(world, calm, child, risk="high")
        police = _triage(world, told, child, outcome="police")
        lado = _triage(world, urgent, child, outcome="lado")
        early_help = _triage(world, urgent, child, risk="medium", outcome="early_help")

    def key(**where):
        return ChronologyEntry.objects.get(child=child, **where).key_event

    assert not key(kind="concern.recorded", concern=calm)
    assert key(kind="concern.recorded", concern=told) and key(kind="concern.recorded", concern=urgent)
    assert not key(kind="concern.triaged", object_id=str(low.pk))
    assert key(kind="concern.triaged", object_id=str(high.pk))
    assert key(kind="concern.triaged", object_id=str(police.pk)) and key(kind="concern.triaged", object_id=str(lado.pk))
    assert not key(kind="concern.triaged", object_id=str(early_help.pk))
    assert not ChronologyEntry.objects.filter(kind__in=["concern.read", "concern.addendum"], key_event=True).exists()
    # An overdue action, escalated, is a key event (the police step: the triages met only "read and decide").
    action = Action.objects.filter(child=child, status="open", escalation_ladder__isnull=False,
                                   concern_id=urgent.pk).exclude(escalation_ladder=[]).first()
    Action.objects.filter(pk=action.pk).update(next_escalation_at=WHEN - timedelta(days=1))
    escalate_overdue(now=datetime.now(UTC))
    escalated = ChronologyEntry.objects.get(kind="action.escalated", object_id=str(action.pk))
    assert escalated.key_event and escalated.concern_id == urgent.pk


def test_each_row_shows_when_it_happened_when_it_was_recorded_the_kind_and_the_childs_role(
        client, world, adopted, signed_in, friend):
    _record(world, "rows", disclosure=True, when=datetime(2026, 3, 4, 15, 30, tzinfo=UTC), children=[
        {"child": world.children["here"], "role": "witness", "categories": ["cce"]},
        {"child": friend, "role": "harmed", "categories": []}])
    signed_in(world.personas[Role.DSL])
    page = _page(client, world, "?tracked=1")
    assert "4 Mar 2026, 15:30" in page  # when it happened (UK time)
    assert "Concern recorded</p>" in page and "Role in the concern: witness" in page  # never the other child's
    assert "Action the policies require" in page
    assert "Categories: Child criminal exploitation (CCE)" in page
    assert 'class="govuk-tag govuk-tag--red">Key event' in page
    recorded = ChronologyEntry.objects.get(child=world.children["here"], kind="concern.recorded")
    assert recorded.recorded_at.astimezone().strftime("%-d %b %Y") in page


def test_a_note_from_the_linked_home_is_its_own_type(client, world, adopted, signed_in):
    school, home, child = world.establishments["here"], world.establishments["region"], world.children["here"]
    with transaction.atomic():
        establishment_link(actor=world.personas[Role.ADMINISTRATOR], first=school, second=home)
    Enrolment.objects.create(child=child, establishment=home, mis_id="HOME-1")
    _record(world, "pair")
    linked = ChronologyEntry.objects.filter(child=child, establishment=home)
    assert linked.exists(), "the linked home's part is in the child's chronology"
    signed_in(world.personas[Role.DSL])
    page = _page(client, world, "?type=linked&tracked=1")
    assert _rows(page) == linked.count() and "Linked school or home" in page
    actions = _page(client, world, "?type=action")
    assert "Linked school or home" not in actions and _rows(actions) == ChronologyEntry.objects.filter(
        child=child, kind__startswith="action.", establishment=school).count()


# --- Filters --------------------------------------------------------------------------------------------------

def test_filters_by_type_category_date_and_key_events_on_the_page_and_in_print(client, world, adopted, signed_in):
    child = world.children["here"]
    early = _record(world, "early", when=datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
                    children=[{"child": child, "role": "harmed", "categories": ["cce"]}])
    _record(world, "late", when=datetime(2026, 6, 10, 9, 0, tzinfo=UTC), disclosure=True,
            children=[{"child": child, "role": "harmed", "categories": ["neglect"]}])
    with transaction.atomic():
        concerns.addendum_add(actor=world.personas[Role.STAFF], concern=early, text="Added later.")
        _triage(world, early, child, categories=["cce"], rationale="Seen with older youths")
    signed_in(world.personas[Role.DSL])

    everything = _page(client, world, "?tracked=1")
    assert _rows(everything) == ChronologyEntry.objects.filter(child=child).count()
    triage = _page(client, world, "?type=triage")
    assert _rows(triage) == 1 and "Seen with older youths" in triage and "Type: triage decisions" in triage
    addenda = _page(client, world, "?type=addendum")
    assert _rows(addenda) == 1 and "Added later." in addenda
    concerns_only = _page(client, world, "?type=concern")
    assert _rows(concerns_only) == 2 and "Addendum" not in concerns_only.split("<table")[1]

    cce = _page(client, world, "?category=cce&tracked=1")
    expected = ChronologyEntry.objects.filter(child=child, categories__contains=",cce,").count()
    assert _rows(cce) == expected > 0 and "Narrative" not in cce  # summaries only, never the narrative
    assert "Category: Child criminal exploitation (CCE)" in cce
    neglect = _page(client, world, "?category=neglect&tracked=1")
    assert _rows(neglect) == ChronologyEntry.objects.filter(child=child, categories__contains=",neglect,").count()

    spring = _page(client, world, "?from=2026-06-01&to=2026-06-30&tracked=1")
    june = ChronologyEntry.objects.filter(child=child, occurred_at__date__gte=date(2026, 6, 1),
                                          occurred_at__date__lte=date(2026, 6, 30)).count()
    assert _rows(spring) == june > 0 and "Happened from 1 June 2026 to 30 June 2026" in spring
    before = _page(client, world, "?to=2026-01-10&tracked=1")
    assert _rows(before) == ChronologyEntry.objects.filter(child=child, occurred_at__lt=datetime(
        2026, 1, 11, tzinfo=UTC)).count() and "Happened on or before 10 January 2026" in before

    key = _page(client, world, "?key=1")
    assert _rows(key) == 1 and "Key events only" in key  # the disclosure

    printed = _page(client, world, "?print=1&type=triage&key=1")
    assert "Confidential: safeguarding record" in printed and "govuk-service-navigation" not in printed
    assert "Type: triage decisions; Key events only" in printed and _rows(printed) == 0
    printed = _page(client, world, "?print=1&category=cce&tracked=1")
    assert _rows(printed) == expected and "Category: Child criminal exploitation (CCE)" in printed
    assert "Mark as key event" not in printed
    # The printout is in reading order for a meeting: oldest first.
    assert "Oldest first" in printed
    # The print link carries the filters.
    assert "print=1&amp;type=triage" in triage


@pytest.mark.parametrize("query,message", [
    ("?from=2026-13-45", "Enter the &#x27;from&#x27; date as a real date"),
    ("?to=yesterday", "Enter the &#x27;to&#x27; date as a real date"),
    ("?from=0001-01-01", "Enter a &#x27;from&#x27; date between 1990 and 2100"),
    ("?to=9999-12-31", "Enter a &#x27;to&#x27; date between 1990 and 2100"),
    ("?from=2026-06-01&to=2026-05-01", "must be the same as or after the &#x27;from&#x27; date"),
    ("?category=not-a-category", "Choose a category from the list"),
    ("?type=everything-please", "Choose a type from the list"),
])
def test_a_bad_filter_is_an_error_on_the_page_never_a_server_error(client, world, adopted, signed_in, query,
                                                                   message):
    _record(world, "bad")
    signed_in(world.personas[Role.DSL])
    page = _page(client, world, query)
    assert "There is a problem with the filters" in page and message in page
    assert "govuk-error-summary" in page
    printed = _page(client, world, query + "&print=1")
    assert "not applied" in printed


def test_a_silly_page_number_shows_a_page_or_a_clear_error(client, world, adopted, signed_in):
    _record(world, "pages")
    signed_in(world.personas[Role.DSL])
    assert _rows(_page(client, world, "?page=-1")) >= 1
    assert _rows(_page(client, world, "?page=99999")) >= 1
    refused = client.get(f"/chronology/{world.children['here'].pk}/?page=99999999999999999999")
    assert refused.status_code == 400 and "Sorry, Safekeep could not read that" in refused.content.decode()


# --- Marking key events ---------------------------------------------------------------------------------------

def test_the_dsl_marks_and_unmarks_a_key_event_audited_and_the_latest_mark_wins(client, world, adopted, signed_in):
    _record(world, "mark")
    entry = ChronologyEntry.objects.get(child=world.children["here"], kind="concern.recorded", key_event=False,
                                        concern__idempotency_key="mark")
    dsl = world.personas[Role.DSL]
    signed_in(dsl)
    assert 'class="govuk-tag govuk-tag--red">Key event' not in _page(client, world)
    response = client.post(f"/chronology/entries/{entry.pk}/key-event/", {"mark": "1", "type": "concern", "key": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"/chronology/{world.children['here'].pk}/?type=concern&key=1#entry-{entry.pk}"
    page = _page(client, world, "?key=1")
    assert _rows(page) == 1 and f'id="entry-{entry.pk}"' in page and "Marked as a key event by Persona" in page
    assert "Remove key event mark" in page
    event = AuditEvent.objects.get(action="chronology.key_event.mark")
    assert (event.actor_id, event.object_id, event.role) == (dsl.pk, str(entry.pk), "dsl")

    client.post(f"/chronology/entries/{entry.pk}/key-event/", {"mark": "0"})
    assert _rows(_page(client, world, "?key=1")) == 0
    assert AuditEvent.objects.filter(action="chronology.key_event.unmark", object_id=str(entry.pk)).count() == 1
    assert list(KeyEventMark.objects.filter(entry=entry).values_list("key", flat=True)) == [False, True]
    entry.refresh_from_db()
    assert entry.key_event is False  # the entry itself is never changed


def test_a_dsl_can_take_the_mark_off_a_key_event_the_rules_set(client, world, adopted, signed_in):
    _record(world, "urgent", immediate_risk=True)
    entry = ChronologyEntry.objects.get(child=world.children["here"], kind="concern.recorded", key_event=True)
    signed_in(world.personas[Role.DEPUTY_DSL])
    client.post(f"/chronology/entries/{entry.pk}/key-event/", {"mark": "0"})
    assert f'id="entry-{entry.pk}"' not in _page(client, world, "?key=1")
    assert "Key event mark taken away by Persona" in _page(client, world)


def test_only_the_childs_safeguarding_team_may_mark_and_others_get_a_404_that_is_audited(
        client, world, adopted, signed_in):
    _record(world, "who")
    here = ChronologyEntry.objects.filter(child=world.children["here"]).first()
    elsewhere = ChronologyEntry.objects.create(
        child=world.children["region"], establishment=world.establishments["region"], kind="concern.recorded",
        concern=world.concerns["region"], summary="Concern recorded.", occurred_at=WHEN)
    for role in (Role.STAFF, Role.GOVERNOR, Role.DPO, Role.ADMINISTRATOR):
        signed_in(world.personas[role])
        assert client.post(f"/chronology/entries/{here.pk}/key-event/", {"mark": "1"}).status_code == 404
        assert "Mark as key event" not in client.get(f"/chronology/{world.children['here'].pk}/").content.decode()
    signed_in(world.personas[Role.DSL])  # the DSL of another school
    denials = AuditEvent.objects.filter(outcome="denied").count()
    assert client.post(f"/chronology/entries/{elsewhere.pk}/key-event/", {"mark": "1"}).status_code == 404
    assert client.post("/chronology/entries/999999/key-event/", {"mark": "1"}).status_code == 404
    assert AuditEvent.objects.filter(outcome="denied").count() == denials + 2
    assert not KeyEventMark.objects.exists()
    # Nothing changes without a choice of mark.
    assert client.post(f"/chronology/entries/{here.pk}/key-event/", {}).status_code == 302
    assert not KeyEventMark.objects.exists()


# --- The API --------------------------------------------------------------------------------------------------

def _bearer(world, role):
    _, key = accounts.api_token_create(actor=world.personas[role], name="c", mfa_passed=True)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_filters_marks_and_refuses_bad_dates(client, world, adopted):
    child = world.children["here"]
    concern = _record(world, "api", disclosure=True,
                      children=[{"child": child, "role": "harmed", "categories": ["cce"]}])
    with transaction.atomic():
        _triage(world, concern, child, rationale="x")
    dsl, staff = _bearer(world, Role.DSL), _bearer(world, Role.STAFF)
    url = f"/api/v1/children/{child.pk}/chronology/"

    body = client.get(url + "?tracked=true", **dsl).json()
    assert body["count"] == ChronologyEntry.objects.filter(child=child).count()
    recorded = next(e for e in body["results"] if e["kind"] == "concern.recorded")
    assert (recorded["concern_id"], recorded["child_role"], recorded["categories"], recorded["key_event"],
            recorded["type"]) == (concern.pk, "harmed", ["cce"], True, "concern")
    triage = client.get(url + "?type=triage", **dsl).json()
    assert [e["kind"] for e in triage["results"]] == ["concern.triaged"] and triage["filters"] == {"type": "triage"}
    assert client.get(url + "?key=true", **dsl).json()["count"] == 1
    assert client.get(url + "?category=cce&tracked=true", **dsl).json()["count"] == \
        ChronologyEntry.objects.filter(child=child, categories__contains=",cce,").count() > 1
    # Only the concern itself happened that day: its actions were required when it was recorded.
    assert client.get(url + "?category=cce&from=2026-11-20&to=2026-11-20", **dsl).json()["count"] == 1
    assert client.get(url + "?to=2026-11-19", **dsl).json()["count"] == 0

    bad = client.get(url + "?from=2026-02-30", **dsl)
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert "from" in bad.json()["errors"]

    entry = ChronologyEntry.objects.get(child=child, kind="concern.triaged")
    mark_url = f"/api/v1/chronology/entries/{entry.pk}/key-event/"
    assert client.post(mark_url, {"key": True, "reason": "Turning point"}, content_type="application/json",
                       **staff).status_code == 404
    marked = client.post(mark_url, {"key": True, "reason": "Turning point"}, content_type="application/json", **dsl)
    assert marked.status_code == 200 and marked.json()["key_event"] is True
    assert KeyEventMark.objects.get(entry=entry).reason == "Turning point"
    assert client.get(url + "?key=1", **dsl).json()["count"] == 2
    assert client.post(mark_url, {}, content_type="application/json", **dsl).status_code == 400


# --- Performance: a fixed number of queries -------------------------------------------------------------------

def _grow(world, start, stop):
    child, here = world.children["here"], world.establishments["here"]
    for i in range(start, stop):
        concern = Concern.objects.create(establishment=here, recorded_by=world.people["here"], narrative=f"N {i}",
                                         occurred_at=WHEN - timedelta(days=i), idempotency_key=f"grow-{i}",
                                         disclosure=i % 3 == 0)
        ConcernChild.objects.create(concern=concern, child=child, role="witness", categories=["cce"])
        entry = ChronologyEntry.objects.create(child=child, establishment=here, kind="concern.recorded",
                                               concern=concern, categories=",cce,", key_event=i % 3 == 0,
                                               summary=f"Entry {i}", occurred_at=concern.occurred_at,
                                               recorded_by=world.people["here"])
        ChronologyEntry.objects.create(child=child, establishment=here, kind="action.required", concern=concern,
                                       categories=",cce,", summary=f"Action {i}", occurred_at=concern.occurred_at)
        KeyEventMark.objects.create(entry=entry, marked_by=world.personas[Role.DSL], key=i % 2 == 0)


@pytest.mark.parametrize("query", ["", "?type=concern&category=cce&from=2020-01-01&to=2030-01-01&key=1",
                                   "?print=1", "?print=1&key=1&category=cce"])
def test_the_page_makes_the_same_number_of_queries_however_long_the_chronology(client, world, adopted, signed_in,
                                                                                query):
    signed_in(world.personas[Role.DSL])
    path = f"/chronology/{world.children['here'].pk}/{query}"

    def count():
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    _grow(world, 0, 3)
    small = count()
    _grow(world, 3, 60)
    large = count()
    assert large == small, f"{query}: {small} queries with a little data, {large} with twenty times as much"
    assert small <= 25


def test_the_api_makes_the_same_number_of_queries_however_long_the_chronology(client, world, adopted):
    headers = _bearer(world, Role.DSL)
    path = f"/api/v1/children/{world.children['here'].pk}/chronology/?category=cce&key=1"

    def count():
        client.get(path, **headers)  # warm caches that are per process, not per request
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, **headers).status_code == 200
        return len(queries)

    _grow(world, 0, 3)
    small = count()
    _grow(world, 3, 60)
    assert count() == small


# --- The backfill ---------------------------------------------------------------------------------------------

def test_the_backfill_fills_in_entries_written_before_the_columns_existed(world, adopted, friend):
    """Entries as the services wrote them before: the triage and the addendum against the concern, and no
    concern, categories or key event columns filled in."""
    child = world.children["here"]
    concern = _record(world, "old", disclosure=True, children=[
        {"child": child, "role": "harmed", "categories": ["cce"]},
        {"child": friend, "role": "witness", "categories": []}])
    with transaction.atomic():
        first = _triage(world, concern, child, categories=["cce", "cse"], risk="high", rationale="x")
        _triage(world, concern, child, categories=["cse"], risk="low", rationale="y", outcome="monitor")
    action = Action.objects.filter(concern_id=concern.pk, child=child).first()
    # The rows as they stood before the migration, written around the written-once guard as only a migration
    # may (the base manager is Django's plain one).
    ChronologyEntry._base_manager.all().delete()
    KeyEventMark._base_manager.all().delete()
    old = {"child": child, "establishment": world.establishments["here"], "occurred_at": WHEN, "summary": "s"}
    recorded = ChronologyEntry.objects.create(kind="concern.recorded", object_type="concern",
                                              object_id=str(concern.pk), **old)
    friends = ChronologyEntry.objects.create(**old | {"child": friend}, kind="concern.recorded",
                                             object_type="concern", object_id=str(concern.pk))
    addendum = ChronologyEntry.objects.create(kind="concern.addendum", object_type="concern",
                                              object_id=str(concern.pk), **old)
    triaged = ChronologyEntry.objects.create(kind="concern.triaged", object_type="concern",
                                             object_id=str(concern.pk), **old)
    escalated = ChronologyEntry.objects.create(kind="action.escalated", object_type="action",
                                               object_id=str(action.pk), **old)
    unrelated = ChronologyEntry.objects.create(kind="action.added", object_type="action",
                                               object_id=str(world.actions["here"].pk), **old)
    ChronologyEntry._base_manager.filter(pk=triaged.pk).update(recorded_at=first.triaged_at + timedelta(microseconds=1))
    Triage._base_manager.exclude(pk=first.pk).update(triaged_at=first.triaged_at + timedelta(seconds=5))
    ChronologyEntry._base_manager.update(concern=None, categories="", key_event=False)

    migration = importlib.import_module("safekeep.chronology.migrations.0003_backfill_concern_categories_key_events")
    # With the models as the migration sees them (plain managers), as `migrate` runs it.
    at_migration = MigrationExecutor(connection).loader.project_state(
        ("chronology", "0003_backfill_concern_categories_key_events")).apps
    migration.backfill(at_migration, None)

    def fresh(entry):
        return ChronologyEntry.objects.get(pk=entry.pk)

    assert {fresh(e).concern_id for e in (recorded, friends, addendum, triaged, escalated)} == {concern.pk}
    assert fresh(unrelated).concern_id is None
    assert (fresh(recorded).category_codes, fresh(recorded).key_event) == (["cce"], True)
    assert (fresh(friends).category_codes, fresh(friends).key_event) == ([], True)
    # The triage entry gets the decision it recorded (the first), not the later one.
    assert (fresh(triaged).category_codes, fresh(triaged).key_event) == (["cce", "cse"], True)
    assert fresh(addendum).key_event is False
    assert fresh(escalated).key_event is True
