"""How many concerns Safekeep records per second, through the real service (concern_submit), with 1 and 20
clients, next to the raw write limit (/work/shared/tools/raw_write_limit.py: the same rows by raw psycopg) in
the same run, and the ratio. Each client is a process with its own connection, as a gunicorn worker is; each
recording reads its recorder and establishment afresh, as a request does. Emails are queued in the
database (the production task queue) and not sent.

Run: SAFEKEEP_ENV=test DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_bench \\
         .venv/bin/python bench/record_rate.py [--clients 1 20] [--seconds 10] [--kind neglect|cce]
The database named is dropped and made again: never point it at your data.
SAFEKEEP_SOURCE=/path/to/another/checkout measures that checkout's code instead (for a before/after).
"""

import argparse
import multiprocessing
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

RAW_LIMIT = Path("/work/shared/tools/raw_write_limit.py")
SOURCE = Path(os.environ.get("SAFEKEEP_SOURCE", Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(SOURCE))
os.environ.setdefault("SAFEKEEP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
KINDS = {"neglect": (["neglect"], {}), "cce": (["cce"], {"disclosure": True})}


def _fresh_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def _setup():
    import django
    from django.test.utils import override_settings

    django.setup()
    # The production queue: an email is a row written with the concern, not a delivery in the request.
    override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}).enable()


def _world() -> dict:
    from django.core.management import call_command

    from safekeep.authz.roles import Role
    from safekeep.packs import services as packs
    from tests.world import build_world

    call_command("migrate", verbosity=0)
    world = build_world()
    for version in packs.shipped_packs_install():
        if version.pack in ("statutory-baseline", "child-exploitation"):
            packs.pack_adopt(actor=world.personas[Role.GROUP_HEAD], pack_version=version,
                             organisation=world.organisations["one"])
    return {"actor": world.personas[Role.STAFF].pk, "here": world.establishments["here"].pk,
            "child": world.children["here"].pk}


def _client(args) -> list[float]:
    """One client: record concerns until the time is up; the seconds each one took."""
    from django.db import connection

    from safekeep.accounts.models import User
    from safekeep.children.models import Child
    from safekeep.concerns import services as concerns
    from safekeep.core import clock
    from safekeep.establishments.models import Establishment

    number, world, kind, stop = args
    categories, flags = KINDS[kind]
    took, n = [], 0
    while not took or time.time() < stop:
        started = time.perf_counter()
        actor, here = User.objects.get(pk=world["actor"]), Establishment.objects.get(pk=world["here"])
        child = Child.objects.get(pk=world["child"])
        concerns.concern_submit(actor=actor, establishment=here, occurred_at=clock.now() - timedelta(minutes=5),
                                narrative="What I saw and heard", idempotency_key=f"rate-{number}-{n}-{stop}",
                                children=[{"child": child, "role": "harmed", "categories": categories}], **flags)
        took.append(time.perf_counter() - started)
        n += 1
    connection.close()
    return took


def _rate(world, clients: int, seconds: float, kind: str) -> tuple[float, float, float]:
    from django.db import connections

    connections.close_all()  # each forked client opens its own
    stop = time.time() + seconds
    started = time.time()
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        took = sorted(t for client in pool.map(_client, [(i, world, kind, stop) for i in range(clients)])
                      for t in client)
    elapsed = time.time() - started
    percentile = lambda p: took[min(len(took) - 1, int(p * len(took)))] * 1000  # noqa: E731
    return len(took) / elapsed, percentile(0.5), percentile(0.95)


def _raw_limit(url: str, clients: int, seconds: float) -> float | None:
    if not RAW_LIMIT.exists():
        return None
    out = subprocess.run([sys.executable, str(RAW_LIMIT), url, str(clients), str(seconds)], capture_output=True,
                         text=True, check=True).stdout
    return float(re.search(r"rate=(\d+(?:\.\d+)?)/s", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 20])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--kind", choices=sorted(KINDS), default="neglect")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a throwaway PostgreSQL database: it is dropped and made again.")
    _fresh_database(url)
    _setup()
    world = _world()
    _client((0, world, options.kind, 0))  # parse the packs once, before the clients are forked with them
    print(f"recording a concern ({options.kind}), code from {SOURCE}")
    for clients in options.clients:
        rate, p50, p95 = _rate(world, clients, options.seconds, options.kind)
        raw = _raw_limit(url, clients, options.seconds)
        ratio = f", {rate / raw:.3f} of the raw limit ({raw:.0f}/s)" if raw else ""
        print(f"clients={clients}: {rate:.1f} concerns/s, p50 {p50:.0f} ms, p95 {p95:.0f} ms{ratio}")


if __name__ == "__main__":
    main()
