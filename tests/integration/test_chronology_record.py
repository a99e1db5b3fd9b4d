"""The chronology is the professional record (issue 11, section 4): by default it shows what happened to
the child (concerns, triage decisions, referrals and their outcomes, meetings, plans, shares, moves, key
events); the steps Safekeep tracked are behind a filter; each entry has a one-line summary and a link to its
record for whoever may open that record; the printout and the API say the same."""

import html
import re
import uuid
from datetime import datetime, timedelta

import pytest
from django.db import transaction

from safekeep.accounts import services as accounts
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.chronology.services import chronology_mark_key
from safekeep.concerns import services as concerns
from safekeep.concerns.models import ConcernChild
from safekeep.core.clock import LONDON
from safekeep.meetings.services import meeting_record
from safekeep.referrals import services as referrals
from safekeep.safetyplans import services as plans
from tests.world import link_school_and_home

RECORDED = datetime(2026, 11, 20, 9, 0, tzinfo=LONDON)
RATIONALE = "Older boy seen at the gates twice; gifts; going missing after school."
LONG_DECISIONS = ("Section 47 enquiry to start. " * 12).strip()


def _concern(world, **changes):
    fields = {"actor": world.personas[Role.STAFF], "establishment": world.establishments["here"],
              "children": [{"child": world.children["here"], "role": "harmed", "categories": ["cce"]}],
              "occurred_at": RECORDED, "narrative": "Came back late with new trainers.",
              "idempotency_key": uuid.uuid4().hex} | changes
    with transaction.atomic():
        return concerns.concern_submit(**fields)[0]


def _triage_and_refer(world, concern):
    dsl, child = world.personas[Role.DSL], world.children["here"]
    involved = ConcernChild.objects.get(concern=concern, child=child)
    with transaction.atomic():
        concerns.triage_record(actor=dsl, involved=involved, risk="high", rationale=RATIONALE,
                               categories=involved.categories, outcome="childrens_services")
    with transaction.atomic():
        return referrals.referral_record(
            actor=dsl, establishment=world.establishments["here"], child=child, agency="childrens_services",
            contact=world.contacts["here"], made_at=RECORDED + timedelta(hours=2), how="phone",
            what_shared="What she told me at break.", consent="given", lawful_basis="public-task-safeguarding",
            secure_handling_agreed=True, concern=concern)


