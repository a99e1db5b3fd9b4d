"""Build a group of a given size for the benchmarks: establishments (integrated pairs among them) with their
places, people in every role, children on roll and placed, and five years of casework loaded in bulk with the
rows the services write (bench/generator/, proved by tests/integration/test_generator_parity.py).

Run on an empty database (it migrates it first):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_gen_10k SAFEKEEP_ENV=test \\
    .venv/bin/python bench/generate_group.py --concerns 10000 [--establishments N] [--years 5] [--seed 1]

Prints progress, then the rows written per table, the time taken and rows per second, and checks the audit
chain with `manage.py verify_audit_chain`. Every generated person's password is in bench/generator/base.py.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SAFEKEEP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench.generator.base import build_group, children_for  # noqa: E402
from bench.generator.casework import generate_casework  # noqa: E402
from safekeep.core import clock  # noqa: E402
from safekeep.establishments.models import Organisation  # noqa: E402

# The measured group (issue 12): 200 establishments for 1,000,000 concerns; smaller groups have fewer, with
# about 500 concerns each over the years, so an inbox is as full as it would be.
MOST_ESTABLISHMENTS = 200


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concerns", type=int, default=10_000, help="concerns over the years (10000, 100000, 1000000)")
    parser.add_argument("--establishments", type=int, default=None,
                        help="default: one for every 500 concerns, between 4 and 200")
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--flush-every", type=int, default=2000, help="concerns saved per transaction")
    args = parser.parse_args()
    for name, least in (("concerns", 1), ("establishments", 2), ("years", 1), ("flush_every", 1)):
        value = getattr(args, name)
        if value is not None and value < least:
            # At least two establishments: the first two are an integrated school and home.
            parser.error(f"--{name.replace('_', '-')} must be at least {least}")
    return args


def main() -> int:
    args = _arguments()
    establishments = args.establishments or max(4, min(MOST_ESTABLISHMENTS, args.concerns // 500))
    children = children_for(args.concerns, establishments)
    started = time.monotonic()
    print(f"{connection.vendor}: {args.concerns:,} concerns over {args.years} years, {establishments} establishments, "
          f"{children:,} children, seed {args.seed}", flush=True)
    call_command("migrate", verbosity=0)
    name = f"Harbour Bench Group {args.seed}"
    if Organisation.objects.filter(name__startswith="Harbour Bench Group").exists():
        # Its people's addresses would be given again, and addresses are unique.
        print("This database already holds a generated group: use an empty database.", file=sys.stderr)
        return 2
    group = build_group(establishments=establishments, children=children, seed=args.seed,
                        name=name)
    print(f"group built in {time.monotonic() - started:.1f} s", flush=True)
    loading = time.monotonic()

    def progress(writer):
        done = writer.counts[writer.MODELS[0]]
        rows = sum(writer.counts.values())
        spent = time.monotonic() - loading
        print(f"  {done:,} concerns, {rows:,} rows, {spent:.0f} s, {rows / max(spent, 1e-9):,.0f} rows/s", flush=True)

    writer = generate_casework(group, concerns=args.concerns, years=args.years, seed=args.seed, now=clock.now(),
                               flush_every=args.flush_every, progress=progress)
    loaded = time.monotonic() - loading
    print(f"\n{'table':<40}{'rows':>14}")
    for model, count in writer.counts.items():
        print(f"{model._meta.db_table:<40}{count:>14,}")
    total = sum(writer.counts.values())
    per_concern = {model._meta.model_name: writer.counts[model] / max(1, args.concerns) for model in writer.MODELS}
    print(f"{'total':<40}{total:>14,}")
    print(f"per concern: {per_concern['chronologyentry']:.1f} chronology entries, {per_concern['auditevent']:.1f} "
          f"audit rows, {per_concern['action']:.1f} actions")
    print(f"casework loaded in {loaded:.1f} s ({total / max(loaded, 1e-9):,.0f} rows/s, "
          f"{args.concerns / max(loaded, 1e-9):,.0f} concerns/s)")
    for step, seconds in writer.seconds.items():
        if seconds:
            print(f"  of which {step}: {seconds:.1f} s")
    summarising = time.monotonic()
    call_command("refresh_trends")  # the trend pages' summary tables, as the worker keeps them (ADR 0011)
    print(f"trend summaries built in {time.monotonic() - summarising:.1f} s")
    checking = time.monotonic()
    call_command("verify_audit_chain")
    print(f"audit chain verified in {time.monotonic() - checking:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            print(f"database size: {cursor.fetchone()[0]}")
    print(f"total time: {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
