"""How long the chronology page takes, and how many queries, for a child with 2,000 entries.

Run: SAFEKEEP_ENV=test .venv/bin/python bench/chronology_bench.py [entries]
Uses a throwaway SQLite file (or DATABASE_URL), never your data.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SAFEKEEP_ENV", "test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safekeep.authz.roles import Role  # noqa: E402
from safekeep.chronology.models import ChronologyEntry  # noqa: E402
from safekeep.core import clock  # noqa: E402
from tests.world import build_world, sign_in  # noqa: E402


def main(count: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    world = build_world()
    child, here = world.children["here"], world.establishments["here"]
    ChronologyEntry.objects.bulk_create([
        ChronologyEntry(child=child, establishment=here, kind="concern.recorded", summary=f"Entry {i}",
                        occurred_at=clock.now()) for i in range(count)])
    client = Client()
    sign_in(client, world.personas[Role.DSL])
    client.get(f"/chronology/{child.pk}/")  # warm up
    timings = []
    for _ in range(20):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(f"/chronology/{child.pk}/?page=10")
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    timings.sort()
    print(f"chronology with {count} entries: {len(queries)} queries; "
          f"median {timings[len(timings) // 2] * 1000:.0f} ms, worst {timings[-1] * 1000:.0f} ms "
          f"({connection.vendor})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