def _page(client, child, query=""):
    response = client.get(f"/chronology/{child.pk}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _rows(page) -> list[str]:
    """Each row of the table, as its HTML."""
    return re.findall(r'<tr class="govuk-table__row[^"]*" id="entry-\d+">.*?</tr>', page, flags=re.S)


def _row_for(page, entry) -> str:
    return next(row for row in _rows(page) if f'id="entry-{entry.pk}"' in row)


@pytest.fixture
def case(world, adopted, time_machine):
    time_machine.move_to(RECORDED + timedelta(hours=3))
    concern = _concern(world)
    referral = _triage_and_refer(world, concern)
    return concern, referral


def test_by_default_it_shows_what_happened_to_the_child_and_the_tracked_steps_on_request(client, world, case,
                                                                                        signed_in):
    concern, referral = case
    child = world.children["here"]
    tracked = ChronologyEntry.objects.filter(child=child, kind__startswith="action.")
    assert tracked.filter(kind="action.required").exists(), "the policies required steps for this concern"
    signed_in(world.personas[Role.DSL])

    page = _page(client, child)
    assert "Concern recorded</p>" in page and "Triage decision</p>" in page and "Referral to another agency</p>" in page
    assert "Required:" not in page and "Action the policies require" not in page
    assert "Concern read by the safeguarding team" not in page
    hidden = ChronologyEntry.objects.filter(child=child).count() - len(_rows(page))
    assert hidden == tracked.count() + ChronologyEntry.objects.filter(child=child, kind="concern.read").count() > 0
    assert f"{hidden} steps Safekeep tracked are not shown: " in page and 'href="?tracked=1"' in page
    assert "Showing what happened to the child." in page

    with_steps = _page(client, child, "?tracked=1")
    assert len(_rows(with_steps)) == ChronologyEntry.objects.filter(child=child).count()
    assert "Required:" in with_steps and "Step Safekeep tracked" in with_steps
    assert "With the steps Safekeep tracked" in with_steps and 'id="tracked" name="tracked" type="checkbox" ' \
        'value="1" aria-describedby="tracked-hint" checked' in with_steps
    # Choosing the actions shows them: they are all tracked steps.
    actions = _page(client, child, "?type=action")
    assert len(_rows(actions)) == tracked.filter(establishment=world.establishments["here"]).count()


def test_a_step_a_dsl_marked_as_a_key_event_is_in_the_record(client, world, case, signed_in):
    dsl, child = world.personas[Role.DSL], world.children["here"]
    step = ChronologyEntry.objects.filter(child=child, kind="action.required").first()
    signed_in(dsl)
    assert f'id="entry-{step.pk}"' not in _page(client, child)
    with transaction.atomic():
        chronology_mark_key(actor=dsl, entry_id=step.pk, key=True, reason="Turning point")
    assert f'id="entry-{step.pk}"' in _page(client, child)
    # Taking the mark away from the page with the tracked steps shown goes back to that page, and the step
    # leaves the record again.
    back = client.post(f"/chronology/entries/{step.pk}/key-event/", {"mark": "0", "tracked": "1"})
    assert back["Location"] == f"/chronology/{child.pk}/?tracked=1#entry-{step.pk}"
    assert f'id="entry-{step.pk}"' not in _page(client, child)
    assert f'id="entry-{step.pk}"' in _page(client, child, "?tracked=1")


def test_each_entry_links_to_its_record_for_the_dsl(client, world, case, signed_in):
    concern, referral = case
    child = world.children["here"]
    signed_in(world.personas[Role.DSL])
    page = _page(client, child, "?tracked=1")
    recorded = ChronologyEntry.objects.get(child=child, kind="concern.recorded")
    triaged = ChronologyEntry.objects.get(child=child, kind="concern.triaged")
    made = ChronologyEntry.objects.get(child=child, kind="referral.made")
    shared = ChronologyEntry.objects.get(child=child, kind="share.recorded")
    step = ChronologyEntry.objects.filter(child=child, kind="action.required").first()
    assert f'href="/concerns/{concern.pk}/">Open the concern' in _row_for(page, recorded)
    assert f'href="/concerns/{concern.pk}/">Open the concern' in _row_for(page, triaged)
    assert f'href="/referrals/{referral.pk}/">Open the referral' in _row_for(page, made)
    # The referral was shared in the register: that share opens the referral it was made with.
    assert f'href="/referrals/{referral.pk}/">Open the referral' in _row_for(page, shared)
    assert f'href="/actions/{step.object_id}/">Open the action' in _row_for(page, step)
    # Every link opens for the DSL.
    for url in set(re.findall(r'href="(/(?:concerns|referrals|actions)/\d+/)"', page)):
        assert client.get(url).status_code == 200, url


def test_a_meeting_and_a_safety_plan_link_to_their_records(client, world, case, signed_in):
    dsl, child, here = world.personas[Role.DSL], world.children["here"], world.establishments["here"]
    with transaction.atomic():
        meeting = meeting_record(actor=dsl, establishment=here, kind="professionals",
                                 held_at=RECORDED + timedelta(hours=1), children=[child],
                                 attendees=[{"name": "A social worker", "role": "", "agency": "Children's services"}],
                                 decisions=LONG_DECISIONS)
    values = {"situations_to_avoid": "The back corridor at break", "check_ins_who": "Ms Shah, head of year",
              "check_ins_how_often": "Every morning", "reporting": "Tell Ms Shah or use the worry box",
              "coping_strategies": "Go to the library", "support_chosen": [],
              "agreed_with_child": True, "agreed_with_parents": True, "agreed_on": RECORDED.date(),
              "review_due": RECORDED.date() + timedelta(days=28)}
    plan = plans.safety_plan_create(actor=dsl, establishment=here, child=child, role="at_risk", values=values)
    signed_in(dsl)
    page = _page(client, child)
    held = ChronologyEntry.objects.get(child=child, kind="meeting.recorded")
    row = _row_for(page, held)
    assert f'href="/meetings/{meeting.pk}/">Open the meeting record' in row
    put = ChronologyEntry.objects.get(child=child, kind="plan.created")
    assert f'href="/safety-plans/{plan.pk}/">Open the safety plan' in _row_for(page, put)
    # A long summary is one line on the page, its whole words a click away; the printout has them all.
    assert "The whole entry" in row and row.count("Section 47 enquiry to start") > 12
    headline = html.unescape(re.search(r'<p class="govuk-body govuk-!-margin-bottom-1">(.*?)</p>', row,
                                       flags=re.S).group(1))
    assert len(headline) <= 161 and headline.endswith("…") and "\n" not in headline
    printed = _page(client, child, "?print=1")
    assert "The whole entry" not in printed and LONG_DECISIONS in printed and "Open the meeting" not in printed


def test_who_reads_the_row_but_may_not_open_the_record_gets_no_link(client, world, adopted, signed_in,
                                                                    time_machine):
    time_machine.move_to(RECORDED + timedelta(hours=3))
    school, home, home_lead = link_school_and_home(world)
    concern = _concern(world)
    child = world.children["here"]
    note = ChronologyEntry.objects.get(child=child, kind="concern.linked_note")
    assert note.establishment == home

    signed_in(home_lead)  # reads the note on the child's file at the home, not the school's concern (CE 11.3)
    page = _page(client, child, "?tracked=1")
    row = _row_for(page, note)
    assert "Note from Establishment here" in row and "Open the" not in row
    assert f"/concerns/{concern.pk}/" not in page
    assert client.get(f"/concerns/{concern.pk}/").status_code == 404

    signed_in(world.personas[Role.DSL])  # the school's lead: the note opens the concern; the home's steps do not
    page = _page(client, child, "?tracked=1")
    assert f'href="/concerns/{concern.pk}/">Open the concern' in _row_for(page, note)
    homes_step = ChronologyEntry.objects.filter(child=child, establishment=home, kind="action.required").first()
    assert homes_step is not None and "Open the" not in _row_for(page, homes_step)
    assert client.get(f"/actions/{homes_step.object_id}/").status_code == 404


def test_the_printout_for_a_case_conference_is_the_record_and_says_what_it_left_out(client, world, case,
                                                                                     signed_in):
    child = world.children["here"]
    signed_in(world.personas[Role.DSL])
    printed = _page(client, child, "?print=1")
    assert "Concern recorded" in printed and RATIONALE in printed and "Referral to another agency" in printed
    assert "Required:" not in printed
    hidden = ChronologyEntry.objects.filter(child=child).count() - len(_rows(printed))
    assert f"Not printed: {hidden} steps Safekeep tracked" in printed
    assert "Open the concern" not in printed  # a printout has no links to follow
    everything = _page(client, child, "?print=1&tracked=1")
    assert "Required:" in everything and "With the steps Safekeep tracked" in everything
    # The page's print link carries the filter.
    assert "print=1&amp;tracked=1" in _page(client, child, "?tracked=1")


def test_the_api_leaves_out_the_tracked_steps_unless_asked_and_links_the_records(client, world, case):
    concern, referral = case
    child = world.children["here"]
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="c", mfa_passed=True)
    dsl = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = f"/api/v1/children/{child.pk}/chronology/"

    body = client.get(url, **dsl).json()
    kinds = {entry["kind"] for entry in body["results"]}
    assert {"concern.recorded", "concern.triaged", "referral.made"} <= kinds
    assert not any(kind.startswith("action.") for kind in kinds) and body["filters"] == {}
    assert all(entry["tracked"] is False for entry in body["results"])
    recorded = next(e for e in body["results"] if e["kind"] == "concern.recorded")
    assert recorded["record_url"] == f"/concerns/{concern.pk}/" and recorded["headline"]
    made = next(e for e in body["results"] if e["kind"] == "referral.made")
    assert made["record_url"] == f"/referrals/{referral.pk}/"

    everything = client.get(url + "?tracked=true", **dsl).json()
    assert everything["count"] == ChronologyEntry.objects.filter(child=child).count() > body["count"]
    assert everything["filters"] == {"tracked": "1"}
    steps = [e for e in everything["results"] if e["kind"] == "action.required"]
    assert steps and all(e["tracked"] and e["record_url"].startswith("/actions/") for e in steps)
    assert client.get(url + "?tracked=false", **dsl).json()["count"] == body["count"]
    # Choosing the type "Actions" shows the steps' rows (set, and done by the record that met them) anyway.
    assert client.get(url + "?type=action", **dsl).json()["count"] == ChronologyEntry.objects.filter(
        child=child, kind__startswith="action.", establishment=world.establishments["here"]).count() >= \
        Action.objects.filter(child=child, concern_id=concern.pk, establishment=world.establishments["here"]).count()


