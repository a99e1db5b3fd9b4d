import pytest

from safekeep.policy.deadlines import Deadline
from safekeep.policy.packs import PackInvalid, parse_pack

GOOD = """\
format: 1
pack: example
title: Example policy
version: "2026-09-01"
abbreviation: EX
source_document: example.md
review_due: 2027-09-01
categories:
  - code: exploitation
    label: Exploitation
    source: EX 2.0
  - code: cse
    label: Child sexual exploitation
    parent: exploitation
    tags: [exploitation]
    source: EX 3.0
    indicators:
      - text: Going missing
        source: EX 5.4
rules:
  - id: refer
    title: Refer to the local authority
    source: EX 10.1
    when:
      tags_any: [exploitation]
      flags_none: [immediate_risk]
    actions:
      - code: refer-la
        what: Refer to the local authority
        owner: dsl
        deadline: 1 working day
        escalation: [deputy_dsl, head]
        notify: [group_safeguarding_email]
training:
  - code: intro
    title: Introduction
    audience: all_staff
    every: 3 years
    source: EX 2.0
"""


def test_a_good_pack_is_read_into_rules_with_deadlines():
    pack = parse_pack(GOOD, "example.yaml")
    assert (pack.pack, pack.version, str(pack.review_due)) == ("example", "2026-09-01", "2027-09-01")
    assert pack.category("cse").parent == "exploitation"
    assert pack.category("cse").indicators[0].source == "EX 5.4"
    action = pack.rules[0].actions[0]
    assert (action.owner, action.deadline, action.escalation) == ("dsl", Deadline.parse("1 working day"),
                                                                  ("deputy_dsl", "head"))
    assert pack.rules[0].when.tags_any == {"exploitation"}


@pytest.mark.parametrize("change,expected", [
    (("deadline: 1 working day", "deadline: 2 weeks"),
     "example.yaml:31: rules[0].actions[0].deadline: “2 weeks” is not a deadline"),
    (("owner: dsl", "owner: caretaker"), "example.yaml:30: rules[0].actions[0].owner: “caretaker” is not one of"),
    (("tags_any: [exploitation]", "tags_any: [exploitaton]"),
     "example.yaml:25: rules[0].when.tags_any: “exploitaton” is not one of: exploitation"),
    (("parent: exploitation", "parent: abuse"), "example.yaml:14: categories[1].parent: “abuse” is not a category"),
    (("    title: Refer to the local authority\n", ""), "example.yaml:21: rules[0].title: is missing"),
    (("every: 3 years", "every: sometimes"), "example.yaml:38: training[0].every: should be like"),
    (("flags_none: [immediate_risk]", "flags_nun: [immediate_risk]"),
     "example.yaml:26: rules[0].when.flags_nun: is not a condition Safekeep knows"),
    (("review_due: 2027-09-01", "review_due: next year"), "example.yaml:7: review_due: should be a date"),
    (("  - code: cse\n", "  - code: exploitation\n"), "example.yaml:12: categories[1].code: “exploitation” is used twice"),
])
def test_mistakes_are_named_by_file_line_and_field(change, expected):
    with pytest.raises(PackInvalid) as refused:
        parse_pack(GOOD.replace(*change), "example.yaml")
    assert any(str(error).startswith(expected) for error in refused.value.errors), str(refused.value)


def test_broken_yaml_is_refused_with_its_line():
    with pytest.raises(PackInvalid, match=r"example.yaml:3: : not valid YAML"):
        parse_pack("format: 1\npack: x\n  title: badly indented\n", "example.yaml")


REFERRALS = GOOD + """\
referrals:
  response_windows:
    - agency: childrens_services
      deadline: 1 working day
      source: EX 10.2
  nrm:
    categories: [cse]
    source: EX 6.4
"""


def test_a_pack_gives_each_agency_its_time_to_answer_and_the_categories_followed_through_the_nrm():
    pack = parse_pack(REFERRALS, "example.yaml")
    window = pack.response_windows[0]
    assert (window.agency, window.deadline, window.source) == ("childrens_services", Deadline.parse("1 working day"),
                                                               "EX 10.2")
    assert (pack.nrm_categories, pack.nrm_source) == ({"cse"}, "EX 6.4")


