"""The home pages' figures on a generated group (issue 13 sections 1 and 5): for the DSL and the head of the
busiest establishment and for the group head, the time `home_page` takes (median and slowest of 10 runs after
one to warm up), its queries, the slowest query, and how many open concerns it counted.

Run on a database that bench/generate_group.py filled, after ANALYZE:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_gen_200k SAFEKEEP_ENV=test .venv/bin/python bench/home_pages_bench.py
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

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safekeep.authz.models import RoleMembership  # noqa: E402
from safekeep.authz.roles import Role  # noqa: E402
from safekeep.concerns.models import Concern  # noqa: E402
from safekeep.oversight.selectors import home_page  # noqa: E402

RUNS = 10


def _person(role, **where):
    return RoleMembership.objects.filter(role=role, **where).select_related("user").order_by("pk").first().user


def main():
    busiest = (Concern.objects.values("establishment_id").annotate(n=Count("pk")).order_by("-n")
               .values_list("establishment_id", "n")[0])
    print(f"{Concern.objects.count():,} concerns; the busiest establishment has {busiest[1]:,}")
    people = {"DSL": _person(Role.DSL, establishment_id=busiest[0]), "head": _person(Role.HEAD, establishment_id=busiest[0]),
              "group head": _person(Role.GROUP_HEAD)}
    print("| home page | median ms | slowest ms | queries | slowest query ms | open concerns |")
    print("|---|--:|--:|--:|--:|--:|")
    for name, person in people.items():
        home_page(person)
        times, slowest = [], 0.0
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                page = home_page(person)
                times.append((time.perf_counter() - started) * 1000)
            slowest = max([slowest] + [float(q["time"]) * 1000 for q in queries.captured_queries])
        opened = sum(f.open_concerns for f in page.needs_you + page.compared)
        print(f"| {name} | {statistics.median(times):.0f} | {max(times):.0f} | {len(queries)} | {slowest:.0f} | {opened:,} |")


if __name__ == "__main__":
    main()
