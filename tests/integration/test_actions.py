import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from safekeep.actions import services
from safekeep.actions.escalation import escalate_overdue, send_reminders
from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON, Deadline, Unit


def _require(world, categories=("cse",), flags=()):
    with transaction.atomic():
        return services.actions_require(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                                        child=world.children["here"], categories=categories, flags=flags)


def _bodies(inbox):
    return [m.get_body(preferencelist=("plain",)).get_content() + m["Subject"] for m in inbox.messages]


def test_a_concern_creates_its_required_actions_with_versions_chronology_and_audit(world, adopted):
    actions = _require(world)
    referral = next(a for a in actions if a.action_code == "ce-refer-local-authority")
    assert (referral.owner_role, referral.deadline, referral.pack_version) == ("dsl", "1 working day", "2024-01-01-r5")
    assert referral.escalation_ladder[:2] == ["deputy_dsl", "head"] and referral.next_escalation_at == referral.due_at
    assert referral.remind_at is not None and referral.remind_at < referral.due_at
    assert ChronologyEntry.objects.filter(child=world.children["here"], kind="action.required").count() == len(actions)
    assert AuditEvent.objects.filter(action="action.create").count() == len(actions)


def test_owners_are_emailed_with_no_case_content(world, adopted, smtp_server,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _require(world)
    recipients = {m["To"] for m in smtp_server.messages}
    assert world.personas[Role.DSL].email in recipients
    for body in _bodies(smtp_server):
        for secret in ("Child", "Here", "exploitation", "local authority", "CSE", "Establishment"):
            assert secret not in body, (secret, body)
    # Those who may open the action get its link; the others (the governor) are not sent a link they can't open.
    dsl_bodies = [_bodies(smtp_server)[i] for i, m in enumerate(smtp_server.messages)
                  if m["To"] == world.personas[Role.DSL].email]
    assert dsl_bodies and all("/actions/" in body for body in dsl_bodies)


def test_completing_needs_a_note_and_cancelling_needs_a_reason_kept_in_the_chronology(world, adopted):
    action = _require(world)[0]
    dsl = world.personas[Role.DSL]
    with pytest.raises(ValidationError):
        services.action_complete(actor=dsl, action=action, note="  ")
    with pytest.raises(NotVisible):  # staff may not cancel what the policy requires
        services.action_cancel(actor=world.personas[Role.STAFF], action=action, reason="not needed")
    with pytest.raises(ValidationError, match="never cancelled without one"):
        services.action_cancel(actor=dsl, action=action, reason="")
    services.action_cancel(actor=dsl, action=action, reason="Already referred by the police on the day")
    entry = ChronologyEntry.objects.filter(kind="action.cancelled").get()
    assert "Already referred by the police on the day" in entry.summary
    with pytest.raises(ValidationError, match="already cancelled"):
        services.action_complete(actor=dsl, action=action, note="done")


def test_a_dsl_from_another_establishment_cannot_touch_the_action(world, adopted):
    from tests.world import give_role, make_user

    stranger = make_user("other-dsl@example.org", world.organisations["one"])
    give_role(stranger, Role.DSL, establishment=world.establishments["region"])
    action = _require(world)[0]
    with pytest.raises(NotVisible):
        services.action_complete(actor=stranger, action=action, note="done")


def _make_overdue(actions, minutes=5):
    past = clock.now() - timedelta(minutes=minutes)
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(due_at=past, next_escalation_at=past)


def test_an_overdue_action_climbs_the_ladder_one_step_at_a_time(world, adopted, smtp_server,
                                                                 django_capture_on_commit_callbacks, time_machine):
    referral = next(a for a in _require(world) if a.action_code == "ce-refer-local-authority")
    _make_overdue([referral])
    now = clock.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(now) >= 1
    referral.refresh_from_db()
    assert referral.escalation_level == 1
    assert world.personas[Role.DEPUTY_DSL].email in {m["To"] for m in smtp_server.messages}
    told = len(smtp_server.messages)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(now)  # the same minute again: nothing new
    referral.refresh_from_db()
    assert referral.escalation_level == 1 and len(smtp_server.messages) == told
    time_machine.move_to(referral.next_escalation_at)  # a working day on: the head is told
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(referral.next_escalation_at)
    referral.refresh_from_db()
    assert referral.escalation_level == 2
    assert world.personas[Role.HEAD].email in {m["To"] for m in smtp_server.messages[told:]}
    assert ChronologyEntry.objects.filter(kind="action.escalated", object_id=str(referral.pk)).count() == 2


def test_a_completed_action_is_never_escalated(world, adopted):
    action = _require(world)[0]
    services.action_complete(actor=world.personas[Role.DSL], action=action, note="Referred by phone, ref 1234")
    _make_overdue([action])
    escalate_overdue()
    action.refresh_from_db()
    assert action.escalation_level == 0


def test_a_reminder_is_sent_once(world, adopted, smtp_server, django_capture_on_commit_callbacks):
    actions = _require(world)
    told_of_new = len(smtp_server.messages)  # the owners hear of the new actions as they are created
    with_reminder = Action.objects.filter(pk__in=[a.pk for a in actions], remind_at__isnull=False)
    reminded = with_reminder.update(remind_at=clock.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders()
    assert first == reminded > 0 and second == 0
    assert all("due soon" in m["Subject"] for m in smtp_server.messages[told_of_new:])


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_escalate_each_action_exactly_once():
    from safekeep.packs import services as packs
    from tests.world import build_world

    world = build_world()
    versions = {v.pack: v for v in packs.shipped_packs_install()}
    packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=versions["child-exploitation"],
                     organisation=world.organisations["one"])
    actions = [a for _ in range(6) for a in _require(world)]
    _make_overdue(actions)
    now, start, results, failures = clock.now(), threading.Barrier(2), [], []

    def worker():
        try:
            start.wait()
            results.append(escalate_overdue(now))
        except Exception as problem:  # noqa: BLE001  (reported below, so a failing worker fails the test)
            failures.append(problem)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with_ladder = [a for a in actions if a.escalation_ladder]
    assert failures == [] and len(results) == 2
    assert sum(results) == len(with_ladder)
    assert set(Action.objects.filter(pk__in=[a.pk for a in with_ladder]).values_list("escalation_level", flat=True)) \
        == {1}
    assert AuditEvent.objects.filter(action="action.escalate").count() == len(with_ladder)


def test_the_sweep_is_scheduled_every_minute():
    import crontask

    import safekeep.actions.tasks  # noqa: F401  (registers the job, as manage.py crontask does)

    job = next(j for j in crontask.scheduler.get_jobs() if "reminders_and_escalation" in j.name)
    assert str(job.trigger.fields[6]) == "*" and str(job.trigger.fields[5]) == "*"  # every hour, every minute


def test_a_staff_step_belongs_to_the_member_of_staff_who_raised_it_and_no_other(world, adopted):
    from safekeep.actions.selectors import my_open_actions
    from tests.world import give_role, make_user

    colleague = make_user("colleague@example.org", world.organisations["one"])
    give_role(colleague, Role.STAFF, establishment=world.establishments["here"])
    actions = _require(world, categories=("online_grooming",))
    staff_steps = [a for a in actions if a.owner_role == "staff"]
    assert staff_steps and all(a.owner_id == world.personas[Role.STAFF].pk for a in staff_steps)
    assert {a.pk for a in my_open_actions(world.personas[Role.STAFF])} >= {a.pk for a in staff_steps}
    assert not {a.pk for a in my_open_actions(colleague)} & {a.pk for a in actions}


def test_an_action_due_by_a_date_climbs_the_ladder_without_stopping_the_sweep(world, adopted):
    from safekeep.actions.services import action_add

    due = clock.now() + timedelta(days=3)
    dated = action_add(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                       child=world.children["here"], what="Review the safety plan", owner_role="dsl", due_at=due)
    assert dated.deadline == f"by {due.astimezone(LONDON):%-d %B %Y}" and dated.deadline_unit == "by date"
    assert escalate_overdue(due + timedelta(minutes=1)) >= 1
    dated.refresh_from_db()
    assert dated.escalation_level == 1 and dated.next_escalation_at > due  # the next step a working day on


def test_each_child_gets_the_safety_plan_action_for_their_own_part(world):
    import uuid
    from datetime import UTC, datetime

    from safekeep.children.models import Child, Enrolment
    from safekeep.concerns import services as concerns
    from tests.world import adopt_every_shipped_pack

    adopt_every_shipped_pack(world)
    here = world.establishments["here"]
    others = []
    for name in ("Bo", "Cy"):
        child = Child.objects.create(organisation=here.organisation, first_name=name, last_name="Pupil",
                                     date_of_birth=datetime(2011, 1, 1).date())
        Enrolment.objects.create(child=child, establishment=here, mis_id=name)
        others.append(child)
    concern, _ = concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=here, occurred_at=datetime(2026, 11, 20, tzinfo=UTC),
        narrative="Comments shouted in the corridor.", idempotency_key=uuid.uuid4().hex,
        children=[{"child": world.children["here"], "role": "harmed", "categories": ["coc_sexual_harassment"]},
                  {"child": others[0], "role": "alleged_responsible", "categories": ["coc_sexual_harassment"]},
                  {"child": others[1], "role": "witness", "categories": ["coc_sexual_harassment"]}])
    plans = {(a.child_id, a.action_code) for a in Action.objects.filter(
        concern_id=concern.pk, action_code__in=["safety-plan-child-harmed", "safety-plan-child-responsible",
                                                "assess-witnesses"])}
    assert plans == {(world.children["here"].pk, "safety-plan-child-harmed"),
                     (others[0].pk, "safety-plan-child-responsible"), (others[1].pk, "assess-witnesses")}