@pytest.mark.parametrize("change,expected", [
    (("agency: childrens_services", "agency: social_services"),
     "example.yaml:42: referrals.response_windows[0].agency: “social_services” is not one of"),
    (("deadline: 1 working day\n      source: EX 10.2", "deadline: soon\n      source: EX 10.2"),
     "example.yaml:43: referrals.response_windows[0].deadline: “soon” is not a deadline"),
    (("      source: EX 10.2\n", ""), "example.yaml:42: referrals.response_windows[0].source: is missing"),
    (("categories: [cse]", "categories: [trafficking]"), "example.yaml:46: referrals.nrm.categories: “trafficking”"),
    (("categories: [cse]", "categories: []"), "example.yaml:46: referrals.nrm.categories: name at least one"),
    (("  nrm:", "  nrn:"), "example.yaml:45: referrals.nrn: is not part of referrals"),
    (("      source: EX 10.2\n", "      source: EX 10.2\n    - agency: childrens_services\n      deadline: 1 day\n"
                                  "      source: EX 10.3\n"),
     "example.yaml:45: referrals.response_windows[1].agency: “childrens_services” is given two response windows"),
])
def test_mistakes_in_referral_data_are_named_by_file_line_and_field(change, expected):
    with pytest.raises(PackInvalid) as refused:
        parse_pack(REFERRALS.replace(*change), "example.yaml")
    assert any(str(error).startswith(expected) for error in refused.value.errors), str(refused.value)


PEER_GROUPS = GOOD + """\
peer_groups:
  clusters:
    named_within_days: 365
    source: EX 2.5
  cluster_grew:
    at_least_children: 4
    grown_by: 2
    within_days: 28
    source: EX 2.5(f)
  role_changed:
    within_days: 90
    source: EX 3.2
  close_groups:
    at_least_children: 6
    source: EX 2.5(e)
"""


def test_a_pack_gives_the_peer_groups_thresholds_with_their_sources():
    rules = parse_pack(PEER_GROUPS, "example.yaml").peer_groups
    assert (rules.named_within_days, rules.grew_at_least_children, rules.grew_by, rules.grew_within_days,
            rules.role_changed_within_days) == (365, 4, 2, 28, 90)
    assert (rules.clusters_source, rules.grew_source, rules.role_changed_source) == ("EX 2.5", "EX 2.5(f)", "EX 3.2")
    assert parse_pack(GOOD, "example.yaml").peer_groups is None  # a pack without the section sets no pattern
    assert (rules.close_groups_at_least_children, rules.close_groups_source) == (6, "EX 2.5(e)")
    # close_groups is optional: without it no close groups are shown.
    without = PEER_GROUPS.split("  close_groups:")[0]
    assert parse_pack(without, "example.yaml").peer_groups.close_groups_at_least_children is None


@pytest.mark.parametrize("change,expected", [
    (("at_least_children: 4", "at_least_children: four"),
     "example.yaml:45: peer_groups.cluster_grew.at_least_children: should be a whole number from 1 to 3650"),
    (("grown_by: 2", "grown_by: 0"), "example.yaml:46: peer_groups.cluster_grew.grown_by: should be a whole number"),
    (("grown_by: 2", "grown_by: 5"), "example.yaml:44: peer_groups.cluster_grew.grown_by: cannot be more than"),
    (("    source: EX 3.2\n", ""), "example.yaml:50: peer_groups.role_changed.source: is missing"),
    (("  role_changed:", "  role_swapped:"), "example.yaml:49: peer_groups.role_swapped: is not part of peer_groups"),
    (("at_least_children: 6", "at_least_children: many"),
     "example.yaml:53: peer_groups.close_groups.at_least_children: should be a whole number from 1 to 3650"),
    (("    source: EX 2.5(e)\n", ""), "example.yaml:53: peer_groups.close_groups.source: is missing"),
])
def test_mistakes_in_the_peer_groups_thresholds_are_named_by_file_line_and_field(change, expected):
    with pytest.raises(PackInvalid) as refused:
        parse_pack(PEER_GROUPS.replace(*change), "example.yaml")
    assert any(str(error).startswith(expected) for error in refused.value.errors), str(refused.value)


PICTURE = GOOD + """\
exploitation_picture:
  categories: [cse]
  source: EX 5.4
  missing_signs: [Going missing]
  missing_source: EX 5.4
  weeks_without_terms: 13
  weeks_source: Our own choice
"""


def test_a_pack_says_which_signs_a_childs_picture_lists_and_which_a_missing_episode_is():
    picture = parse_pack(PICTURE, "example.yaml").picture
    assert (picture.categories, picture.missing_signs, picture.weeks_without_terms) == (("cse",), ("Going missing",), 13)
    assert (picture.source, picture.missing_source, picture.weeks_source) == ("EX 5.4", "EX 5.4", "Our own choice")
    assert parse_pack(GOOD, "example.yaml").picture is None  # a pack without the section lists no picture


