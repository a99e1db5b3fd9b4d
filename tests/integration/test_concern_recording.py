import uuid

from django.db import connection

from safekeep.accounts import services as accounts
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.children.models import Child, Enrolment
from safekeep.concerns.models import Concern, ConcernChild

WORDS = "He said \"don't tell my mum\"  and  the older boys make him carry things"


def _second_child(world):
    existing = Enrolment.objects.filter(establishment=world.establishments["here"], mis_id="S2").first()
    if existing:
        return existing.child
    child = Child.objects.create(organisation=world.organisations["one"], first_name="Sam", last_name="Second",
                                 date_of_birth="2015-03-01")
    Enrolment.objects.create(child=child, establishment=world.establishments["here"], mis_id="S2")
    return child


def _record(client, world, key, **changes):
    _, token = accounts.api_token_create(actor=world.personas[Role.STAFF], name="x", mfa_passed=True)
    second = _second_child(world) if "children" not in changes else None
    body = {
        "establishment": world.establishments["here"].pk,
        "children": [{"child": world.children["here"].pk, "role": "harmed", "categories": ["cce"]},
                     {"child": second.pk, "role": "witness", "categories": []}] if second else changes["children"],
        "occurred_at": "2026-11-20T13:15:00Z", "location": "Bus stop outside", "narrative": "Saw him crying.",
        "childs_words": WORDS, "disclosure": True,
    } | {k: v for k, v in changes.items() if k != "children"}
    return client.post("/api/v1/concerns/", body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key)


def test_a_two_child_concern_keeps_each_childs_role_and_categories_and_starts_the_clocks(client, world, adopted):
    response = _record(client, world, str(uuid.uuid4()))
    assert response.status_code == 201, response.content
    concern = Concern.objects.get(pk=response.json()["id"])
    parts = {p.role: p for p in concern.children_involved.all()}
    assert parts["harmed"].categories == ["cce"] and parts["witness"].categories == []  # never copied across
    assert concern.childs_words == WORDS  # exactly as typed, spaces and quotes included
    for part in parts.values():
        assert ChronologyEntry.objects.filter(child=part.child, kind="concern.recorded").count() == 1
    harmed_actions = Action.objects.filter(concern_id=concern.pk, child=parts["harmed"].child)
    assert harmed_actions.filter(rule_id="ce-disclosure").exists()  # CCE + disclosure
    assert harmed_actions.filter(pack_version="2024-01-01-r5").exists()
    assert not Action.objects.filter(concern_id=concern.pk, child=parts["witness"].child,
                                     rule_id__startswith="ce-").exists()


def test_the_narrative_and_the_childs_words_are_encrypted_at_rest(client, world, adopted):
    concern_id = _record(client, world, str(uuid.uuid4())).json()["id"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative, childs_words FROM concerns_concern WHERE id = %s", [concern_id])
        narrative, words = cursor.fetchone()
    assert narrative.startswith("gAAAA") and "crying" not in narrative
    assert "mum" not in words


def test_the_same_key_twice_records_one_concern(client, world, adopted):
    key = str(uuid.uuid4())
    first = _record(client, world, key)
    again = client.post("/api/v1/concerns/", {"anything": "else"}, content_type="application/json",
                        HTTP_AUTHORIZATION=first.request["HTTP_AUTHORIZATION"], HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == 201
    assert again.status_code == 400  # a replay with a broken body is refused, and records nothing
    replay = _record(client, world, key)
    assert replay.status_code == 200 and replay.json()["id"] == first.json()["id"]
    assert Concern.objects.filter(idempotency_key=key).count() == 1


def test_a_rejected_concern_writes_nothing(client, world, adopted):
    before = (Concern.objects.count(), ConcernChild.objects.count(), ChronologyEntry.objects.count(),
              Action.objects.count())
    refused = _record(client, world, str(uuid.uuid4()), narrative="   ")
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    future = _record(client, world, str(uuid.uuid4()), occurred_at="2099-01-01T00:00:00Z")
    assert future.status_code == 400
    after = (Concern.objects.count(), ConcernChild.objects.count(), ChronologyEntry.objects.count(),
             Action.objects.count())
    assert after == before


def test_a_child_from_another_establishment_cannot_be_named(client, world, adopted):
    refused = _record(client, world, str(uuid.uuid4()), children=[
        {"child": world.children["elsewhere"].pk, "role": "harmed", "categories": []}])
    assert refused.status_code == 404
    assert not Concern.objects.filter(narrative="Saw him crying.").exists()


def test_the_safeguarding_team_is_alerted_by_email_with_no_content(client, world, adopted, smtp_server,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _record(client, world, str(uuid.uuid4()), immediate_risk=True)
    alerts = [m for m in smtp_server.messages if "concern" in m["Subject"]]
    assert {m["To"] for m in alerts} == {world.personas[Role.DSL].email, world.personas[Role.DEPUTY_DSL].email}
    assert all("URGENT" in m["Subject"] for m in alerts)
    for message in smtp_server.messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        for secret in ("crying", "mum", "Bus stop", "Child", "Sam", "cce", "exploitation"):
            assert secret not in body and secret not in message["Subject"]


def test_a_recorder_sees_their_concern_but_not_a_colleagues(client, world, adopted, signed_in):
    mine = _record(client, world, str(uuid.uuid4())).json()["id"]
    colleague = world.concerns["here"]
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/concerns/{mine}/").status_code == 200
    assert client.get(f"/concerns/{colleague.pk}/").status_code == 404
    page = client.get(f"/concerns/{mine}/").content.decode()
    assert "Not yet read by the safeguarding team" in page
    signed_in(world.personas[Role.DSL])
    client.get(f"/concerns/{mine}/")
    signed_in(world.personas[Role.STAFF])
    assert "Not yet read by the safeguarding team" in client.get(f"/concerns/{mine}/").content.decode()
    assert client.post(f"/concerns/{mine}/read/").status_code == 404  # only the safeguarding team marks it read
    signed_in(world.personas[Role.DSL])
    client.post(f"/concerns/{mine}/read/")
    signed_in(world.personas[Role.STAFF])
    assert "Read by the safeguarding team" in client.get(f"/concerns/{mine}/").content.decode()
