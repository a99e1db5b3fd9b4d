import pytest
from django.core.management import call_command

from safekeep.accounts import services as accounts
from safekeep.audit.models import AuditEvent
from safekeep.authz.roles import Role


@pytest.fixture
def token_for(world):
    def make(role):
        _, key = accounts.api_token_create(actor=world.personas[role], name="script", mfa_passed=True)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


def test_a_token_sees_only_its_owners_children(client, world, token_for):
    auth = token_for(Role.DSL)
    found = client.post("/api/v1/children/search/", {"search": "child"}, content_type="application/json",
                        **auth).json()
    assert [c["last_name"] for c in found["results"]] == ["Here"]
    assert client.get(f"/api/v1/children/{world.children['here'].pk}/", **auth).json()["year_group"] == "Year 9"
    refused = client.get(f"/api/v1/children/{world.children['elsewhere'].pk}/", **auth)
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 404
    assert AuditEvent.objects.filter(outcome="denied", action="child.view").exists()


def test_a_regional_director_reaches_the_region_but_not_beyond(client, world, token_for):
    auth = token_for(Role.REGIONAL_DIRECTOR)
    names = {c["last_name"] for c in client.get("/api/v1/children/", **auth).json()["results"]}
    assert names == {"Here", "Region"}


def test_a_revoked_or_unknown_token_is_refused_with_problem_details(client, world):
    token, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="script", mfa_passed=True)
    accounts.api_token_revoke(actor=world.personas[Role.DSL], token=token)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["title"] == "Not signed in"


def test_a_token_cannot_be_made_without_a_second_factor(client, world, signed_in):
    signed_in(world.personas[Role.DSL], mfa=False)
    assert client.post("/account/api-tokens/new/", {"name": "x"}).status_code == 302
    assert not world.personas[Role.DSL].api_tokens.exists()


def test_making_a_token_shows_it_once_and_audits_it(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    page = client.post("/account/api-tokens/new/", {"name": "weekly report"})
    assert page["Cache-Control"] == "no-store"
    import re

    key = re.search(r'value="(sk_[^"]+)"', page.content.decode()).group(1)
    assert AuditEvent.objects.filter(action="api_token.create").count() == 1
    assert key not in client.get("/account/security/").content.decode()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {key}").json()["email"] == "dsl@example.org"


def test_the_schema_is_for_signed_in_callers_only(client, world, token_for):
    assert client.get("/api/v1/schema/").status_code == 401
    assert client.get("/api/v1/schema/", **token_for(Role.STAFF)).status_code == 200


def test_the_committed_openapi_file_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated), "--validate")
    committed = open("docs/api/openapi.yaml").read()
    assert generated.read_text() == committed, (
        "docs/api/openapi.yaml is out of date: run "
        "SAFEKEEP_ENV=test .venv/bin/python manage.py spectacular --file docs/api/openapi.yaml")
