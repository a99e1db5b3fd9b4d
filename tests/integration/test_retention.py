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
from safekeep.concerns.models import Concern, ConcernChild
from safekeep.core.clock import LONDON
from safekeep.meetings.models import Meeting
from safekeep.referrals.models import Referral
from safekeep.retention import selectors, services
from safekeep.retention.models import LegalHold, RetentionReview, Tombstone
from safekeep.safetyplans.models import SafetyPlan
from safekeep.sharing.models import InformationShare
from tests.world import link_school_and_home

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


def test_a_concern_naming_another_child_keeps_the_file(world, team, time_machine):
    dsl, _, _ = team
    child = world.children["here"]
    friend = Child.objects.create(organisation=child.organisation, first_name="Friend", last_name="Kept",
                                  date_of_birth=date(2012, 6, 1))
    ConcernChild.objects.create(concern=world.concerns["here"], child=friend, role="witness")
    time_machine.move_to(AFTER_REVIEW)
    with pytest.raises(ValidationError, match="also names another child"):
        services.retention_destruction_propose(actor=dsl, child=child)
    assert selectors.destruction_blockers(child) == [
        "A concern about this child also names another child: it is kept with that child's file."]


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
