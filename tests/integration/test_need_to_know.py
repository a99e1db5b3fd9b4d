"""Need to know (issue 10, section 3): what the recorder, the referrer, a member of staff and the linked
school or home's lead see, on the page and in the API, as roles.py and recording-and-triage.md promise."""

import uuid
from datetime import datetime

import pytest

from safekeep.accounts import services as accounts
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry, KeyEventMark
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from safekeep.referrals import selectors as referral_selectors
from safekeep.referrals import services as referrals
from tests.world import link_school_and_home

RECORDED = datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
NARRATIVE = "Came back late with new trainers and two phones."
RECORDERS_ADDENDUM = "She said the trainers were from an older boy."
TEAMS_ADDENDUM = "Spoke to the social worker: known to the exploitation hub."
RATIONALE = "Older boy seen at the gates twice; gifts; going missing after school."


@pytest.fixture
def token_for(world):
    def make(user):
        _, key = accounts.api_token_create(actor=user, name="script", mfa_passed=True)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


def _record(world, **changes):
    fields = {"actor": world.personas[Role.STAFF], "establishment": world.establishments["here"],
              "children": [{"child": world.children["here"], "role": "harmed", "categories": ["cce"]}],
              "occurred_at": RECORDED, "narrative": NARRATIVE, "idempotency_key": uuid.uuid4().hex} | changes
    return concerns.concern_submit(**fields)[0]


def _the_case_follows(world, concern, *, lead=None):
    """The DSL decides (high risk, referral) and adds what the team learnt; the recorder adds to their words."""
    lead = lead or world.personas[Role.DSL]
    involved = concern.children_involved.get()
    concerns.triage_record(actor=lead, involved=involved, risk="high", rationale=RATIONALE,
                           categories=involved.categories, outcome="childrens_services")
    concerns.addendum_add(actor=lead, concern=concern, text=TEAMS_ADDENDUM)
    concerns.addendum_add(actor=world.personas[Role.STAFF], concern=concern, text=RECORDERS_ADDENDUM)


def test_the_recorder_sees_their_words_their_steps_and_that_it_was_read_never_the_case(client, world, adopted,
                                                                                     signed_in, time_machine):
    time_machine.move_to(RECORDED)
    concern = _record(world)
    _the_case_follows(world, concern)
    staff = world.personas[Role.STAFF]
    own_steps = list(Action.objects.filter(concern_id=concern.pk, owner=staff))
    teams_steps = list(Action.objects.filter(concern_id=concern.pk).exclude(owner=staff))
    assert own_steps and teams_steps

    signed_in(staff)
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert NARRATIVE in page and RECORDERS_ADDENDUM in page
    assert "Read by the safeguarding team" in page
    assert all(f"/actions/{step.pk}/" in page for step in own_steps)
    assert "High risk" not in page and "Referral to children&#x27;s services" not in page
    assert TEAMS_ADDENDUM not in page
    assert not [step.what for step in teams_steps if f"/actions/{step.pk}/" in page]
    assert "Refer to the local authority children" not in page

    signed_in(world.personas[Role.DSL])
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "High risk" in page and TEAMS_ADDENDUM in page and RECORDERS_ADDENDUM in page
    assert all(f"/actions/{step.pk}/" in page for step in teams_steps)


def test_the_recorder_of_an_allegation_sees_their_report_it_now_step_not_the_lado_referral(client, world, adopted,
                                                                                         signed_in, time_machine):
    time_machine.move_to(RECORDED)
    concern = _record(world, children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
                      about_adult=True, subject=world.personas[Role.DSL], subject_relationship="staff")
    lado = Action.objects.get(concern_id=concern.pk, action_code="refer-lado")
    own_steps = list(Action.objects.filter(concern_id=concern.pk, owner=world.personas[Role.STAFF]))
    assert own_steps

    signed_in(world.personas[Role.STAFF])
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert all(f"/actions/{step.pk}/" in page for step in own_steps)
    assert "Refer the allegation to the LADO" not in page and f"/actions/{lado.pk}/" not in page

    signed_in(world.personas[Role.DEPUTY_DSL])
    assert "Refer the allegation to the LADO" in client.get(f"/concerns/{concern.pk}/").content.decode()


def test_the_recorders_inbox_in_the_api_does_not_count_the_teams_overdue_actions(client, world, adopted,
                                                                               token_for, time_machine):
    time_machine.move_to(RECORDED)
    concern = _record(world)
    time_machine.move_to(datetime(2026, 11, 30, 12, 0, tzinfo=LONDON))  # every step is late by now

    rows = client.get("/api/v1/concerns/inbox/", **token_for(world.personas[Role.STAFF])).json()
    assert [(row["id"], row["overdue_actions"]) for row in rows] == [(concern.pk, None)]
    rows = client.get("/api/v1/concerns/inbox/", **token_for(world.personas[Role.DSL])).json()
    assert next(row for row in rows if row["id"] == concern.pk)["overdue_actions"] >= 1


