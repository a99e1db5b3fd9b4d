"""Multi-agency, strategy and professionals meetings (CE 10.5): one transaction for the meeting, its
chronology entries, its actions (on the action list with their due dates), its share and its audit."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safekeep.actions.escalation import escalate_overdue
from safekeep.actions.models import Action
from safekeep.actions.services import action_add
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.core import clock
from safekeep.meetings import services
from safekeep.meetings.models import Meeting, MeetingAction
from safekeep.policy.deadlines import LONDON, Deadline, Unit
from safekeep.sharing.models import InformationShare

pytestmark = pytest.mark.django_db
SHARE = {"recipient": "DC Jones", "recipient_organisation": "Metropolitan Police", "what": "Chronology",
         "purpose": "Disrupting exploitation", "lawful_basis": "public-task-crime", "consent": "not_sought",
         "consent_note": "Would alert the adults exploiting him", "secure_handling_agreed": True,
         "secure_handling_note": "Police secure email"}


def second_child(world):
    child = Child.objects.create(organisation=world.organisations["one"], first_name="Second", last_name="Child",
                                 date_of_birth=date(2011, 2, 3))
    Enrolment.objects.create(child=child, establishment=world.establishments["here"], mis_id="M-2")
    return child


def record(world, role=Role.DSL, children=None, **overrides):
    due = clock.now().astimezone(LONDON).date() + timedelta(days=10)
    arguments = {"kind": "strategy", "held_at": clock.now() - timedelta(hours=2),
                 "children": children or [world.children["here"]],
                 "attendees": [{"name": "Sam Patel", "role": "Social worker", "agency": "Children's services"},
                               {"name": "", "role": "", "agency": ""}],
                 "decisions": "Section 47 enquiry; safety plan at school", "minutes": "Long minutes",
                 "actions": [{"what": "Review the safety plan", "owner_role": "dsl", "owner": None, "due_on": due,
                              "child": None}],
                 "share": SHARE} | overrides
    return services.meeting_record(actor=world.personas[role], establishment=world.establishments["here"],
                                   **arguments)


def counts():
    return (Meeting.objects.count(), Action.objects.count(), InformationShare.objects.count(),
            ChronologyEntry.objects.filter(kind__in=["meeting.recorded", "share.recorded", "action.added"]).count(),
            AuditEvent.objects.filter(action__in=["meeting.create", "sharing.record", "action.create"]).count())


def test_a_meeting_about_two_children_writes_everything_in_one_go(world):
    other = second_child(world)
    meeting = record(world, children=[world.children["here"], other])
    assert meeting.attendees.count() == 1 and set(meeting.children.all()) == {world.children["here"], other}
    assert Meeting.objects.get(pk=meeting.pk).decisions.startswith("Section 47")  # decrypted
    for child in (world.children["here"], other):
        assert ChronologyEntry.objects.filter(child=child, kind="meeting.recorded").count() == 1
        assert ChronologyEntry.objects.filter(child=child, kind="share.recorded").count() == 1
    actions = [link.action for link in MeetingAction.objects.filter(meeting=meeting)]
    assert {a.child for a in actions} == {world.children["here"], other}  # "each child discussed"
    due = clock.now().astimezone(LONDON).date() + timedelta(days=10)
    assert all(a.due_at.astimezone(LONDON) == datetime.combine(due, services.DUE_TIME, tzinfo=LONDON)
               for a in actions)
    share = InformationShare.objects.get(source_kind="meeting", source_id=meeting.pk)
    assert set(share.children.all()) == {world.children["here"], other}
    assert share.shared_at == meeting.held_at and share.authorised_by == world.personas[Role.DSL]
    assert AuditEvent.objects.get(action="meeting.create", object_id=str(meeting.pk)).detail["share"] == share.pk


def test_any_error_writes_nothing_and_says_what_is_wrong(world):
    before = counts()
    with pytest.raises(ValidationError) as problem:
        record(world, kind="chat", held_at=clock.now() + timedelta(days=1),
               attendees=[{"name": "", "role": "Nurse", "agency": ""}], decisions="",
               actions=[{"what": "", "owner_role": "nobody", "owner": None, "due_on": date(2020, 1, 1),
                         "child": None}],
               share=SHARE | {"consent_note": "", "recipient": ""})
    assert set(problem.value.message_dict) >= {
        "kind", "held_at", "attendees-0-name", "attendees-0-agency", "decisions", "actions-0-what",
        "actions-0-owner", "actions-0-due_on", "share-consent_note", "share-recipient"}
    with pytest.raises(ValidationError):  # only the share is wrong: still nothing written
        record(world, share=SHARE | {"lawful_basis": "consent"})
    assert counts() == before


def test_only_the_case_team_at_the_establishment(world):
    before = counts()
    for role in (Role.STAFF, Role.DPO, Role.GOVERNOR, Role.ADMINISTRATOR):
        with pytest.raises(NotVisible):
            record(world, role=role)
    with pytest.raises(ValidationError) as problem:
        record(world, children=[world.children["region"]])
    assert "children" in problem.value.message_dict
    assert counts() == before


def test_the_actions_join_the_action_list_with_their_due_dates_and_escalate(world, signed_in):
    meeting = record(world)
    action = MeetingAction.objects.get(meeting=meeting).action
    client = signed_in(world.personas[Role.DSL])
    page = client.get(f"/actions/?establishment={world.establishments['here'].pk}").content.decode()
    assert "Review the safety plan" in page
    assert f"{action.due_at.astimezone(LONDON):%-d %B %Y}" in client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert action.deadline == f"by {action.due_at.astimezone(LONDON):%-d %B %Y}"  # its date, not a count of days
    assert action.deadline_unit == "by date"
    Action.objects.filter(pk=action.pk).update(next_escalation_at=clock.now() - timedelta(minutes=1))
    assert escalate_overdue() == 1  # a meeting's action climbs the ladder like any other


def test_action_add_takes_a_due_time_and_keeps_the_deadline_otherwise(world):
    dsl, child, here = world.personas[Role.DSL], world.children["here"], world.establishments["here"]
    due = datetime(2031, 3, 4, 17, 0, tzinfo=UTC)
    fixed = action_add(actor=dsl, establishment=here, child=child, what="Chase", owner_role="dsl", due_at=due)
    assert fixed.due_at == due and fixed.deadline == "by 4 March 2031"
    counted = action_add(actor=dsl, establishment=here, child=child, what="Call", owner_role="dsl",
                         deadline=Deadline(Unit.HOURS, 24))
    assert abs(counted.due_at - (clock.now() + timedelta(hours=24))) < timedelta(minutes=1)
    assert (counted.deadline_unit, counted.deadline_amount, counted.deadline) == ("hours", 24, "24 hours")
    with pytest.raises(ValidationError):
        action_add(actor=dsl, establishment=here, child=child, what="Late", owner_role="dsl",
                   due_at=clock.now() - timedelta(days=1))
    with pytest.raises(ValidationError) as problem:
        action_add(actor=dsl, establishment=here, child=child, what="When?", owner_role="dsl")
    assert "Say by when" in problem.value.message_dict["deadline"][0]


def test_the_pages_record_show_and_add_notes(world, signed_in):
    other = second_child(world)
    client = signed_in(world.personas[Role.DSL])
    url = f"/meetings/new/?child={world.children['here'].pk}&child={other.pk}"
    assert "Second Child" in client.get(url).content.decode()
    due = (clock.now().astimezone(LONDON).date() + timedelta(days=7)).isoformat()
    typed = {"kind": "multi_agency", "held_on": (clock.now().astimezone(LONDON).date() - timedelta(days=1))
             .isoformat(), "held_time": "10:00", "attendees-0-name": "Sam Patel", "attendees-0-agency": "",
             "decisions": "Refer to the NRM", "actions-0-what": "Ask police for an update", "actions-0-owner": "role:dsl",
             "actions-0-due_on": due, "actions-0-child": str(other.pk), "shared": "on",
             "share-recipient": "DC Jones", "share-recipient_organisation": "Police", "share-what": "Chronology",
             "share-purpose": "Investigation", "share-lawful_basis": "public-task-crime", "share-consent": "given",
             "share-secure_handling_agreed": "yes"}
    before = counts()
    failed = client.post(url, typed)
    assert failed.status_code == 200 and counts() == before
    html = failed.content.decode()
    assert "Enter the agency they came from" in html and 'value="Ask police for an update"' in html
    done = client.post(url, typed | {"attendees-0-agency": "Children's services"})
    assert done.status_code == 302, done.content.decode()[:3000]
    meeting = Meeting.objects.latest("id")
    assert MeetingAction.objects.get(meeting=meeting).action.child == other
    assert InformationShare.objects.filter(source_kind="meeting", source_id=meeting.pk).exists()
    assert "Refer to the NRM" in client.get(done.url).content.decode()
    assert client.post(f"/meetings/{meeting.pk}/notes/", {"text": ""}).status_code == 200
    assert client.post(f"/meetings/{meeting.pk}/notes/", {"text": "Minutes arrived"}).status_code == 302
    assert ChronologyEntry.objects.filter(kind="meeting.note", child=other).count() == 1
    for role in (Role.DPO, Role.STAFF, Role.GOVERNOR, Role.ADMINISTRATOR):
        assert signed_in(world.personas[role]).get(f"/meetings/{meeting.pk}/").status_code == 404


def test_the_api_records_and_reads_a_meeting(world, signed_in):
    due = (clock.now().astimezone(LONDON).date() + timedelta(days=5)).isoformat()
    body = {"establishment": world.establishments["here"].pk, "kind": "professionals",
            "held_at": (clock.now() - timedelta(hours=1)).isoformat(), "children": [world.children["here"].pk],
            "attendees": [{"name": "Jo", "agency": "CAMHS"}], "decisions": "Refer to CAMHS",
            "actions": [{"what": "Send the referral", "due_on": due}], "share": SHARE}
    client = signed_in(world.personas[Role.DSL])
    created = client.post("/api/v1/meetings/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["actions"][0]["what"] == "Send the referral" and len(data["shares"]) == 1
    assert client.get(f"/api/v1/meetings/{data['id']}/").json()["decisions"] == "Refer to CAMHS"
    bad = client.post("/api/v1/meetings/", body | {"decisions": " "}, content_type="application/json")
    assert bad.status_code == 400
    assert signed_in(world.personas[Role.DPO]).get(f"/api/v1/meetings/{data['id']}/").status_code == 404


def _queries(client, path):
    # The first page after signing in writes the session's activity time; the next minute's pages do not.
    warm = client.get(path)
    b"".join(warm.streaming_content) if warm.streaming else warm.content
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_list_and_a_meeting_make_the_same_number_of_queries_however_many(world, signed_in):
    client = signed_in(world.personas[Role.DSL])
    first = record(world)
    path = f"/meetings/?establishment={world.establishments['here'].pk}"
    counted = (_queries(client, path), _queries(client, f"/meetings/{first.pk}/"))
    for _ in range(12):
        last = record(world, children=[world.children["here"], second_child(world)] if _ == 0 else None)
    assert (_queries(client, path), _queries(client, f"/meetings/{last.pk}/")) == counted
