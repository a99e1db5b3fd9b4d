"""Small-number suppression for the governor and SLT reports (docs/domain/oversight.md). Pure: counts in,
what may be published out.

A count under the threshold (5 in the statutory baseline's `reporting:` section) is shown as "fewer than 5",
so no child can be recognised from a small number (DESIGN.md section 1: governors see aggregates only, small
numbers suppressed). A published total must not give a hidden count away either (secondary suppression):
when a column has exactly one hidden count, total minus the others is that count, so the total is hidden
too. A reader knows every hidden count is 0 to 4, so hidden counts that add up to 0, or to 4 each, give
themselves away as well: the total is hidden then too.

Why the total and not the next smallest count: a count hidden only to protect another is 5 or more, so it
could not truthfully read "fewer than 5", and a different mark would tell the reader which is which (a
hidden pair of "fewer than 5" and "5 or more" adding up to 5 must be 0 and 5). Hiding the total keeps every
mark true.

Tables here have a published total for each column (this term, last term) and none for rows, so each column
is protected on its own. A table is rows of counts; what comes back is the same shape, with None for a
hidden count.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    """A table as it may be shown: cells (None: hidden) and a total for each column (None: hidden)."""

    cells: tuple[tuple[int | None, ...], ...]
    totals: tuple[int | None, ...]

    @property
    def hidden(self) -> int:
        return sum(cell is None for row in self.cells for cell in row) + sum(t is None for t in self.totals)


def is_small(count: int, threshold: int) -> bool:
    """Under the threshold: 0 too, since "none this term" in a small school can say as much as "one"."""
    return count < threshold


def suppress_column(counts: Sequence[int], threshold: int) -> tuple[list[bool], bool]:
    """Which counts of one column to hide (those under the threshold), and whether to hide its total: when it
    is itself under the threshold, or when with it the hidden counts could be worked out."""
    if threshold < 1:
        raise ValueError("The threshold is at least 1")
    counts = list(counts)
    if any(count < 0 for count in counts):
        raise ValueError("Counts are never negative")
    hidden = [is_small(count, threshold) for count in counts]
    hidden_counts = [count for count, is_hidden in zip(counts, hidden, strict=True) if is_hidden]
    gives_away = bool(hidden_counts) and (len(hidden_counts) == 1 or sum(hidden_counts) in
                                          (0, len(hidden_counts) * (threshold - 1)))
    return hidden, is_small(sum(counts), threshold) or gives_away


def suppress_table(rows: Sequence[Sequence[int]], threshold: int) -> Published:
    """A table with a published total under each column: each column suppressed on its own."""
    rows = [list(row) for row in rows]
    width = len(rows[0]) if rows else 0
    if any(len(row) != width for row in rows):
        raise ValueError("Every row has a count for each column")
    cells = [list(row) for row in rows]
    totals: list[int | None] = []
    for column in range(width):
        counts = [row[column] for row in rows]
        hidden, total_hidden = suppress_column(counts, threshold)
        for i, is_hidden in enumerate(hidden):
            if is_hidden:
                cells[i][column] = None
        totals.append(None if total_hidden else sum(counts))
    return Published(cells=tuple(tuple(row) for row in cells), totals=tuple(totals))


def share_published(numerator: int, denominator: int, threshold: int) -> int | None:
    """A percentage (rounded), published only when both counts behind it would be: a share of a small
    number says as much as the number."""
    if is_small(denominator, threshold) or is_small(numerator, threshold) or is_small(denominator - numerator,
                                                                                       threshold):
        return None
    return round(100 * numerator / denominator)
