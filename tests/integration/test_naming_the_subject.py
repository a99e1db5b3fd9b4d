"""Naming the adult an allegation is about (ADR 0008): the adult described never names the subject alone.
One member of the team proposes, the group head or a second person confirms; a wrong name is corrected with
a reason, audited and in the chronology."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from tests.world import give_role, make_user


def _described_in_words(world):
    concern, _ = services.concern_submit(
        actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
        children=[{"child": world.children["here"], "role": "harmed", "categories": []}],
        occurred_at=clock.now() - timedelta(hours=3), narrative="Said a teacher pushed him.",
        idempotency_key=uuid.uuid4().hex, about_adult=True, subject_relationship="staff",
        subject_description="The safeguarding lead, I think")
    return concern


def _sees(user, concern) -> bool:
    return concerns_visible_to(user).filter(pk=concern.pk).exists()


def test_the_adult_described_cannot_name_a_colleague_and_keep_sight_of_it(world, adopted):
    """The DSL, described in words, proposes the head: the head is hidden only while it waits, the DSL
    cannot confirm their own proposal, a second person rejects it and the head sees it again."""
    concern = _described_in_words(world)
    dsl, head, deputy = (world.personas[r] for r in (Role.DSL, Role.HEAD, Role.DEPUTY_DSL))
    services.allegation_subject_propose(actor=dsl, concern=concern, subject=head)
    concern.refresh_from_db()
    assert concern.subject is None  # nothing is final on one person's word
    assert not _sees(head, concern) and _sees(dsl, concern)
    with pytest.raises(ValidationError):
        services.allegation_subject_decide(actor=dsl, concern=concern, confirm=True)
    with pytest.raises(NotVisible):  # the adult proposed can neither see nor decide
        services.allegation_subject_decide(actor=head, concern=concern, confirm=False, reason="Not me")
    with pytest.raises(ValidationError) as error:
        services.allegation_subject_decide(actor=deputy, concern=concern, confirm=False)
    assert "decision_reason" in error.value.message_dict
    services.allegation_subject_decide(actor=deputy, concern=concern, confirm=False,
                                       reason="The child described the safeguarding lead, not the head")
    assert _sees(head, concern)
    assert ChronologyEntry.objects.filter(concern=concern, kind="concern.subject_rejected").exists()
    assert AuditEvent.objects.filter(action="concern.subject.reject", actor_id=deputy.pk).exists()
    # The deputy proposes the DSL and the group head confirms: the DSL loses sight of it for good.
    services.allegation_subject_propose(actor=deputy, concern=concern, subject=dsl)
    assert not _sees(dsl, concern)
    with pytest.raises(NotVisible):  # the adult proposed cannot propose someone else meanwhile
        services.allegation_subject_propose(actor=dsl, concern=concern, subject=head)
    lado = Action.objects.get(concern_id=concern.pk, action_code="refer-lado")
    assert lado.owner_role == Role.DSL.value  # before anyone knew it was about the DSL
    services.allegation_subject_decide(actor=world.personas[Role.GROUP_HEAD], concern=concern, confirm=True)
    concern.refresh_from_db()
    assert concern.subject == dsl and not _sees(dsl, concern) and _sees(head, concern)
    lado.refresh_from_db()  # the step goes down the ladder, past the adult now named (CE 11.7)
    assert lado.owner_role == Role.DEPUTY_DSL.value and Role.DSL.value not in lado.escalation_ladder


def test_a_wrong_name_is_corrected_with_a_reason_audited_and_in_the_chronology(world, adopted):
    concern = _described_in_words(world)
    dsl, head, deputy, group_head = (world.personas[r] for r in (Role.DSL, Role.HEAD, Role.DEPUTY_DSL,
                                                                 Role.GROUP_HEAD))
    services.allegation_subject_propose(actor=deputy, concern=concern, subject=head)
    services.allegation_subject_decide(actor=group_head, concern=concern, confirm=True)
    assert not _sees(head, concern)
    with pytest.raises(ValidationError) as error:
        services.allegation_subject_propose(actor=deputy, concern=concern, subject=dsl)
    assert "reason" in error.value.message_dict
    services.allegation_subject_propose(actor=deputy, concern=concern, subject=dsl,
                                        reason="The child later said it was the safeguarding lead")
    with pytest.raises(ValidationError):  # the proposer does not confirm their own correction
        services.allegation_subject_decide(actor=deputy, concern=concern, confirm=True)
    services.allegation_subject_decide(actor=group_head, concern=concern, confirm=True)
    concern.refresh_from_db()
    assert concern.subject == dsl and _sees(head, concern) and not _sees(dsl, concern)
    entry = ChronologyEntry.objects.get(concern=concern, kind="concern.subject_corrected")
    assert "The child later said it was the safeguarding lead" in entry.summary
    event = AuditEvent.objects.filter(action="concern.subject", actor_id=group_head.pk).order_by("-seq").first()
    assert event.detail["previous_subject"] == head.pk and event.detail["subject"] == dsl.pk


def test_the_regional_director_cannot_confirm_a_name_and_the_group_head_can(world, adopted):
    """The regional director reads the child's record, not allegations: the group head confirms."""
    concern = _described_in_words(world)
    colleague = make_user("colleague@example.org", world.organisations["one"])
    give_role(colleague, Role.STAFF, establishment=world.establishments["here"])
    services.allegation_subject_propose(actor=world.personas[Role.DSL], concern=concern, subject=colleague)
    with pytest.raises(NotVisible):  # the regional director may not read allegations
        services.allegation_subject_decide(actor=world.personas[Role.REGIONAL_DIRECTOR], concern=concern,
                                           confirm=True)
    services.allegation_subject_decide(actor=world.personas[Role.GROUP_HEAD], concern=concern, confirm=True)
    concern.refresh_from_db()
    assert concern.subject == colleague
