"""Retention with review, never silent deletion (issue 15 section 4; docs/domain/records-lifecycle.md).

The world's child at "here" (a school) was born on 1 May 2012: their file is due for review on 1 May 2037
(IRMS: date of birth + 25 years). The clock is moved decades ahead to bring the review round.
"""

import json
from datetime import date, datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from safekeep.actions.models import Action
from safekeep.attachments.models import Attachment
from safekeep.audit.models import AuditEvent
from safekeep.audit.selectors import verify_chain
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns.models import Addendum, Concern, ConcernChild, Triage
from safekeep.concerns.services import addendum_add, concern_submit, triage_record
from safekeep.core.clock import LONDON
from safekeep.meetings.models import Meeting
from safekeep.referrals.models import Referral
from safekeep.retention import selectors, services
from safekeep.retention.models import LegalHold, RetentionReview, Tombstone
from safekeep.safetyplans.models import SafetyPlan
from safekeep.sharing.models import InformationShare
from tests.world import give_role, link_school_and_home, make_user

AFTER_REVIEW = datetime(2040, 1, 6, 10, 0, tzinfo=LONDON)
BEFORE_REVIEW = datetime(2037, 4, 30, 10, 0, tzinfo=LONDON)


@pytest.fixture
def team(world, adopted):
    """The safeguarding lead and the head at the school "here", and the organisation's DPO."""
    return world.personas[Role.DSL], world.personas[Role.HEAD], world.personas[Role.DPO]


def _listed(actor):
    return {f.child.pk: f for f in selectors.review_list(actor)}


def test_a_file_comes_up_for_review_on_its_date_under_its_rule(world, team, time_machine):
    dsl, _, dpo = team
    child = world.children["here"]
    time_machine.move_to(BEFORE_REVIEW)
    assert child.pk not in _listed(dsl)
    time_machine.move_to(datetime(2037, 5, 1, 9, 0, tzinfo=LONDON))
    listed = _listed(dpo)[child.pk]
    assert (listed.review.rule.code, listed.review_on, listed.status_words) == (
        "school-child-protection-file", date(2037, 5, 1), "Due for review")
    assert "IRMS" in listed.review.rule.source
    # The list is the reviewer's own: a child at another organisation never shows.
    assert world.children["elsewhere"].pk not in _listed(dpo)
    assert AuditEvent.objects.filter(action="retention.list.view", actor_id=dpo.pk).exists()


def test_a_child_at_both_halves_of_the_integrated_pair_keeps_the_homes_longer_period(world, team, time_machine):
    dsl, _, _ = team
    link_school_and_home(world)
    time_machine.move_to(AFTER_REVIEW)
    assert world.children["here"].pk not in _listed(dsl)
    standing = selectors.standing_of(world.children["here"])
    assert (standing.review.rule.code, standing.review_on) == ("childrens-home-case-records", date(2087, 5, 1))
    time_machine.move_to(datetime(2087, 5, 1, 9, 0, tzinfo=LONDON))
    assert _listed(dsl)[world.children["here"].pk].due


def test_a_left_child_still_comes_up_for_review(world, team, time_machine):
    dsl, _, _ = team
    Enrolment.objects.filter(child=world.children["here"]).update(end_date=date(2028, 7, 20))
    time_machine.move_to(AFTER_REVIEW)
    assert _listed(dsl)[world.children["here"].pk].due


def test_a_hold_stops_destruction_until_lifted_with_a_reason(world, team, time_machine):
    dsl, head, _ = team
    child = world.children["here"]
    time_machine.move_to(AFTER_REVIEW)
    hold = services.retention_hold_place(actor=dsl, child=child, kind="police",
                                         reason="Operation Lantern asked us to keep the file")
    assert _listed(dsl)[child.pk].status_words == "Legal hold"
    with pytest.raises(ValidationError, match="A legal hold stops this file being destroyed"):
        services.retention_destruction_propose(actor=dsl, child=child)
    with pytest.raises(ValidationError) as refused:
        services.retention_hold_lift(actor=head, hold=hold, reason="  ")
    assert "Say why the hold can be lifted" in str(refused.value)
    services.retention_hold_lift(actor=head, hold=hold, reason="The police closed the operation")
    hold.refresh_from_db()
    assert (hold.lifted_by, hold.lift_reason) == (head, "The police closed the operation")
    assert _listed(dsl)[child.pk].status_words == "Due for review"
    placed, lifted = (AuditEvent.objects.get(action=a) for a in ("retention.hold.place", "retention.hold.lift"))
    assert placed.detail == {"child": child.pk, "kind": "police"} and lifted.actor_id == head.pk
    assert ChronologyEntry.objects.filter(child=child, kind="retention.hold.lifted").exists()
    # The reason is kept encrypted with the hold, never in the audit log.
    assert "Lantern" not in json.dumps([e.detail for e in AuditEvent.objects.all()])
    with pytest.raises(ValidationError, match="already been lifted"):
        services.retention_hold_lift(actor=head, hold=hold, reason="Again")


