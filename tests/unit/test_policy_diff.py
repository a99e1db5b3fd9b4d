from safekeep.policy.diff import changes_between
from safekeep.policy.packs import SHIPPED, parse_pack
from tests.unit.test_policy_packs import GOOD, REFERRALS


def test_a_revision_is_described_in_sentences():
    old = parse_pack(GOOD, "example.yaml")
    new = parse_pack(GOOD.replace("deadline: 1 working day", "deadline: 24 hours")
                     .replace("escalation: [deputy_dsl, head]", "escalation: [deputy_dsl, head, group_head]")
                     .replace("review_due: 2027-09-01", "review_due: 2028-09-01"), "example.yaml")
    assert changes_between(old, new) == [
        "Review date now 01 September 2028 (was 01 September 2027).",
        "Rule refer: “Refer to the local authority” now due in 24 hours (was 1 working day).",
        "Rule refer: “Refer to the local authority” escalates to deputy_dsl, head, group_head (was deputy_dsl, head).",
    ]


def test_an_unchanged_pack_says_so():
    pack = parse_pack(GOOD, "example.yaml")
    assert changes_between(pack, pack) == ["No change to categories or rules (wording or sources only)."]


def test_a_revision_of_the_referral_data_is_described_in_sentences():
    old = parse_pack(REFERRALS, "example.yaml")
    new = parse_pack(REFERRALS.replace("deadline: 1 working day\n      source: EX 10.2",
                                       "deadline: 2 working days\n      source: EX 10.2")
                     .replace("categories: [cse]", "categories: [cse, exploitation]"), "example.yaml")
    assert changes_between(old, new) == [
        "A referral to local authority children's services is now chased after 2 working days (was 1 working day).",
        "Categories followed through the NRM now: cse, exploitation (was cse).",
    ]


def test_a_change_to_any_other_section_is_named_never_called_no_change():
    """The statutory baseline's hotspot thresholds, say: a pack section with no sentences of its own."""
    text = (SHIPPED / "statutory-baseline.yaml").read_text()
    old = parse_pack(text, "statutory-baseline.yaml")
    new = parse_pack(text.replace("  place:\n    concerns: 3\n", "  place:\n    concerns: 4\n", 1),
                     "statutory-baseline.yaml")
    assert old.hotspots != new.hotspots
    assert changes_between(old, new) == [
        "The hotspots section (hotspots:) changed: read it against the document."]
