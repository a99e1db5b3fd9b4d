"""Hypothesis throws odd bodies at the recording API and the recording form: never a server error, and
nothing is written unless a concern was recorded."""

import uuid

import pytest
from django.db import transaction
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safekeep.accounts import services as accounts
from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.chronology.models import ChronologyEntry
from safekeep.concerns.models import Concern, ConcernChild

text = st.one_of(st.text(max_size=60), st.just(""), st.just("   "), st.integers(), st.none(), st.booleans())
child_entry = st.fixed_dictionaries({"child": st.one_of(st.integers(-5, 10**6), text),
                                     "role": st.one_of(st.sampled_from(["harmed", "witness", "boss"]), text),
                                     "categories": st.one_of(st.lists(st.sampled_from(["cce", "zzz", ""]),
                                                                      max_size=3), text),
                                     "indicators": st.one_of(st.lists(text, max_size=2), text)})
bodies = st.fixed_dictionaries({}, optional={
    "establishment": st.one_of(st.integers(-3, 10**6), text),
    "children": st.one_of(st.lists(child_entry, max_size=3), text),
    "occurred_at": st.one_of(st.sampled_from(["2026-11-20T10:00:00Z", "2099-01-01T00:00:00Z", "yesterday"]), text),
    "narrative": text, "childs_words": text, "disclosure": st.one_of(st.booleans(), text),
    "immediate_risk": st.one_of(st.booleans(), text), "told_dsl_in_person": st.one_of(st.booleans(), text),
    "about_adult": st.one_of(st.booleans(), text), "subject": st.one_of(st.integers(-3, 10**6), text),
    "subject_relationship": st.one_of(st.sampled_from(["staff", "boss"]), text), "subject_description": text,
    "place": st.one_of(st.integers(-3, 10**6), text),
})


def _counts():
    return (Concern.objects.count(), ConcernChild.objects.count(), ChronologyEntry.objects.count(),
            Action.objects.count())


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies, real_child=st.booleans())
def test_no_body_causes_a_server_error_or_a_half_write(client, body, real_child):
    from tests.world import build_world

    with transaction.atomic():
        world = build_world()
        _, key = accounts.api_token_create(actor=world.personas[Role.STAFF], name="f", mfa_passed=True)
        if real_child and isinstance(body.get("children"), list) and body["children"]:
            body["children"][0]["child"] = world.children["here"].pk
            body["establishment"] = world.establishments["here"].pk
        before = _counts()
        response = client.post("/api/v1/concerns/", body, content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert response.status_code in (200, 201, 400, 404), response.content[:300]
        if response.status_code not in (200, 201):
            assert _counts() == before
        transaction.set_rollback(True)


field_text = st.one_of(st.text(max_size=40), st.just(""), st.sampled_from(["yes", "no", "1", "-1", "2026-11-20",
                                                                         "2099-01-01", "25:99", "staff"]))
forms = st.fixed_dictionaries({"intent": st.one_of(st.sampled_from(["send", "find", "add:1", "remove:1"]),
                                                   field_text)}, optional={
    name: field_text for name in ("key", "establishment", "occurred_date", "occurred_time", "narrative",
                                  "childs_words", "action_taken", "location", "place", "about_adult", "subject",
                                  "subject_relationship", "subject_description", "find_q", "language_seen",
                                  "language_live", "disclosure", "immediate_risk", "told_dsl_in_person")})


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=forms, with_child=st.booleans(), role=st.one_of(st.sampled_from(["harmed", "witness"]), field_text),
       sign=field_text)
def test_no_recording_form_causes_a_server_error_or_a_half_write(client, form, with_child, role, sign):
    from tests.world import build_world, sign_in

    with transaction.atomic():
        world = build_world()
        sign_in(client, world.personas[Role.STAFF])
        if with_child:
            child = world.children["here"].pk
            form = form | {"child": child, f"role-{child}": role, f"indicators-{child}": sign}
        before = _counts()
        response = client.post("/concerns/new/", form)
        if any("\x00" in str(value) for value in form.values()) or "\x00" in str(role) + str(sign):
            # A NUL character cannot be stored: the request is refused whole, with a clear 400, before any view.
            assert response.status_code == 400 and _counts() == before
            transaction.set_rollback(True)
            return
        assert response.status_code in (200, 302), response.content[:300]
        if response.status_code != 302:
            assert _counts() == before
            # Whatever was typed is on the page again (rule 4: a failed submission loses nothing).
            assert escape(form.get("narrative", "").strip()) in response.content.decode()
        transaction.set_rollback(True)