def test_a_review_may_keep_the_file_for_another_period(world, team, time_machine):
    dsl, _, _ = team
    child = world.children["here"]
    time_machine.move_to(BEFORE_REVIEW)
    with pytest.raises(ValidationError, match="not due for review until 1 May 2037"):
        services.retention_keep(actor=dsl, child=child, years=5, reason="A claim is likely")
    time_machine.move_to(AFTER_REVIEW)
    with pytest.raises(ValidationError) as refused:
        services.retention_keep(actor=dsl, child=child, years=0, reason="")
    assert set(refused.value.message_dict) == {"years", "reason"}
    decision = services.retention_keep(actor=dsl, child=child, years=5, reason="A sibling's case is open")
    assert decision.kept_until == date(2045, 1, 6)
    assert child.pk not in _listed(dsl)
    time_machine.move_to(datetime(2045, 1, 6, 9, 0, tzinfo=LONDON))
    assert _listed(dsl)[child.pk].due


def test_destruction_needs_two_different_people(world, team, time_machine):
    dsl, head, _ = team
    child = world.children["here"]
    time_machine.move_to(BEFORE_REVIEW)
    with pytest.raises(ValidationError, match="not due for review"):
        services.retention_destruction_propose(actor=dsl, child=child)
    time_machine.move_to(AFTER_REVIEW)
    with pytest.raises(ValidationError, match="propose it first"):
        services.retention_destruction_approve(actor=head, child=child)
    services.retention_destruction_propose(actor=dsl, child=child)
    with pytest.raises(ValidationError, match="already proposed"):
        services.retention_destruction_propose(actor=head, child=child)
    with pytest.raises(ValidationError, match="You proposed this destruction"):
        services.retention_destruction_approve(actor=dsl, child=child)
    assert Child.objects.filter(pk=child.pk).exists()
    # Declining needs a reason, and sends the file back to its review.
    with pytest.raises(ValidationError):
        services.retention_destruction_decline(actor=head, child=child, reason="")
    services.retention_destruction_decline(actor=head, child=child, reason="A complaint is still open")
    assert _listed(dsl)[child.pk].proposal is None
    assert list(RetentionReview.objects.filter(child=child).values_list("outcome", flat=True)) == ["decline",
                                                                                                   "propose"]


def test_destroying_a_file_removes_the_childs_rows_keeps_a_tombstone_and_the_chain_verifies(world, team,
                                                                                            time_machine):
    dsl, _, dpo = team
    child, concern = world.children["here"], world.concerns["here"]
    name, narrative = child.last_name, concern.narrative
    time_machine.move_to(AFTER_REVIEW)
    services.retention_hold_place(actor=dsl, child=child, kind="litigation", reason="Claim 123")
    services.retention_hold_lift(actor=dsl, hold=LegalHold.objects.get(child=child), reason="Claim withdrawn")
    selectors.access_file(dsl, child.pk)  # the read of the file is audited, naming the child by id
    services.retention_destruction_propose(actor=dsl, child=child)
    about_the_child = AuditEvent.objects.filter(object_type="child", object_id=str(child.pk)).count()
    assert about_the_child > 0
    tombstone = services.retention_destruction_approve(actor=dpo, child=child)

    assert not Child.objects.filter(pk=child.pk).exists()
    for model, row in ((Concern, concern), (Attachment, world.attachments["here"]), (Action, world.actions["here"]),
                       (Referral, world.referrals["here"]), (SafetyPlan, world.plans["here"]),
                       (InformationShare, world.shares["here"]), (Meeting, world.meetings["here"])):
        assert not model._base_manager.filter(pk=row.pk).exists(), model
    assert not ChronologyEntry.objects.filter(child_id=child.pk).exists()
    assert not ConcernChild.objects.filter(child_id=child.pk).exists()
    assert not LegalHold.objects.filter(child_id=child.pk).exists()
    # Every other child's file is untouched.
    assert Child.objects.filter(pk=world.children["region"].pk).exists()
    assert Concern.objects.filter(pk=world.concerns["region"].pk).exists()

    assert (tombstone.record_type, tombstone.record_id, tombstone.initials) == ("child's file", str(child.pk), "C.H.")
    assert (tombstone.proposed_by, tombstone.approved_by, tombstone.rule_code) == (
        dsl, dpo, "school-child-protection-file")
    assert tombstone.due_on == date(2037, 5, 1) and tombstone.rows["concerns.Concern"] == 1
    assert name not in json.dumps(Tombstone.objects.values().get(pk=tombstone.pk), default=str)

    # The audit log keeps every row (append-only: its triggers are in place), names the child by id only, and
    # its chain still verifies.
    assert AuditEvent.objects.filter(object_type="child", object_id=str(child.pk)).count() == about_the_child
    destroyed = AuditEvent.objects.get(action="retention.destroy")
    assert destroyed.actor_id == dpo.pk and destroyed.detail["proposed_by"] == dsl.pk
    every_row = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert name not in every_row and narrative not in every_row and "Claim" not in every_row
    assert verify_chain() is None
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    assert "Audit chain intact" in out.getvalue()


