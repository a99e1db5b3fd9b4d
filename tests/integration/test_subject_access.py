"""Subject access (issue 15 section 5; UK GDPR Art. 12(3), 15; DPA 2018 Schedules 2 and 3): a request is an
action due one calendar month from receipt, extended once with its reason; its answer gathers the child's records
and proposes withholding third parties from structured data only; a person decides each, and the PDF shows
"[withheld: <exemption>]" where something was withheld; the decisions are kept and audited."""

import io
import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from pypdf import PdfReader

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.referrals import services as referrals
from safekeep.sharing import services as sharing
from safekeep.subjectaccess import selectors, services
from safekeep.subjectaccess.models import RedactionDecision
from safekeep.subjectaccess.pdf import answer_pdf
from safekeep.policy.deadlines import LONDON

pytestmark = pytest.mark.django_db
RECEIVED = datetime(2027, 1, 31, 11, 0, tzinfo=UTC)
NOTE = "Strategy discussion held with DC Rahman; no further action by police."


def _record(world, actor=None, received_on=date(2027, 1, 31)):
    return services.request_record(actor=actor or world.personas[Role.DPO], establishment=world.establishments["here"],
                                   child=world.children["here"], requester_name="Mrs Here", relationship="parent",
                                   received_how="email", received_on=received_on)


def test_a_request_received_on_31_january_is_an_action_for_the_dpo_due_on_28_february(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    request = _record(world)
    assert request.due_on == date(2027, 2, 28)
    action = request.action
    assert action.child == world.children["here"] and action.owner_role == "dpo"
    assert action.due_at.astimezone(LONDON).date() == date(2027, 2, 28) and action.deadline == "by 28 February 2027"
    assert "Article 12(3)" in action.source
    assert ChronologyEntry.objects.filter(child=world.children["here"], kind="subject_access.received").exists()
    assert AuditEvent.objects.filter(action="subjectaccess.create", object_id=str(request.pk)).exists()
    assert "Mrs Here" not in AuditEvent.objects.get(action="subjectaccess.create").detail.__str__()


def test_extending_keeps_the_reason_and_moves_the_actions_due_date_two_months_on(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    request = _record(world)
    time_machine.move_to(datetime(2027, 2, 10, 9, 0, tzinfo=UTC))
    request = services.request_extend(actor=world.personas[Role.DSL], request=request,
                                      reason="Complex: records held at two establishments")
    request.refresh_from_db()
    assert request.due_on == date(2027, 4, 30)  # three months from 31 January, counted at once
    assert request.extension_reason == "Complex: records held at two establishments"
    request.action.refresh_from_db()
    assert request.action.due_at.astimezone(LONDON).date() == date(2027, 4, 30)
    assert AuditEvent.objects.filter(action="action.due_move", object_id=str(request.action.pk)).exists()
    assert AuditEvent.objects.filter(action="subjectaccess.extend", object_id=str(request.pk)).exists()
    with pytest.raises(ValidationError, match="only once"):
        services.request_extend(actor=world.personas[Role.DSL], request=request, reason="Again")


def test_an_extension_needs_its_reason_and_must_be_made_within_the_first_month(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    request = _record(world)
    with pytest.raises(ValidationError, match="reason"):
        services.request_extend(actor=world.personas[Role.DPO], request=request, reason="  ")
    time_machine.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    with pytest.raises(ValidationError, match="first month has passed"):
        services.request_extend(actor=world.personas[Role.DPO], request=request, reason="Complex")


def test_a_date_received_in_the_future_is_refused(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    with pytest.raises(ValidationError) as refused:
        _record(world, received_on=date(2027, 2, 1))
    assert "received_on" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.HEAD])
def test_staff_governors_and_the_head_may_not_record_one(world, adopted, time_machine, role):
    time_machine.move_to(RECEIVED)
    with pytest.raises(NotVisible):
        _record(world, actor=world.personas[role])


@pytest.fixture
def casework(world, adopted, time_machine):
    """A concern naming the child and another child, Kit Friend, recorded by a member of staff; a referral to
    children's services and its answer, with a note naming the police officer."""
    when = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)
    time_machine.move_to(when)
    child, here = world.children["here"], world.establishments["here"]
    friend = Child.objects.create(organisation=world.organisations["one"], first_name="Kit", last_name="Friend",
                                  date_of_birth=date(2012, 1, 1))
    Enrolment.objects.create(child=friend, establishment=here, mis_id="KF")
    with transaction.atomic():
        concern, _ = concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=here, occurred_at=when, disclosure=True,
            children=[{"child": child, "role": "harmed", "categories": []},
                      {"child": friend, "role": "alleged_responsible", "categories": []}],
            narrative="Kit Friend took Child Here's phone at the gate.", childs_words="Kit took it, Kit always does",
            idempotency_key="sar-1")
    referral = referrals.referral_record(
        actor=world.personas[Role.DSL], establishment=here, child=child, agency="childrens_services",
        contact=world.contacts["here"], made_at=when, how="phone", what_shared="The concern of 10 January.",
        consent="given", lawful_basis="public-task-safeguarding", secure_handling_agreed=True, concern=concern)
    time_machine.move_to(datetime(2027, 1, 12, 11, 0, tzinfo=UTC))
    referrals.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome="nfa",
                                      received_at=datetime(2027, 1, 12, 10, 0, tzinfo=UTC), response="agree",
                                      note=NOTE)
    sharing.share_record(actor=world.personas[Role.DSL], establishment=here, children=[child],
                         recipient="Sam Okafor", recipient_organisation="Hillingdon children's services",
                         what="Concern record", purpose="Strategy discussion", lawful_basis="public-task-safeguarding",
                         consent="not_sought", consent_note="Would increase the risk", secure_handling_agreed=True,
                         source_kind="other", shared_at=datetime(2027, 1, 12, 10, 30, tzinfo=UTC))
    time_machine.move_to(RECEIVED)
    return {"friend": friend, "referral": referral, "request": _record(world)}


