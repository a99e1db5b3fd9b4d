"""How long a child's chronology takes, and how many queries, for a child with 2,000 entries: the page
(with and without filters, with and without the steps Safekeep tracked), the printout and the API, each
entry linked to its concern. The query count must not depend on the entries.

Run: SAFEKEEP_ENV=test .venv/bin/python bench/chronology_bench.py [entries]
Uses a throwaway SQLite file (or DATABASE_URL), never your data.
"""

import sys
import time
from datetime import timedelta

import throwaway  # noqa: F401,E402 (sets Django up on a throwaway database)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safekeep.accounts import services as accounts  # noqa: E402
from safekeep.authz.roles import Role  # noqa: E402
from safekeep.chronology.models import ChronologyEntry, KeyEventMark  # noqa: E402
from safekeep.concerns.models import Concern, ConcernChild  # noqa: E402
from safekeep.core import clock  # noqa: E402
from safekeep.packs import services as packs  # noqa: E402
from tests.world import build_world, sign_in  # noqa: E402

CATEGORIES = ["cce", "cse", "neglect", "county_lines", "online_grooming"]
KINDS = ["concern.recorded", "concern.read", "concern.addendum", "concern.triaged", "action.required",
         "action.completed", "action.escalated"]


def _fill(world, count: int) -> None:
    """A chronology like a real one: entries of every kind over years, about many concerns, some key."""
    child, here = world.children["here"], world.establishments["here"]
    now = clock.now()
    concerns = []
    for i in range(count // 7 + 1):
        concerns.append(Concern(establishment=here, recorded_by=world.people["here"], narrative=f"Narrative {i}",
                                occurred_at=now - timedelta(days=i), idempotency_key=f"bench-{i}"))
    Concern.objects.bulk_create(concerns)
    concerns = list(Concern.objects.filter(idempotency_key__startswith="bench-").order_by("pk"))
    ConcernChild.objects.bulk_create([ConcernChild(concern=c, child=child, role="harmed",
                                                   categories=[CATEGORIES[n % len(CATEGORIES)]])
                                      for n, c in enumerate(concerns)])
    ChronologyEntry.objects.bulk_create([
        ChronologyEntry(child=child, establishment=here, kind=KINDS[i % len(KINDS)], summary=f"Entry {i}",
                        concern=concerns[i // 7], object_type="concern", object_id=str(concerns[i // 7].pk), categories=f",{CATEGORIES[(i // 7) % len(CATEGORIES)]},",
                        key_event=i % 11 == 0, occurred_at=now - timedelta(days=i // 7, minutes=i % 7),
                        recorded_by=world.people["here"]) for i in range(count)])
    dsl = world.personas[Role.DSL]
    KeyEventMark.objects.bulk_create([KeyEventMark(entry=entry, marked_by=dsl, key=n % 2 == 0) for n, entry in
                                      enumerate(ChronologyEntry.objects.filter(child=child)[::50])])


def _measure(client, path, headers=None, runs=20):
    client.get(path, **(headers or {}))  # warm up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(path, **(headers or {}))
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    timings.sort()
    return len(queries), timings[len(timings) // 2] * 1000, timings[-1] * 1000


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    world = build_world()
    group_head = world.personas[Role.GROUP_HEAD]
    for version in packs.shipped_packs_install():
        packs.pack_adopt(actor=group_head, pack_version=version, organisation=world.organisations["one"])
    _fill(world, count)
    child = world.children["here"]
    client = Client()
    sign_in(client, world.personas[Role.DSL])
    _, key = accounts.api_token_create(actor=world.personas[Role.DSL], name="bench", mfa_passed=True)
    api = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    filters = "type=concern&category=cce&from=2020-01-01&to=2030-12-31&key=1"
    cases = [
        ("page, no filters, page 10", f"/chronology/{child.pk}/?page=10", None),
        ("page, all filters", f"/chronology/{child.pk}/?{filters}", None),
        ("page, category only", f"/chronology/{child.pk}/?category=cce", None),
        ("page, key events only", f"/chronology/{child.pk}/?key=1", None),
        ("page, with the tracked steps", f"/chronology/{child.pk}/?tracked=1", None),
        ("printout, no filters (first 1,000)", f"/chronology/{child.pk}/?print=1", None),
        ("printout, all filters", f"/chronology/{child.pk}/?print=1&{filters}", None),
        ("printout, with the tracked steps", f"/chronology/{child.pk}/?print=1&tracked=1", None),
        ("API, no filters", f"/api/v1/children/{child.pk}/chronology/", api),
        ("API, all filters", f"/api/v1/children/{child.pk}/chronology/?{filters}", api),
    ]
    total = ChronologyEntry.objects.filter(child=child).count()
    print(f"chronology with {total} entries ({connection.vendor}):")
    for label, path, headers in cases:
        queries, median, worst = _measure(client, path, headers, runs=10 if "printout" in label else 20)
        print(f"  {label:38} {queries:3} queries; median {median:5.0f} ms, worst {worst:5.0f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
