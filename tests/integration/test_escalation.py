"""How the escalation ladder climbs, as a DSL would notice it (docs/domain/actions-and-escalation.md):
"immediately" steps wait 30 minutes before going up, a role nobody holds is skipped without costing time,
and one bad row never stops the sweep. Times are worked out by hand from a fixed Tuesday in term."""

import logging
import uuid
from datetime import UTC, datetime, timedelta

from django.db import transaction

from safekeep.actions import services
from safekeep.actions.escalation import escalate_overdue
from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.establishments.models import Establishment
from safekeep.policy.deadlines import LONDON
from tests.world import give_role, make_user

# Tuesday 24 November 2026, 10:00 in London (GMT, so 10:00 UTC): no weekend, holiday or clock change near.
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)


def _told(smtp_server, person) -> bool:
    """Whether the person has been emailed that an action is overdue and passed to them."""
    return person.email in {m["To"] for m in smtp_server.messages if "overdue" in m["Subject"]}


def test_an_immediate_step_goes_up_after_30_minutes_then_every_30_minutes(world, adopted, time_machine, smtp_server,
                                                                         django_capture_on_commit_callbacks):
    time_machine.move_to(TUESDAY, tick=False)
    with transaction.atomic():
        created = services.actions_require(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                                           child=world.children["here"], categories=["cse"], flags=[])
    step = next(a for a in created if a.deadline == "immediately" and a.escalation_ladder[:2] == ["deputy_dsl", "head"])
    assert step.due_at == datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # the owner is told now, as it is set
    deputy, head = world.personas[Role.DEPUTY_DSL], world.personas[Role.HEAD]

    def sweep(hour, minute):
        moment = datetime(2026, 11, 24, hour, minute, tzinfo=UTC)
        time_machine.move_to(moment, tick=False)  # the sweep runs at that time, and its emails are sent then
        with django_capture_on_commit_callbacks(execute=True):
            escalate_overdue(moment)
        step.refresh_from_db()
        return step.escalation_level

    assert sweep(10, 1) == 0 and sweep(10, 29) == 0  # a minute, or 29, is not yet time to go over the DSL's head
    assert not _told(smtp_server, deputy)
    assert sweep(10, 30) == 1 and _told(smtp_server, deputy)
    assert step.next_escalation_at == datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
    assert sweep(10, 59) == 1 and not _told(smtp_server, head)
    assert sweep(11, 0) == 2 and _told(smtp_server, head)
    assert step.next_escalation_at == datetime(2026, 11, 24, 11, 30, tzinfo=UTC)


