"""The hotspot flag (CoC 2.4-2.5, 2.5(e)-(f); CE 5.1-5.2): concerns counted by where and when they happened,
at the statutory baseline pack's thresholds or the establishment's own, shown on the DSL's inbox with its
reason; reachable from concerns staff record (house rule: every rule in a shipped pack is reachable)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.concerns.patterns import hotspot_patterns_for
from safekeep.establishments import services as establishments
from safekeep.policy.packs import SHIPPED, parse_pack

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=ZoneInfo("Europe/London"))
RULES = parse_pack((SHIPPED / "statutory-baseline.yaml").read_text(), "statutory-baseline.yaml").hotspots


@pytest.fixture
def bus_stop(world, adopted):
    return establishments.location_add(actor=world.personas[Role.ADMINISTRATOR], establishment=world.establishments["here"],
                                       kind="off_site", name="the bus stop on Park Road")


def _record(world, time_machine, place, days_ago, n):
    time_machine.move_to(NOW, tick=False)
    child = world.children["here"]
    for i in range(n):
        with transaction.atomic():
            concerns.concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                                    children=[{"child": child, "role": "harmed", "categories": []}],
                                    occurred_at=NOW - timedelta(days=days_ago, hours=i), place=place,
                                    narrative="Older boys waiting by the shelter", idempotency_key=f"k{days_ago}-{i}")


def _reasons(world):
    return [pattern.reason for pattern in hotspot_patterns_for(world.personas[Role.DSL])]


def test_the_pack_says_its_numbers_are_safekeeps_own_defaults():
    assert (RULES.place.concerns, RULES.kind.concerns, RULES.year_group.concerns) == (3, 8, 6)
    assert {RULES.place.days, RULES.kind.days, RULES.year_group.days} == {28}
    assert "CoC 2.5(e)" in RULES.place.source and "neither policy gives a number" in RULES.place.source
    assert "CoC 2.5(f)" in RULES.year_group.source


def test_one_concern_short_of_the_threshold_raises_no_flag_and_the_next_one_does(world, bus_stop, time_machine):
    _record(world, time_machine, bus_stop, 2, RULES.place.concerns - 1)
    assert not any("bus stop" in reason for reason in _reasons(world))
    _record(world, time_machine, bus_stop, 3, 1)
    assert (f"{RULES.place.concerns} concerns at the bus stop on Park Road in the last {RULES.place.days} days "
            f"(the flag is set at {RULES.place.concerns})") in " ".join(_reasons(world))


def test_concerns_that_happened_before_the_window_are_not_counted(world, bus_stop, time_machine):
    _record(world, time_machine, bus_stop, RULES.place.days + 1, RULES.place.concerns)
    assert not any("bus stop" in reason for reason in _reasons(world))


def test_the_establishments_own_threshold_is_used_and_audited(world, bus_stop, time_machine):
    _record(world, time_machine, bus_stop, 1, 2)
    establishments.hotspot_thresholds_set(actor=world.personas[Role.HEAD], establishment=world.establishments["here"],
                                          place_concerns=2, place_days=7)
    assert any("2 concerns at the bus stop on Park Road in the last 7 days (the flag is set at 2)" in reason
               for reason in _reasons(world))
    assert AuditEvent.objects.filter(action="hotspots.thresholds.set").exists()


def test_a_year_group_with_enough_concerns_is_flagged(world, bus_stop, time_machine):
    _record(world, time_machine, None, 1, RULES.year_group.concerns)
    assert any(f"{RULES.year_group.concerns} concerns about children in Year 9" in reason for reason in _reasons(world))


def test_staff_cannot_set_the_thresholds_and_see_no_flag(world, bus_stop, time_machine):
    with pytest.raises(NotVisible):
        establishments.hotspot_thresholds_set(actor=world.personas[Role.STAFF],
                                              establishment=world.establishments["here"], place_concerns=1)
    _record(world, time_machine, bus_stop, 1, RULES.place.concerns)
    assert hotspot_patterns_for(world.personas[Role.STAFF]) == []
    assert hotspot_patterns_for(world.personas[Role.GOVERNOR]) == []
