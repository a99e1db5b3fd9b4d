"""The proof that no rule of a shipped pack is dead: for every rule of every pack in safekeep/policy/packs,
something recorded through the services fires it, and something where its trigger is not met does not.

Each rule has a recipe: what to record to fire it, and what to record that does not. A rule with no recipe
fails ("no recipe for rule X"), and so does a recipe for a rule no pack has. The steps a rule sets are found
by their code: the same step from two rules is one action that cites both sources (engine.one_step_per_piece_of_work),
so a step counts as this rule's when it carries its rule id or its source.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from safekeep.accounts import services as accounts
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.children.models import Child
from safekeep.concerns import services as concerns
from safekeep.core.clock import LONDON
from safekeep.imports import services as imports
from safekeep.policy.packs import same_steps, shipped_packs
from safekeep.referrals import services as referrals
from tests.world import adopt_every_shipped_pack, link_school_and_home

PACKS = shipped_packs()
RULES = {rule.id: rule for pack in PACKS for rule in pack.rules}
SAME_WORK = same_steps(PACKS)  # steps that are the same piece of work (docs/domain/actions-and-escalation.md)
# Friday 20 November 2026, 10:00: the children loaded below are 14, 14, 14 and 8 then.
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=LONDON)
PUPILS = ("Admission Number,UPN,Legal Forename,Legal Surname,Preferred Forename,Date of Birth,Gender,Year Group,"
          "SEN Status,Looked After\n"
          "E1,,Sam,Second,,01/03/2012,Male,Year 9,N,No\n"
          "E2,,Wren,Witness,,01/04/2012,Female,Year 9,N,No\n"
          "E3,,Pip,Young,,01/06/2018,Male,Year 3,N,No\n")


@dataclass
class Place:
    """The world for one rule: the school with every shipped pack adopted, its pupils, and the linked home
    when a recipe asks for it."""
    world: object
    pupils: dict
    home_lead: object = None

    @property
    def school(self):
        return self.world.establishments["here"]

    @property
    def home(self):
        return self.world.establishments["region"]

    def link(self):
        if self.home_lead is None:
            *_, self.home_lead = link_school_and_home(self.world)


def _load_pupils(world, django_capture_on_commit_callbacks) -> dict:
    """The school's MIS file, loaded as its administrator does."""
    batch, errors = imports.import_check(actor=world.personas[Role.ADMINISTRATOR],
                                         establishment=world.establishments["here"], kind="children",
                                         file_name="pupils.csv", data=PUPILS.encode())
    assert not errors, errors
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_start(actor=world.personas[Role.ADMINISTRATOR], batch=batch, background=False)
    return {child.first_name.lower(): child for child in Child.objects.filter(first_name__in=("Sam", "Wren", "Pip"))}


