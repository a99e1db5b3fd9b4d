"""The rules of DESIGN.md section 3, fed to the three shipped packs: the right actions, owners and due
times, each with a weekend case (Friday 6 November 2026, 16:00) and a bank holiday case
(Thursday 24 December 2026, 16:00, before Christmas and the Boxing Day substitute). Expected
dates are worked out by hand."""

from datetime import datetime

import pytest

from safekeep.policy.deadlines import LONDON
from safekeep.policy.engine import ConcernFacts, required_actions
from safekeep.policy.packs import shipped_packs

PACKS = shipped_packs()
WEEKEND = datetime(2026, 11, 6, 16, 0, tzinfo=LONDON)
CHRISTMAS = datetime(2026, 12, 24, 16, 0, tzinfo=LONDON)
DUE = {  # deadline -> (due from the Friday, due from Christmas Eve)
    "immediately": (WEEKEND, CHRISTMAS),
    "8 hours": (datetime(2026, 11, 7, 0, 0, tzinfo=LONDON), datetime(2026, 12, 25, 0, 0, tzinfo=LONDON)),
    "24 hours": (datetime(2026, 11, 7, 16, 0, tzinfo=LONDON), datetime(2026, 12, 25, 16, 0, tzinfo=LONDON)),
    "1 working day": (datetime(2026, 11, 9, 16, 0, tzinfo=LONDON), datetime(2026, 12, 29, 16, 0, tzinfo=LONDON)),
    "5 working days": (datetime(2026, 11, 13, 16, 0, tzinfo=LONDON), datetime(2027, 1, 5, 16, 0, tzinfo=LONDON)),
    # No term dates loaded: a school day is a working day.
    "5 school days": (datetime(2026, 11, 13, 16, 0, tzinfo=LONDON), datetime(2027, 1, 5, 16, 0, tzinfo=LONDON)),
    "20 working days": (datetime(2026, 12, 4, 16, 0, tzinfo=LONDON), datetime(2027, 1, 26, 16, 0, tzinfo=LONDON)),
}

# (DESIGN.md section 3 trigger, categories, flags, establishment kind, [(rule, action, owner, deadline)])
TABLE = [
    ("any concern", ["neglect"], [], "school", [("base-dsl-alerted", "dsl-review", "dsl", "immediately")]),
    ("immediate risk to a child", ["neglect"], ["immediate_risk"], "school",
     [("base-immediate-risk", "call-police", "dsl", "immediately")]),
    ("exploitation concern", ["cse"], [], "school", [
        ("ce-exploitation-referral", "ce-refer-local-authority", "dsl", "1 working day"),
        ("ce-exploitation-referral", "ce-notify-placing-authority", "dsl", "1 working day"),
        ("ce-inform-group", "ce-email-group-safeguarding", "dsl", "1 working day"),
        ("ce-multi-agency-meeting", "ce-consider-professionals-meeting", "dsl", "5 working days")]),
    ("exploitation concern with immediate risk", ["county_lines"], ["immediate_risk"], "school", [
        ("ce-exploitation-referral-immediate", "ce-refer-local-authority-now", "dsl", "immediately"),
        ("ce-immediate-risk", "ce-notify-police", "dsl", "immediately")]),
    ("online grooming", ["online_grooming"], [], "school",
     [("ce-online-grooming", "ce-record-and-report-grooming", "staff", "immediately")]),
    ("trafficking", ["trafficking"], [], "childrens_home",
     [("ce-trafficking", "ce-report-trafficking-local-authority", "dsl", "immediately")]),
    ("disclosure of exploitation", ["cce"], ["disclosure"], "school", [
        ("ce-disclosure", "ce-report-disclosure-police", "dsl", "immediately"),
        ("ce-disclosure", "ce-report-disclosure-placing-authority", "dsl", "immediately")]),
    ("concern at one half of an integrated pair", ["neglect"], ["integrated_pair"], "school", [
        ("ce-integrated-pair", "ce-share-with-linked-lead", "dsl", "8 hours"),
        ("ce-integrated-pair", "ce-note-on-linked-file", "linked_establishment_dsl", "8 hours")]),
    ("concern about staff, volunteer or contractor", ["allegation_about_adult"], ["about_adult"], "school",
     [("base-about-adult-lado", "refer-lado", "dsl", "1 working day")]),
    ("child-on-child abusive or violent behaviour", ["coc_physical_abuse"], [], "school",
     [("coc-abusive-violent-contact", "contact-childrens-services-police", "dsl", "24 hours")]),
    ("sexual activity involving a child under 13", ["coc_sexual_violence"], ["under_13"], "school", [
        ("coc-under-13-sexual", "report-police", "dsl", "immediately"),
        ("coc-under-13-sexual", "refer-childrens-services", "dsl", "immediately")]),
    ("images shared online", ["coc_nudes_semi_nudes"], ["images_shared_online"], "school",
     [("coc-images-shared-online", "stop-spread", "dsl", "immediately")]),
    ("child-on-child case", ["coc_bullying"], [], "school", [
        ("coc-safety-plans", "safety-plan-child-harmed", "dsl", "1 working day"),
        ("coc-safety-plans", "safety-plan-child-responsible", "dsl", "1 working day"),
        ("coc-assess-witnesses", "assess-witnesses", "dsl", "1 working day")]),
    ("referral planned (non-urgent)", ["neglect"], ["referral_planned"], "school", [
        ("coc-consent-before-referral", "discuss-and-record-consent", "dsl", "24 hours")]),
    ("referral made by someone other than the DSL", ["neglect"], ["referral_planned", "referral_by_non_dsl"],
     "school", [("coc-referral-by-non-dsl", "referral-made-by-staff", "dsl", "immediately")]),
    ("child leaves", ["neglect"], ["child_leaving"], "school", [
        ("base-child-leaving-file", "send-cp-file", "dsl", "5 school days"),
        ("base-child-leaving-file", "confirm-receipt", "dsl", "5 school days")]),
    ("child in a children's home suspected of sexual exploitation", ["cse"], [], "childrens_home", [
        ("base-childrens-home-sexual-exploitation", "notify-ofsted", "head", "24 hours"),
        ("base-childrens-home-sexual-exploitation", "notify-placing-authority", "head", "24 hours")]),
    ("exploitation risks reviewed at governance and SLT meetings", ["cse"], [], "school",
     [("ce-governance-review", "ce-add-to-governance-agenda", "head", "20 working days")]),
]


