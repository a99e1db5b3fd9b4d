"""The place pages on a generated group (issue 14 section 1): for the DSL of the busiest establishment and for the
group head, the time each read takes (median and slowest of 10 runs after one to warm up), its queries and the
slowest query: the establishment's places with their counts, the busiest place's page (its concerns, heat and
notes), the same over the last 12 months, its heat table alone, the site plan's page, and for the group head the
places across the organisation over the last 28 days and the last 12 months.

Run on a database that bench/generate_group.py filled, after ANALYZE:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_gen_10k SAFEKEEP_ENV=test .venv/bin/python bench/places_bench.py
Every read writes its audit row; the runs are rolled back, so the database is left as it was.
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

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safekeep.authz.models import RoleMembership  # noqa: E402
from safekeep.authz.roles import Role  # noqa: E402
from safekeep.concerns.models import Concern  # noqa: E402
from safekeep.concerns.selectors import concerns_visible_to  # noqa: E402
from safekeep.places import selectors  # noqa: E402

RUNS = 10


def _person(role, **where):
    return RoleMembership.objects.filter(role=role, **where).select_related("user").order_by("pk").first().user


def _timed(read):
    read()
    times, slowest = [], 0.0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            read()
            times.append((time.perf_counter() - started) * 1000)
        slowest = max([slowest] + [float(q["time"]) * 1000 for q in queries.captured_queries])
    return statistics.median(times), max(times), len(queries), slowest


def main():
    establishment_id, place_id, n = (Concern.objects.filter(place__isnull=False)
                                     .values("establishment_id", "place_id").annotate(n=Count("pk")).order_by("-n")
                                     .values_list("establishment_id", "place_id", "n")[0])
    print(f"{Concern.objects.count():,} concerns; the busiest place has {n:,}")
    people = {"DSL": _person(Role.DSL, establishment_id=establishment_id), "group head": _person(Role.GROUP_HEAD)}
    print("| read | who | median ms | slowest ms | queries | slowest query ms |")
    print("|---|---|--:|--:|--:|--:|")
    with transaction.atomic():
        for who, person in people.items():
            reads = {
                "establishment's places": lambda person=person: selectors.read_establishment_places(person, establishment_id),
                "place page": lambda person=person: selectors.read_place(person, place_id),
                "heat of the place": lambda person=person: selectors.heat_of(
                    concerns_visible_to(person).filter(place_id=place_id)),
                "site plan page": lambda person=person: selectors.read_plan(person, establishment_id),
                "place page, last 12 months": lambda person=person: selectors.read_place(
                    person, place_id, selectors.period_of("12m")),
            }
            if selectors.group_organisation(person) is not None:
                reads |= {f"places across the organisation, {code}": lambda person=person, code=code: (
                    selectors.read_group_places(person, selectors.period_of(code))) for code in ("28d", "12m")}
            for name, read in reads.items():
                median, most, queries, slowest = _timed(read)
                print(f"| {name} | {who} | {median:.0f} | {most:.0f} | {queries} | {slowest:.0f} |")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
