"""The recording page never loses or blocks a concern (issue 11, section 5), in Debian's Chromium.

Each journey is checked with axe-core and done at least partly with the keyboard alone."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import expect

from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.concerns.models import Concern
from safekeep.core.clock import LONDON
from tests.functional.conftest import assert_accessible
from tests.functional.test_journeys import sign_in
from tests.world import adopt_every_shipped_pack, build_world, enrol_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "Saw him pushed against the lockers by the science block."


def _record_page(page, live_server):
    world = build_world()
    adopt_every_shipped_pack(world)
    staff = world.personas[Role.STAFF]
    sign_in(page, live_server, staff, enrol_totp(staff))
    page.get_by_role("link", name="Record a concern").click()
    page.wait_for_url(re.compile("/concerns/new/$"))
    page.wait_for_load_state("load")  # htmx is ready: until then the page works as without JavaScript
    return world, staff


def _add_child_by_keyboard(page, label, words, name):
    """Type part of a name and press Enter; the results come in place and focus goes to the first one."""
    page.get_by_label(label).focus()
    page.keyboard.type(words)
    page.keyboard.press("Enter")
    add = page.get_by_role("button", name=f"Add {name}")
    expect(add).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#children-news")).to_contain_text(f"{name.split(',')[0]} added")
    expect(page.locator("input[autofocus]")).to_be_focused()  # the new child's first role


def _is_send(request):
    return request.method == "POST" and 'name="intent"\r\n\r\nsend' in (request.post_data or "")


def test_enter_in_any_field_never_removes_a_child_and_finding_one_keeps_the_place_on_the_page(page, live_server):
    world, _ = _record_page(page, live_server)
    here = world.children["here"]
    noor = Child.objects.create(organisation=world.organisations["one"], first_name="Noor", last_name="Baker",
                                date_of_birth="2013-02-02", year_group="Year 8")
    Enrolment.objects.create(child=noor, establishment=world.establishments["here"], mis_id="NB")
    urls = []
    page.on("request", lambda request: urls.append(request.url))
    page.evaluate("window.skNotReloaded = true")  # gone if the page is loaded again

    # Keyboard only: find and add each child, choose a role; focus follows the part that changed.
    _add_child_by_keyboard(page, "Which child? Type part of their name", "here", "Child Here")
    expect(page.locator(f"#role-{here.pk}-harmed")).to_be_focused()
    expect(page.locator("#children-news")).to_have_text(re.compile("Child Here added"))
    page.keyboard.press("Space")
    expect(page.locator(f"#role-{here.pk}-harmed")).to_be_checked()
    page.get_by_text("What kind of concern, for Child").click()
    category = page.locator(f"#kinds-{here.pk} input[type=checkbox]").first
    category.check()
    _add_child_by_keyboard(page, "Add another child", "noor", "Noor Baker, Year 8")
    expect(page.locator(f"#role-{noor.pk}-harmed")).to_be_focused()
    page.locator(f"#role-{noor.pk}-witness").check()
    assert page.evaluate("window.skNotReloaded") is True  # updated in place, never reloaded at the top
    assert not [url for url in urls if "here" in url.lower() or "noor" in url.lower()]  # names never in URLs
    assert_accessible(page)

    # Enter in a text field, the search box (empty) and a date: both children stay, with roles and kinds.
    for field in ("Where, in your own words (optional)", "Add another child", "Date it happened"):
        page.get_by_label(field).focus()
        page.keyboard.press("Enter")
    page.get_by_label("Where, in your own words (optional)").fill("By the lockers")
    page.get_by_label("Where, in your own words (optional)").press("Enter")
    expect(page.get_by_role("group", name="Child Here")).to_be_visible()
    expect(page.get_by_role("group", name="Noor Baker, Year 8")).to_be_visible()
    expect(page.locator(f"#role-{here.pk}-harmed")).to_be_checked()
    expect(page.locator(f"#role-{noor.pk}-witness")).to_be_checked()
    expect(category).to_be_checked()
    expect(page.get_by_label("Where, in your own words (optional)")).to_have_value("By the lockers")

    # Removing is a choice of its own: the button says whom, and the rest stays.
    page.get_by_role("button", name="Remove Noor").click()
    expect(page.get_by_role("group", name="Noor Baker, Year 8")).to_have_count(0)
    expect(page.get_by_label("Add another child")).to_be_focused()
    expect(page.locator(f"#role-{here.pk}-harmed")).to_be_checked()
    assert page.evaluate("window.skNotReloaded") is True
    assert_accessible(page)


def test_a_concern_from_earlier_today_with_no_time_is_sent_and_says_the_time_is_not_known(page, live_server,
                                                                                           time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=LONDON), tick=True)  # before noon
    world, staff = _record_page(page, live_server)
    here = world.children["here"]
    expect(page.get_by_text("Leave it blank if you do not know")).to_be_visible()
    _add_child_by_keyboard(page, "Which child? Type part of their name", "here", "Child Here")
    page.keyboard.press("Space")
    page.get_by_label("Date it happened").fill("2026-12-01")
    page.get_by_label("What you saw, heard or were told").fill(NARRATIVE)
    send = page.get_by_role("button", name="Send to the safeguarding lead")
    send.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your concern has been sent")).to_be_visible()
    expect(page.get_by_text(re.compile(r"About 1 December 2026, 09:0\d"))).to_be_visible()
    assert_accessible(page)
    concern = Concern.objects.get(recorded_by=staff)
    assert concern.occurred_approximately and concern.occurred_at <= concern.recorded_at
    assert concern.occurred_at.astimezone(LONDON).date().isoformat() == "2026-12-01"
    assert concern.children_involved.get().child == here


def test_a_failed_send_keeps_the_page_and_the_words_and_trying_again_sends_once(page, live_server, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 10, 15, tzinfo=LONDON), tick=True)
    world, staff = _record_page(page, live_server)
    sent = Concern.objects.filter(recorded_by=staff)
    answers = ["network down", "busy", "sent but the answer lost"]

    def refuse(route, request):
        if not _is_send(request) or not answers:
            return route.continue_()
        answer = answers.pop(0)
        if answer == "network down":
            return route.abort("internetdisconnected")
        if answer == "busy":
            return route.fulfill(status=503, body="Service Unavailable")
        route.fetch()  # it reaches Safekeep and is recorded, but the answer never comes back
        return route.fulfill(status=502, body="Bad Gateway")

    _add_child_by_keyboard(page, "Which child? Type part of their name", "here", "Child Here")
    page.keyboard.press("Space")
    page.route(re.compile(r"/concerns/new/$"), refuse)
    page.get_by_label("Date it happened").fill("2026-12-01")  # today, the time left blank
    page.get_by_label("What you saw, heard or were told").fill(NARRATIVE)
    page.get_by_label("The child's own words (optional)").fill("  he said   don't tell  ")
    page.get_by_role("button", name="Send to the safeguarding lead").click()

    failed = page.locator("#send-failed")
    expect(failed).to_be_focused()
    expect(failed).to_contain_text("Your concern has not been sent")
    expect(failed).to_contain_text("Nothing was sent: Safekeep could not be reached")
    expect(page.get_by_label("What you saw, heard or were told")).to_have_value(NARRATIVE)
    expect(page.get_by_label("The child's own words (optional)")).to_have_value("  he said   don't tell  ")
    assert re.search(r"/concerns/new/$", page.url) and not sent.exists()

    # Keyboard only: Tab from the message to "Try sending again", then Enter.
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Try sending again")).to_be_focused()
    page.keyboard.press("Enter")
    expect(failed).to_contain_text("Safekeep could not take it just now")
    expect(failed).to_be_focused()
    assert not sent.exists()
    assert_accessible(page)

    with page.expect_response(lambda response: response.status == 502):
        page.get_by_role("button", name="Try sending again").click()  # recorded, but the answer was lost
    expect(failed).to_be_visible()
    assert sent.count() == 1
    time_machine.shift(300)  # five minutes later, the same key and the same words: the same concern
    page.get_by_role("button", name="Try sending again").click()
    expect(page.get_by_text("Your concern has been sent")).to_be_visible()
    assert_accessible(page)
    assert sent.count() == 1
    assert sent.get().childs_words == "  he said   don't tell  "


def test_a_mark_is_placed_by_tapping_the_figure_or_with_the_keyboard(page, live_server):
    world, staff = _record_page(page, live_server)
    _add_child_by_keyboard(page, "Which child? Type part of their name", "here", "Child Here")
    page.keyboard.press("Space")
    page.get_by_label("Date it happened").fill("2026-11-20")
    page.get_by_label("What you saw, heard or were told").fill(NARRATIVE)

    # Tap the back figure: the radios and the list (the alternative) say the same.
    page.get_by_role("button", name="Back: Left forearm or wrist").click()
    expect(page.get_by_label("Back", exact=True)).to_be_checked()
    expect(page.get_by_label("Where on the body")).to_have_value("left_forearm")
    expect(page.get_by_role("button", name="Back: Left forearm or wrist")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("Chosen: back, left forearm or wrist.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What the mark looks like").fill("Red finger marks, about 4 cm")
    page.get_by_role("button", name="Add the mark").click()
    expect(page.get_by_text("Back, left forearm or wrist:")).to_be_visible()

    # Keyboard only: one Tab stop per figure, arrows move between places, Space or Enter chooses.
    head = page.get_by_role("button", name="Front: Head or face")
    head.focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="Front: Neck")).to_be_focused()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("button", name="Front: Right foot")).to_be_focused()
    page.keyboard.press("Enter")  # chooses the place; it never sends the form
    expect(page.get_by_label("Front", exact=True)).to_be_checked()
    expect(page.get_by_label("Where on the body")).to_have_value("right_foot")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Back: Head or face")).to_be_focused()
    page.get_by_label("What the mark looks like").fill("Graze on the top of the foot")
    page.get_by_role("button", name="Add the mark").click()
    expect(page.get_by_text("Front, right foot:")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Send to the safeguarding lead").click()
    expect(page.get_by_text("Your concern has been sent")).to_be_visible()
    concern = Concern.objects.get(recorded_by=staff)
    assert {(m.side, m.region) for m in concern.body_marks.all()} == {("back", "left_forearm"),
                                                                        ("front", "right_foot")}
