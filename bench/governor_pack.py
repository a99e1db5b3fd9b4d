"""The trust's termly governor report, built as its PDF at group scale (issue 13, section 5: under 10 s at 200
establishments), and the report's figures alone (the page's budget, 300 ms at p95), with their queries counted.

Run against a generated group (bench/generate_group.py), on PostgreSQL:
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/safekeep_gen_100k SAFEKEEP_ENV=test \\
    .venv/bin/python bench/governor_pack.py [--runs 5] [--on 2026-12-01]

--on sets the day the report is made (default: the newest concern's day, so "this term" has casework in it).
Prints, for the organisation with the most establishments: its size, then for the figures and for the PDF the
time of each run, p50 and p95 (the slowest of 5 runs is their p95), the queries made and the PDF's size.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SAFEKEEP_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import time_machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from safekeep.concerns.models import Concern  # noqa: E402
from safekeep.establishments.models import Organisation  # noqa: E402
from safekeep.governance.pdf import report_pdf  # noqa: E402
from safekeep.governance.selectors import trust_report  # noqa: E402
from safekeep.policy.deadlines import LONDON  # noqa: E402


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--on", default=None, help="the day the report is made, like 2026-12-01")
    return parser.parse_args()


def _figures(times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms"


def main():
    args = _arguments()
    organisation = Organisation.objects.annotate(n=Count("establishments")).order_by("-n").first()
    if organisation is None:
        sys.exit("No organisation here: generate a group first (bench/generate_group.py).")
    concerns = Concern.objects.filter(establishment__organisation=organisation)
    when = (datetime.fromisoformat(args.on).replace(hour=12, tzinfo=LONDON) if args.on
            else concerns.aggregate(last=Max("recorded_at"))["last"])
    print(f"{organisation.name}: {organisation.n} establishments, {concerns.count():,} concerns; report made on "
          f"{when.astimezone(LONDON):%-d %B %Y}")
    with time_machine.travel(when, tick=True):
        figure_times, pdf_times = [], []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = trust_report(organisation)
                figure_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            pdf = report_pdf(report)
            pdf_times.append(time.perf_counter() - started + figure_times[-1])
    print(f"this term {report['this_term']}, last term {report['last_term']}; "
          f"{sum(len(t['rows']) for t in report['tables'])} rows in {len(report['tables'])} tables")
    print(f"figures: {_figures(figure_times)} ({len(queries.captured_queries)} queries); runs "
          + ", ".join(f"{t * 1000:,.0f}" for t in figure_times) + " ms")
    print(f"PDF (figures and PDF): {_figures(pdf_times)}; {len(pdf):,} bytes; runs "
          + ", ".join(f"{t:,.2f}" for t in pdf_times) + " s")


if __name__ == "__main__":
    main()
