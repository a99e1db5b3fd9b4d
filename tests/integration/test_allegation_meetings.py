"""A strategy meeting, a share or a consultation about an allegation follows the allegation (ADR 0008): the adult
it is about, and anyone who reads the child's record but not allegations, never sees it, its notes, its
actions or its chronology lines, and cannot add to it."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.meetings import services as meetings
from safekeep.meetings.models import MeetingNote
from safekeep.policy.deadlines import LONDON
from safekeep.referrals import services as referrals
from safekeep.sharing import services as sharing
from safekeep.sharing.models import InformationShare

DECISIONS = "Strategy agreed with the LADO: suspend contact with pupils pending enquiry"
ADVICE = "The LADO advised a strategy discussion within two days"
SHARE = {"recipient": "Duty LADO", "recipient_organisation": "LADO service", "what": "Allegation summary",
         "purpose": "Strategy discussion", "lawful_basis": "public-task-safeguarding", "consent": "not_sought",
         "consent_note": "Not sought for a LADO strategy discussion", "secure_handling_agreed": True}


def _allege(world, subject_role=Role.DSL):
    concern, _ = concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=clock.now() - timedelta(days=1), narrative="Said the teacher grabbed her arm.",
        idempotency_key=uuid.uuid4().hex, about_adult=True, subject=world.personas[subject_role],
        subject_relationship="staff")
    return concern


def _strategy_meeting(world, concern, **changes):
    due = clock.now().astimezone(LONDON).date() + timedelta(days=10)
    arguments = {"kind": "strategy", "held_at": clock.now() - timedelta(hours=2), "children": [world.children["here"]],
                 "attendees": [{"name": "Duty LADO", "role": "LADO", "agency": "Local authority"}],
                 "decisions": DECISIONS, "actions": [{"what": "Send the LADO the timeline", "owner_role": "dsl",
                                                      "owner": None, "due_on": due, "child": None}],
                 "share": SHARE, "concern": concern, "about_allegation": True} | changes
    return meetings.meeting_record(actor=world.personas[Role.DEPUTY_DSL], establishment=world.establishments["here"],
                                   **arguments)


@pytest.mark.parametrize("reader", [Role.DSL, Role.REGIONAL_DIRECTOR])  # the subject; child.view, no allegation.view
def test_a_meeting_about_an_allegation_is_hidden_from_its_subject_and_from_those_who_may_not_read_it(
        client, world, adopted, signed_in, reader):
    concern = _allege(world)  # about the DSL
    meeting = _strategy_meeting(world, concern)
    meetings.meeting_add_note(actor=world.personas[Role.DEPUTY_DSL], meeting=meeting, text="Police also informed")
    child, here = world.children["here"], world.establishments["here"]
    # Everything that follows the meeting carries the allegation.
    assert ChronologyEntry.objects.filter(kind__startswith="meeting.", object_id=str(meeting.pk),
                                          concern=concern).count() == 2
    assert InformationShare.objects.get(source_kind="meeting", source_id=meeting.pk).concern == concern
    agreed = meeting.agreed_actions.get().action
    assert agreed.concern_id == concern.pk and agreed.owner_role == Role.DEPUTY_DSL.value  # not the subject

    signed_in(world.personas[reader])
    assert client.get(f"/meetings/{meeting.pk}/").status_code == 404
    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert f"/meetings/{meeting.pk}/" not in client.get(f"/meetings/?establishment={here.pk}").content.decode()
    child_page = client.get(f"/children/{child.pk}/")
    assert child_page.status_code == 200 and f"/meetings/{meeting.pk}/" not in child_page.content.decode()
    chronology = client.get(f"/chronology/{child.pk}/?tracked=1").content.decode()
    assert "suspend contact" not in chronology and "Police also informed" not in chronology
    assert "Strategy discussion" not in chronology and "Duty LADO" not in chronology
    api = client.get(f"/api/v1/children/{child.pk}/chronology/?tracked=true").json()["results"]
    assert not [entry for entry in api if entry["kind"].startswith("meeting.") or "LADO" in entry["summary"]]
    refused = client.post(f"/meetings/{meeting.pk}/notes/", {"text": "Let me add to it"})
    assert refused.status_code == 404
    assert not MeetingNote.objects.filter(text="Let me add to it").exists()
    with pytest.raises(NotVisible):
        meetings.meeting_add_note(actor=world.personas[reader], meeting=meeting, text="Let me add to it")

    signed_in(world.personas[Role.DEPUTY_DSL])  # who may read the allegation sees the meeting
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert DECISIONS in page and "Police also informed" in page and "The allegation about an adult" in page
    assert "suspend contact" in client.get(f"/chronology/{child.pk}/").content.decode()


def test_a_meeting_about_an_allegation_must_name_it_and_only_its_readers_may_record_it(world, adopted):
    concern = _allege(world)
    with pytest.raises(ValidationError) as error:
        _strategy_meeting(world, None)
    assert "Choose the allegation" in error.value.message_dict["concern"][0]
    with pytest.raises(ValidationError) as error:
        _strategy_meeting(world, world.concerns["here"])  # a concern about a child is not an allegation
    assert "concern" in error.value.message_dict
    with pytest.raises(NotVisible):  # reads the child's record, not allegations
        meetings.meeting_record(actor=world.personas[Role.REGIONAL_DIRECTOR],
                                establishment=world.establishments["here"], kind="strategy",
                                held_at=clock.now() - timedelta(hours=1), children=[world.children["here"]],
                                attendees=[{"name": "Duty LADO", "agency": "Local authority"}], decisions="None",
                                concern=concern)
    with pytest.raises(NotVisible):  # the subject cannot record one about themselves
        meetings.meeting_record(actor=world.personas[Role.DSL], establishment=world.establishments["here"],
                                kind="strategy", held_at=clock.now() - timedelta(hours=1),
                                children=[world.children["here"]],
                                attendees=[{"name": "Duty LADO", "agency": "Local authority"}], decisions="None",
                                concern=concern)


def test_the_meeting_page_and_the_api_name_the_allegation_a_meeting_follows(world, adopted, signed_in):
    concern = _allege(world)
    child = world.children["here"]
    client = signed_in(world.personas[Role.DEPUTY_DSL])
    url = f"/meetings/new/?child={child.pk}"
    form = client.get(url).content.decode()
    assert "(allegation about an adult)" in form and "This meeting is about an allegation" in form
    typed = {"kind": "strategy", "held_on": (clock.now().astimezone(LONDON).date() - timedelta(days=1)).isoformat(),
             "held_time": "10:00", "attendees-0-name": "Duty LADO", "attendees-0-agency": "Local authority",
             "decisions": DECISIONS, "about_allegation": "on"}
    unnamed = client.post(url, typed)
    assert unnamed.status_code == 200 and "Choose the allegation" in unnamed.content.decode()
    assert DECISIONS in unnamed.content.decode()  # the words stay on the page
    done = client.post(url, typed | {"concern": str(concern.pk)})
    assert done.status_code == 302
    meeting_id = int(done.url.rstrip("/").split("/")[-1])
    body = {"establishment": world.establishments["here"].pk, "kind": "strategy",
            "held_at": (clock.now() - timedelta(hours=1)).isoformat(), "children": [child.pk],
            "attendees": [{"name": "Duty LADO", "agency": "Local authority"}], "decisions": DECISIONS,
            "about_allegation": True}
    assert client.post("/api/v1/meetings/", body, content_type="application/json").status_code == 400
    created = client.post("/api/v1/meetings/", body | {"concern": concern.pk}, content_type="application/json")
    assert created.status_code == 201 and created.json()["concern_id"] == concern.pk
    signed_in(world.personas[Role.DSL])
    assert client.get(f"/meetings/{meeting_id}/").status_code == 404
    assert client.get(f"/api/v1/meetings/{created.json()['id']}/").status_code == 404


def test_a_share_and_a_consultation_that_follow_an_allegation_are_hidden_from_its_subject(
        client, world, adopted, signed_in):
    concern = _allege(world)
    child, here = world.children["here"], world.establishments["here"]
    deputy = world.personas[Role.DEPUTY_DSL]
    share = sharing.share_add(actor=deputy, establishment=here, children=[child], concern=concern, **SHARE)
    assert share.concern == concern
    consultation = referrals.consultation_record(actor=deputy, establishment=here, child=child, agency="lado",
                                                 spoke_to="Duty LADO", held_at=clock.now() - timedelta(hours=1),
                                                 advice=ADVICE, concern=concern)
    assert ChronologyEntry.objects.get(object_type="consultation", object_id=str(consultation.pk)).concern == concern
    for reader in (Role.DSL, Role.REGIONAL_DIRECTOR):
        signed_in(world.personas[reader])
        page = client.get(f"/children/{child.pk}/").content.decode()
        assert "Duty LADO" not in page and "LADO service" not in page
        chronology = client.get(f"/chronology/{child.pk}/").content.decode()
        assert ADVICE not in chronology and "LADO service" not in chronology
    with pytest.raises(NotVisible):  # only those who may read the allegation record a share that follows it
        sharing.share_add(actor=world.personas[Role.REGIONAL_DIRECTOR], establishment=here, children=[child],
                          concern=concern, **SHARE)
    api = signed_in(deputy).post("/api/v1/sharing/", {"establishment": here.pk, "children": [child.pk],
                                                      "concern": concern.pk, **SHARE},
                                 content_type="application/json")
    assert api.status_code == 201, api.content
    assert InformationShare.objects.get(pk=api.json()["id"]).concern == concern
    url = f"/sharing/new/?child={child.pk}"
    assert "(allegation about an adult)" in client.get(url).content.decode()
    typed = {"recipient": "Duty LADO", "recipient_organisation": "LADO by hand", "what": "Allegation summary",
             "purpose": "Strategy", "lawful_basis": "public-task-safeguarding", "consent": "not_sought",
             "consent_note_not_sought": "Not for the LADO", "secure_handling_agreed": "yes", "concern": concern.pk}
    assert client.post(url, typed).status_code == 302
    assert InformationShare.objects.get(recipient_organisation="LADO by hand").concern == concern