# --- The triage page shows the concern being triaged ------------------------------------------------------------

def test_the_triage_page_shows_the_concern_being_decided_on(client, world, adopted, signed_in, time_machine):
    time_machine.move_to(RECORDED + timedelta(hours=1))
    concern = _concern(world, childs_words="He said I'd get hurt if I told.", place=world.places["here"],
                       location="by the bike shed", action_taken="Listened and told the DSL.",
                       body_marks=[{"side": "front", "region": "head", "description": "Graze above the eye"}])
    involved = ConcernChild.objects.get(concern=concern, child=world.children["here"])
    url = f"/concerns/{concern.pk}/children/{involved.pk}/triage/"
    signed_in(world.personas[Role.DSL])
    page = client.get(url).content.decode()
    facts = html.unescape(page.split('<h2 class="govuk-heading-m">Your decision</h2>')[0])
    assert "20 November 2026, 09:00" in facts  # when it happened (UK time)
    assert "Playground (on site): by the bike shed" in facts
    assert f"{world.personas[Role.STAFF].full_name}, 20 November 2026, 10:00" in facts  # who recorded it, when
    assert "Came back late with new trainers." in facts
    assert "The child's own words, as written" in facts and "He said I'd get hurt if I told." in facts
    assert "Listened and told the DSL." in facts
    assert "Child criminal exploitation (CCE)" in facts  # the categories, in words
    assert "Marks on the body" in facts and "Graze above the eye" in facts
    assert "Add a photo or screenshot" not in page  # the page decides; it does not add to the concern
    # Who may not triage still gets the same 404 as before.
    signed_in(world.personas[Role.STAFF])
    assert client.get(url).status_code == 404
