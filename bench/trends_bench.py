"""The trend summaries on a generated group (issue 13 section 5, ADR 0011): how long a full rebuild and an
incremental refresh take, how many rows the summary holds, and each trend page's queries and time for the
group head and for the DSL of the busiest establishment (Django test client, in this process, 20 requests).

Run on a database that bench/generate_group.py filled (the data is kept; the summaries are rebuilt):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_gen_10k SAFEKEEP_ENV=test .venv/bin/python bench/trends_bench.py
"""

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
from safekeep.concerns.models import Concern  # noqa: E402
from safekeep.trends.models import TrendCount  # noqa: E402
from safekeep.trends.services import trends_refresh  # noqa: E402
from tests.world import sign_in  # noqa: E402

PAGES = ("/trends/", "/trends/child-on-child/", "/trends/exploitation/", "/trends/clocks/", "/trends/concerns.csv")
REQUESTS = 20


def _person(role, **where):
    return RoleMembership.objects.filter(role=role, **where).select_related("user").first().user


def _measure(client, path):
    client.get(path)  # warm
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries.captured_queries), statistics.median(times), sorted(times)[int(0.95 * REQUESTS) - 1]


def main() -> int:
    settings.ALLOWED_HOSTS = ["*"]
    concerns = Concern.objects.count()
    print(f"{connection.vendor}: {concerns:,} concerns")
    started = time.perf_counter()
    full = trends_refresh(full=True)
    print(f"full rebuild: {time.perf_counter() - started:.1f} s, {TrendCount.objects.count():,} summary rows, "
          f"{full.months_refreshed:,} establishment-months")
    started = time.perf_counter()
    incremental = trends_refresh()
    print(f"incremental refresh with nothing new: {(time.perf_counter() - started) * 1000:.0f} ms, "
          f"{incremental.months_refreshed} establishment-months recounted")
    busiest = (Concern.objects.values("establishment_id").annotate(n=Count("id")).order_by("-n").first())
    people = {"group head": _person(Role.GROUP_HEAD),
              "DSL": _person(Role.DSL, establishment_id=busiest["establishment_id"])}
    print(f"\n{'page':<32}{'who':<12}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for who, person in people.items():
        client = sign_in(Client(), person)
        for path in PAGES:
            queries, p50, p95 = _measure(client, path)
            print(f"{path:<32}{who:<12}{queries:>8}{p50:>9.0f}{p95:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
