"""The list of places an administrator keeps, offered on the recording page (issue 4, "where")."""

import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.concerns.models import Concern
from safekeep.establishments.models import Location


def test_an_administrator_keeps_the_list_and_recorders_choose_from_it(client, world, adopted, signed_in):
    here = world.establishments["here"]
    signed_in(world.personas[Role.ADMINISTRATOR])
    response = client.post(f"/establishments/{here.pk}/places/new/", {"kind": "online", "name": "  Snapchat "})
    assert response.status_code == 302
    snapchat = Location.objects.get(establishment=here, name="Snapchat")
    assert AuditEvent.objects.filter(action="location.create", object_id=str(snapchat.pk)).exists()
    again = client.post(f"/establishments/{here.pk}/places/new/", {"kind": "online", "name": "snapchat"})
    assert "already has a place called snapchat" in again.content.decode()
    detail = client.get(f"/establishments/{here.pk}/").content.decode()
    assert "Snapchat" in detail and "Playground" in detail

    signed_in(world.personas[Role.STAFF])
    page = client.get("/concerns/new/").content.decode()
    assert '<optgroup label="Online"><option value="%d">Snapchat</option>' % snapchat.pk in page
    child = world.children["here"]
    form = {"key": uuid.uuid4().hex, "establishment": here.pk, "child": child.pk, f"role-{child.pk}": "harmed",
            "occurred_date": "2026-11-20", "narrative": "Messages asking to meet.", "place": snapchat.pk,
            "location": "group chat", "intent": "send"}
    assert client.post("/concerns/new/", form).status_code == 302
    concern = Concern.objects.get(idempotency_key=form["key"])
    assert concern.place == snapchat and concern.location == "group chat"

    signed_in(world.personas[Role.ADMINISTRATOR])
    client.post(f"/establishments/{here.pk}/places/{snapchat.pk}/retire/", {"retired": "yes"})
    signed_in(world.personas[Role.STAFF])
    assert ">Snapchat<" not in client.get("/concerns/new/").content.decode()
    signed_in(world.personas[Role.DSL])
    assert "Snapchat (online): group chat" in client.get(f"/concerns/{concern.pk}/").content.decode()


def test_a_place_from_another_establishment_is_refused_and_nothing_is_written(world, adopted):
    with pytest.raises(ValidationError) as error:
        concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                                children=[{"child": world.children["here"], "role": "harmed"}],
                                occurred_at=datetime(2026, 11, 20, tzinfo=UTC), narrative="Seen upset.",
                                idempotency_key=uuid.uuid4().hex, place=world.places["elsewhere"])
    assert "place" in error.value.message_dict
    assert not Concern.objects.filter(narrative="Seen upset.").exists()


def test_only_the_organisations_administrator_changes_the_list(client, world, signed_in):
    elsewhere = world.establishments["elsewhere"]
    signed_in(world.personas[Role.ADMINISTRATOR])
    assert client.post(f"/establishments/{elsewhere.pk}/places/new/", {"kind": "on_site",
                                                                       "name": "Gym"}).status_code == 404
    signed_in(world.personas[Role.DSL])
    here = world.establishments["here"]
    assert client.post(f"/establishments/{here.pk}/places/{world.places['here'].pk}/retire/").status_code == 404
    assert not Location.objects.get(pk=world.places["here"].pk).retired


def test_the_api_lists_the_places_a_concern_can_name(client, world, signed_in):
    signed_in(world.personas[Role.STAFF])
    body = client.get(f"/api/v1/establishments/{world.establishments['here'].pk}/").json()
    assert body["locations"] == [{"id": world.places["here"].pk, "kind": "on_site", "name": "Playground"}]
