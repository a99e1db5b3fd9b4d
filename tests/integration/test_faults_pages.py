"""Form pages that show a child: they work outside a test's transaction, and every read is in the child's
access log (issue 10, section 7)."""

import pytest

from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role


@pytest.mark.django_db(transaction=True)
def test_a_dsl_opens_add_an_action_for_a_child_and_adds_one(client, world, signed_in):
    """Each request runs in its own transactions, as under gunicorn: no test transaction around the view."""
    dsl = world.personas[Role.DSL]
    child = world.children["here"]
    signed_in(dsl)
    page = client.get(f"/actions/for-child/{child.pk}/new/")
    assert page.status_code == 200
    assert "Add an action for Child Here" in page.content.decode()
    response = client.post(f"/actions/for-child/{child.pk}/new/", {
        "what": "Speak to the school nurse", "owner_role": "dsl", "deadline": "2 working days"})
    assert response.status_code == 302
    action = Action.objects.get(what="Speak to the school nurse")
    assert response["Location"] == f"/actions/{action.pk}/"
    assert "Speak to the school nurse" in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.filter(action="action.create", object_type="child", object_id=str(child.pk),
                                     actor_id=dsl.pk).exists()


def _reads_of(child, actor):
    return set(AuditEvent.objects.filter(object_type="child", object_id=str(child.pk), actor_id=actor.pk,
                                         outcome="allowed").values_list("action", flat=True))


def test_the_triage_page_is_in_the_childs_access_log(client, world, signed_in):
    dsl = world.personas[Role.DSL]
    concern, child = world.concerns["here"], world.children["here"]
    involved = concern.children_involved.get()
    signed_in(dsl)
    page = client.get(f"/concerns/{concern.pk}/children/{involved.pk}/triage/")
    assert page.status_code == 200 and "Child Here" in page.content.decode()
    assert "concern.triage" in _reads_of(child, dsl)
    row = AuditEvent.objects.get(action="concern.triage", object_id=str(child.pk))
    assert row.establishment_id == concern.establishment_id and row.role == "dsl"


def test_the_referral_and_consultation_pages_are_in_the_childs_access_log(client, world, signed_in):
    dsl = world.personas[Role.DSL]
    child = world.children["here"]
    signed_in(dsl)
    assert "Child Here" in client.get(f"/referrals/new/{child.pk}/").content.decode()
    assert "Child Here" in client.get(f"/referrals/consultations/new/{child.pk}/").content.decode()
    assert {"referral.create", "consultation.create"} <= _reads_of(child, dsl)


def test_the_case_pages_are_in_the_childs_access_log(client, world, signed_in):
    dsl = world.personas[Role.DSL]
    child, here = world.children["here"], world.establishments["here"]
    signed_in(dsl)
    for page in ("close", "leaving"):
        assert "Child Here" in client.get(f"/cases/{child.pk}/{here.pk}/{page}/").content.decode()
    assert {"case.close", "case.leaving"} <= _reads_of(child, dsl)


def test_the_withdraw_a_sanction_page_is_in_the_childs_access_log(client, world, signed_in):
    dsl = world.personas[Role.DSL]
    sanction = world.sanctions["here"]
    signed_in(dsl)
    page = client.get(f"/safety-plans/sanctions/{sanction.pk}/withdraw/")
    assert page.status_code == 200 and "Withdraw a sanction" in page.content.decode()
    assert "sanction.withdraw" in _reads_of(world.children["here"], dsl)
