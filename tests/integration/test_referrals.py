"""Referrals and their response clocks, no-names consultations, the NRM tracker and case closure (issue 5)."""

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from safekeep.actions.escalation import escalate_overdue
from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.referrals import services
from safekeep.referrals.models import NrmTracker, Referral
from safekeep.sharing.models import InformationShare
from tests.world import adopt_every_shipped_pack

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def every_pack(world, adopted):
    """The child-on-child policy too: its rules for referrals (CoC 8.2, 9.3) run when one is recorded."""
    adopt_every_shipped_pack(world)


def _refer(world, actor_role=Role.DSL, **changes):
    fields = {"actor": world.personas[actor_role], "establishment": world.establishments["here"],
              "child": world.children["here"], "agency": "childrens_services", "contact": world.contacts["here"],
              "made_at": datetime(2026, 11, 20, 10, 0, tzinfo=UTC), "how": "phone", "reference": "CS-123",
              "what_shared": "The concern of 19 November and the chronology.", "consent": "given",
              "lawful_basis": "public-task-safeguarding", "secure_handling_agreed": True} | changes
    return services.referral_record(**fields)


def test_a_referral_starts_the_response_clock_across_a_bank_holiday_and_escalates_unanswered(world, adopted):
    # Made at 4pm on the Friday before the late May bank holiday: the answer is due at 4pm on Tuesday.
    referral = _refer(world, made_at=datetime(2026, 5, 22, 16, 0, tzinfo=LONDON))
    chase = referral.chase_action
    assert chase.due_at == datetime(2026, 5, 26, 16, 0, tzinfo=LONDON)
    assert chase.owner_role == "dsl" and chase.deadline == "1 working day"
    assert referral.agency_name == "Front door here"  # from the establishment's local contacts
    assert escalate_overdue(chase.due_at - timedelta(minutes=1)) == 0
    assert escalate_overdue(chase.due_at + timedelta(minutes=1)) == 1  # unanswered: the deputy is told
    chase.refresh_from_db()
    assert chase.escalation_level == 1
    assert ChronologyEntry.objects.filter(kind="action.escalated", object_id=str(chase.pk)).exists()


def test_the_referral_is_in_the_chronology_audit_and_sharing_register_in_one_go(world, adopted):
    referral = _refer(world)
    entry = ChronologyEntry.objects.get(kind="referral.made", object_id=str(referral.pk))
    assert entry.key_event and "Front door here" in entry.summary and "CS-123" in entry.summary
    assert AuditEvent.objects.filter(action="referral.create", object_id=str(referral.pk)).exists()
    share = InformationShare.objects.get(source_kind="referral", source_id=referral.pk)
    assert share.lawful_basis == "public-task-safeguarding" and share.secure_handling_agreed
    assert list(share.children.all()) == [world.children["here"]]


def test_a_non_urgent_referral_without_consent_needs_the_reason_and_nothing_is_written(world, every_pack):
    before = (Referral.objects.count(), Action.objects.count(), ChronologyEntry.objects.count())
    with pytest.raises(ValidationError) as error:
        _refer(world, consent="not_sought")
    assert "consent_note" in error.value.message_dict  # CoC 8.2
    assert (Referral.objects.count(), Action.objects.count(), ChronologyEntry.objects.count()) == before
    urgent = _refer(world, consent="not_sought", urgent=True, agency="police_emergency", contact=None)
    assert urgent.chase_action is None  # a 999 call expects no decision back


def test_anyone_can_refer_and_the_dsl_is_told(client, world, every_pack, signed_in, smtp_server,
                                               django_capture_on_commit_callbacks):
    _refer(world)  # the DSL's own referral: nobody needs telling
    assert not Action.objects.filter(action_code="referral-made-by-staff").exists()
    with django_capture_on_commit_callbacks(execute=True):
        referral = _refer(world, actor_role=Role.STAFF)
    told = Action.objects.get(action_code="referral-made-by-staff", child=world.children["here"])
    # The pack's rule, through the engine: owned by the DSL, the deputy told too.
    assert (told.owner_role, told.source, told.rule_id) == ("dsl", "CoC 9.3", "coc-referral-by-non-dsl")
    assert not Action.objects.filter(action_code="discuss-and-record-consent").exists()  # the referral records it
    assert world.personas[Role.DSL].email in {m["To"] for m in smtp_server.messages}
    for message in smtp_server.messages:
        assert "CS-123" not in message.get_body(preferencelist=("plain",)).get_content()
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/referrals/{referral.pk}/").status_code == 200  # the maker sees their own
    assert client.get(f"/referrals/{world.referrals['here'].pk}/").status_code == 404  # not a colleague's


def test_the_chase_names_the_agency_in_words_that_read_right(world, adopted):
    referral = _refer(world, contact=None, agency_name="Hillingdon Stronger Families")
    assert referral.chase_action.what == ("Get the decision of Hillingdon Stronger Families on the referral "
                                          "(reference CS-123); chase if it has not come")
    # How long the agency has, and why: the statutory baseline pack's response window.
    assert referral.chase_action.source.startswith("WTSC 2023")
    camhs = _refer(world, agency="camhs", contact=None, agency_name="CAMHS")
    assert camhs.chase_action.deadline == "10 working days"