def test_an_ordinary_delete_of_a_written_once_record_is_still_refused(world):
    with pytest.raises(TypeError, match="never edited"):
        Concern.objects.filter(pk=world.concerns["here"].pk).delete()
    assert Concern.objects.filter(pk=world.concerns["here"].pk).exists()


def test_only_the_retention_team_reaches_a_file(world, team, time_machine):
    child = world.children["here"]
    time_machine.move_to(AFTER_REVIEW)
    for role in (Role.STAFF, Role.GOVERNOR, Role.GROUP_HEAD, Role.DEPUTY_DSL, Role.ADMINISTRATOR):
        with pytest.raises(NotVisible):
            services.retention_hold_place(actor=world.personas[role], child=child, kind="police", reason="x")
        with pytest.raises(NotVisible):
            selectors.access_file(world.personas[role], child.pk)
        assert selectors.review_list(world.personas[role]) == []
    # The school's DSL does not reach the home's half of the pair, so cannot destroy the whole file alone.
    link_school_and_home(world)
    time_machine.move_to(datetime(2088, 1, 6, 10, 0, tzinfo=LONDON))
    with pytest.raises(NotVisible):
        services.retention_destruction_propose(actor=team[0], child=child)


def test_the_pages_show_the_file_refuse_the_proposer_and_keep_what_was_typed(client, world, team, signed_in,
                                                                             time_machine):
    dsl, head, _ = team
    child = world.children["here"]
    time_machine.move_to(AFTER_REVIEW)
    signed_in(dsl)
    page = client.get("/retention/").content.decode()
    assert child.display_name in page and "1 May 2037" in page and "Due for review" in page
    page = client.get(f"/retention/child/{child.pk}/").content.decode()
    assert "School child protection file: kept 25 years from the date of birth" in page
    assert world.concerns["here"].narrative not in page
    response = client.post(f"/retention/child/{child.pk}/keep/", {"years": "forty", "reason": "Open complaint"})
    text = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in text
    assert "Say how many more years to keep the file, from 1 to 25." in text and "Open complaint" in text
    assert not RetentionReview.objects.exists()
    response = client.post(f"/retention/child/{child.pk}/propose/", {"checked": "on"})
    assert response.status_code == 302 and RetentionReview.objects.get().outcome == "propose"
    response = client.post(f"/retention/child/{child.pk}/approve/", {"decision": "approve"})
    assert "another reviewer must approve it" in response.content.decode()
    assert Child.objects.filter(pk=child.pk).exists()
    client.logout()
    signed_in(head)
    response = client.post(f"/retention/child/{child.pk}/approve/", {"decision": "approve"})
    assert response.status_code == 302 and not Child.objects.filter(pk=child.pk).exists()
    register = client.get(response.headers["Location"]).content.decode()
    assert "C.H." in register and child.last_name not in register.replace("Establishment here", "")


# --- A child's date of death (CH(E)R 2015 reg 36(2)(b)) -------------------------------------------------------

