"""The one merge of steps (policy.engine.one_step_per_piece_of_work): the policy engine uses it for the same
step code from two rules or packs, the actions service and the benchmark's generator for steps that are the
same work (docs/domain/actions-and-escalation.md, "One step, shown once")."""

from datetime import UTC, datetime

from safekeep.policy.engine import ConcernFacts, one_step_per_piece_of_work, required_actions
from safekeep.policy.packs import parse_packs, same_steps

POLICE = """\
format: 1
pack: police
title: Police policy
version: "1"
abbreviation: PO
source_document: police.md
review_due: 2027-01-01
categories:
  - code: danger
    label: In danger
    source: PO 1
rules:
  - id: a-call
    title: Call the police when a child is in danger now
    source: PO 2, 3
    when:
      flags_all: [immediate_risk]
    actions:
      - code: police-call
        what: Call the police
        owner: dsl
        deadline: immediately
        met_by: [referral.police]
        notify: [deputy_dsl]
  - id: b-report
    title: Report it to the police
    source: PO 2
    when:
      flags_all: [immediate_risk]
    actions:
      - code: police-report
        what: Report it to the police
        owner: dsl
        deadline: 24 hours
        met_by: [referral.police]
        notify: [head]
        once_per_concern: true
  - id: c-review
    title: The lead reads it
    source: PO 4
    when:
      flags_all: [immediate_risk]
    actions:
      - code: dsl-review
        what: Read the concern today
        owner: dsl
        deadline: immediately
"""
SCHOOL = """\
format: 1
pack: school
title: School policy
version: "1"
abbreviation: SC
source_document: school.md
review_due: 2027-01-01
categories:
  - code: unsafe
    label: Unsafe
    source: SC 1
rules:
  - id: review
    title: The lead decides what happens next
    source: SC 7
    when:
      flags_all: [immediate_risk]
    actions:
      - code: dsl-review
        what: Decide what happens next
        owner: dsl
        deadline: 1 working day
        notify: [head]
"""
PACKS = parse_packs({"police.yaml": POLICE, "school.yaml": SCHOOL})
DANGER = ConcernFacts(frozenset(), frozenset({"immediate_risk"}), "school", "ENG",
                      datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


def by_code(steps):
    return {step.code: step for step in steps}


def test_the_same_step_from_two_packs_is_one_step_in_the_soonest_ones_words_citing_both():
    steps = by_code(required_actions(PACKS, DANGER))  # the engine merges by code only
    review = steps["dsl-review"]
    assert review.what == "Read the concern today"  # due at once, so it comes first; the other is not added
    assert review.source.split("; ") == ["PO 4", "SC 7"]
    assert review.notify == ("head",)
    # Without the packs' same work, "call" and "report" are two steps.
    assert {"police-call", "police-report"} <= set(steps)


def test_steps_that_are_the_same_work_are_one_step_in_the_words_of_each():
    same = same_steps(PACKS)
    assert same["police-call"] == same["police-report"] == {"police-call", "police-report"}
    steps = by_code(one_step_per_piece_of_work(required_actions(PACKS, DANGER), same))
    assert "police-report" not in steps
    police = steps["police-call"]
    assert police.what == "Call the police. Report it to the police"
    assert police.due_at == DANGER.started_at  # the soonest due: immediately, not within 24 hours
    assert police.notify == ("deputy_dsl", "head")
    assert police.once_per_concern  # either says once per concern
    assert steps["dsl-review"].source == "PO 4; SC 7"  # other work is untouched


def test_a_source_inside_another_is_still_cited_and_none_twice():
    """"PO 2" is part of the words "PO 2, 3" but a source of its own: told apart by the "; " between sources."""
    steps = one_step_per_piece_of_work(required_actions(PACKS, DANGER), same_steps(PACKS))
    assert by_code(steps)["police-call"].source.split("; ") == ["PO 2, 3", "PO 2"]
    twice = required_actions(PACKS, DANGER) + required_actions(PACKS, DANGER)
    again = by_code(one_step_per_piece_of_work(sorted(twice, key=lambda s: s.due_at), same_steps(PACKS)))
    assert again["police-call"].source.split("; ") == ["PO 2, 3", "PO 2"]
    assert again["police-call"].what == "Call the police. Report it to the police"  # words said once


def test_nothing_to_merge_is_left_as_it_is():
    steps = required_actions(PACKS, DANGER)
    single = [s for s in steps if s.code == "police-call"]
    assert one_step_per_piece_of_work(single, same_steps(PACKS)) == single
    assert one_step_per_piece_of_work([]) == []