def test_a_step_about_the_whole_concern_is_set_once_however_many_children(world):
    import uuid
    from datetime import UTC, datetime

    from safekeep.children.models import Child, Enrolment
    from safekeep.concerns import services as concerns
    from tests.world import adopt_every_shipped_pack

    adopt_every_shipped_pack(world)
    here = world.establishments["here"]
    friend = Child.objects.create(organisation=here.organisation, first_name="Bo", last_name="Pupil",
                                  date_of_birth=datetime(2011, 1, 1).date())
    Enrolment.objects.create(child=friend, establishment=here, mis_id="Bo")
    concern, _ = concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=here, occurred_at=datetime(2026, 11, 20, tzinfo=UTC),
        narrative="Both were seen getting into a car with older men.", idempotency_key=uuid.uuid4().hex,
        children=[{"child": world.children["here"], "role": "harmed", "categories": ["cce"]},
                  {"child": friend, "role": "harmed", "categories": ["cce"]}])
    actions = Action.objects.filter(concern_id=concern.pk)
    assert actions.filter(action_code="dsl-review").count() == 1  # read the concern: once
    assert actions.filter(action_code="ce-email-group-safeguarding").count() == 1  # tell the group: once
    assert actions.filter(action_code="ce-refer-local-authority").count() == 2  # a referral for each child


def test_an_action_is_owned_only_by_someone_who_works_where_the_child_is(world):
    with pytest.raises(ValidationError) as error:
        services.action_add(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                            child=world.children["here"], what="Check in with her", owner_role="staff",
                            deadline=Deadline(Unit.WORKING_DAYS, 1), owner=world.people["organisation"])
    assert "owner" in error.value.message_dict