def test_an_allegation_at_the_home_skips_the_deputy_nobody_holds_without_losing_a_day(world, adopted, time_machine,
                                                                                     smtp_server,
                                                                                     django_capture_on_commit_callbacks):
    """The home has a safeguarding lead and a registered manager but no deputy: when the LADO referral is
    late, the registered manager is told when the deputy would have been, and the chronology says why."""
    time_machine.move_to(TUESDAY, tick=False)
    home = world.establishments["region"]
    lead, manager, recorder = (make_user(f"{name}@example.org", world.organisations["one"])
                               for name in ("home-lead", "home-manager", "care-worker"))
    give_role(lead, Role.DSL, establishment=home)
    give_role(manager, Role.HEAD, establishment=home)
    give_role(recorder, Role.STAFF, establishment=home)
    concern, _ = concerns.concern_submit(
        actor=recorder, establishment=home, occurred_at=datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        narrative="Said a member of staff pushed her against the door.", idempotency_key=uuid.uuid4().hex,
        children=[{"child": world.children["region"], "role": "harmed", "categories": []}],
        about_adult=True, subject=world.people["region"], subject_relationship="staff")
    lado = Action.objects.get(concern_id=concern.pk, action_code="refer-lado")
    assert lado.escalation_ladder[0] == Role.DEPUTY_DSL.value
    # 1 working day from Tuesday 10:00 is Wednesday 10:00.
    assert lado.due_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC) == lado.next_escalation_at
    time_machine.move_to(lado.due_at, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        escalate_overdue(lado.due_at)
    lado.refresh_from_db()
    assert _told(smtp_server, manager)  # on Wednesday at 10:00, not a working day later
    assert lado.escalation_level == 2
    assert lado.next_escalation_at == datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # the group head on Thursday
    entry = ChronologyEntry.objects.get(kind="action.escalated", object_id=str(lado.pk))
    assert "No deputy safeguarding lead at Establishment region, so passed to the registered manager" \
        in entry.summary
    event = AuditEvent.objects.get(action="action.escalate", object_id=str(lado.pk))
    assert (event.detail["role"], event.detail["skipped"]) == ("head", ["deputy_dsl"])


def test_one_bad_row_is_set_aside_and_logged_while_the_rest_still_escalate(world, adopted, time_machine, caplog,
                                                                          smtp_server,
                                                                          django_capture_on_commit_callbacks):
    time_machine.move_to(TUESDAY, tick=False)
    here, home = world.establishments["here"], world.establishments["region"]
    home_team = make_user("home-team@example.org", world.organisations["one"])
    give_role(home_team, Role.DSL, establishment=home)
    give_role(make_user("home-deputy@example.org", world.organisations["one"]), Role.DEPUTY_DSL, establishment=home)

    def added(actor, place, child, what):
        return services.action_add(actor=actor, establishment=place, child=child, what=what, owner_role="dsl",
                                   due_at=TUESDAY + timedelta(days=1))

    unknown_role = added(world.personas[Role.DSL], here, world.children["here"], "Ring the social worker")
    bad_place = added(home_team, home, world.children["region"], "Ask the placing authority")
    good = added(world.personas[Role.DSL], here, world.children["here"], "Check in with her tutor")
    due = TUESDAY + timedelta(days=1)
    # The first two are first in the queue; the sweep must get past them to the third.
    Action.objects.filter(pk=unknown_role.pk).update(escalation_ladder=["bursar", "head"],
                                                     next_escalation_at=due - timedelta(minutes=2))
    Action.objects.filter(pk=bad_place.pk).update(next_escalation_at=due - timedelta(minutes=1))
    Establishment.objects.filter(pk=home.pk).update(nation="ATL")  # a nation whose working days Safekeep cannot count
    now = due + timedelta(minutes=1)
    with caplog.at_level(logging.ERROR, logger="safekeep.actions.escalation"):
        with django_capture_on_commit_callbacks(execute=True):
            assert escalate_overdue(now) == 1
    good.refresh_from_db()
    assert good.escalation_level == 1 and _told(smtp_server, world.personas[Role.DEPUTY_DSL])
    for bad in (unknown_role, bad_place):
        bad.refresh_from_db()
        assert bad.escalation_level == 0 and bad.next_escalation_at == now + timedelta(minutes=15)
        assert not ChronologyEntry.objects.filter(kind="action.escalated", object_id=str(bad.pk)).exists()
    logged = [record.getMessage() for record in caplog.records]
    assert any(f"action {unknown_role.pk} " in line for line in logged)
    assert any(f"action {bad_place.pk} " in line for line in logged)
    assert not any(word in line for line in logged for word in ("Ring", "placing", "ATL", "social worker"))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(now + timedelta(minutes=14)) == 0  # set aside: not picked again at once


def test_a_step_with_nobody_left_to_tell_says_so_and_stays_with_its_owner(world, adopted, time_machine):
    """Establishment C has no deputy DSL and no headteacher of its own: the step stays with its owner, and
    the chronology says nobody further could be told."""
    time_machine.move_to(TUESDAY, tick=False)
    school = world.establishments["organisation"]
    step = services.action_add(actor=world.personas[Role.GROUP_HEAD], establishment=school,
                               child=world.children["organisation"], what="Speak to the school nurse",
                               owner_role="dsl", due_at=TUESDAY + timedelta(hours=2))
    assert step.escalation_ladder == ["deputy_dsl", "head"]
    assert escalate_overdue(step.due_at) == 0
    step.refresh_from_db()
    assert step.escalation_level == 2 and step.next_escalation_at is None
    entry = ChronologyEntry.objects.get(kind="action.escalated", object_id=str(step.pk))
    assert entry.summary == ("Overdue: Speak to the school nurse. No deputy designated safeguarding lead or "
                             "headteacher at Establishment organisation: nobody further on its escalation ladder "
                             "holds a role there, so it stays with its owner.")
