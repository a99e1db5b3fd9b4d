import uuid
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.audit.selectors import verify_chain
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns.models import Concern
from safekeep.concerns.services import concern_submit


def _tamper(sql, params=()):
    """Change the audit table behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # switches off the append-only trigger
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
            cursor.execute(sql, params)


def _views(client, world, signed_in, times=3):
    signed_in(world.personas[Role.DSL])
    for _ in range(times):
        assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200


def test_reading_a_child_record_is_audited_with_role_and_establishment(client, world, signed_in):
    _views(client, world, signed_in, times=1)
    event = AuditEvent.objects.filter(action="child.view").get()
    assert event.actor_id == world.personas[Role.DSL].pk
    assert event.role == "dsl"
    assert event.establishment_id == world.establishments["here"].pk
    assert event.object_id == str(world.children["here"].pk)
    assert event.outcome == "allowed"


def test_a_refused_child_record_is_a_404_and_audited_as_denied(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    response = client.get(f"/children/{world.children['region'].pk}/")
    assert response.status_code == 404
    assert "Child Region" not in response.content.decode()
    denial = AuditEvent.objects.get(outcome="denied")
    assert (denial.action, denial.object_id) == ("child.view", str(world.children["region"].pk))


def test_verifier_passes_an_untouched_chain(client, world, signed_in):
    _views(client, world, signed_in)
    assert verify_chain() is None
    call_command("verify_audit_chain")


def test_verifier_names_a_row_edited_in_the_database(client, world, signed_in):
    _views(client, world, signed_in)
    target = AuditEvent.objects.filter(action="child.view").order_by("seq")[1]
    _tamper("UPDATE audit_auditevent SET actor_email = %s WHERE id = %s", ["someone-else@example.org", target.pk])
    problem = verify_chain()
    assert problem.seq == target.seq and "altered" in problem.problem
    with pytest.raises(CommandError, match=f"seq {target.seq}"):
        call_command("verify_audit_chain")


def test_verifier_names_the_gap_left_by_a_deleted_row(client, world, signed_in):
    _views(client, world, signed_in)
    rows = list(AuditEvent.objects.order_by("seq"))
    _tamper("DELETE FROM audit_auditevent WHERE id = %s", [rows[1].pk])
    problem = verify_chain()
    assert problem.seq == rows[2].seq and "deleted" in problem.problem


def test_verifier_names_a_row_inserted_out_of_order(client, world, signed_in):
    _views(client, world, signed_in)
    first = AuditEvent.objects.order_by("seq").first()
    _tamper("UPDATE audit_auditevent SET seq = seq + 1000 WHERE id = %s", [first.pk])
    assert verify_chain() is not None


def test_the_database_refuses_to_change_audit_rows(world):
    with transaction.atomic():
        from safekeep.audit.services import audit_record

        audit_record(actor=None, action="test.event")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET action = 'x'")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def _refuse_audit_inserts() -> None:
    """Break audit inserts at the database, as an unavailable audit store would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$ "
                           "BEGIN RAISE EXCEPTION 'audit storage unavailable'; END; $$")
            cursor.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_auditevent "
                           "FOR EACH ROW EXECUTE FUNCTION refuse_audit()")
        else:
            cursor.execute("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_auditevent "
                           "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END")


@pytest.mark.django_db(transaction=True)
def test_no_child_data_is_shown_when_the_audit_row_cannot_be_written(client, signed_in):
    """Fail closed: break audit inserts at the database, and the record must not be served."""
    from tests.world import build_world

    world = build_world()
    signed_in(world.personas[Role.DSL])
    _refuse_audit_inserts()
    try:
        client.raise_request_exception = False
        response = client.get(f"/children/{world.children['here'].pk}/")
        assert response.status_code == 500
        assert "Child Here" not in response.content.decode()
        assert "2012" not in response.content.decode()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_audit" + (" ON audit_auditevent" if connection.vendor == "postgresql"
                                                          else ""))
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION refuse_audit()")