def test_the_linked_homes_file_gets_the_note_and_not_the_schools_addenda_or_reasoning(client, world, adopted,
                                                                                    signed_in, token_for,
                                                                                    time_machine):
    time_machine.move_to(RECORDED)
    home_lead = link_school_and_home(world)[2]
    concern = _record(world)
    _the_case_follows(world, concern)
    child = world.children["here"]

    signed_in(home_lead)
    page = client.get(f"/chronology/{child.pk}/?tracked=1").content.decode()
    assert "Note from Establishment here" in page
    for words in (RATIONALE, TEAMS_ADDENDUM, RECORDERS_ADDENDUM, "Triage by"):
        assert words not in page
    printout = client.get(f"/chronology/{child.pk}/?print=1").content.decode()
    assert "Note from Establishment here" in printout and RATIONALE not in printout
    api = client.get(f"/api/v1/children/{child.pk}/chronology/", **token_for(home_lead)).json()
    summaries = " ".join(entry["summary"] for entry in api["results"])
    assert "Establishment here" in summaries
    assert RATIONALE not in summaries and TEAMS_ADDENDUM not in summaries

    signed_in(world.personas[Role.DSL])  # the school's own lead reads all of it, and the home's acknowledgement
    page = client.get(f"/chronology/{child.pk}/").content.decode()
    assert RATIONALE in page and TEAMS_ADDENDUM in page and "Note from Establishment here" in page


def test_the_linked_homes_lead_cannot_reach_the_schools_triage_entry_to_mark_it(client, world, adopted, token_for,
                                                                                 time_machine):
    time_machine.move_to(RECORDED)
    home_lead = link_school_and_home(world)[2]
    concern = _record(world)
    _the_case_follows(world, concern)
    triage = ChronologyEntry.objects.get(concern_id=concern.pk, kind="concern.triaged")
    note = ChronologyEntry.objects.get(concern_id=concern.pk, kind="concern.linked_note")

    auth = token_for(home_lead)
    refused = client.post(f"/api/v1/chronology/entries/{triage.pk}/key-event/", {"key": True},
                          content_type="application/json", **auth)
    assert refused.status_code == 404 and not KeyEventMark.objects.filter(entry=triage).exists()
    marked = client.post(f"/api/v1/chronology/entries/{note.pk}/key-event/", {"key": True},
                         content_type="application/json", **auth)
    assert marked.status_code == 200 and KeyEventMark.objects.filter(entry=note, key=True).exists()


def _refer_and_answer(world):
    referral = referrals.referral_record(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"], child=world.children["here"],
        agency="childrens_services", contact=world.contacts["here"], made_at=datetime(2026, 11, 20, 10, 0,
                                                                                    tzinfo=LONDON),
        how="phone", what_shared="What she told me at break.", consent="given",
        lawful_basis="public-task-safeguarding", secure_handling_agreed=True)
    referrals.referral_outcome_record(actor=world.personas[Role.DSL], referral=referral, outcome="s47",
                                      received_at=datetime(2026, 11, 21, 10, 0, tzinfo=LONDON), response="agree",
                                      note="Strategy meeting on Monday; police to attend.")
    return referral


def test_the_referrer_learns_that_it_was_answered_not_the_answer_from_the_selector(client, world, adopted,
                                                                                  signed_in, token_for,
                                                                                  time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 9, 0, tzinfo=LONDON))
    referral = _refer_and_answer(world)

    as_read = referral_selectors.read_referral(world.personas[Role.STAFF], referral.pk)
    assert list(as_read.outcomes.all()) == [] and as_read.answered
    signed_in(world.personas[Role.STAFF])
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert "The safeguarding lead has recorded the agency's answer." in page
    assert "Strategy meeting on Monday" not in page and "section 47" not in page
    assert client.get(f"/api/v1/referrals/{referral.pk}/",
                      **token_for(world.personas[Role.STAFF])).json()["outcomes"] == []

    as_read = referral_selectors.read_referral(world.personas[Role.DSL], referral.pk)
    assert [answer.note for answer in as_read.outcomes.all()] == ["Strategy meeting on Monday; police to attend."]
    signed_in(world.personas[Role.DSL])
    assert "Strategy meeting on Monday" in client.get(f"/referrals/{referral.pk}/").content.decode()


def test_staff_find_a_child_by_name_and_year_group_only(client, world, signed_in, token_for):
    staff, dsl = world.personas[Role.STAFF], world.personas[Role.DSL]
    signed_in(staff)
    page = client.post("/children/", {"q": "child"}).content.decode()
    assert "Child Here" in page and "Year 9" in page
    assert "1 May 2012" not in page and "Date of birth" not in page

    auth = token_for(staff)
    found = client.post("/api/v1/children/search/", {"search": "child"}, content_type="application/json",
                        **auth).json()["results"]
    assert [(c["last_name"], c["year_group"], c["date_of_birth"]) for c in found] == [("Here", "Year 9", None)]
    assert client.get("/api/v1/children/", **auth).json()["results"] == []

    signed_in(dsl)
    assert "1 May 2012" in client.post("/children/", {"q": "child"}).content.decode()
    auth = token_for(dsl)
    assert [c["date_of_birth"] for c in client.get("/api/v1/children/", **auth).json()["results"]] == ["2012-05-01"]