def _proposals(world, request):
    return {p.item: p for p in selectors.gather(world.personas[Role.DSL], request.pk).proposals}


def test_the_proposed_redactions_name_the_other_child_the_staff_and_the_agency_never_the_child(world, casework):
    proposals = _proposals(world, casework["request"])
    friend = proposals[f"child:{casework['friend'].pk}"]
    assert friend.kind == "other_child" and {"Kit Friend", "Kit", "Friend"} <= friend.names
    names = {name.casefold() for p in proposals.values() for name in p.names}
    assert not names & {"child", "here", "child here"}
    assert f"person:{world.personas[Role.STAFF].pk}" in proposals
    assert proposals[f"agency:{casework['referral'].pk}"].kind == "agency"
    assert any(p.names == {"Sam Okafor"} and "Hillingdon" in p.description for p in proposals.values())
    assert AuditEvent.objects.filter(action="child.chronology.export", actor_id=world.personas[Role.DSL].pk).exists()


def _decide(world, request, withhold: dict):
    proposals = selectors.gather(world.personas[Role.DSL], request.pk).proposals
    return services.request_decide(actor=world.personas[Role.DSL], request=request, decisions=[
        services.Decision(item=p.item, kind=p.kind, description=p.description, withheld=p.item in withhold,
                          exemption=withhold.get(p.item, "")) for p in proposals])


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_what_is_withheld_never_appears_in_the_pdf_and_its_exemption_does(world, casework):
    request, friend, referral = casework["request"], casework["friend"], casework["referral"]
    social_worker = next(p.item for p in _proposals(world, request).values() if p.names == {"Sam Okafor"})
    _decide(world, request, {f"child:{friend.pk}": "third_party", f"agency:{referral.pk}": "crime",
                             social_worker: "third_party"})
    dsl = world.personas[Role.DSL]
    text = " ".join(_text(answer_pdf(selectors.gather(dsl, request.pk),
                                     selectors.decided_withholding(dsl, request.pk), prepared_by="Persona DSL")).split())
    assert "Kit" not in text and "Friend" not in text
    assert "DC Rahman" not in text and "No further action" not in text and "Okafor" not in text
    assert "[withheld: Third-party data (DPA 2018 Sch 2 para 16)]" in text
    assert "[withheld: Crime and taxation (DPA 2018 Sch 2 para 2)]" in text
    assert "took Child Here's phone at the gate" in text  # the child's own record, and their name, are kept
    # Kept: the member of staff who recorded the concern was not withheld.
    assert world.personas[Role.STAFF].full_name in text


