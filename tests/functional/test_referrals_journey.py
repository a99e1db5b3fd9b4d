"""In Chromium: a DSL records a referral made before a bank holiday weekend, sees when the answer is due,
the unanswered referral escalates, the DSL challenges the decision; a trafficking concern opens the
NRM tracker with the local authority action. axe on every page."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_referral_is_chased_across_a_bank_holiday_and_trafficking_opens_the_nrm_tracker(page, live_server):
    from safekeep.actions.escalation import escalate_overdue
    from safekeep.concerns import services as concerns
    from safekeep.referrals.models import Referral

    world = build_world()
    adopt_every_shipped_pack(world)
    world.nrm_trackers["here"].delete()  # the child has no NRM tracker until the trafficking concern
    child = world.children["here"]
    dsl = world.personas[Role.DSL]
    sign_in(page, live_server, dsl, enrol_totp(dsl))

    page.goto(f"{live_server.url}/children/{child.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Record a referral").click()
    assert_accessible(page)
    page.get_by_label("Local authority children's services").check()
    page.get_by_label("Which of the establishment's contacts (optional)").select_option(str(world.contacts["here"].pk))
    # Friday 22 May 2026, 4pm: the Monday after is the late May bank holiday.
    page.get_by_label("When was it made?").fill("2026-05-22T16:00")
    page.get_by_label("Phone").check()
    page.get_by_label("Reference the agency gave (if any)").fill("CS-2026-0522")
    page.get_by_label("What did you share with them?").fill("The two concerns this week and the chronology.")
    page.get_by_label("Discussed; the child and parents or carers agreed").check()
    page.get_by_role("radio", name="Yes").check()
    page.get_by_role("button", name="Record the referral").click()
    page.get_by_text("Safekeep will remind you to chase their decision").wait_for()
    expect(page.get_by_text("Tuesday 26 May 2026, 16:00 (1 working day)")).to_be_visible()
    assert_accessible(page)

    referral = Referral.objects.get(reference="CS-2026-0522")
    assert escalate_overdue(referral.chase_action.due_at + timedelta(minutes=5)) == 1
    page.goto(f"{live_server.url}/chronology/{child.pk}/?tracked=1")  # an escalation is a step Safekeep tracked
    expect(page.get_by_text(re.compile("Overdue: Get the decision of Front door here")).first).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/referrals/{referral.pk}/")
    page.get_by_label("No further action").check()
    page.get_by_label("When did you hear?").fill("2026-05-27T10:00")
    page.get_by_label("The DSL challenges the decision").check()
    page.get_by_label("Why you are challenging it, and what you asked for").fill(
        "Three missing episodes in a month: we asked for a strategy discussion.")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text("The agency's decision is recorded").wait_for()
    expect(page.get_by_text("Three missing episodes in a month")).to_be_visible()
    assert_accessible(page)

    concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                            children=[{"child": child, "role": "harmed", "categories": ["trafficking"]}],
                            occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC),
                            narrative="Arrived with an adult who kept his passport.", idempotency_key=uuid.uuid4().hex)
    page.goto(f"{live_server.url}/children/{child.pk}/")
    page.get_by_role("link", name="National Referral Mechanism tracker").click()
    assert_accessible(page)
    page.get_by_label("Who submitted the NRM referral (the first responder)").fill("Front door here")
    page.get_by_label("Date it was submitted").fill("2026-11-21")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The NRM tracker is up to date").wait_for()
    page.goto(f"{live_server.url}/actions/")
    expect(page.get_by_text(re.compile("ask them to refer the child to the National Referral Mechanism")).first).to_be_visible()
    assert_accessible(page)
    assert referral.chase_action.due_at == datetime(2026, 5, 26, 16, 0, tzinfo=ZoneInfo("Europe/London"))
