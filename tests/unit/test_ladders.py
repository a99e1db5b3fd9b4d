"""The `ladders:` section of a policy pack: who is told in turn when a step is late, and how fast, as data
with its source; and the one-off reading of deadline words into a unit and an amount (migration 0002)."""

import importlib

import pytest

from safekeep.policy.deadlines import Unit
from safekeep.policy.escalation import Interval, combined
from safekeep.policy.packs import PackInvalid, parse_pack, shipped_packs
from tests.unit.test_policy_packs import GOOD

LADDERS = """\
ladders:
  named:
    - code: follow_up
      roles: [deputy_dsl, head]
      source: EX 12.1
  allegation:
    stand_ins:
      regional_director: group_head
    always_last: group_head
    source: EX 11.7
  pace:
    - deadline: immediately
      first_step_after: 30 minutes
      then_every: 30 minutes
      source: EX 12.2
    - {deadline: hours, then_every: 1 hour, source: EX 12.2}
    - {deadline: working days, then_every: 1 working day, source: EX 12.2}
    - {deadline: school days, then_every: 1 working day, source: EX 12.2}
    - {deadline: by date, then_every: 1 working day, source: EX 12.2}
"""


def test_a_pack_reads_its_ladders_with_their_pace_and_sources():
    ladders = parse_pack(GOOD + LADDERS, "example.yaml").ladders
    assert ladders.ladder("follow_up") == ("deputy_dsl", "head")
    assert ladders.stand_ins == {"regional_director": "group_head"} and ladders.always_last == "group_head"
    assert ladders.pace[Unit.IMMEDIATELY].first_step_after == Interval(30, "minutes")
    assert ladders.pace[Unit.HOURS].first_step_after is None  # told when the deadline passes
    assert ladders.sources == {"follow_up": "EX 12.1", "allegation": "EX 11.7"}
    assert parse_pack(GOOD, "example.yaml").ladders is None  # a pack need not have any


@pytest.mark.parametrize("change,expected", [
    (("roles: [deputy_dsl, head]", "roles: [deputy_dsl, bursar]"), "ladders.named[0].roles: “bursar” is not one of"),
    (("first_step_after: 30 minutes", "first_step_after: soon"), "ladders.pace[0].first_step_after: “soon” is not a wait"),
    (("    - {deadline: by date, then_every: 1 working day, source: EX 12.2}\n", ""),
     "ladders.pace: give a pace for every kind of deadline; missing: by date"),
    (("{deadline: hours,", "{deadline: fortnights,"), "ladders.pace[1].deadline: “fortnights” is not one of"),
    (("  allegation:", "  speed: fast\n  allegation:"), "ladders.speed: is not part of ladders"),
    (("always_last: group_head", "always_last: bursar"), "ladders.allegation.always_last: “bursar” is not one of"),
    (("      source: EX 12.1\n", ""), "ladders.named[0].source: is missing"),
])
def test_a_bad_ladder_is_refused_naming_the_line_and_field(change, expected):
    with pytest.raises(PackInvalid) as problem:
        parse_pack(GOOD + LADDERS.replace(*change), "example.yaml")
    assert expected in str(problem.value), str(problem.value)
    assert "example.yaml:" in str(problem.value)


def test_the_statutory_baseline_holds_every_ladder_safekeep_uses_each_with_its_source():
    ladders = combined([pack.ladders for pack in shipped_packs() if pack.ladders])
    assert set(ladders.named) == {"follow_up", "added"}
    assert ladders.named["follow_up"] == ("deputy_dsl", "head", "regional_director", "group_head")
    assert set(ladders.pace) == set(Unit)
    assert all(pace.source for pace in ladders.pace.values()) and all(ladders.sources.values())
    assert "Safekeep's own choice" in ladders.pace[Unit.IMMEDIATELY].source  # the policies are silent: say so


def test_an_organisations_own_pack_replaces_the_baselines_pace_for_one_kind_of_deadline():
    baseline = combined([pack.ladders for pack in shipped_packs() if pack.ladders])
    own = parse_pack(GOOD + LADDERS.replace("first_step_after: 30 minutes", "first_step_after: 15 minutes"),
                     "example.yaml").ladders
    together = combined([baseline, own])
    assert together.pace[Unit.IMMEDIATELY].first_step_after == Interval(15, "minutes")
    assert together.named["added"] == baseline.named["added"]  # what it does not name, it keeps


@pytest.mark.parametrize("words,unit,amount", [
    ("immediately", "immediately", 0), ("24 hours", "hours", 24), ("1 working day", "working days", 1),
    ("5 school days", "school days", 5), ("by 5 March 2026", "by date", 0), ("", "by date", 0),
    ("3 working days", "working days", 3),
])
def test_the_migration_reads_old_deadline_words_once(words, unit, amount):
    migration = importlib.import_module("safekeep.actions.migrations.0002_deadline_as_unit_and_amount")
    assert migration.unit_and_amount(words) == (unit, amount)
