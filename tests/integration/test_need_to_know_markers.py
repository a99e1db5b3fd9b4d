"""Need to know, checked on what pages show: every free-text field of every record holds a marker naming
the record and the field, and no role is shown a marker from a record it may not reach.

The world is written through the services, as the people who would do it. Each role's persona opens
every page and API answer url_policy.yaml lets that role GET, with the ids of every record in the world
(a page that refuses a record answers 404 and shows nothing), the chronology's print view and the
sharing register's CSV file. The emails sent while the world was written carry no marker at all.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse

from safekeep.actions import services as actions
from safekeep.actions.models import Action
from safekeep.authz.policy import EVERYONE, PUBLIC, SIGNED_IN, rule_for_name
from safekeep.authz.roles import Role
from safekeep.cases import services as cases
from safekeep.children.models import Child, Enrolment
from safekeep.concerns import services as concerns
from safekeep.core import clock
from safekeep.establishments import services as establishments
from safekeep.meetings import services as meetings
from safekeep.packs import services as packs
from safekeep.peergroups import services as peergroups
from safekeep.referrals import services as referrals
from safekeep.safetyplans import services as safetyplans
from safekeep.sharing import services as sharing
from safekeep.policy.deadlines import Deadline, Unit
from tests.integration.test_permission_matrix import PATTERNS, _fill
from tests.markers import ALLEGATION_FIELDS, allegation_with_everything, marker, markers_in, share_fields
from tests.world import build_world, enrol_totp, give_role, make_user, sign_in

# --- Who may see what (DESIGN.md section 1; docs/domain/roles-and-access.md, recording-and-triage.md,
# referrals-and-cases.md, information-sharing.md). Records are written at establishment "here", a school
# linked to the children's home "region" (CE 11.3), about a child at both:
#   c1      a concern recorded by the member of staff ("recorder"), with the recorder's addendum, the DSL's
#           addendum, triage, an action with its completion note, and a referral the recorder made (ref1)
#           with the agency's answer; a consultation, a meeting with a note and a share, a safety plan
#           reviewed and closed, and the case closed
#   c2      a child-on-child concern recorded by another member of staff, with a sanction later withdrawn
#   alleg-a1  an allegation the recorder made about "subject", a second DSL at "here", and everything
#           that follows it (tests/markers.py)
RECORDER_OWN = {"c1": {"narrative", "childs_words", "action_taken", "recorder_addendum"},
                "ref1": {"what_shared", "consent_note"},
                "alleg-a1": {"narrative", "childs_words", "action_taken", "adult_description"}}
# The sharing register (CoC 12.1) is the DPO's: what was shared, with whom, why, and the consent reason.
REGISTER = {"share_what", "share_purpose", "share_consent_note", "share_secure_note", "consent_note",
            "referral_consent_note"}


@dataclass
class Marked:
    world: object
    everything: set = field(default_factory=set)  # every marker written
    ids: dict = field(default_factory=dict)  # object kind -> [URL values naming each record of that kind]
    personas: dict = field(default_factory=dict)  # persona name -> (role, user, place): place is "here" or "linked"
    emails: list = field(default_factory=list)
    dob: tuple = ()  # the child's date of birth as pages and the API write it


def _written(marked, record, *fields_):
    words = {name: marker(record, name) for name in fields_}
    marked.everything |= set(words.values())
    return words


def may_see(persona: str, everything: set) -> set:
    """The markers this persona may be shown: a readable table of need to know."""
    allegation = {m for m in everything if m.startswith("MK-alleg-a1-")}
    peer_group = {m for m in everything if m.startswith("MK-pg1-")}  # the safeguarding team and the group head
    register = {m for m in everything if m.rsplit("-", 1)[1] in REGISTER or "share_" in m}
    own = {marker(record, name) for record, names in RECORDER_OWN.items() for name in names}
    return {
        "recorder": own,  # their own words and addenda; never triage, outcome or the team's addenda
        "other staff": {marker("c2", "narrative")},  # the concern they recorded; else names and year groups
        "dsl": everything, "deputy": everything, "head": everything - peer_group, "group head": everything,
        "regional": everything - allegation - peer_group,  # oversees cases, never allegations about staff
        "subject": everything - allegation,  # a DSL, but never the allegation about them
        "linked lead": set(),  # the note on the linked file, and nothing more
        "dpo": register,  # the register and the audit log, never narratives
        "governor": set(), "administrator": set(),  # no case content
    }[persona]


def _build(marked):
    world = marked.world
    here, home, child = world.establishments["here"], world.establishments["region"], world.children["here"]
    dsl, head = world.personas[Role.DSL], world.personas[Role.HEAD]
    recorder, other_staff = world.personas[Role.STAFF], world.people["here"]
    now = clock.now()
    for version in packs.shipped_packs_install():
        packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=version,
                         organisation=world.organisations["one"])
    establishments.establishment_link(actor=world.personas[Role.ADMINISTRATOR], first=here, second=home)
    Enrolment.objects.create(child=child, establishment=home, mis_id="H-1")
    linked_lead = make_user("linked-lead@example.org", world.organisations["one"], name="Linked Lead")
    give_role(linked_lead, Role.DSL, establishment=home)
    subject = make_user("subject@example.org", world.organisations["one"], name="Second Designated Lead")
    give_role(subject, Role.DSL, establishment=here)

    words = _written(marked, "c1", "narrative", "childs_words", "action_taken", "recorder_addendum",
                     "team_addendum", "triage_rationale", "outcome_note", "hackett_rationale", "action_what",
                     "action_note")
    c1, _ = concerns.concern_submit(
        actor=recorder, establishment=here, children=[{"child": child, "role": "harmed", "categories": []}],
        occurred_at=now - timedelta(days=2), narrative=words["narrative"], childs_words=words["childs_words"],
        action_taken=words["action_taken"], idempotency_key="marked-c1")
    concerns.addendum_add(actor=recorder, concern=c1, text=words["recorder_addendum"])
    concerns.addendum_add(actor=dsl, concern=c1, text=words["team_addendum"])
    concerns.triage_record(actor=dsl, involved=c1.children_involved.get(), risk="medium",
                           rationale=words["triage_rationale"], categories=[], outcome="monitor",
                           outcome_note=words["outcome_note"], hackett="inappropriate",
                           hackett_rationale=words["hackett_rationale"])
    action = actions.action_add(actor=dsl, establishment=here, child=child, what=words["action_what"],
                                owner_role="dsl", deadline=Deadline(Unit.WORKING_DAYS, 1), concern_id=c1.pk)
    actions.action_complete(actor=dsl, action=action, note=words["action_note"])

    ref = _written(marked, "ref1", "what_shared", "consent_note", "outcome_note", "challenge")
    referral = referrals.referral_record(
        actor=recorder, establishment=here, child=child, agency="childrens_services", contact=world.contacts["here"],
        made_at=now - timedelta(days=1, hours=20), how="phone", what_shared=ref["what_shared"], consent="not_sought",
        consent_note=ref["consent_note"], lawful_basis="public-task-safeguarding", secure_handling_agreed=True,
        concern=c1)
    referrals.referral_outcome_record(actor=dsl, referral=referral, outcome="nfa", received_at=now - timedelta(days=1),
                                      response="challenge", note=ref["outcome_note"], challenge=ref["challenge"])
    advice = _written(marked, "cons1", "advice")
    referrals.consultation_record(actor=dsl, establishment=here, child=child, agency="childrens_services",
                                  spoke_to="Duty social worker", held_at=now - timedelta(days=1),
                                  advice=advice["advice"], concern=c1)
    meeting_words = _written(marked, "meet1", "decisions", "minutes", "note")
    meeting_share = share_fields("meet1share")
    marked.everything |= {value for value in meeting_share.values() if str(value).startswith("MK-")}
    meeting = meetings.meeting_record(
        actor=dsl, establishment=here, kind="strategy", held_at=now - timedelta(hours=30), children=[child],
        attendees=[{"name": "Duty social worker", "role": "Social worker", "agency": "Children's services"}],
        decisions=meeting_words["decisions"], minutes=meeting_words["minutes"], share=meeting_share)
    meetings.meeting_add_note(actor=dsl, meeting=meeting, text=meeting_words["note"])
    share = share_fields("share1")
    marked.everything |= {value for value in share.values() if str(value).startswith("MK-")}
    with transaction.atomic():
        sharing.share_record(actor=dsl, establishment=here, children=[child], authorised_by=dsl, source_kind="other",
                             shared_at=now - timedelta(hours=28), concern=c1, **share)
    plan_words = _written(marked, "plan1", "avoid", "check_ins_who", "reporting", "coping", "review_note",
                          "close_reason", "revise_reason")
    today = clock.today()
    values = {"situations_to_avoid": plan_words["avoid"], "check_ins_who": plan_words["check_ins_who"],
              "check_ins_how_often": "Daily", "reporting": plan_words["reporting"],
              "coping_strategies": plan_words["coping"], "support_chosen": [], "agreed_with_child": True,
              "agreed_with_parents": False, "agreed_on": today, "review_due": today + timedelta(days=28)}
    safetyplans.safety_plan_close(actor=dsl, plan=world.plans["here"], reason="Replaced by the plan after c1")
    plan = safetyplans.safety_plan_create(actor=dsl, establishment=here, child=child, role="harmed", values=values,
                                          concern=c1)
    safetyplans.safety_plan_review(actor=dsl, plan=plan, note=plan_words["review_note"],
                                   next_review_due=today + timedelta(days=14))
    safetyplans.safety_plan_close(actor=dsl, plan=plan, reason=plan_words["close_reason"])

    second = Child.objects.create(organisation=here.organisation, first_name="Second", last_name="Pupil",
                                  date_of_birth=date(2012, 9, 2), year_group="Year 9")
    Enrolment.objects.create(child=second, establishment=here, mis_id="S-2")
    coc = _written(marked, "c2", "narrative", "sanction_what", "sanction_why", "sanction_considerations",
                   "sanction_withdrawn")
    c2, _ = concerns.concern_submit(
        actor=other_staff, establishment=here, occurred_at=now - timedelta(days=1), narrative=coc["narrative"],
        children=[{"child": child, "role": "harmed", "categories": ["coc_bullying"]},
                  {"child": second, "role": "alleged_responsible", "categories": ["coc_bullying"]}],
        idempotency_key="marked-c2")
    sanction = safetyplans.sanction_record(
        actor=dsl, establishment=here, child=second, concern=c2, kind="detention", what=coc["sanction_what"],
        why=coc["sanction_why"], safeguarding_considerations=coc["sanction_considerations"], decided_on=today)
    safetyplans.sanction_withdraw(actor=dsl, sanction=sanction, reason=coc["sanction_withdrawn"])
    peer_words = _written(marked, "pg1", "name", "note")
    peer_group = peergroups.peer_group_save(actor=dsl, establishment=here, name=peer_words["name"],
                                            children=[child, second], from_cluster=True)
    peergroups.peer_group_note_add(actor=dsl, group=peer_group, text=peer_words["note"])
    closing = _written(marked, "case1", "close_reason", "cancel_reason")
    for step in Action.objects.filter(child=second, establishment=here, status=Action.Status.OPEN):
        actions.action_cancel(actor=dsl, action=step, reason=closing["cancel_reason"])
    cases.case_close(actor=dsl, child=second, establishment=here, reason=closing["close_reason"])

    allegation = allegation_with_everything(tag="a1", recorder=recorder, subject=subject, team=head,
                                            establishment=here, child=child, contact=world.contacts["here"])
    marked.everything |= {marker("alleg-a1", name) for names in ALLEGATION_FIELDS.values() for name in names}

    marked.dob = ("1 May 2012", "01/05/2012", "2012-05-01")
    concerned = [c1, c2, allegation["concern"]]
    marked.ids = {
        "child": [{"child_id": child.pk, "pk": child.pk}, {"child_id": second.pk, "pk": second.pk}],
        "case": [{"child_id": c.pk, "establishment_id": e.pk} for c in (child, second) for e in (here, home)],
        "concern": [{"concern_id": c.pk, "pk": c.pk, "child_id": child.pk,
                     "involved_id": c.children_involved.first().pk} for c in concerned],
        "attachment": [{"concern_id": allegation["concern"].pk, "pk": allegation["concern"].pk,
                        "attachment_id": allegation["attachment"].pk}],
        "action": [{"action_id": a.pk, "pk": a.pk} for a in (action, allegation["action"])],
        "referral": [{"referral_id": r.pk, "pk": r.pk} for r in (referral, allegation["referral"])],
        "meeting": [{"meeting_id": m.pk, "pk": m.pk} for m in (meeting, allegation["meeting"])],
        "plan": [{"plan_id": p.pk, "pk": p.pk} for p in (plan, allegation["plan"])],
        "sanction": [{"sanction_id": sanction.pk}],
        "peergroup": [{"group_id": peer_group.pk}],
        "nrm": [{"tracker_id": allegation["nrm"].pk, "pk": allegation["nrm"].pk}],
        "establishment": [{"establishment_id": e.pk, "pk": e.pk, "contact_id": world.contacts["here"].pk,
                           "location_id": world.places["here"].pk} for e in (here, home)],
    }
    marked.personas = {
        "recorder": (Role.STAFF, recorder), "other staff": (Role.STAFF, other_staff), "dsl": (Role.DSL, dsl),
        "deputy": (Role.DEPUTY_DSL, world.personas[Role.DEPUTY_DSL]), "head": (Role.HEAD, head),
        "linked lead": (Role.DSL, linked_lead), "regional": (Role.REGIONAL_DIRECTOR,
                                                             world.personas[Role.REGIONAL_DIRECTOR]),
        "group head": (Role.GROUP_HEAD, world.personas[Role.GROUP_HEAD]), "dpo": (Role.DPO, world.personas[Role.DPO]),
        "governor": (Role.GOVERNOR, world.personas[Role.GOVERNOR]),
        "administrator": (Role.ADMINISTRATOR, world.personas[Role.ADMINISTRATOR]), "subject": (Role.DSL, subject),
    }
    for _role, user in marked.personas.values():
        enrol_totp(user)


@pytest.fixture(scope="module")
def marked(django_db_setup, django_db_blocker):
    """The marked world, built once for the module (with the emails its writes sent) and rolled back after."""
    locmem = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(MAILERS=locmem):
        mail.outbox = []
        marked = Marked(world=build_world())
        _build(marked)
        # Alerts and action emails go after commit: run them now, as the commit would.
        for _savepoints, callback, _robust in connection.run_on_commit[:]:
            callback()
        connection.run_on_commit.clear()
        marked.emails = list(mail.outbox)
        yield marked
        transaction.set_rollback(True)


# Pages whose content is the question here: every GET in the URL policy that is about case records.
SKIP = ("account_", "mfa_", "accounts:", "admin:", "api:schema", "healthz", "packs:", "people:", "imports:",
        "establishments:create", "establishments:edit", "establishments:contact_add", "establishments:link_add",
        "establishments:location_add", "establishments:term_add")
PAGES = [(name, route) for name, route in PATTERNS
         if "GET" in rule_for_name(name).methods and not name.startswith(SKIP)]
# Searching by name posts the name (never in the address): the page's form and the API's search endpoint.
SEARCHES = {"children:search": lambda path: (path, "form"), "api:child-list": lambda path: (reverse("api:child-search"),
                                                                                            "json")}
PERSONAS = ("recorder", "other staff", "dsl", "deputy", "head", "linked lead", "regional", "group head", "dpo",
            "governor", "administrator", "subject")

def _cells():
    for persona in PERSONAS:
        for name, route in PAGES:
            yield pytest.param(persona, name, route, id=f"{persona}-{name}")


def _may_open(rule, role) -> bool:
    """The URL policy lets this role GET the page for some record (an empty list of places means "only the
    records that are theirs", decided per record: the recorder's own concern, the referrer's referral)."""
    method = rule.methods["GET"]
    if method.access in (PUBLIC, SIGNED_IN, EVERYONE):
        return True
    return method.access is None and role in method.roles


def _paths(marked, name, route):
    rule = rule_for_name(name)
    base = {"version_id": marked.world.pack_version.pk}
    if rule.object is None:
        paths = [_fill(route, base)]
    else:
        paths = [_fill(route, base | values) for values in marked.ids.get(rule.object, [])]
    if name == "chronology:child":
        paths += [path + "?print=1" for path in paths]
    return paths


def _fetch(client, name, path):
    """GET the page; for a search, also the results of searching for "Child" as the page and the API send it."""
    yield f"GET {path}", client.get(path)
    if name in SEARCHES:
        searched, body = SEARCHES[name](path)
        yield f"POST {searched}", (client.post(searched, {"q": "Child"}) if body == "form" else
                                   client.post(searched, {"search": "Child"}, content_type="application/json"))


@pytest.mark.parametrize("persona,name,route", list(_cells()))
def test_no_role_is_shown_words_from_a_record_it_may_not_reach(client, db, marked, persona, name, route):
    role, user = marked.personas[persona]
    if not _may_open(rule_for_name(name), role):
        return
    allowed = may_see(persona, marked.everything)
    sign_in(client, user)
    leaks = []
    for path in _paths(marked, name, route):
        for asked, response in _fetch(client, name, path):
            assert response.status_code in (200, 302, 404), f"{asked} as {persona}: {response.status_code}"
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode(errors="replace")
            shown = markers_in(text) - allowed
            if shown:
                leaks.append(f"{asked} as {persona} shows {sorted(shown)}")
            if persona in ("other staff", "recorder") and any(day in text for day in marked.dob):
                leaks.append(f"{asked} as {persona} shows a child's date of birth")
    assert leaks == [], "\n".join(leaks)


def test_the_world_has_a_marker_in_every_free_text_field_and_the_team_sees_them(client, db, marked):
    """The test can fail: the DSL's pages show the markers (so a missing one is a real absence)."""
    role, user = marked.personas["dsl"]
    sign_in(client, user)
    child = marked.ids["child"][0]["child_id"]
    text = client.get(reverse("chronology:child", args=[child])).content.decode()
    assert {marker("c1", "triage_rationale"), marker("meet1", "decisions")} <= markers_in(text)
    group = client.get(reverse("peergroups:detail", args=[marked.ids["peergroup"][0]["group_id"]])).content.decode()
    assert {marker("pg1", "name"), marker("pg1", "note")} <= markers_in(group)


def test_emails_carry_no_marker_at_all(marked):
    assert marked.emails, "the world's writes sent no email: the alerts did not run"
    for message in marked.emails:
        words = " ".join([message.subject, message.body, *(str(alt[0]) for alt in getattr(message, "alternatives", []))])
        assert markers_in(words) == set(), f"email to {message.to} carries {sorted(markers_in(words))}"
        assert not any(day in words for day in marked.dob)
