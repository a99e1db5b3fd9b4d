"""While the database is out of reach, Safekeep answers 503 with Retry-After, says only what it knows, and the
recording page gives the recorder's words back (issue 10, section 7). The outage is real: the connection is
pointed at a database file that cannot be opened, and the driver fails as it does when a server is gone."""

import contextlib
import uuid

import pytest
from django.db import connection

from safekeep.accounts import services as accounts
from safekeep.authz.roles import Role
from safekeep.concerns.models import Concern

pytestmark = pytest.mark.django_db(transaction=True)


@contextlib.contextmanager
def database_out_of_reach():
    _disconnect()
    kept = connection.settings_dict["NAME"]
    connection.settings_dict["NAME"] = "/nonexistent-directory/safekeep.sqlite3"
    try:
        yield
    finally:
        _disconnect()
        connection.settings_dict["NAME"] = kept


def _disconnect():
    connection.close()
    if connection.vendor == "postgresql":
        # A pool keeps the address it was made with: a new one is made from the settings of the moment.
        connection.close_pool()


def _form(world, key):
    here = world.children["here"]
    return {"key": key, "establishment": world.establishments["here"].pk, "child": [here.pk],
            f"role-{here.pk}": "harmed", "occurred_date": "2026-11-20", "occurred_time": "13:15",
            "narrative": "He said the older boys make him carry parcels", "childs_words": "don't tell my mum",
            "intent": "send"}


def test_sending_a_concern_in_an_outage_gives_the_words_back_and_sending_again_records_it_once(
        client, world, adopted, signed_in):
    signed_in(world.personas[Role.STAFF])
    client.raise_request_exception = False
    form = _form(world, uuid.uuid4().hex)
    with database_out_of_reach():
        response = client.post("/concerns/new/", form)
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    assert "may or may not have been saved" in page and "half-saved" not in page
    assert "He said the older boys make him carry parcels" in page and "don&#x27;t tell my mum" in page
    assert f'name="key" value="{form["key"]}"' in page  # sending again is a retry, never a second concern
    assert 'value="Send again"' not in page and ">Send again</button>" in page
    resent = client.post("/concerns/new/", form)
    assert resent.status_code == 302
    assert client.post("/concerns/new/", form).status_code == 302
    assert Concern.objects.filter(idempotency_key=form["key"]).count() == 1


def test_the_api_answers_an_outage_with_503_a_problem_and_retry_after(client, world, adopted):
    _, token = accounts.api_token_create(actor=world.personas[Role.STAFF], name="phone", mfa_passed=True)
    client.raise_request_exception = False
    with database_out_of_reach():
        response = client.get("/api/v1/concerns/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Service unavailable"
    assert "may or may not have been saved" in response.json()["detail"]


def test_any_page_in_an_outage_says_it_is_unavailable_not_that_nothing_was_saved(client, world, signed_in):
    signed_in(world.personas[Role.DSL])
    client.raise_request_exception = False
    with database_out_of_reach():
        response = client.get(f"/children/{world.children['here'].pk}/")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "not available just now" in response.content.decode()
