"""Every open action is work still to do (issue 11, section 3): the record that meets a step closes it and
is linked from it, and the same step is set once."""

from datetime import date, timedelta

import pytest
from django.db import transaction

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.policy.packs import PackInvalid, parse_pack
from safekeep.referrals import services as referrals
from safekeep.safetyplans import services as plans
from tests.world import adopt_every_shipped_pack, sign_in

pytestmark = pytest.mark.django_db


def _child(world, first, mis, born=date(2011, 4, 1)):
    child = Child.objects.create(organisation=world.organisations["one"], first_name=first, last_name="Pupil",
                                 date_of_birth=born, year_group="Year 9")
    Enrolment.objects.create(child=child, establishment=world.establishments["here"], mis_id=mis)
    return child


def _concern(world, children, key, **facts):
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"], children=children,
            occurred_at=clock.now() - timedelta(hours=1), narrative="Seen getting into a car after school",
            idempotency_key=key, **facts)
    return concern


def _step(concern, code, child=None):
    steps = Action.objects.filter(concern_id=concern.pk, action_code=code)
    return steps.get(child=child) if child else steps.get()


def _refer(world, concern):
    return referrals.referral_record(
        actor=world.personas[Role.DSL], establishment=world.establishments["here"], child=world.children["here"],
        concern=concern, agency="childrens_services", contact=world.contacts["here"],
        made_at=clock.now(), how="phone", reference="CS-9", what_shared="The concern", consent="given",
        lawful_basis="public-task-safeguarding", secure_handling_agreed=True)


def _plan_values():
    today = clock.now().astimezone(clock.LONDON).date()
    return {"situations_to_avoid": "The back corridor at break", "check_ins_who": "Ms Shah, head of year",
            "check_ins_how_often": "Every morning", "reporting": "Tell Ms Shah", "coping_strategies": "The library",
            "support_chosen": ["Childline"], "agreed_with_child": True, "agreed_with_parents": True,
            "agreed_on": today, "review_due": today + timedelta(days=28)}


def test_sending_a_concern_meets_the_recorders_tell_the_dsl_step(world, adopted, client):
    concern = _concern(world, [{"child": world.children["here"], "role": "harmed", "categories": ["cse"]}], "c1")
    told = _step(concern, "ce-tell-dsl")
    assert told.status == Action.Status.DONE and (told.met_by_kind, told.met_by_id) == ("concern.sent", concern.pk)
    assert told.completion_note == "Met by sending the concern: Safekeep alerted the safeguarding team."
    # The recorder sees it done, and the link takes them to the concern they sent.
    page = sign_in(client, world.personas[Role.STAFF]).get(f"/actions/{told.pk}/").content.decode()
    assert "Met by" in page and f'href="/concerns/{concern.pk}/"' in page
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200
    assert told not in Action.objects.filter(status=Action.Status.OPEN)


def test_a_referral_to_childrens_services_closes_the_refer_step_with_chronology_audit_and_a_link(world, adopted,
                                                                                                  client):
    concern = _concern(world, [{"child": world.children["here"], "role": "harmed", "categories": ["cse"]}], "c2")
    refer = _step(concern, "ce-refer-local-authority")
    placing = _step(concern, "ce-notify-placing-authority")
    assert refer.is_open
    referral = _refer(world, concern)
    refer.refresh_from_db(), placing.refresh_from_db()
    assert refer.status == Action.Status.DONE and refer.completed_by == world.personas[Role.DSL]
    assert (refer.met_by_kind, refer.met_by_id) == ("referral.childrens_services", referral.pk)
    assert refer.completion_note == f"Met by the referral to {referral.agency_name}."
    assert refer.next_escalation_at is None  # nobody is chased for work that is done
    assert placing.is_open  # a referral to children's services is not a notice to the placing authority
    entries = ChronologyEntry.objects.filter(kind="action.completed", object_id=str(refer.pk))
    assert [e.summary for e in entries] == [f"Done: {refer.what}. Met by the referral to {referral.agency_name}."]
    assert AuditEvent.objects.filter(action="action.complete", object_id=str(refer.pk),
                                     detail__met_by="referral.childrens_services").exists()
    page = sign_in(client, world.personas[Role.DSL]).get(f"/actions/{refer.pk}/").content.decode()
    assert f'href="/referrals/{referral.pk}/"' in page
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200


