"""Concerns sent while Safekeep is failing: no acknowledged concern may be lost, duplicated or left without
the safeguarding team's alert (CE 10.1).

gunicorn with production settings on a PostgreSQL cluster of its own; several members of staff send concerns
through the API, each with its own Idempotency-Key, and retry as a browser would (the same request again
after a dropped connection, a timeout or a 5xx, waiting as Retry-After says). Meanwhile gunicorn workers are
killed (SIGKILL) and PostgreSQL is stopped at once and restarted, a bounded number of times.

Run: .venv/bin/python bench/fault_submissions.py [--concerns 300] [--clients 6] [--kills 8] [--restarts 3]
Prints acknowledged, lost, duplicated and missing-alert counts; exits 1 unless the last three are 0.
Everything runs on loopback and is removed afterwards.
"""

import argparse
import json
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter

import live

RETRYABLE = {500, 502, 503, 504}


def seed(clients: int):
    """The world the tests use, and one member of staff (with an API token) per client."""
    import django

    django.setup()
    from safekeep.accounts import services as accounts
    from safekeep.authz.roles import Role
    from tests.world import build_world, give_role, make_user

    world = build_world()
    here = world.establishments["here"]
    staff = [make_user(f"bench-staff-{n}@example.org", here.organisation) for n in range(clients)]
    for person in staff:
        give_role(person, Role.STAFF, establishment=here)
    tokens = [accounts.api_token_create(actor=person, name="bench", mfa_passed=True)[1] for person in staff]
    return world, staff, tokens


def send(url, token, body, key, deadline) -> tuple[dict | None, int]:
    """POST until Safekeep answers for certain (2xx or 4xx), as a browser retrying would. Returns (answer,
    attempts); the answer is None if Safekeep never answered before the deadline."""
    data = json.dumps(body).encode()
    attempts = 0
    while time.monotonic() < deadline:
        attempts += 1
        request = urllib.request.Request(f"{url}/api/v1/concerns/", data=data, method="POST", headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": key, "Content-Type": "application/json"})
        wait = 0.5
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return json.loads(response.read()), attempts
        except urllib.error.HTTPError as error:
            if error.code not in RETRYABLE:
                raise RuntimeError(f"Safekeep refused a concern: {error.code} {error.read()[:300]!r}") from None
            wait = min(float(error.headers.get("Retry-After") or 0.5), 2.0)
        except (OSError, ValueError):
            pass  # connection refused or reset, a timeout, a half-written answer: try again
        time.sleep(wait)
    return None, attempts


def client(url, token, child_id, establishment_id, count, results, deadline):
    for _ in range(count):
        marker = uuid.uuid4().hex
        key = str(uuid.uuid4())
        body = {"establishment": establishment_id, "occurred_at": "2026-11-20T13:15:00Z",
                "children": [{"child": child_id, "role": "harmed", "categories": []}],
                "narrative": f"Fault-run concern {marker}: he was crying by the gate."}
        answer, attempts = send(url, token, body, key, deadline)
        results.append({"marker": marker, "key": key, "id": answer["id"] if answer else None,
                        "attempts": attempts})


def faults(server, cluster, kills, restarts, running, log):
    plan = ["kill"] * kills + ["restart"] * restarts
    random.shuffle(plan)
    for fault in plan:
        time.sleep(random.uniform(0.5, 2.0))
        if not running.is_set():
            break
        if fault == "kill":
            log.append(("worker killed", server.kill_a_worker(random.choice)))
        else:
            cluster.crash_and_restart()
            log.append(("postgresql restarted", None))


def count(world, staff, results):
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from safekeep.concerns.models import Concern

    connection.close()  # the cluster restarted under this process too
    acknowledged = [r for r in results if r["id"] is not None]
    stored = {c.pk: c for c in Concern.objects.filter(recorded_by__in=staff)}
    by_marker = Counter(c.narrative.split(":")[0].split()[-1] for c in stored.values())
    lost = sum(1 for r in acknowledged if r["id"] not in stored or r["marker"] not in stored[r["id"]].narrative)
    duplicated = sum(n - 1 for n in by_marker.values() if n > 1)
    alerted = {row.args_kwargs["args"][0] for row in DBTaskResult.objects.filter(
        task_path="safekeep.concerns.tasks.send_concern_alert")}
    missing_alerts = sum(1 for r in acknowledged if r["id"] not in alerted)
    return {"submitted": len(results), "acknowledged": len(acknowledged),
            "never_answered": len(results) - len(acknowledged), "stored": len(stored), "lost": lost,
            "duplicated": duplicated, "missing_alerts": missing_alerts}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concerns", type=int, default=300)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--kills", type=int, default=8)
    parser.add_argument("--restarts", type=int, default=3)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=10, help="stop retrying after this long")
    options = parser.parse_args()
    random.seed()

    cluster = live.PostgresCluster()
    cluster.start()
    server = None
    try:
        env = live.production_environment(cluster.url())
        live.create_database(cluster, env)
        world, staff, tokens = seed(options.clients)
        server = live.Gunicorn(env, workers=options.workers)
        results, log, running = [], [], threading.Event()
        running.set()
        deadline = time.monotonic() + options.minutes * 60
        per_client = [options.concerns // options.clients + (n < options.concerns % options.clients)
                      for n in range(options.clients)]
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(
            server.url, tokens[n], world.children["here"].pk, world.establishments["here"].pk, per_client[n],
            results, deadline)) for n in range(options.clients)]
        injector = threading.Thread(target=faults, args=(server, cluster, options.kills, options.restarts,
                                                         running, log))
        for thread in [*threads, injector]:
            thread.start()
        for thread in threads:
            thread.join()
        running.clear()
        injector.join()
        elapsed = time.monotonic() - started
        figures = count(world, staff, results)
    finally:
        if server:
            server.stop()
        cluster.stop()
    retried = sum(1 for r in results if r["attempts"] > 1)
    print(f"{figures['submitted']} concerns from {options.clients} clients in {elapsed:.1f} s, "
          f"{gunicorn_faults(log)}; {retried} needed a retry")
    for name in ("acknowledged", "never_answered", "stored", "lost", "duplicated", "missing_alerts"):
        print(f"{name.replace('_', ' ')}: {figures[name]}")
    failed = figures["lost"] or figures["duplicated"] or figures["missing_alerts"]
    print("FAIL" if failed else "OK: nothing acknowledged was lost, duplicated or left without its alert")
    sys.exit(1 if failed else 0)


def gunicorn_faults(log) -> str:
    kinds = Counter(kind for kind, _ in log)
    return f"{kinds['worker killed']} workers killed (SIGKILL), {kinds['postgresql restarted']} PostgreSQL restarts"


if __name__ == "__main__":
    main()