@pytest.fixture
def place(world, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(NOW)
    adopt_every_shipped_pack(world)
    return Place(world, _load_pupils(world, django_capture_on_commit_callbacks))


# --- what to record -------------------------------------------------------------------------------------

def concern(*children, at=None, by=None, **fields):
    """A recipe step: a concern about (child key, role, categories) ... recorded by a member of staff at the
    school (or `at` the home). A child key names a pupil, or "here" and "region" the world's children."""

    def record(p: Place):
        where = p.home if at == "home" else p.school
        actor = by(p) if by else p.world.people["region" if at == "home" else "here"]
        involved = [{"child": p.pupils.get(key) or p.world.children[key], "role": role, "categories": list(codes)}
                    for key, role, codes in children]
        extra = {"subject_relationship": "staff", "subject_description": "A teaching assistant"} \
            if fields.get("about_adult") else {}
        concerns.concern_submit(actor=actor, establishment=where, children=involved,
                                occurred_at=NOW - timedelta(hours=1), narrative="What the member of staff saw.",
                                idempotency_key=uuid.uuid4().hex, **extra | fields)
    return record


def harmed(*codes, **fields):
    return concern(("here", "harmed", codes), **fields)


def linked(step):
    def record(p: Place):
        p.link()
        step(p)
    return record


def referral(by=Role.DSL, **changes):
    def record(p: Place):
        fields = {"actor": p.world.personas[by], "establishment": p.school, "child": p.world.children["here"],
                  "agency": "childrens_services", "contact": p.world.contacts["here"], "made_at": NOW - timedelta(hours=1),
                  "how": "phone", "what_shared": "The concern and the chronology.", "consent": "given",
                  "lawful_basis": "public-task-safeguarding", "secure_handling_agreed": True} | changes
        referrals.referral_record(**fields)
    return record


def leaving(at="school"):
    def record(p: Place):
        if at == "home":
            p.link()
            actor, where, child = p.home_lead, p.home, p.world.children["region"]
        else:
            actor, where, child = p.world.personas[Role.DSL], p.school, p.world.children["here"]
        cases.child_leaving_record(actor=actor, child=child, establishment=where, destination="Another school",
                                   leaves_on=NOW.date() + timedelta(days=7))
    return record


def refused(step, field):
    """The rule is the record's own check: it refuses what the rule says is missing (and writes nothing)."""
    def record(p: Place):
        with pytest.raises(ValidationError) as error:
            step(p)
        assert field in error.value.message_dict
    return record


# rule id -> (record that fires it, record that does not)
RECIPES = {
    # Statutory baseline
    "base-dsl-alerted": (harmed("neglect"), referral()),
    "base-immediate-risk": (harmed("neglect", immediate_risk=True), harmed("neglect")),
    "base-allegation-lado": (harmed("allegation_about_adult"), harmed("allegation_about_adult", about_adult=True)),
    "base-about-adult-lado": (harmed("allegation_about_adult", about_adult=True), harmed("allegation_about_adult")),
    "base-fgm-police": (harmed("fgm"), harmed("neglect")),
    "base-child-leaving-file": (leaving(), leaving(at="home")),
    # A school's concern about a child placed at the linked home: the home's own duty, at the home.
    "base-childrens-home-sexual-exploitation": (linked(harmed("cse")), linked(concern(("sam", "harmed", ["cse"])))),
    "base-childrens-home-police-incident": (concern(("region", "harmed", ["neglect"]), at="home", immediate_risk=True),
                                            harmed("neglect", immediate_risk=True)),
    "base-radicalisation-prevent": (harmed("radicalisation"), harmed("neglect")),
    # Child on child
    "coc-alert-dsl": (harmed("coc_bullying"), harmed("neglect")),
    "coc-abusive-violent-contact": (harmed("coc_physical_abuse"), harmed("coc_physical_abuse", immediate_risk=True)),
    "coc-abusive-violent-immediate-risk": (harmed("coc_physical_abuse", immediate_risk=True),
                                           harmed("coc_physical_abuse")),
    "coc-no-names-consultation": (harmed("coc_bullying"), harmed("coc_bullying", immediate_risk=True)),
    "coc-under-13-sexual": (concern(("pip", "harmed", ["coc_sexual_violence"])), harmed("coc_sexual_violence")),
    "coc-images-shared-online": (harmed("coc_nudes_semi_nudes", images_shared=True), harmed("coc_nudes_semi_nudes")),
    "coc-safety-plans": (concern(("here", "harmed", ["coc_bullying"]), ("sam", "alleged_responsible", ["coc_bullying"])),
                         harmed("neglect")),
    # The witness is named with no category of their own.
    "coc-assess-witnesses": (concern(("here", "harmed", ["coc_physical_abuse"]), ("wren", "witness", [])),
                             concern(("here", "harmed", ["neglect"]), ("wren", "witness", []))),
    "coc-consent-before-referral": (refused(referral(consent="not_sought"), "consent_note"),
                                    referral(consent="not_sought", urgent=True)),
    "coc-referral-by-non-dsl": (referral(by=Role.STAFF), referral()),
    # Child exploitation
    "ce-immediate-risk": (harmed("cse", immediate_risk=True), harmed("cse")),
    "ce-exploitation-referral": (harmed("cce"), harmed("cce", disclosure=True)),
    "ce-exploitation-referral-immediate": (harmed("cce", immediate_risk=True),
                                           harmed("cce", immediate_risk=True, disclosure=True)),
    "ce-inform-group": (harmed("cse"), harmed("neglect")),
    "ce-multi-agency-meeting": (harmed("county_lines"), harmed("neglect")),
    "ce-governance-review": (harmed("cse"), harmed("neglect")),
    "ce-online-grooming": (harmed("online_grooming"), harmed("cse")),
    "ce-trafficking": (harmed("trafficking"), harmed("cse")),
    "ce-disclosure": (harmed("cse", disclosure=True), harmed("cse")),
    "ce-integrated-pair": (linked(harmed("neglect")), linked(concern(("sam", "harmed", ["neglect"])))),
    "ce-concern-about-adult": (harmed("allegation_about_adult", about_adult=True), harmed("allegation_about_adult")),
}
# Recipes whose rule is the record's own check rather than a step (see refused).
CHECKS = {"coc-consent-before-referral"}


def test_every_rule_of_every_shipped_pack_has_a_recipe_and_every_recipe_a_rule():
    missing = [f"no recipe for rule {rule_id}" for rule_id in RULES if rule_id not in RECIPES]
    unknown = [f"recipe for {rule_id}, which no shipped pack has" for rule_id in RECIPES if rule_id not in RULES]
    assert not missing + unknown, "; ".join(missing + unknown)


def _made_by(step, p: Place) -> list[Action]:
    before = Action.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    step(p)
    return list(Action.objects.filter(pk__gt=before))


def _from_rule(rule, action: Action) -> bool:
    """The step is this rule's: its rule id, or (when another rule set the same step too) its source."""
    shared_source = any(other.id != rule.id and other.source == rule.source and
                        {s.code for s in other.actions} & {s.code for s in rule.actions} for other in RULES.values())
    return action.rule_id == rule.id or (not shared_source and rule.source in action.source.split("; "))


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_the_rule_fires_when_its_trigger_is_met_and_not_otherwise(rule_id, place):
    rule, (fire, miss) = RULES[rule_id], RECIPES.get(rule_id, (None, None))
    assert fire is not None, f"no recipe for rule {rule_id}"
    fired = _made_by(fire, place)
    if rule_id not in CHECKS:
        for spec in rule.actions:
            # The same work from two rules is one step (one rule id, both sources): either code counts.
            assert any(a.action_code in SAME_WORK.get(spec.code, {spec.code}) and _from_rule(rule, a)
                       for a in fired), \
                f"{rule_id}: recording its trigger set no “{spec.code}”; set {sorted(a.action_code for a in fired)}"
    quiet = _made_by(miss, place)
    codes = {spec.code for spec in rule.actions}
    wrongly = [a.action_code for a in quiet if a.action_code in codes and _from_rule(rule, a)]
    assert not wrongly, f"{rule_id} fired without its trigger: {wrongly}"


def test_a_cse_concern_at_the_school_sets_the_linked_homes_own_duties_there(place, smtp_server,
                                                                           django_capture_on_commit_callbacks):
    place.link()
    with django_capture_on_commit_callbacks(execute=True):
        harmed("cse")(place)
    child = place.world.children["here"]
    at_home = Action.objects.filter(child=child, establishment=place.home)
    notify = {a.action_code: a for a in at_home.filter(rule_id="base-childrens-home-sexual-exploitation")}
    assert set(notify) == {"notify-ofsted", "notify-placing-authority"}
    assert {a.owner_role for a in notify.values()} == {"head"}  # the home's registered manager
    assert notify["notify-ofsted"].source.startswith("CH(E)R 2015 reg 40")
    # Only the home's duties go to the home: the school's steps stay at the school, once.
    assert not at_home.filter(action_code="ce-refer-local-authority").exists()
    assert Action.objects.filter(child=child, establishment=place.school, action_code="ce-refer-local-authority").count() == 1
    assert not Action.objects.filter(child=child, establishment=place.school, action_code="notify-ofsted").exists()
    # The home's team is told (its lead is notified, as the rule says), without the case in the email.
    home_mail = [m for m in smtp_server.messages if m["To"] == place.home_lead.email]
    assert home_mail
    assert all("cse" not in m.get_body(preferencelist=("plain",)).get_content().lower() for m in home_mail)


def test_a_witness_with_no_category_is_assessed_and_a_harmed_child_is_not_asked_to_be(place):
    concern(("here", "harmed", ["coc_physical_abuse"]), ("wren", "witness", []))(place)
    assess = Action.objects.filter(action_code="assess-witnesses")
    assert [a.child for a in assess] == [place.pupils["wren"]]
    assert assess.get().source == "CoC 11.4"


def test_a_child_under_13_placed_as_normal_with_no_further_action_needs_the_reason(place):
    concern(("pip", "harmed", ["coc_sexual_harassment"]))(place)
    involved = place.pupils["pip"].concerns_involved.get()
    decision = {"risk": "low", "rationale": "Two children in Year 3 playing", "categories": ["coc_sexual_harassment"],
                "hackett": "normal", "hackett_rationale": "Curiosity", "outcome": "nfa"}
    dsl = place.world.personas[Role.DSL]
    with pytest.raises(ValidationError) as error:
        concerns.triage_record(actor=dsl, involved=involved, **decision)
    assert "can never consent" in error.value.message_dict["under_13_reason"][0]
    assert not involved.triages.exists()
    triage = concerns.triage_record(actor=dsl, involved=involved, under_13_reason="Spoke to both families: "
                                    "developmentally expected play, no power imbalance", **decision)
    assert triage.under_13_reason.startswith("Spoke to both families")
    # A 14-year-old's "normal" with no further action needs no such reason.
    concern(("sam", "harmed", ["coc_sexual_harassment"]))(place)
    older = place.pupils["sam"].concerns_involved.get()
    assert concerns.triage_record(actor=dsl, involved=older, **decision).under_13_reason == ""



def test_the_recording_page_asks_whether_images_are_being_shared_and_the_dsl_is_asked_to_stop_them(
        client, place, signed_in):
    world, here = place.world, place.world.children["here"]
    signed_in(world.people["here"])
    page = client.get(f"/concerns/new/?child={here.pk}").content.decode()
    assert "Images or videos of a child are being shared" in page
    key = page.split('name="key" value="')[1].split('"')[0]
    sent = client.post("/concerns/new/", {
        "key": key, "establishment": place.school.pk, "child": [here.pk], f"role-{here.pk}": "harmed",
        "narrative": "A picture of her is going round Year 9.", "occurred_date": "2026-11-20",
        "occurred_time": "08:30", "images_shared": "yes", "intent": "send"})
    assert sent.status_code == 302
    made = Action.objects.get(child=here, action_code="stop-spread")
    assert (made.owner_role, made.deadline, made.source) == ("dsl", "immediately", "CoC 10.2, 10.3")
    concern_id = made.concern_id
    signed_in(world.personas[Role.DSL])
    assert "Images or videos being shared" in client.get(f"/concerns/{concern_id}/").content.decode()
    _, token = accounts.api_token_create(actor=world.personas[Role.DSL], name="script", mfa_passed=True)
    body = client.get(f"/api/v1/concerns/{concern_id}/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert body["images_shared"] is True


def test_the_triage_page_warns_about_a_child_under_13_and_keeps_the_decision_until_a_reason_is_given(
        client, place, signed_in):
    concern(("pip", "harmed", ["coc_sexual_harassment"]))(place)
    involved = place.pupils["pip"].concerns_involved.get()
    signed_in(place.world.personas[Role.DSL])
    address = f"/concerns/{involved.concern_id}/children/{involved.pk}/triage/"
    assert "is under 13. A child under 13 can never consent" in client.get(address).content.decode()
    decision = {"risk": "low", "rationale": "Two children in Year 3 playing", "categories": ["coc_sexual_harassment"],
                "hackett": "normal", "hackett_rationale": "Curiosity", "outcome": "nfa"}
    page = client.post(address, decision).content.decode()
    assert "Your decision has not been saved yet" in page and 'href="#under_13_reason"' in page
    assert "Two children in Year 3 playing" in page  # what the DSL wrote is kept
    assert not involved.triages.exists()
    saved = client.post(address, decision | {"under_13_reason": "Developmentally expected; spoke to both families"})
    assert saved.status_code == 302
    assert involved.triages.get().under_13_reason == "Developmentally expected; spoke to both families"


def test_a_category_the_dsl_adds_at_triage_sets_the_linked_homes_duties_too(place):
    place.link()
    harmed("neglect")(place)
    involved = place.world.children["here"].concerns_involved.order_by("-pk").first()
    assert not Action.objects.filter(establishment=place.home, action_code="notify-ofsted").exists()
    concerns.triage_record(actor=place.world.personas[Role.DSL], involved=involved, risk="high",
                           rationale="Older boyfriend, gifts, going missing", categories=["cse", "neglect"],
                           categories_reason="The missing episodes point to exploitation", outcome="childrens_services")
    notify = Action.objects.get(establishment=place.home, action_code="notify-ofsted")
    assert (notify.owner_role, notify.rule_id) == ("head", "base-childrens-home-sexual-exploitation")
