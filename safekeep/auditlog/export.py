"""The audit log as CSV that is safe to open in a spreadsheet, a line at a time.

Every text cell goes through the information-sharing register's safe_cell: one that starts with =, +, -, @, a tab
or a carriage return gets an apostrophe, so a spreadsheet shows it as text and never runs it (OWASP, CSV
injection). An email address or a refused page's address is typed by someone, so it is treated like any text.
"""

from collections.abc import Iterable, Iterator

from defusedcsv import csv as defusedcsv
from django.utils.timezone import localtime

from safekeep.sharing.export import safe_cell

from .names import Row

HEADER = ["Entry", "When", "Who", "Email", "Role", "What they did", "Action", "Record", "Kind of record",
          "Record id", "Outcome"]


class _Line:
    """What the csv writer writes to: it hands each line straight back, so nothing is kept."""

    def write(self, line):
        return line


def _cells(row: Row) -> list:
    return [row.seq, f"{localtime(row.occurred_at):%Y-%m-%d %H:%M:%S}", row.who, row.email, row.role,
            row.action_words, row.action, row.record, row.object_type, row.object_id,
            "Refused" if row.refused else "Allowed"]


def audit_csv(rows: Iterable[Row]) -> Iterator[str]:
    writer = defusedcsv.writer(_Line())
    yield writer.writerow(HEADER)
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in _cells(row)])