def _home_lead(world):
    """The safeguarding lead of the children's home "region", where its child (born 1 May 2012) lives."""
    lead = make_user("home-lead@example.org", world.organisations["one"], name="Hana Lead")
    give_role(lead, Role.DSL, establishment=world.establishments["region"])
    return lead


@pytest.mark.parametrize(("location", "paired", "died", "rule", "due"), [
    # At the home, died aged 13 (10 June 2025): 15 years from the death.
    ("region", False, date(2025, 6, 10), "childrens-home-case-records", date(2040, 6, 10)),
    # Died the day before their 18th birthday: still before 18.
    ("region", False, date(2030, 4, 30), "childrens-home-case-records", date(2045, 4, 30)),
    # Died on their 18th birthday: the 75 years from birth.
    ("region", False, date(2030, 5, 1), "childrens-home-case-records", date(2087, 5, 1)),
    # Died on a leap day: 2043 has no 29 February, so the 15 years have run on 1 March.
    ("region", False, date(2028, 2, 29), "childrens-home-case-records", date(2043, 3, 1)),
    # At the school: its rule has no clause for a death, 2012 + 25 all the same.
    ("here", False, date(2025, 6, 10), "school-child-protection-file", date(2037, 5, 1)),
    # The integrated pair, died aged 13: the home's 2040 is later than the school's 2037, and wins.
    ("here", True, date(2025, 6, 10), "childrens-home-case-records", date(2040, 6, 10)),
    # The integrated pair, died aged 7: the home's 2035 is earlier, so the school's 2037 wins.
    ("here", True, date(2019, 6, 10), "school-child-protection-file", date(2037, 5, 1)),
])
def test_a_date_of_death_recorded_dates_the_files_review(world, team, time_machine, location, paired, died, rule,
                                                         due):
    time_machine.move_to(datetime(2031, 1, 6, 10, 0, tzinfo=LONDON))
    child = world.children[location]
    lead = _home_lead(world) if location == "region" else team[0]
    if paired:
        link_school_and_home(world)
    services.child_death_record(actor=lead, child=child, died_on=died)
    child.refresh_from_db()
    standing = selectors.standing_of(child)
    assert (child.died_on, standing.review.rule.code, standing.review_on) == (died, rule, due)


def test_a_death_is_recorded_with_its_chronology_and_audit_and_brings_the_review_forward(world, team,
                                                                                         time_machine):
    child, lead = world.children["region"], _home_lead(world)
    time_machine.move_to(datetime(2026, 1, 6, 10, 0, tzinfo=LONDON))
    services.child_death_record(actor=lead, child=child, died_on=date(2025, 6, 10))
    entry = ChronologyEntry.objects.get(child=child, kind="child.died")
    assert entry.summary == "Date of death recorded: 10 June 2025." and entry.recorded_by == lead
    recorded = AuditEvent.objects.get(action="child.death.record")
    assert (recorded.actor_id, recorded.object_id, recorded.detail) == (lead.pk, str(child.pk), {"corrected": False})
    services.child_death_record(actor=lead, child=child, died_on=date(2025, 6, 9))
    assert ChronologyEntry.objects.filter(child=child, kind="child.died").latest("id").summary == (
        "Date of death corrected to 9 June 2025.")
    # The review comes 15 years after the death, long before the 75 years from birth: the list finds it.
    time_machine.move_to(datetime(2040, 6, 9, 9, 0, tzinfo=LONDON))
    assert _listed(lead)[child.pk].review_on == date(2040, 6, 9) and _listed(lead)[child.pk].due


@pytest.mark.parametrize(("died", "field_error"), [
    (date(2026, 1, 7), "The date the child died must be today or in the past."),
    (date(2012, 4, 30), "The date the child died must be on or after their date of birth, 1 May 2012."),
    (None, "Give the date the child died, for example 27/03/2031."),
])
def test_a_date_of_death_in_the_future_or_before_birth_is_refused(world, team, time_machine, died, field_error):
    time_machine.move_to(datetime(2026, 1, 6, 10, 0, tzinfo=LONDON))
    child = world.children["here"]
    with pytest.raises(ValidationError) as refused:
        services.child_death_record(actor=team[0], child=child, died_on=died)
    assert refused.value.message_dict == {"died_on": [field_error]}
    child.refresh_from_db()
    assert child.died_on is None and not ChronologyEntry.objects.filter(kind="child.died").exists()


