"""Rows removed from the end of the audit log are named: the head is sealed in signed checkpoints
kept outside the audit table (docs/adr/0010-audit-checkpoints.md)."""

import json
from datetime import UTC, datetime

import crontask
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from safekeep.audit.chain import sign_checkpoint
from safekeep.audit.models import AuditCheckpoint, AuditEvent
from safekeep.audit.services import audit_record
from safekeep.audit.tasks import audit_checkpoint_take
from safekeep.authz.roles import Role


def _tamper(sql, params=()):
    """Change the audit tables behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # switches off the append-only triggers
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            for table in ("audit_auditevent", "audit_auditcheckpoint"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            cursor.execute(sql, params)


def _views(client, world, signed_in, times=3):
    signed_in(world.personas[Role.DSL])
    for _ in range(times):
        assert client.get(f"/children/{world.children['here'].pk}/").status_code == 200


def _verify() -> str:
    """What the person running `manage.py verify_audit_chain` reads; a broken chain exits non-zero."""
    try:
        call_command("verify_audit_chain", stdout=(out := _Out()))
    except CommandError as error:
        return f"BROKEN {error}"
    return out.text


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_the_newest_rows_removed_are_named_as_missing(client, world, signed_in):
    _views(client, world, signed_in)
    assert _verify().startswith("Audit chain intact")
    head = AuditEvent.objects.order_by("-seq").first().seq
    _tamper("DELETE FROM audit_auditevent WHERE seq > %s", [head - 2])
    assert _verify().startswith(f"BROKEN Audit chain broken at audit row seq {head - 1}: "
                                f"rows after seq {head - 2} are missing")


def test_every_row_removed_is_named_as_missing(client, world, signed_in):
    _views(client, world, signed_in)
    assert _verify().startswith("Audit chain intact")
    _tamper("DELETE FROM audit_auditevent")
    assert "rows after seq 0 are missing" in _verify()


def test_rows_removed_and_replaced_by_new_ones_are_named(client, world, signed_in):
    _views(client, world, signed_in)
    _verify()
    head = AuditEvent.objects.order_by("-seq").first().seq
    _tamper("DELETE FROM audit_auditevent WHERE seq >= %s", [head - 1])
    _views(client, world, signed_in, times=2)  # Safekeep carries on writing from what is left
    assert AuditEvent.objects.order_by("-seq").first().seq >= head
    report = _verify()
    assert report.startswith(f"BROKEN Audit chain broken at audit row seq {head}")
    assert "removed and others written in their place" in report


def test_the_scheduler_seals_the_head_every_minute_and_never_seals_over_a_truncation(client, world, signed_in):
    job = next(j for j in crontask.scheduler.get_jobs() if "audit_checkpoint_take" in j.name)
    assert str(job.trigger.fields[6]) == "*" and str(job.trigger.fields[5]) == "*"  # every hour, every minute
    _views(client, world, signed_in)
    head = AuditEvent.objects.order_by("-seq").first().seq
    assert audit_checkpoint_take.call() == f"checkpoint at seq {head}"
    assert audit_checkpoint_take.call() == "no new audit rows"
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [head])
    # The next run refuses to seal what is left, so the truncation stays visible.
    assert audit_checkpoint_take.call().startswith(f"no checkpoint: audit row seq {head}: rows after seq {head - 1}")
    assert AuditCheckpoint.objects.order_by("-seq").first().seq == head
    assert f"rows after seq {head - 1} are missing" in _verify()


def test_the_checkpoint_file_names_a_truncation_even_when_the_checkpoint_table_is_emptied(
        client, world, signed_in, settings, tmp_path):
    settings.SAFEKEEP_AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.jsonl")
    _views(client, world, signed_in)
    _verify()
    head = AuditEvent.objects.order_by("-seq").first().seq
    lines = (tmp_path / "audit-checkpoints.jsonl").read_text().splitlines()
    assert json.loads(lines[-1])["seq"] == head
    _tamper("DELETE FROM audit_auditcheckpoint")
    _tamper("DELETE FROM audit_auditevent WHERE seq = %s", [head])
    report = _verify()
    assert f"rows after seq {head - 1} are missing" in report and "in the checkpoint file" in report


def test_a_checkpoint_not_signed_with_the_audit_key_is_named(client, world, signed_in):
    _views(client, world, signed_in)
    head = AuditEvent.objects.order_by("-seq").first()
    taken = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    AuditCheckpoint.objects.create(seq=head.seq + 5, row_hash=head.row_hash, taken_at=taken,
                                   signature=sign_checkpoint(head.seq, head.row_hash, taken))
    assert "not signed with the audit key" in _verify()


def test_the_database_refuses_to_change_or_remove_checkpoints(client, world, signed_in):
    _views(client, world, signed_in, times=1)
    _verify()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditcheckpoint")
    with pytest.raises(TypeError):
        AuditCheckpoint.objects.all().delete()
    assert AuditCheckpoint.objects.count() == 1


def test_an_untouched_log_stays_intact_across_checkpoints(client, world, signed_in):
    for _ in range(3):
        _views(client, world, signed_in, times=2)
        with transaction.atomic():
            audit_record(actor=None, action="test.event")
        assert _verify().startswith("Audit chain intact")
    assert AuditCheckpoint.objects.count() == 3
