"""The peer clusters on a generated group (issue 14 section 7, ADR 0015): the establishment clusters page for
the DSL of the establishment with the most pairs named together (budget: 300 ms at p95) and the group-wide
clusters for the group head (budget: 2 s at p95), with their queries, and how long rebuilding the table of
children named together from every concern takes (Django test client, in this process, 20 requests each).

Run on a database that bench/generate_group.py filled (the generator writes the pairs as the services do):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_gen_10k SAFEKEEP_ENV=test .venv/bin/python \\
      bench/peer_groups_bench.py [--rebuild]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SAFEKEEP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safekeep.authz.models import RoleMembership  # noqa: E402
from safekeep.authz.roles import Role  # noqa: E402
from safekeep.concerns.models import Concern, PeerLink  # noqa: E402
from safekeep.concerns.peers import peer_links_rebuild  # noqa: E402
from tests.world import sign_in  # noqa: E402

REQUESTS = 20
BUDGETS_MS = {"establishment clusters": 300, "group-wide clusters": 2000}


def _person(role, **where):
    return RoleMembership.objects.filter(role=role, **where).select_related("user").first().user


def _measure(client, path):
    client.get(path)  # warm
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return len(queries.captured_queries), statistics.median(times), sorted(times)[int(0.95 * REQUESTS) - 1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="time manage.py rebuild_peer_links first")
    options = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"{connection.vendor}: {Concern.objects.count():,} concerns, {PeerLink.objects.count():,} pairs named "
          f"together")
    if options.rebuild:
        started = time.perf_counter()
        pairs = peer_links_rebuild()
        print(f"rebuild from the concerns: {time.perf_counter() - started:.1f} s, {pairs:,} pairs")
    busiest = PeerLink.objects.values("establishment_id").annotate(n=Count("id")).order_by("-n").first()
    if busiest is None:
        print("no children are named together: generate a group first")
        return 1
    pages = {"establishment clusters": (f"/peer-groups/establishments/{busiest['establishment_id']}/",
                                        _person(Role.DSL, establishment_id=busiest["establishment_id"])),
             "group-wide clusters": ("/peer-groups/group/", _person(Role.GROUP_HEAD))}
    print(f"busiest establishment: {busiest['n']:,} pairs\n")
    print(f"{'page':<26}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'budget':>9}")
    for name, (path, person) in pages.items():
        queries, p50, p95 = _measure(sign_in(Client(), person), path)
        met = "met" if p95 <= BUDGETS_MS[name] else "NOT met"
        print(f"{name:<26}{queries:>8}{p50:>9.0f}{p95:>9.0f}{BUDGETS_MS[name]:>6} ms {met}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
