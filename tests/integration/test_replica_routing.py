"""Reports and exports read from a real PostgreSQL streaming replica; everything else reads the primary.

Needs scripts/start-replica and DATABASE_REPLICA_URL (see .ci/run). Replay on the replica is paused
to hold it behind the primary, so each test can tell which of the two a page read: a share recorded
after the pause is in the register only once the replica has caught up, while a concern recorded
after it is in the inbox at once."""

import csv
import io
import time
from datetime import UTC, datetime

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, router, transaction
from django.http import StreamingHttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.concerns.services import concern_submit
from safekeep.core.db_router import REPLICA, reads_from_replica, use_replica
from safekeep.sharing import services as sharing
from safekeep.sharing.models import InformationShare

if REPLICA not in settings.DATABASES:  # only when this file is named on the command line
    raise pytest.UsageError("The replica routing tests need a real replica: run scripts/start-replica and set "
                            "DATABASE_REPLICA_URL, as .ci/run does")
pytestmark = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA])
HOLDING_THE_REPLICA = 0x5AFE_0DB2  # an advisory lock's key


def _point(alias, settings_dict):
    replica = connections[alias]
    replica.close()
    replica.close_pool()
    replica.settings_dict = settings_dict


@pytest.fixture
def replica():
    """The replica alias as DATABASE_REPLICA_URL configures it, at the test database (which the replica
    copies from the primary). Django's test set-up makes a replica a mirror of the primary, since it
    cannot create a database on a standby, so without this the alias would read the primary."""
    # Pausing replay pauses the whole replica: one test at a time holds it, whatever pytest-xdist runs
    # (an advisory lock in the primary's "postgres" database, which every worker's test database shares).
    primary = connection.settings_dict
    holding = psycopg.connect(host=primary["HOST"], port=primary["PORT"], user=primary["USER"],
                              password=primary["PASSWORD"], dbname="postgres", autocommit=True)
    holding.execute("SELECT pg_advisory_lock(%s)", [HOLDING_THE_REPLICA])
    mirrored = connections[REPLICA].settings_dict
    _point(REPLICA, {**settings.DATABASES[REPLICA], "NAME": connection.settings_dict["NAME"]})
    yield connections[REPLICA]
    _resume(connections[REPLICA])
    _point(REPLICA, mirrored)
    holding.close()


def _one(alias, sql, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _pause(replica):
    replica.ensure_connection()
    _one(REPLICA, "SELECT pg_wal_replay_pause()::text")


def _resume(replica):
    _one(REPLICA, "SELECT pg_wal_replay_resume()::text")


def caught_up(replica):
    """Wait (at most 30 s) until the replica has replayed everything the primary has committed."""
    _resume(replica)
    written = _one(DEFAULT_DB_ALIAS, "SELECT pg_current_wal_lsn()::text")
    for _ in range(300):
        if _one(REPLICA, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written]):
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up with the primary within 30 s")


def record_share(world, recipient):
    return sharing.share_add(
        actor=world.personas[Role.DSL], establishment=world.establishments["here"],
        children=[world.children["here"]], recipient=recipient, recipient_organisation="Children's services",
        what="Concern record", purpose="Referral", lawful_basis="public-task-safeguarding", consent="not_sought",
        consent_note="Asking would put him at greater risk", secure_handling_agreed=True,
        secure_handling_note="Secure email")


def recipients(csv_response):
    body = b"".join(csv_response.streaming_content) if csv_response.streaming else csv_response.content
    return {row["Recipient"] for row in csv.DictReader(io.StringIO(body.decode()))}


def test_the_replica_is_a_standby_that_follows_the_primary(world, replica):
    assert _one(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert _one(DEFAULT_DB_ALIAS, "SELECT pg_is_in_recovery()") is False
    assert replica.settings_dict["PORT"] != connection.settings_dict["PORT"]
    record_share(world, "Recorded on the primary")
    caught_up(replica)
    assert InformationShare.objects.using(REPLICA).filter(recipient="Recorded on the primary").exists()
    # Migrations never run there.
    assert router.allow_migrate(REPLICA, "sharing") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "sharing") is True


def test_the_register_and_its_export_read_the_replica_and_are_as_new_as_it(world, replica, signed_in):
    client = signed_in(world.personas[Role.DPO])
    caught_up(replica)
    _pause(replica)
    record_share(world, "Shared while the replica was behind")

    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
        behind = client.get("/sharing/export.csv")
        page = client.get("/sharing/")
    assert behind.status_code == 200 and page.status_code == 200
    assert "Shared while the replica was behind" not in recipients(behind)
    assert "Shared while the replica was behind" not in page.content.decode()
    assert any("sharing_informationshare" in query["sql"] for query in on_replica.captured_queries)
    assert not any("sharing_informationshare" in query["sql"] for query in on_primary.captured_queries)
    # Reading is still audited, on the primary, chained to its newest row (not the replica's).
    assert AuditEvent.objects.filter(action="sharing.export", actor_id=world.personas[Role.DPO].pk).count() == 1
    call_command("verify_audit_chain")

    caught_up(replica)
    assert "Shared while the replica was behind" in recipients(client.get("/sharing/export.csv"))
    assert "Shared while the replica was behind" in client.get("/sharing/").content.decode()


def test_the_audit_log_reads_the_replica(world, replica, signed_in):
    client = signed_in(world.personas[Role.DPO])
    with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
        assert client.get("/audit/").status_code == 200
    assert any("audit_auditevent" in query["sql"] and query["sql"].lstrip().startswith("SELECT")
               for query in on_replica.captured_queries)
    # The primary only adds the row saying the log was read (after taking the chain's lock).
    assert not any(query["sql"].lstrip().startswith('SELECT "audit_auditevent"."id"')
                   for query in on_primary.captured_queries)
    call_command("verify_audit_chain")


def test_the_inbox_reads_the_primary_so_a_new_concern_is_there_at_once(world, replica, signed_in):
    client = signed_in(world.personas[Role.DSL])
    caught_up(replica)
    _pause(replica)
    concern, _ = concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                   children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
                   occurred_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC), narrative="Said he is scared to go home",
                   idempotency_key="recorded-while-the-replica-was-behind")
    with CaptureQueriesContext(replica) as on_replica:
        inbox = client.get("/concerns/")
    assert inbox.status_code == 200
    assert f'href="/concerns/{concern.pk}/"' in inbox.content.decode()
    assert on_replica.captured_queries == []


def test_a_write_inside_a_report_reads_the_primary(world, replica):
    caught_up(replica)
    _pause(replica)
    record_share(world, "First while behind")
    with use_replica(), CaptureQueriesContext(replica) as on_replica:
        with transaction.atomic():
            shares_seen_by_the_write = InformationShare.objects.filter(recipient="First while behind").count()
        record_share(world, "Second while behind")
    assert shares_seen_by_the_write == 1
    assert on_replica.captured_queries == []
    call_command("verify_audit_chain")


def test_a_streamed_export_reads_the_replica_while_it_is_sent(world, replica):
    caught_up(replica)
    _pause(replica)
    record_share(world, "Behind the stream")

    @reads_from_replica
    def streamed(request):
        return StreamingHttpResponse(share.recipient + "\n" for share in InformationShare.objects.all())

    response = streamed(RequestFactory().get("/"))
    sent = b"".join(response.streaming_content).decode()
    response.close()
    assert "Behind the stream" not in sent and "Sam Patel" in sent  # the world's shares, replicated before
    caught_up(replica)
    assert "Behind the stream" in b"".join(streamed(RequestFactory().get("/")).streaming_content).decode()
