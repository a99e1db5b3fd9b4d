"""Allegations about adults: the restricted route (DESIGN.md sections 1 and 2; CE 11.7; KCSIE Part four)."""

import uuid
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from safekeep.actions.models import Action
from safekeep.authz.access import NotVisible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services
from safekeep.concerns.models import Concern
from safekeep.core import clock

NARRATIVE = "Said the teacher grabbed her arm hard in the corridor."


def _allege(world, *, subject_role=Role.DSL, actor=None, **changes):
    """A member of staff records an allegation about a colleague (by default the DSL)."""
    fields = {
        "actor": actor or world.personas[Role.STAFF], "establishment": world.establishments["here"],
        "children": [{"child": world.children["here"], "role": "harmed", "categories": []}],
        "occurred_at": datetime(2026, 11, 20, 10, 0, tzinfo=UTC), "narrative": NARRATIVE,
        "idempotency_key": uuid.uuid4().hex, "about_adult": True, "subject": world.personas[subject_role],
        "subject_relationship": "staff",
    } | changes
    concern, created = services.concern_submit(**fields)
    assert created
    return concern


@pytest.mark.parametrize("reader, sees", [
    (Role.STAFF, True),  # the member of staff who recorded it
    (Role.DSL, False),  # the subject, whatever their role
    (Role.DEPUTY_DSL, True), (Role.HEAD, True), (Role.GROUP_HEAD, True),
    (Role.REGIONAL_DIRECTOR, False),  # oversees cases, not allegations about staff
    (Role.GOVERNOR, False), (Role.DPO, False), (Role.ADMINISTRATOR, False),
])
def test_only_the_allegations_route_sees_an_allegation_and_never_its_subject(client, world, adopted, signed_in,
                                                                             reader, sees):
    concern = _allege(world)
    signed_in(world.personas[reader])
    assert client.get(f"/concerns/{concern.pk}/").status_code == (200 if sees else 404)
    inbox = client.get("/concerns/").content.decode()
    assert (f"/concerns/{concern.pk}/" in inbox) is sees


def test_the_subject_sees_no_trace_in_the_childs_chronology_or_their_actions(client, world, adopted, signed_in):
    concern = _allege(world)
    subject = world.personas[Role.DSL]
    lado = Action.objects.get(concern_id=concern.pk, action_code="refer-lado")
    assert ChronologyEntry.objects.filter(child=world.children["here"], object_type="concern",
                                          object_id=str(concern.pk)).exists()
    signed_in(subject)
    # The DSL still reads the child's record, but nothing of the allegation is in it.
    chronology = client.get(f"/chronology/{world.children['here'].pk}/?tracked=1")  # with the tracked steps
    assert chronology.status_code == 200
    page = chronology.content.decode()
    assert "refer the allegation" not in page.lower() and f"/concerns/{concern.pk}/" not in page
    api = client.get(f"/api/v1/children/{world.children['here'].pk}/chronology/?tracked=true").json()
    assert all("allegation" not in entry["summary"].lower() for entry in api["results"])
    assert client.get(f"/actions/{lado.pk}/").status_code == 404
    assert f"/actions/{lado.pk}/" not in client.get("/actions/").content.decode()
    listed = client.get(f"/actions/establishment/{world.establishments['here'].pk}/").content.decode()
    assert f"/actions/{lado.pk}/" not in listed
    # The deputy, who may see it, finds the LADO action and the entry.
    signed_in(world.personas[Role.DEPUTY_DSL])
    assert client.get(f"/actions/{lado.pk}/").status_code == 200
    assert "refer the allegation" in client.get(
        f"/chronology/{world.children['here'].pk}/?tracked=1").content.decode().lower()


def test_the_lado_clock_runs_and_the_route_skips_whoever_may_not_see_it(world, adopted):
    concern = _allege(world)
    actions = Action.objects.filter(concern_id=concern.pk)
    lado = actions.get(action_code="refer-lado")
    assert lado.deadline == "1 working day" and lado.owner_role == "deputy_dsl"  # the DSL is the subject
    # CE 11.7 names the regional director; an allegation's route goes to the group head instead.
    for action in actions:
        assert Role.REGIONAL_DIRECTOR.value not in action.escalation_ladder
        assert action.owner_role != Role.REGIONAL_DIRECTOR.value
    assert Role.GROUP_HEAD.value in lado.escalation_ladder
    report = actions.get(action_code="ce-report-adult-concern")  # CE 11.7: tell the DSL now
    assert report.owner_id == world.personas[Role.STAFF].pk


