"""A trend page as CSV: one line per cell of its tables, each cell made safe for a spreadsheet."""

from collections.abc import Iterator

from defusedcsv import csv as defusedcsv
from django.utils.timezone import localtime

from safekeep.sharing.export import safe_cell

HEADER = ["Table", "Row", "Column", "Value", "Period", "Figures as of"]


class _Line:
    def write(self, line):
        return line


def trends_csv(title, figures, built) -> Iterator[str]:
    writer = defusedcsv.writer(_Line())
    as_of = f"{localtime(figures.figures_as_of):%Y-%m-%d %H:%M}" if figures.figures_as_of else "Not yet counted"
    yield writer.writerow(HEADER)
    for table in built:
        for row in table.rows:
            for heading, cell in zip(table.headers[1:], row.cells, strict=True):
                yield writer.writerow([safe_cell(value) for value in (
                    f"{title}: {table.title}", row.label, heading, cell.count, figures.period.label, as_of)])
