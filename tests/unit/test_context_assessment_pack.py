"""The child-on-child abuse pack's context_assessment section (CoC 2.4-2.5, 2.5(h), 7.3; the Contextual
Safeguarding Network's context assessment triangles): read into triangles, the triangle for each context, the plan's
review period and its kinds of action; mistakes named by line and field."""

import pytest

from safekeep.policy.packs import SHIPPED, PackInvalid, parse_pack

TEXT = (SHIPPED / "child-on-child-abuse.yaml").read_text()


def test_each_context_has_its_triangle_of_three_sides_and_the_plan_its_review_period_and_actions():
    rules = parse_pack(TEXT, "child-on-child-abuse.yaml", alongside={}).context_assessment
    assert [t.code for t in rules.triangles] == ["school", "neighbourhood", "peers"]
    assert {kind: rules.triangle(kind).code for kind in ("on_site", "off_site", "online", "peer_group")} == {
        "on_site": "school", "off_site": "neighbourhood", "online": "neighbourhood", "peer_group": "peers"}
    assert [s.code for s in rules.triangle("on_site").sides] == ["harm", "features", "capacity"]
    assert all(side.source.startswith("CSN") for t in rules.triangles for side in t.sides)
    assert "CoC 2.5(h)" in rules.source and "CoC 7.3" in rules.source
    assert rules.review_every_days == 42
    referral = rules.action_kind("partnership_referral")
    assert (referral.owner, referral.due_days) == ("dsl", 5) and "2.5(h)" in referral.source
    assert [a.code for a in rules.actions] == ["staff_on_duty", "route_changed", "platform_report",
                                               "partnership_referral", "other"]


@pytest.mark.parametrize("change,field", [
    (("    online: neighbourhood", "    online: forum"), "context_assessment.contexts.online"),
    (("    review_every_days: 42", "    review_every_days: soon"), "context_assessment.plan.review_every_days"),
    (("        owner: head\n        due_days: 7", "        owner: caretaker\n        due_days: 7"),
     "context_assessment.plan.actions[0].owner"),
    (("        - code: capacity\n", "        - code: harm\n"), "context_assessment.triangles[0].sides[2].code"),
])
def test_mistakes_in_the_context_assessment_section_are_named_by_field(change, field):
    assert change[0] in TEXT
    with pytest.raises(PackInvalid) as refused:
        parse_pack(TEXT.replace(*change, 1), "child-on-child-abuse.yaml", alongside={})
    assert field in {e.field for e in refused.value.errors}, str(refused.value)
    assert all(e.line > 0 for e in refused.value.errors)


def test_a_triangle_of_two_sides_is_refused():
    start = TEXT.index("        - code: capacity\n")
    end = TEXT.index("    - code: neighbourhood")
    with pytest.raises(PackInvalid, match="a triangle has three sides or more"):
        parse_pack(TEXT[:start] + TEXT[end:], "child-on-child-abuse.yaml", alongside={})