def test_the_decisions_are_kept_once_and_audited_without_the_withheld_words(world, casework, time_machine):
    request, friend = casework["request"], casework["friend"]
    _decide(world, request, {f"child:{friend.pk}": "third_party"})
    kept = RedactionDecision.objects.get(request=request, item=f"child:{friend.pk}")
    assert kept.withheld and kept.exemption == "third_party" and "Kit Friend" in kept.description
    assert RedactionDecision.objects.filter(request=request, withheld=False).count() >= 2
    event = AuditEvent.objects.get(action="subjectaccess.decide", object_id=str(request.pk))
    assert event.detail["withheld"] == {"third_party": 1} and "Kit" not in str(event.detail)
    with pytest.raises(ValidationError, match="already been decided"):
        _decide(world, request, {})
    with pytest.raises(TypeError):
        kept.withheld = False
        kept.save()
    # The DPO sees what was withheld and why, not the records.
    seen, decisions = selectors.read_request(world.personas[Role.DPO], request.pk)
    assert [d.get_exemption_display() for d in decisions if d.withheld] == ["Third-party data (DPA 2018 Sch 2 para 16)"]
    with pytest.raises(NotVisible):
        selectors.gather(world.personas[Role.DPO], request.pk)


def test_preparing_the_answer_completes_the_requests_action_and_no_other(world, casework, time_machine):
    """The answer is ready once what it withholds is decided: the DPO's action is done, met by the answer, in
    the same transaction; a second request for the same child keeps its own action open."""
    request, friend = casework["request"], casework["friend"]
    other = _record(world)
    time_machine.move_to(datetime(2027, 2, 3, 10, 0, tzinfo=UTC))
    _decide(world, request, {f"child:{friend.pk}": "third_party"})
    action = request.action
    action.refresh_from_db()
    assert action.status == "done" and action.completed_by == world.personas[Role.DSL]
    assert action.completion_note == "Met by the subject access answer, prepared with what it withholds."
    assert action.met_by_record == ("the subject access answer", f"/subject-access/{request.pk}/")
    assert ChronologyEntry.objects.filter(kind="action.completed", object_id=str(action.pk)).exists()
    other.action.refresh_from_db()
    assert other.action.status == "open"


def test_an_answer_that_cannot_be_kept_leaves_its_action_open(world, casework):
    request, friend = casework["request"], casework["friend"]
    with pytest.raises(ValidationError):
        _decide(world, request, {f"child:{friend.pk}": ""})
    request.action.refresh_from_db()
    assert request.action.status == "open"


def test_a_withheld_item_needs_its_exemption(world, casework):
    request, friend = casework["request"], casework["friend"]
    with pytest.raises(ValidationError, match="Choose the exemption"):
        _decide(world, request, {f"child:{friend.pk}": ""})
    assert not RedactionDecision.objects.filter(request=request).exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR])
def test_staff_and_governors_see_no_request(world, casework, role):
    with pytest.raises(NotVisible):
        selectors.read_request(world.personas[role], casework["request"].pk)
    with pytest.raises(NotVisible):
        selectors.gather(world.personas[role], casework["request"].pk)


def test_the_record_page_shows_a_gov_uk_error_summary_and_keeps_what_was_typed(world, adopted, signed_in,
                                                                               time_machine):
    time_machine.move_to(RECEIVED)
    client = signed_in(world.personas[Role.DPO])
    child = world.children["here"]
    response = client.post(f"/subject-access/child/{child.pk}/record/",
                           {"requester_name": "Mrs Here", "relationship": "parent", "received_on": "2027-02-01"})
    text = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in text
    assert "Say how the request reached you." in text
    assert 'value="Mrs Here"' in text
    response = client.post(f"/subject-access/child/{child.pk}/record/", {
        "requester_name": "Mrs Here", "relationship": "parent", "received_how": "email", "received_on": "2027-02-01"})
    assert "The date the request was received cannot be in the future." in response.content.decode()
    response = client.post(f"/subject-access/child/{child.pk}/record/", {
        "requester_name": "Mrs Here", "relationship": "parent", "received_how": "email", "received_on": "31/01/2027"},
        follow=True)
    assert "The answer is due by 28 February 2027" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_review_formset_asks_for_the_exemption_of_what_is_withheld_and_keeps_the_choices(world, casework,
                                                                                              signed_in):
    client = signed_in(world.personas[Role.DSL])
    request = casework["request"]
    page = client.get(f"/subject-access/{request.pk}/review/").content.decode()
    assert "Another child named in the same concerns, shares or meetings: Kit Friend" in page
    assert "Another child named in the same concerns, shares or meetings: Child Here" not in page
    proposals = selectors.gather(world.personas[Role.DSL], request.pk).proposals
    data = {"form-TOTAL_FORMS": str(len(proposals)), "form-INITIAL_FORMS": str(len(proposals))}
    for index, proposal in enumerate(proposals):
        data |= {f"form-{index}-item": proposal.item, f"form-{index}-decision": "withhold",
                 f"form-{index}-exemption": ""}
    text = client.post(f"/subject-access/{request.pk}/review/", data).content.decode()
    assert "There is a problem" in text and "Choose the exemption for: Another child named" in text
    # The choices made are kept: every "Withhold it" stays chosen.
    assert len(re.findall(r'<input type="radio" name="form-\d+-decision" value="withhold"[^>]*checked', text)) == len(
        proposals)
    assert not RedactionDecision.objects.filter(request=request).exists()
    for index in range(len(proposals)):
        data[f"form-{index}-exemption"] = "third_party"
    response = client.post(f"/subject-access/{request.pk}/review/", data, follow=True)
    assert "What the answer withholds is decided and kept" in response.content.decode()
    assert RedactionDecision.objects.filter(request=request, withheld=True).count() == len(proposals)
    pdf = client.post(f"/subject-access/{request.pk}/answer/")
    assert pdf["Content-Type"] == "application/pdf" and "no-store" in pdf["Cache-Control"]
    assert "Kit" not in _text(pdf.content)