def test_the_alert_goes_to_the_route_and_never_to_the_subject(world, adopted, smtp_server,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _allege(world)
    alerts = {m["To"] for m in smtp_server.messages if "concern" in m["Subject"]}
    assert alerts == {world.personas[Role.DEPUTY_DSL].email, world.personas[Role.HEAD].email}
    everyone = {m["To"] for m in smtp_server.messages}
    assert world.personas[Role.DSL].email not in everyone
    for message in smtp_server.messages:
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "corridor" not in body and "teacher" not in body and "allegation" not in body.lower()


def test_an_escalated_allegation_action_is_never_emailed_to_its_subject(world, adopted, smtp_server,
                                                                       django_capture_on_commit_callbacks):
    from safekeep.actions.notifications import send_action_emails

    concern = _allege(world, subject_role=Role.HEAD)
    lado = Action.objects.get(concern_id=concern.pk, action_code="refer-lado")
    everyone = [world.personas[r].pk for r in (Role.DSL, Role.DEPUTY_DSL, Role.HEAD)]
    sent = send_action_emails.call(lado.pk, "escalated", everyone)
    assert sent == 2
    assert world.personas[Role.HEAD].email not in {m["To"] for m in smtp_server.messages}


def test_an_allegation_needs_who_the_adult_is_and_nothing_is_written_without_it(world, adopted):
    before = Concern.objects.count()
    with pytest.raises(ValidationError) as error:
        _allege(world, subject=None, subject_relationship="", subject_description="")
    assert set(error.value.message_dict) == {"subject_relationship", "subject_description"}
    with pytest.raises(ValidationError) as error:
        _allege(world, subject=world.people["elsewhere"])  # not anyone at this establishment
    assert "subject" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _allege(world, about_adult=False)  # naming an adult only on the allegations route
    assert "about_adult" in error.value.message_dict
    assert Concern.objects.count() == before
    described = _allege(world, subject=None, subject_relationship="contractor",
                        subject_description="The man fixing the boiler, name not known")
    assert described.subject is None and described.subject_description.startswith("The man")


def test_the_recording_page_sends_an_allegation_down_the_route(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    child = world.children["here"]
    form = {"key": uuid.uuid4().hex, "establishment": world.establishments["here"].pk, "child": child.pk,
            f"role-{child.pk}": "harmed", "occurred_date": "2026-11-20", "narrative": NARRATIVE,
            "about_adult": "yes", "subject_relationship": "staff", "subject": world.personas[Role.HEAD].pk,
            "intent": "send"}
    response = client.post("/concerns/new/", form)
    assert response.status_code == 302
    concern = Concern.objects.get(idempotency_key=form["key"])
    assert concern.about_adult and concern.subject == world.personas[Role.HEAD]
    page = client.get(response["Location"]).content.decode()
    assert "Allegation about an adult" in page and "never the adult it is about" in page
    signed_in(world.personas[Role.HEAD])
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404


def test_the_recording_page_says_what_is_missing_beside_each_childs_role(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    child = world.children["here"]
    form = {"key": uuid.uuid4().hex, "establishment": world.establishments["here"].pk, "child": child.pk,
            "occurred_date": "2026-11-20", "narrative": NARRATIVE, "about_adult": "yes", "intent": "send"}
    page = client.post("/concerns/new/", form).content.decode()
    assert f'id="role-{child.pk}-error"' in page and "Choose this child&#x27;s part in what happened." in page
    assert f'href="#role-{child.pk}"' in page
    form[f"role-{child.pk}"] = "harmed"
    page = client.post("/concerns/new/", form).content.decode()
    assert 'id="subject_relationship-error"' in page and 'id="subject_description-error"' in page
    assert NARRATIVE in page  # the words are still there
    assert not Concern.objects.filter(idempotency_key=form["key"]).exists()


def test_the_api_records_an_allegation(client, world, adopted):
    from safekeep.accounts import services as accounts

    _, token = accounts.api_token_create(actor=world.personas[Role.STAFF], name="x", mfa_passed=True)
    body = {"establishment": world.establishments["here"].pk,
            "children": [{"child": world.children["here"].pk, "role": "harmed"}],
            "occurred_at": "2026-11-20T10:00:00Z", "narrative": NARRATIVE, "about_adult": True,
            "subject": world.personas[Role.DSL].pk, "subject_relationship": "staff"}
    response = client.post("/api/v1/concerns/", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.content
    assert response.json()["about_adult"] is True
    stranger = body | {"subject": world.people["elsewhere"].pk}
    refused = client.post("/api/v1/concerns/", stranger, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert refused.status_code == 400 and "subject" in refused.json()["errors"]


def test_the_team_names_an_adult_described_in_words_one_proposes_a_second_confirms(client, world, adopted,
                                                                                   signed_in):
    head = world.personas[Role.HEAD]
    concern = _allege(world, subject=None, subject_description="The head, I think")
    signed_in(head)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200  # not yet known to be about them
    signed_in(world.personas[Role.REGIONAL_DIRECTOR])
    assert client.post(f"/concerns/{concern.pk}/adult/", {"subject": head.pk}).status_code == 404
    signed_in(world.personas[Role.DSL])
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "Name the adult's Safekeep account" in page
    response = client.post(f"/concerns/{concern.pk}/adult/", {"subject": head.pk}, follow=True)
    page = response.content.decode()
    assert "cannot see this allegation while" in page and "Confirm the name" not in page  # not their own
    refused = client.post(f"/concerns/{concern.pk}/adult/decide/", {"decision": "confirm"}, follow=True)
    assert "A second person confirms a name" in refused.content.decode()
    concern.refresh_from_db()
    assert concern.subject is None
    signed_in(head)  # proposed: hidden from them while it waits
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404
    signed_in(world.personas[Role.DEPUTY_DSL])
    assert "Confirm the name" in client.get(f"/concerns/{concern.pk}/").content.decode()
    done = client.post(f"/concerns/{concern.pk}/adult/decide/", {"decision": "confirm"}, follow=True)
    assert "cannot see this allegation" in done.content.decode()
    concern.refresh_from_db()
    assert concern.subject == head
    assert ChronologyEntry.objects.filter(concern_id=concern.pk, kind="concern.subject_named").count() == 1
    signed_in(head)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404


def test_a_regional_director_reads_the_childs_chronology_without_the_allegation(client, world, adopted, signed_in):
    concern = _allege(world, subject_role=Role.HEAD)
    entry = ChronologyEntry.objects.filter(concern_id=concern.pk).first()
    signed_in(world.personas[Role.REGIONAL_DIRECTOR])
    response = client.get(f"/chronology/{world.children['here'].pk}/")
    assert response.status_code == 200  # the child's record, yes
    assert "refer the allegation" not in response.content.decode().lower()  # the allegation, no
    assert client.post(f"/chronology/entries/{entry.pk}/key-event/", {"key": "yes"}).status_code == 404


def test_a_lado_referral_and_its_share_stay_hidden_from_the_subject(client, world, adopted, signed_in):
    from safekeep.referrals import services as referrals
    from safekeep.sharing.models import InformationShare

    concern = _allege(world)  # about the DSL
    referral = referrals.referral_record(
        actor=world.personas[Role.DEPUTY_DSL], establishment=world.establishments["here"],
        child=world.children["here"], concern=concern, agency="lado", made_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC),
        how="email", what_shared="The allegation.", consent="not_sought", consent_note="Not for a LADO referral.",
        lawful_basis="public-task-safeguarding", secure_handling_agreed=True)
    share = InformationShare.objects.get(source_kind="referral", source_id=referral.pk)
    assert share.concern == concern
    signed_in(world.personas[Role.DSL])
    child_page = client.get(f"/children/{world.children['here'].pk}/").content.decode()
    assert "LADO" not in child_page and f"/referrals/{referral.pk}/" not in child_page
    assert "LADO" not in client.get(f"/chronology/{world.children['here'].pk}/?tracked=1").content.decode()
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    signed_in(world.personas[Role.GROUP_HEAD])
    assert "Local authority designated officer" in client.get("/sharing/").content.decode()


def _lado_referral(world, concern, actor_role=Role.DEPUTY_DSL):
    from safekeep.referrals import services as referrals

    return referrals.referral_record(
        actor=world.personas[actor_role], establishment=world.establishments["here"], child=world.children["here"],
        concern=concern, agency="lado", made_at=datetime(2026, 11, 20, 12, 0, tzinfo=UTC), how="email",
        what_shared="The allegation.", consent="not_sought", consent_note="Not for a LADO referral.",
        lawful_basis="public-task-safeguarding", secure_handling_agreed=True)


def test_recording_an_allegation_shows_the_recorder_their_words_not_the_case(client, world, adopted, signed_in):
    director = world.personas[Role.REGIONAL_DIRECTOR]
    concern = _allege(world, actor=director, subject_role=Role.HEAD)
    referral = _lado_referral(world, concern, actor_role=Role.DSL)
    involved = concern.children_involved.get()
    signed_in(director)
    assert client.get(f"/concerns/{concern.pk}/").status_code == 200  # their own words
    assert client.get(f"/referrals/{referral.pk}/").status_code == 404
    assert client.get(f"/concerns/{concern.pk}/children/{involved.pk}/triage/").status_code == 404
    assert client.post(f"/concerns/{concern.pk}/read/").status_code == 404
    assert "LADO" not in client.get(f"/chronology/{world.children['here'].pk}/?tracked=1").content.decode()


def test_a_correction_of_an_allegations_share_stays_hidden_and_cannot_be_aimed_at_one(world, adopted):
    from safekeep.sharing import services as sharing
    from safekeep.sharing.models import InformationShare
    from safekeep.sharing.selectors import access_share_for_correction, shares_for_child

    concern = _allege(world)  # about the DSL
    referral = _lado_referral(world, concern)
    share = InformationShare.objects.get(source_kind="referral", source_id=referral.pk)
    fields = {"establishment": world.establishments["here"], "children": [world.children["here"]],
              "recipient": "Duty LADO", "recipient_organisation": "LADO", "what": "The allegation",
              "purpose": "Referral", "lawful_basis": "public-task-safeguarding", "consent": "not_sought",
              "consent_note": "LADO", "secure_handling_agreed": True}
    correction = sharing.share_add(actor=world.personas[Role.DEPUTY_DSL], corrects=share, **fields)
    assert correction.concern == concern
    assert correction not in list(shares_for_child(world.personas[Role.DSL], world.children["here"]))
    with pytest.raises(NotVisible):
        access_share_for_correction(world.personas[Role.DSL], share.pk)


def test_the_dpo_register_lists_an_allegations_share_but_not_to_its_subject(client, world, adopted, signed_in):
    from safekeep.sharing.models import InformationShare
    from safekeep.sharing.selectors import register_visible_to

    concern = _allege(world, subject_role=Role.HEAD)
    share = InformationShare.objects.get(source_kind="referral", source_id=_lado_referral(world, concern).pk)
    assert share in list(register_visible_to(world.personas[Role.DPO]))  # every disclosure
    concern_about_group_head = _allege(world, subject_role=Role.GROUP_HEAD)
    hidden = InformationShare.objects.get(source_kind="referral",
                                          source_id=_lado_referral(world, concern_about_group_head).pk)
    assert hidden not in list(register_visible_to(world.personas[Role.GROUP_HEAD]))


def test_the_subject_can_close_the_childs_case_without_learning_of_the_allegation(world, adopted):
    from safekeep.cases import services as cases

    _allege(world)  # about the DSL: its LADO and CE 11.7 actions stay open
    Action.objects.filter(child=world.children["here"], concern_id__isnull=True).update(status="done")
    change = cases.case_close(actor=world.personas[Role.DSL], child=world.children["here"],
                              establishment=world.establishments["here"], reason="Support in place.")
    assert change.status == "closed"


def test_when_the_dsl_is_the_subject_the_steps_go_to_the_next_person_on_the_ladder(client, world, adopted,
                                                                                  signed_in):
    """CE 11.7: the DSL or deputy; else the head or registered manager; else the group head."""
    about_dsl = _allege(world)  # about the DSL
    for action in Action.objects.filter(concern_id=about_dsl.pk).exclude(owner_role="staff"):
        assert action.owner_role == Role.DEPUTY_DSL.value
        assert Role.DSL.value not in action.escalation_ladder
    chase = _lado_referral(world, about_dsl).chase_action
    assert chase.owner_role == Role.DEPUTY_DSL.value
    # The deputy finds it on their action list.
    signed_in(world.personas[Role.DEPUTY_DSL])
    assert f"/actions/{chase.pk}/" in client.get("/actions/").content.decode()
    # When the head is the subject, the DSL keeps the step.
    about_head = _allege(world, subject_role=Role.HEAD)
    assert Action.objects.get(concern_id=about_head.pk, action_code="refer-lado").owner_role == Role.DSL.value
    # With no deputy, the head or registered manager; with no head either, the group head.
    RoleMembership.objects.filter(role=Role.DEPUTY_DSL).update(ended_at=clock.now())
    assert Action.objects.get(concern_id=_allege(world).pk, action_code="refer-lado").owner_role == Role.HEAD.value
    RoleMembership.objects.filter(role=Role.HEAD).update(ended_at=clock.now())
    lado = Action.objects.get(concern_id=_allege(world).pk, action_code="refer-lado")
    assert lado.owner_role == Role.GROUP_HEAD.value and lado.escalation_ladder == []