@pytest.mark.parametrize("case", [0, 1], ids=["weekend", "bank-holiday"])
@pytest.mark.parametrize("trigger,categories,flags,kind,expected", TABLE, ids=[row[0] for row in TABLE])
def test_design_rule(trigger, categories, flags, kind, expected, case):
    start = (WEEKEND, CHRISTMAS)[case]
    actions = required_actions(PACKS, ConcernFacts(frozenset(categories), frozenset(flags), kind, "ENG", start))
    found = {(a.rule_id, a.code): a for a in actions}
    for rule, code, owner, deadline in expected:
        action = found.get((rule, code))
        assert action is not None, f"{trigger}: {rule}/{code} not required; got {sorted(found)}"
        assert (action.owner, str(action.deadline)) == (owner, deadline), trigger
        assert action.due_at == DUE[deadline][case], f"{trigger}: {rule}/{code} due {action.due_at}"
        assert action.source, f"{trigger}: {rule} has no source"


def test_a_school_concern_does_not_start_childrens_home_or_leaving_duties():
    actions = required_actions(PACKS, ConcernFacts(frozenset(["cse"]), frozenset(), "school", "ENG", WEEKEND))
    assert not [a for a in actions if a.rule_id.startswith("base-childrens-home")]
    assert not [a for a in actions if a.rule_id == "base-child-leaving-file"]


def test_the_exploitation_referral_waits_a_working_day_unless_a_child_is_at_risk_now():
    calm = required_actions(PACKS, ConcernFacts(frozenset(["cse"]), frozenset(), "school", "ENG", WEEKEND))
    danger = required_actions(PACKS, ConcernFacts(frozenset(["cse"]), frozenset(["immediate_risk"]), "school", "ENG",
                                                  WEEKEND))
    assert "ce-exploitation-referral" in {a.rule_id for a in calm} - {a.rule_id for a in danger}
    assert "ce-exploitation-referral-immediate" in {a.rule_id for a in danger} - {a.rule_id for a in calm}


def test_the_packs_carry_training_cycles_retention_and_review_dates():
    by_id = {p.pack: p for p in PACKS}
    assert any(t["every"] == "3 years" for t in by_id["child-exploitation"].training)
    assert any(t["audience"] == "dsl" and t["every"] == "2 years" for t in by_id["statutory-baseline"].training)
    retention = " ".join(r["keep"] for r in by_id["statutory-baseline"].retention)
    assert "25 years" in retention and "75 years" in retention
    assert [h["code"] for h in by_id["child-on-child-abuse"].hackett] == [
        "normal", "inappropriate", "problematic", "abusive", "violent"]
    assert by_id["child-on-child-abuse"].safety_plan_template["sections"]
    assert {c["name"] for c in by_id["child-exploitation"].local_contacts} >= {
        "Hillingdon Stronger Families", "Slough Children First"}


def test_no_pack_uses_words_the_policies_reject():
    """CoC 1.3: never "perpetrator" or "abuser"."""
    from safekeep.policy.packs import SHIPPED

    for path in SHIPPED.glob("*.yaml"):
        text = path.read_text().lower()
        assert "perpetrator" not in text and "abuser" not in text, path.name
