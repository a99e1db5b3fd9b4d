"""Signs (indicators) from the adopted packs: chosen per child, checked against the packs, and a pattern
when several children share one (issue 4, sections 1 and 5; CE 5.4)."""

import uuid
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from safekeep.accounts import services as accounts
from safekeep.authz.roles import Role
from safekeep.children.models import Child, Enrolment
from safekeep.concerns import services
from safekeep.concerns.models import Concern, ConcernChild

def _sign(establishment, text_part):
    return next(sign for sign in services.indicators_offered(establishment) if text_part in sign)


def _child(world, name):
    child = Child.objects.create(organisation=world.organisations["one"], first_name=name, last_name="Pupil",
                                 date_of_birth=date(2012, 4, 4))
    Enrolment.objects.create(child=child, establishment=world.establishments["here"], mis_id=name)
    return child


def test_signs_are_chosen_for_one_child_and_not_copied_to_another(client, world, adopted, signed_in):
    here = world.establishments["here"]
    sign = _sign(here, "missing")
    other = _child(world, "Ash")
    signed_in(world.personas[Role.STAFF])
    page = client.get(f"/concerns/new/?child={world.children['here'].pk}").content.decode()
    assert sign in page and 'data-sk-filter="kinds-' in page
    child = world.children["here"]
    form = {"key": uuid.uuid4().hex, "establishment": here.pk, "child": [child.pk, other.pk],
            f"role-{child.pk}": "harmed", f"role-{other.pk}": "witness", f"indicators-{child.pk}": sign,
            "occurred_date": "2026-11-20", "narrative": "Came in late again.", "intent": "send"}
    assert client.post("/concerns/new/", form).status_code == 302
    concern = Concern.objects.get(idempotency_key=form["key"])
    assert ConcernChild.objects.get(concern=concern, child=child).indicators == [sign]
    assert ConcernChild.objects.get(concern=concern, child=other).indicators == []
    signed_in(world.personas[Role.DSL])
    page = client.get(f"/concerns/{concern.pk}/").content.decode()
    assert f"Signs noticed: {sign}" in page
    child_page = client.get(f"/children/{other.pk}/").content.decode()
    assert f"/concerns/{concern.pk}/" in child_page and "witness" in child_page  # the child's own part


def test_a_sign_not_in_the_adopted_packs_is_refused_and_nothing_is_written(world, adopted):
    with pytest.raises(ValidationError) as error:
        services.concern_submit(actor=world.personas[Role.STAFF], establishment=world.establishments["here"],
                                children=[{"child": world.children["here"], "role": "harmed",
                                           "indicators": ["Made up sign"]}],
                                occurred_at=datetime(2026, 11, 20, tzinfo=UTC), narrative="Late.",
                                idempotency_key=uuid.uuid4().hex)
    assert "indicators" in error.value.message_dict
    assert not Concern.objects.filter(narrative="Late.").exists()


def test_several_children_with_the_same_sign_raise_a_flag_with_the_reason(client, world, adopted, signed_in):
    here = world.establishments["here"]
    sign = _sign(here, "missing")
    for n, name in enumerate(("Ash", "Bo", "Cy")):
        services.concern_submit(actor=world.personas[Role.STAFF], establishment=here,
                                children=[{"child": _child(world, name), "role": "harmed", "indicators": [sign]}],
                                occurred_at=datetime(2026, 11, 20, tzinfo=UTC), narrative="Late.",
                                idempotency_key=f"sign-{n}")
    signed_in(world.personas[Role.DSL])
    page = client.get("/concerns/").content.decode()
    assert f"3 children with the sign “{sign}” in the last 30 days: Ash Pupil, Bo Pupil, Cy Pupil" in page


def _token(world, role):
    _, key = accounts.api_token_create(actor=world.personas[role], name="script", mfa_passed=True)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_inbox_carries_the_pattern_flags_on_the_concerns_they_are_about(client, world, adopted):
    here = world.establishments["here"]
    sign = _sign(here, "missing")
    flagged = [services.concern_submit(actor=world.personas[Role.STAFF], establishment=here,
                                       children=[{"child": _child(world, name), "role": "harmed",
                                                  "indicators": [sign]}],
                                       occurred_at=datetime(2026, 11, 20, tzinfo=UTC), narrative="Late.",
                                       idempotency_key=f"sign-{name}")[0].pk for name in ("Ash", "Bo", "Cy")]
    rows = {row["id"]: row for row in client.get("/api/v1/concerns/inbox/", **_token(world, Role.DSL)).json()}
    reason = f"3 children with the sign “{sign}” in the last 30 days: Ash Pupil, Bo Pupil, Cy Pupil"
    for pk in flagged:
        assert [pattern["reason"] for pattern in rows[pk]["patterns"]] == [reason]
        assert len(rows[pk]["patterns"][0]["child_ids"]) == 3
    assert rows[world.concerns["here"].pk]["patterns"] == []  # a concern about another child
    # The member of staff who recorded them sees their own concerns, never the team's flags.
    recorded = client.get("/api/v1/concerns/inbox/", **_token(world, Role.STAFF)).json()
    assert {row["id"] for row in recorded} >= set(flagged) and all(row["patterns"] == [] for row in recorded)


def test_the_api_takes_each_childs_signs(client, world, adopted):
    from safekeep.accounts import services as accounts

    sign = _sign(world.establishments["here"], "missing")
    _, token = accounts.api_token_create(actor=world.personas[Role.STAFF], name="x", mfa_passed=True)
    body = {"establishment": world.establishments["here"].pk, "occurred_at": "2026-11-20T10:00:00Z",
            "children": [{"child": world.children["here"].pk, "role": "harmed", "indicators": [sign]}],
            "narrative": "Came in late again."}
    response = client.post("/api/v1/concerns/", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.content
    assert response.json()["children"][0]["indicators"] == [sign]


def test_the_api_lists_each_category_with_its_signs(client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    body = client.get(f"/api/v1/establishments/{world.establishments['here'].pk}/").json()
    exploitation = next(c for c in body["categories"] if c["code"] == "exploitation")
    assert exploitation["pack"] == "child-exploitation"
    assert any("missing" in sign.lower() for sign in exploitation["indicators"])
