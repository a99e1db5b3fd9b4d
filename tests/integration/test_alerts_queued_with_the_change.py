"""Every email Safekeep sends about a change is queued in the transaction that writes the change (CE 10.1):
the task queue is in the same database, so a crash after the commit cannot lose the email.

The test's transaction is never committed, so nothing that waits for a commit ever runs: the same as a
worker killed between the commit and its after-commit work. The task row is there all the same, and the
database worker's own code delivers it."""

import io
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from PIL import Image

from safekeep.actions import services as actions
from safekeep.actions.escalation import escalate_overdue, send_reminders
from safekeep.actions.models import Action
from safekeep.actions.notifications import SomeEmailsNotSent, send_action_emails_batch
from safekeep.attachments import services as attachments
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.policy.deadlines import LONDON
from safekeep.policy.deadlines import Deadline, Unit

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CONCERN_ALERT = "safekeep.concerns.tasks.send_concern_alert"
ACTION_EMAILS = "safekeep.actions.notifications.send_action_emails"
# A Tuesday in term, mid-morning in London: no deadline here falls on a weekend or a clock change.
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def _deliver(task_path=None):
    """Run every queued task (of one kind, if given) with the database worker's own code and in the order it
    takes them, as `db_worker` would."""
    queued = DBTaskResult.objects.all()
    queued = list(queued.filter(task_path=task_path) if task_path else queued)
    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    for row in queued:
        worker.run_task(row)
        row.refresh_from_db()
        assert row.status == "SUCCESSFUL"
    return queued


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def _texts(smtp_server):
    return [m["Subject"] + m.get_content() for m in smtp_server.messages]


def _team_emails(world):
    return sorted([world.personas[Role.DSL].email, world.personas[Role.DEPUTY_DSL].email])


def test_an_addendum_alerts_the_team_from_its_own_transaction_with_no_case_content(world, settings, smtp_server):
    settings.TASKS = DATABASE_QUEUE
    concern = world.concerns["here"]
    concerns.addendum_add(actor=world.people["here"], concern=concern, text="He told me more at lunch today.")
    queued = _deliver(CONCERN_ALERT)
    assert [row.args_kwargs["args"][0] for row in queued] == [concern.pk]
    assert sorted(m["To"] for m in smtp_server.messages) == _team_emails(world)
    for text in _texts(smtp_server):
        assert f"/concerns/{concern.pk}/" in text
        for secret in ("He told me more", "lunch", "Child", "Seen upset"):
            assert secret not in text, (secret, text)


def test_a_new_photo_alerts_the_team_from_its_own_transaction(world, settings, smtp_server):
    settings.TASKS = DATABASE_QUEUE
    concern = world.concerns["here"]
    attachments.attachment_add(actor=world.people["here"], concern=concern,
                               upload=SimpleUploadedFile("bruise.png", _png(), content_type="image/png"))
    queued = _deliver(CONCERN_ALERT)
    assert [row.args_kwargs["args"][0] for row in queued] == [concern.pk]
    assert sorted(m["To"] for m in smtp_server.messages) == _team_emails(world)
    assert not any("bruise" in text for text in _texts(smtp_server))


def test_a_new_action_emails_its_owners_from_its_own_transaction(world, settings, smtp_server, time_machine):
    time_machine.move_to(TUESDAY)
    settings.TASKS = DATABASE_QUEUE
    action = actions.action_add(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                child=world.children["here"], what="Ring the social worker about the bruise",
                                owner_role=Role.DEPUTY_DSL.value, deadline=Deadline(Unit.WORKING_DAYS, 1))
    queued = _deliver(ACTION_EMAILS)
    assert [row.args_kwargs["args"][:2] for row in queued] == [[action.pk, "new"]]
    assert [m["To"] for m in smtp_server.messages] == [world.personas[Role.DEPUTY_DSL].email]
    for text in _texts(smtp_server):
        assert f"/actions/{action.pk}/" in text
        for secret in ("social worker", "bruise", "Child", "Here"):
            assert secret not in text, (secret, text)


def test_a_reminder_and_an_escalation_are_queued_with_the_claim_on_the_action(world, settings, smtp_server,
                                                                             time_machine):
    time_machine.move_to(TUESDAY)
    settings.TASKS = DATABASE_QUEUE
    action = world.actions["here"]
    past = TUESDAY - timedelta(minutes=5)
    Action.objects.filter(pk=action.pk).update(remind_at=past, due_at=past, next_escalation_at=past)
    with transaction.atomic():  # the worker's run: its own transaction, never committed here
        assert send_reminders() == 1
        assert escalate_overdue() == 1
    queued = _deliver(ACTION_EMAILS)
    assert sorted(row.args_kwargs["args"][1] for row in queued) == ["escalated", "reminder"]
    told = {m["Subject"]: m["To"] for m in smtp_server.messages}
    assert told == {"Safekeep: a safeguarding action is due soon": world.personas[Role.DSL].email,
                    "Safekeep: a safeguarding action is overdue": world.personas[Role.HEAD].email}


def test_a_new_concern_queues_its_alert_and_all_its_steps_emails_in_its_own_transaction(world, adopted, settings,
                                                                                     smtp_server, time_machine):
    """The steps an exploitation concern sets are queued together, as one task, with the concern: the worker
    delivers the team's alert (listing the steps) and tells the group, with no case content."""
    time_machine.move_to(TUESDAY)
    settings.TASKS = DATABASE_QUEUE
    organisation = world.organisations["one"]
    organisation.safeguarding_email = "safeguarding@group.example.org"
    organisation.save()
    concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                            children=[{"child": world.children["here"], "role": "harmed", "categories": ["cce"]}],
                            occurred_at=TUESDAY - timedelta(hours=1), narrative="Seen getting into a car.",
                            disclosure=True, idempotency_key="queued-cce")
    queued = _deliver()
    # The steps' emails first, as one task: the alert after them carries them to the team.
    assert [row.task_path for row in queued] == [ACTION_EMAILS + "_batch", CONCERN_ALERT]
    told = [m["To"] for m in smtp_server.messages]
    for person in [Role.DSL, Role.DEPUTY_DSL]:
        assert told.count(world.personas[person].email) == 1, person  # the alert, carrying its steps
    for person in [Role.GOVERNOR, Role.REGIONAL_DIRECTOR, Role.GROUP_HEAD]:
        assert world.personas[person].email in told, person
    assert "safeguarding@group.example.org" in told
    for text in _texts(smtp_server):
        for secret in ("getting into", "car", "Child", "exploitation", "cce"):
            assert secret not in text, (secret, text)


def test_one_step_whose_emails_fail_does_not_keep_back_the_others(world, smtp_server):
    dsl, action = world.personas[Role.DSL], world.actions["here"]
    gone = Action.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000  # no such step
    with pytest.raises(SomeEmailsNotSent, match=str(gone)):
        send_action_emails_batch.call([[gone, "new", [dsl.pk], [], False], [action.pk, "new", [dsl.pk], [], False]])
    assert [m["To"] for m in smtp_server.messages] == [dsl.email]
