"""The API fuzzed from its committed OpenAPI file (docs/api/openapi.yaml) with schemathesis, as three people:
a DSL, a member of staff and an administrator. Any 5xx is a fault: bad input gets a clear 4xx.

gunicorn with production settings on a PostgreSQL cluster of its own, seeded with the tests' world.

Run: .venv/bin/python bench/api_fuzz.py [--examples 25] [--seconds 240]
Prints, for each role and in all, how many requests were sent and how many answered 5xx (and which);
exits 1 if any did. Everything runs on loopback and is removed afterwards.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import live

ROLES = ("dsl", "staff", "administrator")


def seed() -> dict:
    import django

    django.setup()
    from safekeep.accounts import services as accounts
    from safekeep.authz.roles import Role
    from tests.world import adopt_every_shipped_pack, build_world

    world = build_world()
    adopt_every_shipped_pack(world)
    return {role: accounts.api_token_create(actor=world.personas[Role(role)], name="fuzz", mfa_passed=True)[1]
            for role in ROLES}


def fuzz(url, token, report_dir: Path, examples: int, seconds: int) -> list[dict]:
    """Run in the report's own folder, so schemathesis keeps nothing in the checkout."""
    subprocess.run([
        str(live.ROOT / ".venv" / "bin" / "st"), "run", str(live.ROOT / "docs" / "api" / "openapi.yaml"),
        "--url", url, "-H", f"Authorization: Bearer {token}", "--checks", "not_a_server_error",
        "--max-examples", str(examples), "--max-time", str(seconds), "--phases", "examples,coverage,fuzzing",
        "--generation-allow-x00", "true", "--request-timeout", "30", "--workers", "1", "--continue-on-failure",
        "--report", "har", "--report-dir", str(report_dir), "--no-color", "--warnings", "off",
        "--generation-database", "none"], cwd=report_dir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    entries = []
    for har in report_dir.glob("har-*.json"):
        entries += json.loads(har.read_text())["log"]["entries"]
    return entries


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--seconds", type=int, default=240, help="time budget for each role")
    options = parser.parse_args()

    cluster = live.PostgresCluster()
    cluster.start()
    server = None
    totals = Counter()
    failures = Counter()
    try:
        env = live.production_environment(cluster.url())
        live.create_database(cluster, env)
        tokens = seed()
        server = live.Gunicorn(env)
        for role in ROLES:
            entries = fuzz(server.url, tokens[role], Path(tempfile.mkdtemp(prefix=f"fuzz-{role}-")),
                           options.examples, options.seconds)
            errors = [e for e in entries if e["response"]["status"] >= 500]
            statuses = Counter(e["response"]["status"] // 100 for e in entries)
            totals["requests"] += len(entries)
            totals["5xx"] += len(errors)
            for entry in errors:
                path = entry["request"]["url"].split("?")[0].replace(server.url, "")
                failures[f"{entry['request']['method']} {path} -> {entry['response']['status']}"] += 1
            print(f"{role}: {len(entries)} requests, {statuses[2]} 2xx, {statuses[4]} 4xx, {len(errors)} 5xx")
    finally:
        if server:
            server.stop()
        cluster.stop()
    print(f"in all: {totals['requests']} requests, {totals['5xx']} 5xx")
    for failure, times in failures.most_common():
        print(f"  {failure} ({times}x)")
    sys.exit(1 if totals["5xx"] or not totals["requests"] else 0)


if __name__ == "__main__":
    main()