def test_only_the_safeguarding_team_and_the_head_record_a_death(world, team, time_machine):
    time_machine.move_to(datetime(2026, 1, 6, 10, 0, tzinfo=LONDON))
    for role in (Role.STAFF, Role.GOVERNOR, Role.GROUP_HEAD, Role.REGIONAL_DIRECTOR, Role.DPO, Role.ADMINISTRATOR):
        with pytest.raises(NotVisible):
            services.child_death_record(actor=world.personas[role], child=world.children["here"],
                                        died_on=date(2025, 6, 10))
    # The school's head records it for a child of theirs, never for the home's child.
    services.child_death_record(actor=team[1], child=world.children["here"], died_on=date(2025, 6, 10))
    with pytest.raises(NotVisible):
        services.child_death_record(actor=team[1], child=world.children["region"], died_on=date(2025, 6, 10))


def test_the_death_form_shows_a_clear_error_keeps_what_was_typed_and_the_childs_page_shows_the_date(
        client, world, team, signed_in, time_machine):
    dsl = team[0]
    child = world.children["here"]
    time_machine.move_to(datetime(2026, 1, 6, 10, 0, tzinfo=LONDON))
    signed_in(dsl)
    response = client.post(f"/retention/child/{child.pk}/death/", {"died_on": "31/02/2025"})
    text = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in text and "31/02/2025" in text
    assert "Give the date the child died as day, month and year" in text
    response = client.post(f"/retention/child/{child.pk}/death/", {"died_on": "07/01/2026"})
    assert "must be today or in the past" in response.content.decode()
    response = client.post(f"/retention/child/{child.pk}/death/", {"died_on": "10/06/2025"})
    assert response.status_code == 302 and response.headers["Location"] == f"/children/{child.pk}/"
    page = client.get(f"/children/{child.pk}/").content.decode()
    assert "Date of death" in page and "10 June 2025" in page


# --- Allegations about adults on the review list (KCSIE Part four) ---------------------------------------------

MADE = datetime(2026, 3, 2, 10, 0, tzinfo=LONDON)
ALLEGATION_DUE = datetime(2036, 3, 2, 9, 0, tzinfo=LONDON)


def _adult(world):
    """Sam Jones, a teacher at "here"."""
    adult = make_user("teacher@example.org", world.organisations["one"], name="Sam Jones")
    give_role(adult, Role.STAFF, establishment=world.establishments["here"])
    return adult


def _allegation(world, subject, time_machine, tag="a"):
    """An allegation about `subject` (an adult at "here"), recorded by its member of staff on 2 March 2026."""
    time_machine.move_to(MADE)
    concern, _ = concern_submit(
        actor=world.people["here"], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=MADE, narrative=f"Allegation narrative {tag}", idempotency_key=f"allegation-{tag}",
        about_adult=True, subject=subject, subject_relationship="staff", subject_description="A teacher")
    return concern


def _listed_allegations(actor):
    return {f.concern.pk: f for f in selectors.review_list(actor) if f.is_allegation}


def test_an_allegation_comes_up_for_review_after_10_years_only_for_those_who_read_allegations(
        world, team, time_machine):
    dsl, head, dpo = team
    adult = _adult(world)
    about_adult, about_dsl = _allegation(world, adult, time_machine), _allegation(world, dsl, time_machine, "b")
    time_machine.move_to(datetime(2036, 3, 1, 9, 0, tzinfo=LONDON))
    assert about_adult.pk not in _listed_allegations(head)
    time_machine.move_to(ALLEGATION_DUE)
    listed = _listed_allegations(head)
    assert (listed[about_adult.pk].review.rule.code, listed[about_adult.pk].review_on) == (
        "allegation-about-adult", date(2036, 3, 2))
    assert listed[about_adult.pk].title == "Allegation about Sam Jones, 2 March 2026"
    assert about_dsl.pk in listed
    # The DSL sees the allegation about a colleague, never the one about themselves; the DPO, who does not read
    # allegations, and the adult themselves see neither, on the list or on its page.
    assert set(_listed_allegations(dsl)) == {about_adult.pk}
    assert _listed_allegations(dpo) == {} and _listed_allegations(adult) == {}
    for actor, concern in ((dsl, about_dsl), (dpo, about_adult), (adult, about_adult)):
        with pytest.raises(NotVisible):
            selectors.access_allegation(actor, concern.pk)
        with pytest.raises(NotVisible):
            services.retention_hold_place(actor=actor, allegation=concern, kind="police", reason="x")