@pytest.mark.parametrize("change,expected", [
    (("categories: [cse]", "categories: [cce]"), "example.yaml:41: exploitation_picture.categories: “cce” is not"),
    (("missing_signs: [Going missing]", "missing_signs: [Went missing]"),
     "example.yaml:43: exploitation_picture.missing_signs: “Went missing” is not a risk factor or indicator"),
    (("weeks_without_terms: 13", "weeks_without_terms: 0"),
     "example.yaml:45: exploitation_picture.weeks_without_terms: should be a whole number from 1 to 52"),
    (("  weeks_source: Our own choice\n", ""), "example.yaml:41: exploitation_picture.weeks_source: is missing"),
    (("  source: EX 5.4\n  missing_signs", "  scores: yes\n  source: EX 5.4\n  missing_signs"),
     "example.yaml:42: exploitation_picture.scores: is not part of exploitation_picture"),
])
def test_mistakes_in_the_picture_section_are_named_by_file_line_and_field(change, expected):
    with pytest.raises(PackInvalid) as refused:
        parse_pack(PICTURE.replace(*change), "example.yaml")
    assert any(str(error).startswith(expected) for error in refused.value.errors), str(refused.value)


def test_the_policy_review_section_is_checked_with_its_line_and_field():
    from safekeep.policy.packs import SHIPPED

    text = (SHIPPED / "child-on-child-abuse.yaml").read_text()
    pack = parse_pack(text, "child-on-child-abuse.yaml", alongside={})
    rules = pack.policy_review
    assert rules.open_before_days == 60 and rules.answers_per_link == 2000 and rules.plan_review_every_days == 91
    assert [q.source.split(",")[0] for q in rules.questions] == ["CoC 14.2"] * 14
    assert [q.audience for q in rules.questionnaires] == ["pupils", "parents", "staff"]
    broken = text.replace("answers_per_link: 2000", "answers_per_link: none").replace(
        "evidence: [training]", "evidence: [gossip]")
    with pytest.raises(PackInvalid) as invalid:
        parse_pack(broken, "child-on-child-abuse.yaml", alongside={})
    fields = {e.field for e in invalid.value.errors}
    assert fields == {"policy_review.questionnaires.answers_per_link", "policy_review.questions[5].evidence"}


def test_a_bare_yes_in_a_questionnaire_is_refused_rather_than_read_as_true():
    from safekeep.policy.packs import SHIPPED

    text = (SHIPPED / "child-on-child-abuse.yaml").read_text().replace('["Yes", "Not sure", "No"]', "[Yes, Not sure, No]")
    with pytest.raises(PackInvalid, match="write each answer as text, in quotes"):
        parse_pack(text, "child-on-child-abuse.yaml", alongside={})


TRANSFER = GOOD + """\
transfer:
  link_expires_after_days: 14
  link_source: EX 12.1
  wrong_codes_allowed: 5
  wrong_codes_source: Our own choice
"""


def test_a_pack_says_how_long_the_files_link_stays_open_and_how_many_wrong_codes_lock_it():
    rules = parse_pack(TRANSFER, "example.yaml").transfer
    assert (rules.link_expires_after_days, rules.link_source) == (14, "EX 12.1")
    assert (rules.wrong_codes_allowed, rules.wrong_codes_source) == (5, "Our own choice")
    assert parse_pack(GOOD, "example.yaml").transfer is None


@pytest.mark.parametrize("change,expected", [
    (("link_expires_after_days: 14", "link_expires_after_days: a fortnight"),
     "example.yaml:41: transfer.link_expires_after_days: should be a whole number from 1 to 90"),
    (("wrong_codes_allowed: 5", "wrong_codes_allowed: 0"),
     "example.yaml:43: transfer.wrong_codes_allowed: should be a whole number from 1 to 20"),
    (("  link_source: EX 12.1\n", ""), "example.yaml:41: transfer.link_source: is missing"),
    (("  wrong_codes_source: Our own choice\n", "  wrong_codes_sauce: Our own choice\n"),
     "example.yaml:44: transfer.wrong_codes_sauce: is not part of transfer"),
])
def test_mistakes_in_the_transfer_section_are_named_by_file_line_and_field(change, expected):
    with pytest.raises(PackInvalid) as refused:
        parse_pack(TRANSFER.replace(*change), "example.yaml")
    assert any(str(error).startswith(expected) for error in refused.value.errors), str(refused.value)
