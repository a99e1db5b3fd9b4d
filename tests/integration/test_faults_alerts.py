"""No acknowledged concern goes unannounced (CE 10.1): its alert is queued with it, and a sweep alerts any
concern that has none (issue 10, section 7)."""

import uuid

import pytest
from crontask import scheduler
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.concerns import notifications, tasks

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _send(client, world, key):
    _, token = accounts.api_token_create(actor=world.personas[Role.STAFF], name="phone", mfa_passed=True)
    return client.post("/api/v1/concerns/", {
        "establishment": world.establishments["here"].pk,
        "children": [{"child": world.children["here"].pk, "role": "harmed", "categories": []}],
        "occurred_at": "2026-11-20T13:15:00Z", "narrative": "Saw him crying at the gate.",
    }, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=key)


def _alerts(smtp_server, concern_id):
    return sorted(m["To"] for m in smtp_server.messages if f"/concerns/{concern_id}/" in m.get_content())


def test_the_alert_is_queued_in_the_transaction_that_saves_the_concern(client, world, settings, smtp_server):
    """The test's transaction is never committed, so nothing that waits for the commit ever runs: the same
    as a worker killed between the commit and its after-commit work. The alert is in the queue all the same,
    and the database worker's own code delivers it."""
    settings.TASKS = DATABASE_QUEUE
    response = _send(client, world, str(uuid.uuid4()))
    assert response.status_code == 201
    concern_id = response.json()["id"]
    queued = DBTaskResult.objects.get(task_path="safekeep.concerns.tasks.send_concern_alert")
    assert queued.args_kwargs["args"][0] == concern_id
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test", excluded_queue_names=[]).run_task(queued)
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert _alerts(smtp_server, concern_id) == sorted([world.personas[Role.DSL].email,
                                                       world.personas[Role.DEPUTY_DSL].email])


def test_a_retry_with_the_same_key_does_not_alert_twice(client, world, smtp_server):
    key = str(uuid.uuid4())
    concern_id = _send(client, world, key).json()["id"]
    assert _send(client, world, key).json()["id"] == concern_id
    assert len(_alerts(smtp_server, concern_id)) == 2  # the DSL and the deputy, once each


def test_the_sweep_alerts_a_concern_that_never_had_its_alert_and_only_once(world, smtp_server):
    """The world's concerns were written straight to the database, as a concern whose alert was lost is."""
    concern = world.concerns["here"]
    assert notifications.alerts_sweep() == len(world.concerns)
    assert _alerts(smtp_server, concern.pk) == sorted([world.personas[Role.DSL].email,
                                                       world.personas[Role.DEPUTY_DSL].email])
    row = AuditEvent.objects.get(action="concern.alert", object_id=str(concern.pk))
    assert row.detail == {"recipients": 2, "swept": True}
    assert notifications.alerts_sweep() == 0
    assert len(_alerts(smtp_server, concern.pk)) == 2


def test_the_sweep_leaves_alone_a_concern_alerted_when_it_was_sent(client, world, smtp_server):
    concern_id = _send(client, world, str(uuid.uuid4())).json()["id"]
    notifications.alerts_sweep()
    assert len(_alerts(smtp_server, concern_id)) == 2


@pytest.mark.django_db
def test_the_scheduler_runs_the_sweep_every_minute():
    """`manage.py crontask` loads each app's tasks module, as this file does, and schedules its cron jobs."""
    job = next(job for job in scheduler.get_jobs() if job.name == tasks.concern_alerts_sweep.name)
    assert str(job.trigger).startswith("cron[month='*', day='*', day_of_week='*', hour='*', minute='*'")
