"""Subject access (issue 15 section 5; UK GDPR Art. 12(3), 15; DPA 2018 Schedules 2 and 3): a request is an
action due one calendar month from receipt, extended once with its reason; its answer gathers the child's records
and proposes withholding third parties from structured data only; a person decides each, and the PDF shows
"[withheld: <exemption>]" where something was withheld; the decisions are kept and audited."""

import io
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from pypdf import PdfReader

from safekeep.audit.models import AuditEvent
from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns import services as concerns
from safekeep.referrals import services as referrals
from safekeep.subjectaccess import selectors, services
from safekeep.subjectaccess.models import RedactionDecision
from safekeep.policy.deadlines import LONDON

pytestmark = pytest.mark.django_db
RECEIVED = datetime(2027, 1, 31, 11, 0, tzinfo=UTC)
NOTE = "Strategy discussion held with DC Rahman; no further action by police."


def _record(world, actor=None, received_on=date(2027, 1, 31)):
    return services.request_record(actor=actor or world.personas[Role.DPO], establishment=world.establishments["here"],
                                   child=world.children["here"], requester_name="Mrs Here", relationship="parent",
                                   received_how="email", received_on=received_on)


def test_a_request_received_on_31_january_is_an_action_for_the_dpo_due_on_28_february(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    request = _record(world)
    assert request.due_on == date(2027, 2, 28)
    action = request.action
    assert action.child == world.children["here"] and action.owner_role == "dpo"
    assert action.due_at.astimezone(LONDON).date() == date(2027, 2, 28) and action.deadline == "by 28 February 2027"
    assert "Article 12(3)" in action.source
    assert ChronologyEntry.objects.filter(child=world.children["here"], kind="subject_access.received").exists()
    assert AuditEvent.objects.filter(action="subjectaccess.create", object_id=str(request.pk)).exists()
    assert "Mrs Here" not in AuditEvent.objects.get(action="subjectaccess.create").detail.__str__()


def test_extending_keeps_the_reason_and_moves_the_actions_due_date_two_months_on(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    request = _record(world)
    time_machine.move_to(datetime(2027, 2, 10, 9, 0, tzinfo=UTC))
    request = services.request_extend(actor=world.personas[Role.DSL], request=request,
                                      reason="Complex: records held at two establishments")
    request.refresh_from_db()
    assert request.due_on == date(2027, 4, 30)  # three months from 31 January, counted at once
    assert request.extension_reason == "Complex: records held at two establishments"
    request.action.refresh_from_db()
    assert request.action.due_at.astimezone(LONDON).date() == date(2027, 4, 30)
    assert AuditEvent.objects.filter(action="action.due_move", object_id=str(request.action.pk)).exists()
    assert AuditEvent.objects.filter(action="subjectaccess.extend", object_id=str(request.pk)).exists()
    with pytest.raises(ValidationError, match="only once"):
        services.request_extend(actor=world.personas[Role.DSL], request=request, reason="Again")


def test_an_extension_needs_its_reason_and_must_be_made_within_the_first_month(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    request = _record(world)
    with pytest.raises(ValidationError, match="reason"):
        services.request_extend(actor=world.personas[Role.DPO], request=request, reason="  ")
    time_machine.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    with pytest.raises(ValidationError, match="first month has passed"):
        services.request_extend(actor=world.personas[Role.DPO], request=request, reason="Complex")


def test_a_date_received_in_the_future_is_refused(world, adopted, time_machine):
    time_machine.move_to(RECEIVED)
    with pytest.raises(ValidationError) as refused:
        _record(world, received_on=date(2027, 2, 1))
    assert "received_on" in refused.value.message_dict


@pytest.mark.parametrize("role", [Role.STAFF, Role.GOVERNOR, Role.HEAD])
def test_staff_governors_and_the_head_may_not_record_one(world, adopted, time_machine, role):
    time_machine.move_to(RECEIVED)
    with pytest.raises(NotVisible):
        _record(world, actor=world.personas[role])
