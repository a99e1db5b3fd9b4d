from datetime import UTC, datetime

import pytest

from safekeep.policy.engine import ConcernFacts, required_actions
from safekeep.policy.packs import PackInvalid, check_together, parse_pack, parse_packs
from tests.unit.test_policy_packs import GOOD

OTHER = """\
format: 1
pack: other
title: Other policy
version: "1"
abbreviation: OT
source_document: other.md
review_due: 2027-01-01
categories:
  - code: grooming
    label: Online grooming
    parent: cse
    source: OT 1
rules:
  - id: police-now
    title: Police when a child is in danger now
    source: OT 2
    when:
      flags_all: [immediate_risk]
    actions:
      - code: police
        what: Call the police
        owner: dsl
        deadline: immediately
  - id: home-notice
    title: Children's homes tell the placing authority
    source: OT 3
    when:
      categories_any: [exploitation]
      establishment_kinds: [childrens_home]
    actions:
      - code: placing-authority
        what: Tell the placing authority
        owner: head
        deadline: 24 hours
"""
FRIDAY = datetime(2026, 11, 6, 15, 0, tzinfo=UTC)


def facts(categories=(), flags=(), kind="school", start=FRIDAY):
    return ConcernFacts(frozenset(categories), frozenset(flags), kind, "ENG", start)


PACKS = parse_packs({"example.yaml": GOOD, "other.yaml": OTHER})


def test_a_child_category_inherits_its_parents_rules_and_tags_across_packs():
    # "grooming" (other pack) sits under "cse" (example pack), which carries the exploitation tag.
    actions = required_actions(PACKS, facts(["grooming"]))
    assert [(a.rule_id, a.owner, a.due_at) for a in actions] == [
        ("refer", "dsl", datetime(2026, 11, 9, 15, 0, tzinfo=UTC))]
    assert actions[0].pack_version == "2026-09-01" and actions[0].source == "EX 10.1"


def test_flags_switch_rules_on_and_off_and_actions_come_soonest_first():
    actions = required_actions(PACKS, facts(["cse"], flags=["immediate_risk"], kind="childrens_home"))
    assert [(a.code, a.due_at) for a in actions] == [
        ("police", FRIDAY),
        ("placing-authority", datetime(2026, 11, 7, 15, 0, tzinfo=UTC)),
    ]  # the 1-working-day referral is replaced by the immediate one when a child is in danger now


def test_nothing_is_required_for_a_concern_no_rule_covers():
    assert required_actions(PACKS, facts(["unrelated"])) == []


def test_packs_adopted_together_may_not_share_a_category_code():
    clash = OTHER.replace("code: grooming", "code: cse")
    errors = check_together([PACKS[0], parse_pack(clash.replace("parent: cse", "parent: exploitation"), "other.yaml",
                                                  alongside={"exploitation": ()})])
    assert [str(e) for e in errors] == ["other.yaml:0: categories.cse: “cse” is also a category of example"]


def test_a_pack_alone_may_not_refer_to_categories_it_does_not_have():
    import pytest

    from safekeep.policy.packs import PackInvalid

    with pytest.raises(PackInvalid, match="“cse” is not a category in this pack or those adopted with it"):
        parse_pack(OTHER, "other.yaml")


def test_an_action_for_some_roles_only_is_required_for_those_children_and_shown_to_the_explorer():
    from safekeep.policy.packs import shipped_packs

    coc = [pack for pack in shipped_packs() if pack.pack == "child-on-child-abuse"]
    started = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def codes(role):
        facts = ConcernFacts(frozenset({"coc_sexual_harassment"}), frozenset(), "school", "ENG", started, role=role)
        return {action.code for action in required_actions(coc, facts)}

    plans = {"safety-plan-child-harmed", "safety-plan-child-responsible", "assess-witnesses"}
    assert codes("harmed") & plans == {"safety-plan-child-harmed"}
    assert codes("alleged_responsible") & plans == {"safety-plan-child-responsible"}
    assert codes("witness") & plans == {"assess-witnesses"}
    assert codes("") & plans == plans  # "what happens when…" does not know the role: it shows them all


def test_the_same_step_from_two_packs_is_one_action_citing_both():
    from safekeep.policy.packs import shipped_packs

    facts = ConcernFacts(frozenset({"coc_sexual_harassment"}), frozenset(), "school", "ENG",
                         datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    reviews = [a for a in required_actions(shipped_packs(), facts) if a.code == "dsl-review"]
    assert len(reviews) == 1 and reviews[0].once_per_concern
    assert "KCSIE" in reviews[0].source and "CoC" in reviews[0].source


def test_once_per_concern_must_be_true_or_false():
    text = GOOD.replace("      - code: ", "      - once_per_concern: perhaps\n        code: ", 1)
    with pytest.raises(PackInvalid) as refused:
        parse_pack(text)
    assert any(e.field.endswith("once_per_concern") and e.message == "must be true or false"
               for e in refused.value.errors)
