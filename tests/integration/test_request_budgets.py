"""What a whole request costs, counted as a deployment runs it (issue 12, section 2): from the session and the
person to the last COMMIT, with tasks queued in the database as the worker's queue holds them. Nothing here runs
inside a test transaction, so every BEGIN and COMMIT is a round trip counted, as it is under gunicorn."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safekeep.actions.models import Action
from safekeep.authz.roles import Role
from safekeep.concerns.models import Concern
from tests.integration.test_read_budgets import _read, _share

pytestmark = pytest.mark.django_db(transaction=True)

# Issue 12's budget for recording a concern with its actions.
RECORDING_QUERIES = 20
# And for every CSV export.
CSV_QUERIES = 10


@pytest.fixture
def queued(settings):
    """Tasks are queued in the database, as deployed, not run in the request as the test settings do."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _recording(world, key, kind):
    child = world.children["here"]
    fields = {"key": key, "establishment": world.establishments["here"].pk, "child": [child.pk],
              f"role-{child.pk}": "harmed", "occurred_date": "2026-11-20", "occurred_time": "13:15",
              "intent": "send"}
    if kind == "neglect":
        return fields | {f"categories-{child.pk}": ["neglect"],
                         "narrative": "Came in hungry again and in the same clothes as on Monday."}
    return fields | {f"categories-{child.pk}": ["cce"], "disclosure": "yes", "told_dsl_in_person": "yes",
                     "narrative": "Has a second phone and new trainers; older boys wait for him at the gate.",
                     "childs_words": "they said I owe them for the trainers",
                     "action_taken": "Listened, and told him I would pass it to the safeguarding lead."}


@pytest.mark.parametrize("kind", ["neglect", "cce"])
def test_recording_a_concern_through_the_web_makes_at_most_20_queries(client, signed_in, world, adopted, queued,
                                                                      time_machine, kind):
    time_machine.move_to("2026-11-20 15:00Z")
    signed_in(world.personas[Role.DSL])
    assert client.post("/concerns/new/", _recording(world, "warm", kind)).status_code == 302  # per-process caches
    time_machine.move_to("2026-11-20 15:00:20Z")  # the next concern, a few seconds later
    with CaptureQueriesContext(connection) as queries:
        sent = client.post("/concerns/new/", _recording(world, "counted", kind))
    made = [q["sql"] for q in queries.captured_queries]  # before the next request empties Django's query log
    assert sent.status_code == 302
    concern = Concern.objects.get(idempotency_key="counted")
    assert sent["Location"].startswith(f"/concerns/{concern.pk}/")
    assert "Your concern has been sent to the" in client.get(sent["Location"]).content.decode()
    assert Action.objects.filter(concern_id=concern.pk).exists()  # the steps the policies require were set
    assert len(made) <= RECORDING_QUERIES, f"{len(made)} queries:\n" + "\n".join(sql[:120] for sql in made)


def test_the_sharing_register_csv_makes_at_most_10_queries_from_the_requests_start(client, signed_in, world,
                                                                                    time_machine):
    """Counted from the session's read to the last row, with the export's own audit transaction (its BEGIN and
    COMMIT), as bench/pages.py counts it against a deployment."""
    time_machine.move_to("2026-11-20 15:00Z")
    for i in range(5):
        _share(world, i, [world.children["here"]])
    signed_in(world.personas[Role.DPO])
    _read(client.get("/sharing/export.csv"))
    time_machine.move_to("2026-11-20 15:00:20Z")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/sharing/export.csv")
        text = _read(response)
    assert response.status_code == 200 and response.streaming
    assert {f"Sam Patel {i}" for i in range(5)} <= set(re.findall(r"Sam Patel \d", text))  # every share, to the end
    assert len(queries) <= CSV_QUERIES, f"{len(queries)} queries:\n" + "\n".join(
        q["sql"][:120] for q in queries.captured_queries)
