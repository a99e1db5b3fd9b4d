"""Nobody gets more than one email about actions or concerns in ten minutes; the rest comes as one digest
(issue 11, section 3). An immediate risk to a child is never held back."""

from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from django.db import transaction

from safekeep.actions.models import HeldNotice
from safekeep.actions.notifications import send_digests
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.core import clock

pytestmark = pytest.mark.django_db

TUESDAY = datetime(2026, 11, 24, 9, 0, tzinfo=clock.LONDON)
SIX = ["cse", "cce", "neglect", "physical_abuse", "online_grooming", "county_lines"]
WINDOW = timedelta(minutes=10)
ALERT = "Safekeep: a new concern has been recorded"


def _record(world, key, category, **facts):
    with transaction.atomic():
        concerns.concern_submit(
            actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
            children=[{"child": world.children["here"], "role": "harmed", "categories": [category]}],
            occurred_at=clock.now() - timedelta(hours=1), narrative="Seen getting into a car after school",
            idempotency_key=key, **facts)


def _body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _working_morning(world, smtp_server, capture, time_machine, extra=None):
    """Six concerns, one every four minutes, with the minute-by-minute sweep running; then half an hour on."""
    time_machine.move_to(TUESDAY, tick=False)
    sent = defaultdict(list)  # address -> when each email arrived
    seen = 0
    for minute in range(60):
        with capture(execute=True):
            if minute % 4 == 0 and minute // 4 < len(SIX):
                _record(world, f"k{minute}", SIX[minute // 4])
            if extra and minute in extra:
                extra[minute]()
            send_digests()
        for message in smtp_server.messages[seen:]:
            sent[message["To"]].append((clock.now(), message))
        seen = len(smtp_server.messages)
        time_machine.shift(timedelta(minutes=1))
    return sent


def test_after_six_concerns_nobody_gets_more_than_one_email_about_actions_in_ten_minutes(
        world, adopted, smtp_server, django_capture_on_commit_callbacks, time_machine):
    sent = _working_morning(world, smtp_server, django_capture_on_commit_callbacks, time_machine)
    dsl, deputy = world.personas[Role.DSL].email, world.personas[Role.DEPUTY_DSL].email
    assert dsl in sent and deputy in sent and world.personas[Role.GROUP_HEAD].email in sent
    for address, emails in sent.items():
        for (earlier, _), (later, message) in zip(emails, emails[1:], strict=False):
            # Only a new concern's alert comes sooner than ten minutes after the last email (CE 10.1).
            assert later - earlier >= WINDOW or message["Subject"] == ALERT, (address, later, message["Subject"])
    # One email per concern for its team, the alert, the minute it was recorded; its steps wait for the alert.
    assert [message["Subject"] for _, message in sent[dsl]].count(ALERT) == len(SIX)
    assert len(sent[dsl]) <= len(SIX) + 2
    assert sent[dsl][0][0] == TUESDAY
    # Nothing is lost: all that was held has gone out, with its links and no case content.
    assert not HeldNotice.objects.exists()
    for secret in ("Child", "Here", "exploitation", "neglect", "car after school"):
        assert all(secret not in _body(message) for _, message in sent[dsl]), secret
    others = [message for _, message in sent[world.personas[Role.GROUP_HEAD].email]]
    assert any("update" in message["Subject"] for message in others)  # what was held came later


def test_an_immediate_risk_is_never_held_back(world, adopted, smtp_server, django_capture_on_commit_callbacks,
                                              time_machine):
    urgent = {6: lambda: _record(world, "urgent", "cse", immediate_risk=True)}
    sent = _working_morning(world, smtp_server, django_capture_on_commit_callbacks, time_machine, extra=urgent)
    at_six = [message["Subject"] for when, message in sent[world.personas[Role.DSL].email]
              if when == TUESDAY + timedelta(minutes=6)]
    assert "Safekeep: URGENT: a child may be at risk now: a new concern" in at_six