def test_a_triage_meets_read_and_decide_for_the_whole_concern(world, client):
    adopt_every_shipped_pack(world)
    second = _child(world, "Rory", "P2")
    concern = _concern(world, [{"child": world.children["here"], "role": "harmed", "categories": ["coc_bullying"]},
                               {"child": second, "role": "alleged_responsible", "categories": ["coc_bullying"]}],
                       "c3")
    review = _step(concern, "dsl-review")  # one step for the concern, not one per child
    involved = concern.children_involved.get(child=second)
    triage = concerns.triage_record(actor=world.personas[Role.DSL], involved=involved, risk="medium",
                                    rationale="Repeated, but no injury", categories=["coc_bullying"],
                                    outcome="monitor")
    review.refresh_from_db()
    assert review.status == Action.Status.DONE and (review.met_by_kind, review.met_by_id) == ("triage", triage.pk)
    page = sign_in(client, world.personas[Role.DSL]).get(f"/actions/{review.pk}/").content.decode()
    assert f'href="/concerns/{concern.pk}/"' in page


def test_a_safety_plan_meets_the_plan_step_for_that_child_only(world):
    adopt_every_shipped_pack(world)
    harmed, responsible = _child(world, "Hana", "P1"), _child(world, "Rory", "P2")
    concern = _concern(world, [{"child": harmed, "role": "harmed", "categories": ["coc_bullying"]},
                               {"child": responsible, "role": "alleged_responsible", "categories": ["coc_bullying"]}],
                       "c4")
    plan = plans.safety_plan_create(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                    child=harmed, concern=concern, role="harmed", values=_plan_values())
    for_harmed = _step(concern, "safety-plan-child-harmed", harmed)
    assert for_harmed.status == Action.Status.DONE and for_harmed.met_by_id == plan.pk
    assert _step(concern, "safety-plan-child-responsible", responsible).is_open


def test_the_same_work_from_two_packs_is_one_step_due_the_soonest(world):
    """An immediate risk of sexual exploitation to a child under 13: the baseline says "call the police" and
    "refer to the local authority", the exploitation policy "notify the police" and "refer now", the
    child-on-child policy "report to the police" and "refer to children's services". One of each."""
    adopt_every_shipped_pack(world)
    young = _child(world, "Ada", "P5", born=clock.now().date().replace(year=clock.now().year - 11))
    concern = _concern(world, [{"child": young, "role": "harmed", "categories": ["cse", "coc_sexual_abuse"]}], "c5",
                       immediate_risk=True)
    police = Action.objects.filter(concern_id=concern.pk, child=young, action_code__in=[
        "call-police", "ce-notify-police", "report-police", "ce-report-disclosure-police"])
    local_authority = Action.objects.filter(concern_id=concern.pk, child=young, action_code__in=[
        "refer-local-authority", "ce-refer-local-authority-now", "refer-childrens-services",
        "ce-refer-local-authority"])
    assert police.count() == 1 and local_authority.count() == 1
    assert local_authority.get().deadline == "immediately"
    # In the words of each policy, citing each: nothing a policy asks for is lost by folding them together.
    step = police.get()
    assert "Call the police" in step.what and "Report to the police" in step.what and "Notify the police" in step.what
    assert "CoC" in step.source and "CE" in step.source
    codes = list(Action.objects.filter(concern_id=concern.pk, child=young).values_list("action_code", flat=True))
    assert len(codes) == len(set(codes))


def test_a_pack_names_only_records_safekeep_knows_and_says_where():
    text = """format: 1
pack: p
title: P
version: "1"
abbreviation: P
source_document: P
review_due: 2027-01-01
categories:
  - {code: c, label: C, source: P 1}
rules:
  - id: r
    title: R
    source: P 1
    when: {categories_any: [c]}
    actions:
      - code: refer
        what: Refer
        owner: dsl
        deadline: 1 working day
        met_by: referral.the_moon
"""
    with pytest.raises(PackInvalid) as invalid:
        parse_pack(text, "p.yaml")
    assert str(invalid.value).startswith("p.yaml:20: rules[0].actions[0].met_by: “referral.the_moon” is not one of")
    one = parse_pack(text.replace("referral.the_moon", "[referral.police, triage]"), "p.yaml")
    assert one.rules[0].actions[0].met_by == ("referral.police", "triage")


def test_a_referral_with_no_concern_meets_the_childs_open_steps_here(world, adopted):
    concern = _concern(world, [{"child": world.children["here"], "role": "harmed", "categories": ["cse"]}], "c6")
    referrals.referral_record(
        actor=world.personas[Role.DSL], establishment=world.establishments["here"], child=world.children["here"],
        agency="placing_authority", agency_name="Placing council", made_at=clock.now(), how="email",
        what_shared="The concern", consent="given", lawful_basis="public-task-safeguarding",
        secure_handling_agreed=True)
    assert _step(concern, "ce-notify-placing-authority").status == Action.Status.DONE