def test_who_viewed_screen_lists_each_viewer(client, world, signed_in):
    from safekeep.children.selectors import read_child_record

    read_child_record(world.personas[Role.HEAD], world.children["here"].pk)
    signed_in(world.personas[Role.DSL])
    page = client.get(f"/children/{world.children['here'].pk}/access-log/").content.decode()
    assert "Persona Headteacher or registered manager" in page
    assert "Persona Designated safeguarding lead" in page
    assert "Opened the record" in page and "Headteacher or registered manager" in page


def _allegation_about(world, adult):
    """A member of staff records an allegation about an adult who can read the audit log."""
    concern, created = concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), narrative="Shouted at her in the corridor.",
        idempotency_key=uuid.uuid4().hex, about_adult=True, subject=adult, subject_relationship="staff")
    assert created
    return concern


def test_the_subject_of_an_allegation_does_not_see_who_handles_it_in_the_audit_log(client, world, adopted,
                                                                                    signed_in):
    subject = world.personas[Role.GROUP_HEAD]  # reads the audit log of the whole organisation
    concern = _allegation_about(world, subject)
    lado = Action.objects.get(concern_id=concern.pk, action_code="refer-lado")
    entry = ChronologyEntry.objects.filter(concern=concern).first()
    signed_in(world.personas[Role.DEPUTY_DSL])
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200
    assert client.get(f"/actions/{lado.pk}/").status_code == 200
    assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200
    other = world.attachments["here"]  # a photo on another concern: its download row names that concern
    assert client.get(f"/concerns/{other.concern_id}/attachments/{other.pk}/").status_code == 200
    rows_about_it = [f"A concern about Child Here ({concern.pk})</td>", f">An action ({lado.pk})</td>",
                     f">An entry in a chronology ({entry.pk})</td>"]

    signed_in(subject)
    page = client.get("/audit/").content.decode()
    assert not [row for row in rows_about_it if row in page]
    assert "Opened a concern" not in page and "Opened an action" not in page
    # The rest of the log is still there, rows naming other concerns in their detail too.
    assert ">Child Here&#x27;s record</td>" in page
    assert AuditEvent.objects.get(action="attachment.download").detail == {"concern": other.concern_id}
    assert f">A photo or screenshot ({other.pk})</td>" in page

    # The data protection officer, who is not its subject, sees who handled it.
    signed_in(world.personas[Role.DPO])
    page = client.get("/audit/").content.decode()
    assert f">A concern about Child Here ({concern.pk})</td>" in page and f">An action ({lado.pk})</td>" in page
    assert "Opened a concern" in page and world.personas[Role.DEPUTY_DSL].email in page


def _record_cce(world):
    return concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                          children=[{"child": world.children["here"], "role": "harmed", "categories": ["cce"]}],
                          occurred_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC), narrative="Seen with older youths",
                          disclosure=True, idempotency_key=str(uuid.uuid4()))


def test_a_concern_and_its_steps_are_sealed_onto_the_chain_in_order(world, adopted, time_machine):
    """Recording writes its audit rows in one insert: each still follows the one before, in the order the
    changes were made, after what was already in the log."""
    time_machine.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))
    before = AuditEvent.objects.count()
    concern, _ = _record_cce(world)
    _record_cce(world)
    assert verify_chain() is None
    rows = list(AuditEvent.objects.order_by("id")[before:])
    assert [row.seq for row in rows] == list(range(rows[0].seq, rows[0].seq + len(rows)))
    first = [row.action for row in rows[:len(rows) // 2]]
    steps = Action.objects.filter(concern_id=concern.pk).count()
    assert first == ["action.create"] * steps + ["action.complete", "concern.create", "concern.alert"]
    assert [row.object_id for row in rows[:steps]] == [
        str(pk) for pk in Action.objects.filter(concern_id=concern.pk).order_by("id").values_list("pk", flat=True)]


def test_a_concern_is_not_recorded_when_its_audit_rows_cannot_be_written(world, adopted):
    """Fail closed: the concern, its steps and its chronology are written with their audit rows or not at all."""
    _refuse_audit_inserts()
    before = (Action.objects.count(), ChronologyEntry.objects.count())
    with pytest.raises(DatabaseError, match="audit storage unavailable"):
        _record_cce(world)
    assert not Concern.objects.filter(narrative="Seen with older youths").exists()
    assert (Action.objects.count(), ChronologyEntry.objects.count()) == before
