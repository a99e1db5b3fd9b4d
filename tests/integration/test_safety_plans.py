"""Safety plans, decisions and sanctions (CoC 11, 13, Appendices 2 and 3): one write path, versions never
overwritten, review reminders on the action list, nothing written on a refusal, 404 for those who may not see."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.safetyplans import selectors, services
from safekeep.safetyplans.models import PlanDecision, SafetyPlan, SafetyPlanReview, SafetyPlanVersion, Sanction
from tests.world import adopt_every_shipped_pack

LONDON = ZoneInfo("Europe/London")
pytestmark = pytest.mark.django_db


def _child(world, first, mis):
    child = Child.objects.create(organisation=world.organisations["one"], first_name=first, last_name="Pupil",
                                 date_of_birth=date(2011, 4, 1), year_group="Year 9")
    Enrolment.objects.create(child=child, establishment=world.establishments["here"], mis_id=mis)
    return child


@pytest.fixture
def case(world):
    """A child-on-child concern with three children: harmed, alleged to be responsible, and a witness."""
    adopt_every_shipped_pack(world)
    harmed, responsible, witness = _child(world, "Hana", "P1"), _child(world, "Rory", "P2"), _child(world, "Wes", "P3")
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": harmed, "role": "harmed", "categories": ["coc_bullying"]},
                      {"child": responsible, "role": "alleged_responsible", "categories": ["coc_bullying"]},
                      {"child": witness, "role": "witness", "categories": []}],
            occurred_at=clock.now() - timedelta(hours=2), narrative="Pushed and filmed in the corridor",
            idempotency_key="coc-three")
    return {"concern": concern, "harmed": harmed, "responsible": responsible, "witness": witness}


def _today():
    return clock.now().astimezone(LONDON).date()


def _values(**changes):
    return {"situations_to_avoid": "The back corridor at break", "check_ins_who": "Ms Shah, head of year",
            "check_ins_how_often": "Every morning", "reporting": "Tell Ms Shah or use the worry box",
            "coping_strategies": "Go to the library", "support_chosen": ["Childline", "NSPCC"],
            "agreed_with_child": True, "agreed_with_parents": True, "agreed_on": _today(),
            "review_due": _today() + timedelta(days=28)} | changes


def _create(world, case, who="harmed", role="harmed", **changes):
    return services.safety_plan_create(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                       child=case[who], concern=case["concern"], role=role, values=_values(**changes))


def test_the_concern_is_child_on_child_and_each_principal_child_gets_a_plan_and_the_witness_a_decision(world, case):
    dsl = world.personas[Role.DSL]
    assert services.is_child_on_child(case["concern"])
    harmed = _create(world, case)
    responsible = _create(world, case, who="responsible", role="alleged_responsible")
    decision = services.plan_decision_record(actor=dsl, establishment=world.establishments["here"],
                                             child=case["witness"], concern=case["concern"], role="witness",
                                             decision="not_needed", reason="Saw it from a distance; spoken to; fine")
    rows = {row["involved"].child_id: row for row in selectors.for_concern(dsl, case["concern"])}
    assert [p.pk for p in rows[case["harmed"].pk]["plans"]] == [harmed.pk]
    assert [p.pk for p in rows[case["responsible"].pk]["plans"]] == [responsible.pk]
    assert rows[case["witness"].pk]["decision"] == decision and rows[case["witness"].pk]["plans"] == []
    # The plan's words are encrypted at rest and each write is in the chronology (with its concern) and the audit.
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT situations_to_avoid FROM safetyplans_safetyplanversion")
        assert all("corridor" not in row[0] for row in cursor.fetchall())
    kinds = list(ChronologyEntry.objects.filter(kind__startswith="plan.").values_list("kind", "concern_id", "child_id"))
    assert sorted(kinds) == sorted([("plan.created", case["concern"].pk, case["harmed"].pk),
                                    ("plan.created", case["concern"].pk, case["responsible"].pk),
                                    ("plan.decision", case["concern"].pk, case["witness"].pk)])
    assert AuditEvent.objects.filter(action="plan.create").count() == 2
    assert AuditEvent.objects.filter(action="plan.decision").count() == 1


def test_the_concern_page_prompts_for_plans_and_a_decision(client, world, case, signed_in):
    signed_in(world.personas[Role.DSL])
    page = client.get(f"/concerns/{case['concern'].pk}/").content.decode()
    assert "Safety plans" in page
    assert page.count("Start a safety plan") == 2 and page.count("Record a decision<") == 1
    _create(world, case)
    page = client.get(f"/concerns/{case['concern'].pk}/").content.decode()
    assert page.count("Start a safety plan") == 1 and "review by" in page


def test_a_witness_plan_needs_a_plan_needed_decision_first(world, case):
    with pytest.raises(ValidationError) as problem:
        _create(world, case, who="witness", role="witness")
    assert "first record your decision" in problem.value.message_dict["role"][0]
    services.plan_decision_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                  child=case["witness"], concern=case["concern"], role="witness", decision="needed",
                                  reason="Frightened to come to school since")
    assert _create(world, case, who="witness", role="witness").role == "witness"


def test_the_review_date_joins_the_action_list_and_a_review_completes_it_and_sets_the_next(world, case):
    dsl = world.personas[Role.DSL]
    plan = _create(world, case)
    first = Action.objects.get(pk=plan.review_action_id)
    assert first.owner_role == "dsl" and first.is_open and first.concern_id == case["concern"].pk
    assert first.due_at.astimezone(LONDON).date() == _today() + timedelta(days=28)
    review = services.safety_plan_review(actor=dsl, plan=plan, note="Spoke to Hana and mum: working well",
                                         next_review_due=_today() + timedelta(days=42))
    first.refresh_from_db()
    plan.refresh_from_db()
    second = Action.objects.get(pk=plan.review_action_id)
    assert first.status == Action.Status.DONE and second.is_open and second.pk != first.pk
    assert second.due_at.astimezone(LONDON).date() == _today() + timedelta(days=42) == plan.review_due
    assert review.outcome == "no_change" and review.version.number == 1
    # A revision counts as a review too.
    version = services.safety_plan_revise(actor=dsl, plan=plan, reason="Moved to another form group",
                                          values=_values(timetable_changes="Now in 9B",
                                                         review_due=_today() + timedelta(days=14)))
    second.refresh_from_db()
    plan.refresh_from_db()
    assert second.status == Action.Status.DONE and version.number == 2
    third = Action.objects.get(pk=plan.review_action_id)
    assert third.is_open and third.due_at.astimezone(LONDON).date() == _today() + timedelta(days=14)
    # Closing completes the open review action; nothing is left to do.
    services.safety_plan_close(actor=dsl, plan=plan, reason="Rory has left the school")
    third.refresh_from_db()
    plan.refresh_from_db()
    assert third.status == Action.Status.DONE and plan.status == "closed" and plan.review_due is None
    assert not Action.objects.filter(child=case["harmed"], status="open", what__startswith="Review").exists()
    assert set(ChronologyEntry.objects.filter(child=case["harmed"], kind__startswith="plan.")
               .values_list("kind", flat=True)) == {"plan.created", "plan.reviewed", "plan.revised", "plan.closed"}
    with pytest.raises(ValidationError, match="closed"):
        services.safety_plan_review(actor=dsl, plan=plan, note="x", next_review_due=_today() + timedelta(days=7))


def test_versions_never_overwrite_and_a_plan_is_never_edited(world, case):
    dsl = world.personas[Role.DSL]
    plan = _create(world, case)
    services.safety_plan_revise(actor=dsl, plan=plan, reason="Check-ins twice a day now",
                                values=_values(check_ins_how_often="Morning and after lunch"))
    versions = list(SafetyPlanVersion.objects.filter(plan=plan).order_by("number"))
    assert [(v.number, v.check_ins_how_often, v.reason) for v in versions] == [
        (1, "Every morning", None), (2, "Morning and after lunch", "Check-ins twice a day now")]
    assert versions[1].created_by == dsl
    with pytest.raises(TypeError):
        versions[0].save()
    plan.role = "at_risk"
    with pytest.raises(TypeError):
        plan.save()
    assert SafetyPlanReview.objects.get(plan=plan).outcome == "revised"


@pytest.mark.parametrize(("child", "parents", "others", "shown"), [
    (True, False, "", "The child"), (True, True, "", "The child; their parents or carers"),
    (False, True, "Ms Shah", "Their parents or carers; Ms Shah"), (False, False, "Ms Shah", "Ms Shah")])
def test_who_the_plan_was_agreed_with_reads_as_words(world, case, child, parents, others, shown):
    plan = _create(world, case, agreed_with_child=child, agreed_with_parents=parents, agreed_with_others=others)
    assert plan.versions.get().agreed_with == shown


def test_validation_errors_name_each_field_and_write_nothing(world, case):
    counts = (SafetyPlan.objects.count(), SafetyPlanVersion.objects.count(), Action.objects.count(),
              ChronologyEntry.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as problem:
        _create(world, case, situations_to_avoid="", check_ins_who=" ", agreed_with_child=False,
                agreed_with_parents=False, agreed_on=None, review_due=_today(), support_chosen=["Made-up helpline"])
    assert set(problem.value.message_dict) == {"situations_to_avoid", "check_ins_who", "agreed_with", "agreed_on",
                                               "review_due", "support_chosen"}
    assert problem.value.message_dict["review_due"] == ["The review date must be in the future."]
    assert counts == (SafetyPlan.objects.count(), SafetyPlanVersion.objects.count(), Action.objects.count(),
                      ChronologyEntry.objects.count(), AuditEvent.objects.count())
    _create(world, case)
    with pytest.raises(ValidationError, match="revise that plan"):
        _create(world, case)


def test_support_offered_is_the_policy_services_and_the_establishments_contacts(world, case):
    offered = services.support_offered(world.establishments["here"])
    assert {"Barnardo's", "Childline", "Front door here"} <= set(offered)
    plan = _create(world, case, support_chosen=["Front door here", "Barnardo's"])
    assert plan.versions.get().support_list == ["Front door here", "Barnardo's"]


def _sanction(world, case, **changes):
    values = {"kind": "detention", "what": "Two lunchtime detentions", "why": "To reflect on the harm caused",
              "safeguarding_considerations": "Rory was himself bullied last year; mentor in place",
              "decided_on": _today()} | changes
    return services.sanction_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                    child=case["responsible"], concern=case["concern"], **values)


def test_a_sanction_needs_its_safeguarding_considerations_and_exclusion_its_last_resort_reason(world, case):
    before = (Sanction.objects.count(), ChronologyEntry.objects.count())
    with pytest.raises(ValidationError) as problem:
        _sanction(world, case, safeguarding_considerations="  ")
    assert list(problem.value.message_dict) == ["safeguarding_considerations"]
    with pytest.raises(ValidationError) as problem:
        _sanction(world, case, kind="suspension")
    assert "last resort" in problem.value.message_dict["last_resort_reason"][0]
    with pytest.raises(ValidationError) as problem:
        _sanction(world, case, police_or_childrens_services=True)
    assert list(problem.value.message_dict) == ["partnership_note"]
    assert before == (Sanction.objects.count(), ChronologyEntry.objects.count())
    suspension = _sanction(world, case, kind="suspension",
                           last_resort_reason="Threats continued after restorative work; others at risk")
    entry = ChronologyEntry.objects.get(kind="sanction.recorded")
    assert entry.key_event and entry.concern_id == case["concern"].pk and entry.child_id == case["responsible"].pk
    with pytest.raises(TypeError):
        suspension.save()
    withdrawal = services.sanction_withdraw(actor=world.personas[Role.DSL], sanction=suspension,
                                            reason="Overturned by the governors' panel")
    assert withdrawal.sanction_id == suspension.pk and Sanction.objects.count() == before[0] + 1
    with pytest.raises(ValidationError, match="already"):
        services.sanction_withdraw(actor=world.personas[Role.DSL], sanction=suspension, reason="again")
    assert AuditEvent.objects.filter(action__in=["sanction.record", "sanction.withdraw"]).count() == 2


def test_sanctions_are_for_child_on_child_cases(world, case):
    with pytest.raises(ValidationError, match="child-on-child"):
        services.sanction_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                 child=world.children["here"], concern=world.concerns["here"], kind="detention",
                                 what="x", why="y", safeguarding_considerations="z", decided_on=_today())


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.DPO, Role.ADMINISTRATOR])
def test_those_who_may_not_read_the_child_record_can_neither_write_nor_read(world, case, role):
    plan = _create(world, case)
    person = world.personas[role]
    with pytest.raises(NotVisible):
        services.safety_plan_create(actor=person, establishment=world.establishments["here"], child=case["witness"],
                                    role="harmed", values=_values())
    with pytest.raises(NotVisible):
        services.safety_plan_review(actor=person, plan=plan, note="x", next_review_due=_today() + timedelta(days=9))
    with pytest.raises(NotVisible):
        selectors.read_plan(person, plan.pk)
    assert not selectors.plans_visible_to(person).exists()


def test_plans_elsewhere_answer_404(client, world, case, signed_in):
    plan = _create(world, case)
    elsewhere = world.plans["elsewhere"]
    signed_in(world.personas[Role.DSL])
    assert client.get(f"/safety-plans/{plan.pk}/").status_code == 200
    assert client.get(f"/safety-plans/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/safety-plans/{world.plans['region'].pk}/").status_code == 404
    assert client.get(f"/api/v1/safety-plans/{elsewhere.pk}/").status_code == 404
    signed_in(world.personas[Role.REGIONAL_DIRECTOR])
    assert client.get(f"/safety-plans/{world.plans['region'].pk}/").status_code == 200
    assert client.get(f"/safety-plans/{world.plans['organisation'].pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="plan.view", outcome="denied").exists()


def test_a_failed_form_keeps_what_was_typed_and_a_good_one_makes_the_plan(client, world, case, signed_in):
    signed_in(world.personas[Role.DSL])
    url = f"/safety-plans/child/{case['harmed'].pk}/new/?concern={case['concern'].pk}"
    page = client.get(url).content.decode()
    assert "How can I try and ensure I will not be at risk" in page  # the pack's Appendix 3 heading
    assert "Barnardo&#x27;s" in page and "Front door here" in page
    typed = {"role": "harmed", "situations_to_avoid": "The bike sheds", "coping_strategies": "Headphones",
             "support_chosen": ["NSPCC"], "agreed_on": _today().isoformat()}
    response = client.post(url, typed)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in page and "has not been saved yet" in page
    assert "The bike sheds" in page and "Headphones" in page and 'value="NSPCC" id="id_support_chosen_' in page
    assert "Say who the child checks in with." in page and SafetyPlan.objects.filter(child=case["harmed"]).count() == 0
    typed |= {"check_ins_who": "Mr Bell", "check_ins_how_often": "Daily", "reporting": "Tell Mr Bell",
              "agreed_with_child": "on", "review_due": (_today() + timedelta(days=21)).isoformat()}
    response = client.post(url, typed)
    plan = SafetyPlan.objects.get(child=case["harmed"])
    assert response.status_code == 302 and response["Location"] == f"/safety-plans/{plan.pk}/"
    page = client.get(f"/safety-plans/{plan.pk}/").content.decode()
    assert "The bike sheds" in page and "NSPCC" in page
    assert "Agreed with</dt><dd class=\"govuk-summary-list__value\">The child, on " in page  # no "The childNone"
    printed = client.get(f"/safety-plans/{plan.pk}/print/").content.decode()
    assert "govuk-service-navigation" not in printed and "The bike sheds" in printed
    revise = client.get(f"/safety-plans/{plan.pk}/revise/").content.decode()
    assert "The bike sheds" in revise and "Why the plan is being revised" in revise  # the current version, to change
    response = client.post(f"/safety-plans/{plan.pk}/revise/", typed | {"situations_to_avoid": "The bike sheds and bus"})
    assert "Say why the plan is being revised." in response.content.decode()
    response = client.post(f"/safety-plans/{plan.pk}/revise/", typed | {"reason": "Trouble on the bus too"})
    assert response.status_code == 302 and plan.versions.count() == 2
    page = client.get(f"/safety-plans/{plan.pk}/").content.decode()
    assert "Trouble on the bus too" in page and "Version 1," in page
    chronology = client.get(f"/chronology/{case['harmed'].pk}/?type=plan").content.decode()
    assert "Safety plan put in place" in chronology and "Concern recorded" not in chronology


def test_the_api_creates_revises_reviews_and_records_sanctions(client, world, case, signed_in):
    signed_in(world.personas[Role.DSL])
    body = {"establishment": world.establishments["here"].pk, "child": case["harmed"].pk,
            "concern": case["concern"].pk, "role": "harmed"} | {
        k: (v.isoformat() if isinstance(v, date) else v) for k, v in _values().items()}
    created = client.post("/api/v1/safety-plans/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    bad = client.post(f"/api/v1/safety-plans/{plan_id}/versions/", body | {"reason": ""},
                      content_type="application/json")
    assert bad.status_code == 400 and "reason" in str(bad.content)
    revised = client.post(f"/api/v1/safety-plans/{plan_id}/versions/", body | {"reason": "New route home"},
                          content_type="application/json")
    assert revised.status_code == 201 and [v["number"] for v in revised.json()["versions"]] == [2, 1]
    reviewed = client.post(f"/api/v1/safety-plans/{plan_id}/reviews/",
                           {"note": "No change", "next_review_due": (_today() + timedelta(days=30)).isoformat()},
                           content_type="application/json")
    assert reviewed.status_code == 201 and reviewed.json()["review_due"] == (_today() + timedelta(days=30)).isoformat()
    sanction = {"establishment": world.establishments["here"].pk, "child": case["responsible"].pk,
                "concern": case["concern"].pk, "kind": "permanent_exclusion", "what": "Excluded",
                "why": "Repeated violence", "safeguarding_considerations": "Welfare considered",
                "decided_on": _today().isoformat()}
    refused = client.post("/api/v1/sanctions/", sanction, content_type="application/json")
    assert refused.status_code == 400 and "last_resort_reason" in refused.json().get("errors", refused.json()) \
        or "last_resort_reason" in str(refused.content)
    done = client.post("/api/v1/sanctions/", sanction | {"last_resort_reason": "All else tried"},
                       content_type="application/json")
    assert done.status_code == 201 and done.json()["kind"] == "permanent_exclusion"
    assert PlanDecision.objects.count() == 0