def test_an_allegation_is_held_kept_and_destroyed_by_two_people_and_the_childs_file_stays(
        world, team, time_machine):
    dsl, head, _ = team
    adult = _adult(world)
    concern = _allegation(world, adult, time_machine)
    child = world.children["here"]
    entries_before = ChronologyEntry.objects.filter(child=child).exclude(concern=concern).count()
    time_machine.move_to(datetime(2030, 1, 6, 10, 0, tzinfo=LONDON))
    with pytest.raises(ValidationError, match="not due for review until 2 March 2036"):
        services.retention_destruction_propose(actor=dsl, allegation=concern)
    time_machine.move_to(ALLEGATION_DUE)
    hold = services.retention_hold_place(actor=dsl, allegation=concern, kind="litigation", reason="Claim 77")
    assert _listed_allegations(head)[concern.pk].status_words == "Legal hold"
    with pytest.raises(ValidationError, match="A legal hold stops this allegation being destroyed"):
        services.retention_destruction_propose(actor=dsl, allegation=concern)
    services.retention_hold_lift(actor=head, hold=hold, reason="Claim settled")
    # The adult is 50: the allegation is kept until they reach 67 (KCSIE Part four).
    kept = services.retention_keep(actor=dsl, allegation=concern, years=7, reason="The adult is 60")
    assert kept.kept_until == date(2043, 3, 2) and concern.pk not in _listed_allegations(head)
    held = ChronologyEntry.objects.get(child=child, kind="retention.hold.placed")
    assert held.concern_id == concern.pk  # hidden with the allegation from whoever may not read it
    time_machine.move_to(datetime(2043, 3, 2, 9, 0, tzinfo=LONDON))
    services.retention_destruction_propose(actor=dsl, allegation=concern)
    with pytest.raises(ValidationError, match="another reviewer must approve it"):
        services.retention_destruction_approve(actor=dsl, allegation=concern)
    tombstone = services.retention_destruction_approve(actor=head, allegation=concern)

    assert not Concern._base_manager.filter(pk=concern.pk).exists()
    assert not ChronologyEntry.objects.filter(concern_id=concern.pk).exists()
    assert not LegalHold.objects.filter(concern_id=concern.pk).exists()
    assert Child.objects.filter(pk=child.pk).exists()
    assert ChronologyEntry.objects.filter(child=child).count() == entries_before
    assert (tombstone.record_type, tombstone.record_id, tombstone.initials, tombstone.rule_code) == (
        "allegation about an adult", str(concern.pk), "S.J.", "allegation-about-adult")
    assert (tombstone.proposed_by, tombstone.approved_by, tombstone.rows["concerns.Concern"]) == (dsl, head, 1)
    assert "Sam" not in json.dumps(Tombstone.objects.values().get(pk=tombstone.pk), default=str)
    destroyed = AuditEvent.objects.get(action="retention.destroy")
    assert destroyed.detail["allegation"] == concern.pk and destroyed.actor_id == head.pk
    assert verify_chain() is None


def test_the_allegation_pages_ask_the_proposer_to_confirm_the_pension_age(client, world, team, signed_in,
                                                                         time_machine):
    dsl = team[0]
    adult = _adult(world)
    concern = _allegation(world, adult, time_machine)
    time_machine.move_to(ALLEGATION_DUE)
    signed_in(dsl)
    page = client.get("/retention/").content.decode()
    assert "Allegation about Sam Jones, 2 March 2026" in page and f"/retention/allegation/{concern.pk}/" in page
    page = client.get(f"/retention/allegation/{concern.pk}/").content.decode()
    assert "kept 10 years from the allegation, or until the adult reaches 67 if later" in page
    assert "Allegation narrative" not in page
    response = client.post(f"/retention/allegation/{concern.pk}/propose/", {"checked": "on"})
    text = response.content.decode()
    assert response.status_code == 200 and "Confirm that the adult has reached normal pension age" in text
    assert not RetentionReview.objects.exists()
    response = client.post(f"/retention/allegation/{concern.pk}/propose/", {"checked": "on", "pension_age": "on"})
    assert response.status_code == 302 and RetentionReview.objects.get().concern_id == concern.pk


