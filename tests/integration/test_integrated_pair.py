"""CE 11.3: a concern at one of an integrated school-and-home pair is noted on the child's file at the other,
whose safeguarding lead acknowledges it."""

import uuid
from datetime import UTC, datetime

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services
from safekeep.establishments.models import EstablishmentLink
from tests.world import link_school_and_home


def _record(world, **changes):
    fields = {"actor": world.personas[Role.STAFF], "establishment": world.establishments["here"],
              "children": [{"child": world.children["here"], "role": "harmed", "categories": ["cce"]}],
              "occurred_at": datetime(2026, 11, 20, 15, 0, tzinfo=UTC), "narrative": "Came back with new trainers.",
              "idempotency_key": uuid.uuid4().hex} | changes
    return services.concern_submit(**fields)[0]


def test_the_childs_file_at_the_linked_home_gets_a_note_and_its_lead_acknowledges_it(client, world, adopted,
                                                                                    signed_in):
    school, home, home_lead = link_school_and_home(world)
    concern = _record(world)
    note = ChronologyEntry.objects.get(child=world.children["here"], kind="concern.linked_note")
    assert note.establishment == home and note.concern_id == concern.pk
    assert "Establishment here" in note.summary and "harmed or at risk" in note.summary
    assert "trainers" not in note.summary  # the lead shares what is needed; the note carries no narrative
    acknowledge = Action.objects.get(concern_id=concern.pk, action_code="ce-note-on-linked-file")
    assert acknowledge.establishment == home and acknowledge.owner_role == "dsl" and acknowledge.deadline == "8 hours"

    signed_in(home_lead)
    assert "Note from Establishment here" in client.get(f"/chronology/{world.children['here'].pk}/").content.decode()
    assert f"/actions/{acknowledge.pk}/" in client.get("/actions/").content.decode()
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404  # the concern stays with the school
    actions.action_complete(actor=home_lead, action=acknowledge, note="Noted on file; spoke to the school's DSL.")
    assert ChronologyEntry.objects.filter(child=world.children["here"], kind="action.completed",
                                          object_id=str(acknowledge.pk)).exists()


def test_an_allegation_is_not_noted_at_the_linked_home(world, adopted):
    link_school_and_home(world)
    concern = _record(world, about_adult=True, subject=world.personas[Role.HEAD], subject_relationship="staff")
    assert not ChronologyEntry.objects.filter(kind="concern.linked_note", concern_id=concern.pk).exists()
    assert not Action.objects.filter(concern_id=concern.pk, establishment=world.establishments["region"]).exists()


def test_no_note_when_the_child_is_not_at_the_linked_establishment(world, adopted):
    EstablishmentLink.objects.create(first=world.establishments["here"], second=world.establishments["region"])
    _record(world)
    assert not ChronologyEntry.objects.filter(kind="concern.linked_note").exists()