def test_the_dpo_finds_the_child_by_a_posted_name_to_record_a_request(world, adopted, signed_in):
    client = signed_in(world.personas[Role.DPO])
    text = client.post("/subject-access/", {"name": "Here"}).content.decode()
    assert f'href="/subject-access/child/{world.children["here"].pk}/record/"' in text
    assert "Children found: 1" in text


def _token(world, role):
    _, key = accounts.api_token_create(actor=world.personas[role], name="script", mfa_passed=True)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_gives_the_request_its_clock_extension_and_counts_never_what_was_withheld(world, casework, client,
                                                                                        time_machine):
    """The data protection officer reads, through the API, what the request's page shows them: the child, who
    asked, the clock and its extension, and how many redactions were withheld under which exemption; never the
    descriptions, which name the third parties, nor the records."""
    request, friend = casework["request"], casework["friend"]
    time_machine.move_to(datetime(2027, 2, 10, 9, 0, tzinfo=UTC))
    services.request_extend(actor=world.personas[Role.DSL], request=request, reason="Complex: two establishments")
    _decide(world, request, {f"child:{friend.pk}": "third_party", f"agency:{casework['referral'].pk}": "crime"})
    dpo = _token(world, Role.DPO)
    listed = client.get("/api/v1/subject-access/", **dpo).json()
    assert [(row["id"], row["child"]["name"], row["due_on"], row["extended"], row["status"]) for row in listed] == [
        (request.pk, "Child Here", "2027-04-30", True, "answered")]
    one = client.get(f"/api/v1/subject-access/{request.pk}/", **dpo)
    body = one.json()
    assert (body["requester_name"], body["relationship"], body["received_on"]) == ("Mrs Here", "parent", "2027-01-31")
    assert body["extension"]["reason"] == "Complex: two establishments"
    assert body["clock"]["status"] == "done" and body["clock"]["deadline"] == "by 30 April 2027"
    assert body["answer"]["withheld"] == 2 and body["answer"]["proposed"] >= 3
    assert body["answer"]["withheld_by_exemption"] == {"crime": 1, "third_party": 1}
    assert "Kit" not in one.content.decode() and "Friend" not in one.content.decode()
    assert AuditEvent.objects.filter(action="subjectaccess.view", actor_id=world.personas[Role.DPO].pk).exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.HEAD])
def test_the_api_lists_no_request_and_answers_404_for_one_to_those_who_do_not_manage_them(world, casework, client,
                                                                                         role):
    auth = _token(world, role)
    assert client.get("/api/v1/subject-access/", **auth).status_code == 404
    refused = client.get(f"/api/v1/subject-access/{casework['request'].pk}/", **auth)
    assert refused.status_code == 404 and refused["Content-Type"] == "application/problem+json"


def test_a_request_at_another_establishment_is_404_in_the_api_alike(world, casework, client):
    auth = _token(world, Role.DSL)
    elsewhere = services.request_record(
        actor=world.personas[Role.DPO], establishment=world.establishments["region"],
        child=world.children["region"], requester_name="Mr Region", relationship="parent", received_how="email",
        received_on=date(2027, 1, 31))
    assert [row["id"] for row in client.get("/api/v1/subject-access/", **auth).json()] == [casework["request"].pk]
    assert client.get(f"/api/v1/subject-access/{elsewhere.pk}/", **auth).status_code == 404
    assert client.get("/api/v1/subject-access/999999/", **auth).status_code == 404