def test_the_agencys_decision_stops_the_chase_and_a_challenge_is_kept(world, adopted):
    referral = _refer(world)
    services.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome="acknowledged",
                                     received_at=datetime(2026, 11, 20, 11, 0, tzinfo=UTC), response="agree")
    referral.chase_action.refresh_from_db()
    assert referral.chase_action.status == "open"  # received, but no decision yet
    with pytest.raises(ValidationError) as error:
        services.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome="nfa",
                                         received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), response="challenge")
    assert "challenge" in error.value.message_dict
    services.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome="nfa",
                                     received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), response="challenge",
                                     challenge="The threshold was set too high: three missing episodes this month.")
    referral.chase_action.refresh_from_db()
    assert referral.chase_action.status == "done"
    follow_up = Action.objects.get(action_code="referral-challenge")
    assert follow_up.source == "CoC 2.5 h" and follow_up.deadline == "5 working days"
    entry = ChronologyEntry.objects.filter(kind="referral.outcome").order_by("-id").first()
    assert entry.key_event and "challenged the decision" in entry.summary


def test_staff_cannot_record_an_outcome_and_others_cannot_see(client, world, adopted, signed_in):
    referral = _refer(world)
    signed_in(world.personas[Role.STAFF])
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert client.post(f"/referrals/{referral.pk}/outcome/", {}).status_code == 404
    signed_in(world.personas[Role.DPO])
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    signed_in(world.personas[Role.REGIONAL_DIRECTOR])
    response = client.post(f"/referrals/{referral.pk}/outcome/", {
        "outcome": "s47", "received_at": "2026-11-20T15:00", "response": "agree"})
    assert response.status_code == 302
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Child protection enquiry (section 47)" in page


def test_the_referral_page_records_a_referral_and_keeps_the_words_on_an_error(client, world, every_pack, signed_in):
    signed_in(world.personas[Role.DSL])
    child = world.children["here"]
    form = {"agency": "childrens_services", "contact": world.contacts["here"].pk, "made_at": "2026-11-20T09:30",
            "how": "online_form", "what_shared": "Both concerns and the body map.", "consent": "refused",
            "lawful_basis": "public-task-safeguarding", "secure_handling_agreed": "yes"}
    empty = client.post(f"/referrals/new/{child.pk}/", {}).content.decode()
    assert "Choose who the referral went to." in empty and "Say what was shared with the agency." in empty
    page = client.post(f"/referrals/new/{child.pk}/", form).content.decode()
    assert "Say why the referral went ahead without agreement" in page
    assert "Both concerns and the body map." in page and not Referral.objects.filter(how="online_form").exists()
    form["consent_note"] = "The parent is alleged to be responsible; telling them would put her at risk."
    response = client.post(f"/referrals/new/{child.pk}/", form)
    assert response.status_code == 302
    referral = Referral.objects.get(how="online_form")
    assert referral.consent == "refused" and referral.chase_action.due_at > referral.made_at
    assert "Front door here" in client.get(f"/children/{child.pk}/").content.decode()


def test_a_no_names_consultation_is_linked_to_the_child(client, world, adopted, signed_in):
    signed_in(world.personas[Role.DSL])
    child = world.children["here"]
    response = client.post(f"/referrals/consultations/new/{child.pk}/", {
        "agency": "childrens_services", "spoke_to": "Duty social worker", "held_at": "2026-11-20T11:00",
        "advice": "Below the threshold for now; refer if it happens again."})
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(child=child, kind="referral.consultation")
    assert "Duty social worker" in entry.summary and "refer if it happens again" in entry.summary
    assert not InformationShare.objects.filter(source_kind="consultation").exists()  # no names: nothing shared


def test_a_trafficking_concern_opens_the_nrm_tracker_and_the_local_authority_action(world, adopted):
    world.nrm_trackers["here"].delete()  # this child has none yet
    concern, _ = concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": ["trafficking"]}],
        occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), narrative="Arrived with an adult who held his passport.",
        idempotency_key=uuid.uuid4().hex)
    tracker = NrmTracker.objects.get(concern=concern)
    assert tracker.child == world.children["here"] and tracker.reasonable_grounds == "awaited"
    assert Action.objects.filter(concern_id=concern.pk, action_code="ce-report-trafficking-local-authority").exists()
    with pytest.raises(ValidationError) as error:
        services.nrm_update(actor=world.personas[Role.DSL], tracker=tracker, reasonable_grounds="positive")
    assert "reasonable_grounds_on" in error.value.message_dict
    services.nrm_update(actor=world.personas[Role.DSL], tracker=tracker, first_responder="Hillingdon children's "
                        "services", submitted_on=datetime(2026, 11, 20).date(), reasonable_grounds="positive",
                        reasonable_grounds_on=datetime(2026, 11, 21).date(), guardian="Independent guardian service")
    entry = ChronologyEntry.objects.filter(kind="referral.nrm_update").get()
    assert entry.key_event and "reasonable grounds decision: positive" in entry.summary