# --- A concern naming several children (ADR 0016) ---------------------------------------------------------------

def _a_concern_with_a_friend(world, time_machine, key):
    """A concern about the child at "here" that names a friend at the same school too, as a witness."""
    child, here = world.children["here"], world.establishments["here"]
    friend = Child.objects.create(organisation=child.organisation, first_name="Fern", last_name="Kept",
                                  date_of_birth=date(2014, 6, 1))
    Enrolment.objects.create(child=friend, establishment=here, mis_id="F1")
    time_machine.move_to(datetime(2026, 2, 2, 10, 0, tzinfo=LONDON))
    concern, _ = concern_submit(
        actor=world.people["here"], establishment=here, occurred_at=datetime(2026, 2, 2, 9, 0, tzinfo=LONDON),
        children=[{"child": child, "role": "harmed", "categories": []},
                  {"child": friend, "role": "witness", "categories": []}],
        narrative="Pushed in the lunch queue", idempotency_key=key)
    return friend, concern


def test_destroying_one_childs_file_keeps_a_shared_concern_whole_for_the_other_child(client, world, team,
                                                                                    signed_in, time_machine):
    dsl, head, _ = team
    child = world.children["here"]
    friend, concern = _a_concern_with_a_friend(world, time_machine, "shared-concern")
    for involved in concern.children_involved.all():
        triage_record(actor=dsl, involved=involved, risk="low", rationale=f"Rationale {involved.child.first_name}",
                      categories=[], outcome="monitor")
    friends_entries = sorted(ChronologyEntry.objects.filter(child=friend).values_list("pk", flat=True))
    assert friends_entries
    addendum = addendum_add(actor=dsl, concern=concern, text="Both spoken to")

    time_machine.move_to(AFTER_REVIEW)
    assert selectors.destruction_blockers(child) == []
    signed_in(dsl)
    page = client.get(f"/retention/child/{child.pk}/").content.decode()
    assert "1 concern about this child also names other children" in page
    services.retention_destruction_propose(actor=dsl, child=child)
    tombstone = services.retention_destruction_approve(actor=head, child=child)

    # The destroyed child is gone, with their part of the concern: their place in it, their triage, their file.
    assert not Child.objects.filter(pk=child.pk).exists()
    assert not ChronologyEntry.objects.filter(child_id=child.pk).exists()
    assert list(concern.children_involved.values_list("child_id", flat=True)) == [friend.pk]
    assert [t.involved.child_id for t in Triage.objects.filter(involved__concern=concern)] == [friend.pk]
    # The other child's chronology and the concern, with its addendum, are whole.
    assert Concern.objects.filter(pk=concern.pk).exists() and Addendum.objects.filter(pk=addendum.pk).exists()
    assert sorted(ChronologyEntry.objects.filter(child=friend, pk__in=friends_entries)
                  .values_list("pk", flat=True)) == friends_entries
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert "Pushed in the lunch queue" in page and friend.display_name in page and "Both spoken to" in page
    assert child.display_name not in page
    chronology = client.get(f"/chronology/{friend.pk}/").content.decode()
    assert "Concern recorded" in chronology
    # The tombstone says the concern was kept for one other child: no name, no content.
    assert tombstone.shared_kept == {"concerns.Concern": {"records": 1, "other_children": 1}}
    stored = json.dumps(Tombstone.objects.values().get(pk=tombstone.pk), default=str)
    assert "Fern" not in stored and "lunch" not in stored
    register = client.get("/retention/destroyed/").content.decode()
    assert "1 shared concern kept for 1 other child" in register
    assert verify_chain() is None


def test_a_shared_concern_that_waited_only_for_the_destroyed_childs_decision_is_decided(world, team, time_machine):
    dsl, head, _ = team
    child = world.children["here"]
    friend, concern = _a_concern_with_a_friend(world, time_machine, "shared-undecided")
    triage_record(actor=dsl, involved=concern.children_involved.get(child=friend), risk="low",
                  rationale="Witness only", categories=[], outcome="nfa")
    concern.refresh_from_db()
    assert concern.decided_at is None  # the destroyed child's decision never came
    time_machine.move_to(AFTER_REVIEW)
    services.retention_destruction_propose(actor=dsl, child=child)
    services.retention_destruction_approve(actor=head, child=child)
    concern.refresh_from_db()
    assert concern.decided_at == Triage.objects.get(involved__concern=concern).triaged_at
