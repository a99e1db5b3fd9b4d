from datetime import timedelta

from safekeep.accounts import services as accounts
from safekeep.actions.models import Action
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role
from safekeep.concerns import services as concerns
from safekeep.core import clock
from tests.world import adopt_every_shipped_pack


def test_my_actions_lists_the_overdue_first_and_reading_is_audited(client, world, signed_in):
    here = world.actions["here"]
    late = Action.objects.create(establishment=here.establishment, child=here.child, what="Chase the referral",
                                 owner_role="dsl", deadline_unit="working days", deadline_amount=1,
                                 due_at=clock.now() - timedelta(hours=2))
    signed_in(world.personas[Role.DSL])
    page = client.get("/actions/").content.decode()
    assert page.index("Chase the referral") < page.index("Refer to the local authority")
    assert "Overdue" in page
    assert "Refer to the local authority" in page and "Child Region" not in page
    assert AuditEvent.objects.filter(action="action.list", actor_id=world.personas[Role.DSL].pk).exists()
    client.get(f"/actions/{late.pk}/")
    assert AuditEvent.objects.filter(action="action.view", object_id=str(late.pk)).count() == 1


def test_a_failed_completion_keeps_what_was_typed_and_says_why(client, world, signed_in):
    action = world.actions["here"]
    signed_in(world.personas[Role.DSL])
    page = client.post(f"/actions/{action.pk}/cancel/", {"cancel-reason": ""}).content.decode()
    assert "There is a problem" in page and "This field is required" in page
    page = client.post(f"/actions/{action.pk}/complete/", {"note": "   "}).content.decode()
    assert "There is a problem" in page
    response = client.post(f"/actions/{action.pk}/complete/", {"note": "Rang the front door, ref 55"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.completion_note) == ("done", "Rang the front door, ref 55")


def test_a_dsl_adds_an_action_for_a_child_with_a_deadline_in_plain_words(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    child = world.children["here"]
    page = client.post(f"/actions/for-child/{child.pk}/new/", {"what": "Speak to the school nurse",
                                                               "owner_role": "dsl", "deadline": "in a bit"})
    assert "is not a deadline" in page.content.decode() and "Speak to the school nurse" in page.content.decode()
    response = client.post(f"/actions/for-child/{child.pk}/new/", {"what": "Speak to the school nurse",
                                                                   "owner_role": "dsl", "deadline": "2 working days"})
    assert response.status_code == 302
    assert Action.objects.get(what="Speak to the school nurse").deadline == "2 working days"


def test_the_api_lists_completes_and_reassigns(client, world):
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="x", mfa_passed=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = client.get("/api/v1/actions/", **auth).json()
    assert [a["id"] for a in listed] == [world.actions["here"].pk]
    action = world.actions["here"]
    moved = client.post(f"/api/v1/actions/{action.pk}/reassign/", {"owner_role": "deputy_dsl"},
                        content_type="application/json", **auth)
    assert moved.json()["owner_role"] == "deputy_dsl"
    refused = client.post(f"/api/v1/actions/{action.pk}/complete/", {"note": ""}, content_type="application/json",
                          **auth)
    assert refused.status_code == 400 and refused["Content-Type"] == "application/problem+json"
    done = client.post(f"/api/v1/actions/{action.pk}/complete/", {"note": "Referred"},
                       content_type="application/json", **auth)
    assert done.json()["status"] == "done"
    elsewhere = client.post(f"/api/v1/actions/{world.actions['elsewhere'].pk}/complete/", {"note": "x"},
                            content_type="application/json", **auth)
    assert elsewhere.status_code == 404


def test_the_api_names_the_concern_each_action_follows_from(client, world):
    adopt_every_shipped_pack(world)
    here = world.establishments["here"]
    concern, _ = concerns.concern_submit(
        actor=world.personas[Role.STAFF], establishment=here, occurred_at=clock.now() - timedelta(hours=1),
        children=[{"child": world.children["here"], "role": "harmed", "categories": ["coc_bullying"]}],
        narrative="Pushed in the corridor", idempotency_key="concern-id-in-api")
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="x", mfa_passed=True)
    listed = client.get(f"/api/v1/actions/?establishment={here.pk}", HTTP_AUTHORIZATION=f"Bearer {key}").json()
    from_concern = [row for row in listed if row["id"] != world.actions["here"].pk]
    assert from_concern and all(row["concern_id"] == concern.pk for row in from_concern)
    assert next(row for row in listed if row["id"] == world.actions["here"].pk)["concern_id"] is None  # by hand
