"""Malformed input is refused at the boundary with a clear 400, on pages and in the API, and never reaches
the database (issue 10, section 7). PostgreSQL cannot store NUL in text, and no id is above bigint."""

import uuid

import pytest

from safekeep.accounts import services as accounts
from safekeep.authz.roles import Role
from safekeep.concerns.models import Concern

HUGE = "99999999999999999999"  # above 2**63 - 1


@pytest.fixture
def dsl_page(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    return client


@pytest.fixture
def api(client, world):
    _, token = accounts.api_token_create(actor=world.personas[Role.DSL], name="fuzz", mfa_passed=True)
    return lambda method, path, **kw: getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {token}", **kw)


def _refused_page(response):
    text = response.content.decode()
    assert response.status_code == 400, (response.status_code, text[:300])
    assert "Safekeep could not read that" in text and "NUL character" in text
    return text


@pytest.mark.parametrize("path", [
    "/children/?q=%00",
    "/children/?q=Child%00Here",
    f"/children/{HUGE}/",
    f"/concerns/{HUGE}/",
    f"/concerns/new/?child={HUGE}",
    f"/actions/?establishment={HUGE}",
    f"/cases/{HUGE}/1/close/",
    "/children/%00/",
])
def test_a_page_asked_for_a_nul_or_a_number_no_id_can_be_says_so(dsl_page, path):
    _refused_page(dsl_page.get(path))


def test_a_form_with_a_nul_saves_nothing_and_says_the_words_are_still_on_the_page(dsl_page, world, adopted):
    here = world.children["here"]
    response = dsl_page.post("/concerns/new/", {
        "key": uuid.uuid4().hex, "establishment": world.establishments["here"].pk, "child": [here.pk],
        f"role-{here.pk}": "harmed", "occurred_date": "2026-11-20", "narrative": "Crying by the gate",
        "location": "Bus stop\x00", "intent": "send"})
    assert "your words are still on the page" in _refused_page(response)
    assert not Concern.objects.filter(location__startswith="Bus stop").exists()


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/api/v1/children/?q=%00", None),
    ("get", f"/api/v1/children/{HUGE}/", None),
    ("get", f"/api/v1/concerns/{HUGE}/", None),
    ("get", f"/api/v1/actions/?establishment={HUGE}", None),
    ("post", "/api/v1/concerns/", {"establishment": int(HUGE), "children": [], "narrative": "x",
                                   "occurred_at": "2026-11-20T13:15:00Z"}),
    ("post", "/api/v1/concerns/", {"establishment": 1, "children": [{"child": -int(HUGE), "role": "harmed"}],
                                   "narrative": "x", "occurred_at": "2026-11-20T13:15:00Z"}),
    ("post", "/api/v1/concerns/", {"establishment": 1, "children": [], "narrative": "a\x00b",
                                   "occurred_at": "2026-11-20T13:15:00Z"}),
])
def test_the_api_answers_a_nul_or_a_number_no_id_can_be_with_a_problem(api, method, path, body):
    extra = {"data": body, "content_type": "application/json", "HTTP_IDEMPOTENCY_KEY": "k1"} if body else {}
    response = api(method, path, **extra)
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Bad request" and "NUL character" in response.json()["detail"]
    assert not Concern.objects.filter(idempotency_key="k1").exists()


def test_ordinary_input_still_goes_through(dsl_page, api, world):
    """Long numbers in words, and ids as big as bigint allows, are not refused."""
    assert dsl_page.post("/children/", {"q": "Here"}).status_code == 200
    assert dsl_page.post("/children/", {"q": "ref 12345678901234567890 seen"}).status_code == 200
    assert dsl_page.get(f"/children/{2**63 - 1}/").status_code == 404
    assert api("get", f"/api/v1/concerns/{world.concerns['here'].pk}/").status_code == 200


def test_an_api_address_no_endpoint_has_is_a_problem_not_a_page(api):
    for path in ("/api/v1/children/true/", f"/api/v1/concerns/1/attachments/-{HUGE}/", "/api/v1/nowhere/"):
        response = api("get", path)
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
        assert response.json()["title"] == "Not found"
