"""How long a member of staff takes to record a concern, and how many interactions it needs.

Run: ./scripts/test bench/test_recording_journey.py -s
It signs in, opens "Record a concern", finds and adds a child, says what happened and sends;
it prints the time from opening the page to the receipt, and the number of clicks and fields.
"""

import time

import pytest

from safekeep.authz.roles import Role
from tests.functional.test_journeys import sign_in
from tests.world import build_world, enrol_totp

pytestmark = pytest.mark.django_db(transaction=True)


class Counted:
    """Counts what a person does on the page: each click, each field filled, each box ticked."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)


def test_recording_journey(page, live_server):
    world = build_world()
    staff = world.personas[Role.STAFF]
    sign_in(page, live_server, staff, enrol_totp(staff))

    person = Counted(page)
    started = time.perf_counter()
    person.click(page.get_by_role("link", name="Record a concern"))
    person.fill(page.get_by_label("Which child? Type part of their name"), "here")
    person.click(page.get_by_role("button", name="Find"))
    person.click(page.get_by_role("button", name="Add Child Here"))
    person.click(page.locator(f"#role-{world.children['here'].pk} input[value=harmed]"))
    person.fill(page.get_by_label("Date it happened"), "2026-11-20")
    person.fill(page.get_by_label("What you saw, heard or were told"), "Crying by the gate; said she was scared.")
    person.click(page.get_by_role("button", name="Send to the safeguarding lead"))
    page.get_by_text("Your concern has been sent").wait_for()
    elapsed = time.perf_counter() - started
    print(f"\nrecording journey: {person.count} interactions, {elapsed:.2f} s of page time "
          "(a person's typing and reading come on top)")
    assert person.count <= 10