def test_a_case_closes_only_with_nothing_left_open_and_reopens_with_a_reason(client, world, adopted, signed_in):
    child, here = world.children["here"], world.establishments["here"]
    with pytest.raises(ValidationError) as error:
        cases.case_close(actor=world.personas[Role.DSL], child=child, establishment=here, reason="Support in place.")
    assert "still open" in error.value.message_dict["status"][0]
    Action.objects.filter(child=child, establishment=here).update(status="done")
    signed_in(world.personas[Role.DSL])
    assert client.post(f"/cases/{child.pk}/{here.pk}/close/", {"reason": "Support in place."}).status_code == 302
    page = client.get(f"/children/{child.pk}/").content.decode()
    assert "Closed" in page and "Support in place." in page
    assert client.post(f"/cases/{child.pk}/{here.pk}/reopen/", {"reason": ""}).status_code == 200  # reason needed
    client.post(f"/cases/{child.pk}/{here.pk}/reopen/", {"reason": "A new concern on 20 November."})
    kinds = list(ChronologyEntry.objects.filter(child=child, kind__startswith="case.").values_list("kind", flat=True))
    assert sorted(kinds) == ["case.close", "case.reopen"]


def test_the_api_records_referrals_outcomes_consultations_nrm_and_cases(client, world, adopted):
    from safekeep.accounts import services as accounts

    _, token = accounts.api_token_create(actor=world.personas[Role.DSL], name="x", mfa_passed=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    child, here = world.children["here"], world.establishments["here"]
    made = client.post("/api/v1/referrals/", {
        "establishment": here.pk, "child": child.pk, "agency": "placing_authority", "made_at": "2026-11-20T10:00:00Z",
        "how": "email", "what_shared": "The concern record.", "consent": "not_sought",
        "consent_note": "Urgent: the placing authority must know today.", "lawful_basis": "public-task-safeguarding",
        "secure_handling_agreed": True}, content_type="application/json", **auth)
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["agency_name"] == "Placing authority" and body["chase_due_at"]
    refused = client.post(f"/api/v1/referrals/{body['id']}/outcomes/", {
        "outcome": "nfa", "received_at": "2026-11-20T12:00:00Z", "response": "challenge"},
        content_type="application/json", **auth)
    assert refused.status_code == 400 and "challenge" in refused.json()["errors"]
    answered = client.post(f"/api/v1/referrals/{body['id']}/outcomes/", {
        "outcome": "accepted", "received_at": "2026-11-20T12:00:00Z", "response": "agree"},
        content_type="application/json", **auth)
    assert answered.status_code == 201
    assert client.get(f"/api/v1/referrals/{body['id']}/", **auth).json()["outcomes"][0]["outcome"] == "accepted"
    consulted = client.post("/api/v1/consultations/", {
        "establishment": here.pk, "child": child.pk, "agency": "childrens_services", "spoke_to": "Duty social worker",
        "held_at": "2026-11-20T09:00:00Z", "advice": "Refer if it happens again."},
        content_type="application/json", **auth)
    assert consulted.status_code == 201
    tracker = world.nrm_trackers["here"]
    updated = client.post(f"/api/v1/nrm/{tracker.pk}/", {"reference": "NRM-77"}, content_type="application/json",
                          **auth)
    assert updated.status_code == 200 and updated.json()["reference"] == "NRM-77"
    Action.objects.filter(child=child, establishment=here).update(status="done")
    closed = client.post(f"/api/v1/cases/{child.pk}/{here.pk}/close/", {"reason": "Done."},
                         content_type="application/json", **auth)
    assert closed.status_code == 201 and closed.json()["status"] == "closed"


def test_a_lado_referral_or_consultation_must_follow_an_allegation(world, adopted):
    with pytest.raises(ValidationError) as error:
        _refer(world, agency="lado", contact=None)
    assert "allegation about an adult" in error.value.message_dict["concern"][0]
    with pytest.raises(ValidationError) as error:
        services.consultation_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                     child=world.children["here"], agency="lado", spoke_to="Duty LADO",
                                     held_at=datetime(2026, 11, 20, 11, 0, tzinfo=UTC), advice="Record it.")
    assert "concern" in error.value.message_dict


def test_the_member_of_staff_who_referred_sees_it_was_answered_not_the_answer(client, world, adopted, signed_in):
    referral = _refer(world, actor_role=Role.STAFF)
    services.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome="s47",
                                     received_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), response="agree",
                                     note="Strategy discussion tomorrow; the stepfather is named.")
    signed_in(world.personas[Role.STAFF])
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "The safeguarding lead has recorded the agency's answer" in page and "stepfather" not in page


def test_an_impossible_id_is_a_clear_400_not_a_server_error(client, world, adopted):
    from safekeep.accounts import services as accounts

    _, token = accounts.api_token_create(actor=world.personas[Role.DSL], name="x", mfa_passed=True)
    response = client.post("/api/v1/referrals/", {"establishment": 10**20, "child": 1}, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400 and response["Content-Type"] == "application/problem+json"
    assert "whole number" in response.json()["detail"] and "Nothing was saved" in response.json()["detail"]
