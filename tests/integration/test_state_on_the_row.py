"""The state the home pages read is kept on the row by the services that change it (issue 12): a referral says
whether it still awaits the agency's answer, and a child's case at an establishment says whether it is open.
Each change of state is checked as the service makes it, and the migrations that fill the state for rows
written before it agree with what the services write."""

import importlib
import uuid
from datetime import UTC, datetime

import pytest
from django.apps import apps

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.cases.models import Case
from safekeep.cases.selectors import case_status
from safekeep.concerns import services as concerns
from safekeep.oversight.selectors import awaiting_answer, open_cases
from safekeep.referrals import services
from safekeep.referrals.models import Referral

pytestmark = pytest.mark.django_db

MADE_AT = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def friday_afternoon(time_machine):
    """After the referrals were made and answered, whatever the real date."""
    time_machine.move_to(datetime(2026, 11, 20, 14, 0, tzinfo=UTC), tick=False)


def _refer(world, **changes):
    fields = {"actor": world.personas[Role.DSL], "establishment": world.establishments["here"],
              "child": world.children["here"], "agency": "childrens_services", "contact": world.contacts["here"],
              "made_at": MADE_AT, "how": "phone", "reference": "CS-123",
              "what_shared": "The concern of 19 November and the chronology.", "consent": "given",
              "lawful_basis": "public-task-safeguarding", "secure_handling_agreed": True} | changes
    return services.referral_record(**fields)


def _awaiting(world, referral) -> bool:
    referral.refresh_from_db()
    listed = awaiting_answer(world.personas[Role.DSL], {world.establishments["here"].pk})
    assert listed.filter(pk=referral.pk).exists() == referral.awaiting_answer
    return referral.awaiting_answer


def _answer(world, referral, outcome):
    services.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome=outcome,
                                     received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), response="agree")


def test_a_referral_sent_awaits_an_answer_until_the_agency_decides(world, adopted):
    referral = _refer(world)
    assert _awaiting(world, referral)
    _answer(world, referral, "acknowledged")  # received, no decision yet: the chase runs on
    assert _awaiting(world, referral)
    _answer(world, referral, "accepted")
    assert not _awaiting(world, referral)
    assert Action.objects.get(pk=referral.chase_action_id).status == Action.Status.DONE


def test_a_chase_completed_or_cancelled_on_the_action_list_ends_the_wait(world, adopted):
    dsl = world.personas[Role.DSL]
    completed, cancelled = _refer(world), _refer(world, reference="CS-124")
    actions.action_complete(actor=dsl, action=completed.chase_action, note="The social worker rang: accepted")
    actions.action_cancel(actor=dsl, action=cancelled.chase_action, reason="Made twice by mistake")
    assert not _awaiting(world, completed)
    assert not _awaiting(world, cancelled)


def test_a_referral_that_expects_no_decision_back_awaits_nothing(world, adopted):
    emergency = _refer(world, agency="police_emergency", contact=None, urgent=True)
    assert emergency.chase_action is None
    assert not _awaiting(world, emergency)


def test_closing_and_reopening_a_case_keeps_its_status_on_the_case(world, adopted):
    dsl, child, here = world.personas[Role.DSL], world.children["here"], world.establishments["here"]
    concerns.concern_submit(actor=world.people["here"], establishment=here, narrative="Seen upset at lunch",
                            children=[{"child": child, "role": "harmed", "categories": ["neglect"]}],
                            occurred_at=MADE_AT, idempotency_key=uuid.uuid4().hex)
    for action in Action.objects.filter(child=child, establishment=here, status=Action.Status.OPEN):
        actions.action_cancel(actor=dsl, action=action, reason="Support is in place")
    assert case_status(child, here) == "open" and not Case.objects.exists()  # open until a DSL closes it
    concern_children = open_cases(dsl, {here.pk}).filter(child=child)
    assert concern_children.exists()
    closing = cases.case_close(actor=dsl, child=child, establishment=here, reason="Support is in place")
    case = Case.objects.get(child=child, establishment=here)
    assert (case.status, case.changed_at) == ("closed", closing.changed_at)
    assert case_status(child, here) == "closed" and not concern_children.exists()
    cases.case_reopen(actor=dsl, child=child, establishment=here, reason="A new concern today")
    assert Case.objects.get(child=child, establishment=here).status == "open"
    assert Case.objects.count() == 1
    assert case_status(child, here) == "open" and concern_children.exists()


def _migration(app, name):
    return importlib.import_module(f"safekeep.{app}.migrations.{name}")


def test_the_migrations_fill_the_state_of_rows_written_before_it_as_the_services_would(world, adopted):
    dsl, child, here = world.personas[Role.DSL], world.children["here"], world.establishments["here"]
    for action in Action.objects.filter(child=child, establishment=here, status=Action.Status.OPEN):
        actions.action_cancel(actor=dsl, action=action, reason="Support is in place")
    cases.case_close(actor=dsl, child=child, establishment=here, reason="Support is in place")
    cases.case_reopen(actor=dsl, child=child, establishment=here, reason="A new concern today")
    cases.case_close(actor=dsl, child=child, establishment=here, reason="Resolved")
    waiting, answered = _refer(world), _refer(world, reference="CS-124")
    _answer(world, answered, "nfa")
    written = (list(Referral.objects.order_by("pk").values_list("pk", "awaiting_answer")),
               list(Case.objects.values_list("child_id", "establishment_id", "status", "changed_at")))
    # The rows as they stood before the state was kept: no referral marked, no case row.
    Referral.objects.update(awaiting_answer=False)
    Case._base_manager.all().delete()  # written once otherwise: this stands for the database before the migration
    _migration("referrals", "0002_referral_awaiting_answer").awaiting_from_the_chase(apps, None)
    _migration("cases", "0003_case_state").cases_from_their_changes(apps, None)
    assert (list(Referral.objects.order_by("pk").values_list("pk", "awaiting_answer")),
            list(Case.objects.values_list("child_id", "establishment_id", "status", "changed_at"))) == written
    assert dict(written[0])[waiting.pk] and not dict(written[0])[answered.pk]
    assert [status for _, _, status, _ in written[1]] == ["closed"]  # the latest change wins
