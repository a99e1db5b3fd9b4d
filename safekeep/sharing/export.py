"""The register as CSV that is safe to open in a spreadsheet.

A cell that starts with =, +, -, @, a tab or a carriage return could be read as a formula (CSV or
"formula" injection, OWASP): each such cell is prefixed with an apostrophe so a spreadsheet shows it as
text. defusedcsv does the same for =, +, -, @, | and % (but lets negative numbers through, and not
tabs or carriage returns), so we neutralise every text cell ourselves first and let defusedcsv write.
"""

from collections.abc import Iterator

from defusedcsv import csv as defusedcsv
from django.utils.timezone import localtime

from . import lawful_basis

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")

HEADER = ["Share id", "Shared on", "Recorded on", "Establishment", "Children", "Recipient", "Recipient organisation",
          "What was shared", "Purpose", "Lawful basis", "Legal reference", "Consent",
          "Reason shared without consent", "Authorised by", "Recipient agreed to handle it securely",
          "How, or why not", "How it was shared", "Source id", "Corrects share"]


def safe_cell(value) -> str:
    """Text a spreadsheet will not run: cells starting with a formula character get an apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS_FIRST) else text


def _row(share, children) -> list:
    return [share.pk, f"{localtime(share.shared_at):%Y-%m-%d %H:%M}", f"{localtime(share.recorded_at):%Y-%m-%d %H:%M}",
            share.establishment.name, "; ".join(child.display_name for child in children),
            share.recipient, share.recipient_organisation, share.what, share.purpose,
            share.get_lawful_basis_display(), lawful_basis.BY_CODE[share.lawful_basis].reference
            if share.lawful_basis in lawful_basis.BY_CODE else "", share.get_consent_display(), share.consent_note,
            share.authorised_by.full_name, "Yes" if share.secure_handling_agreed else "No",
            share.secure_handling_note, share.get_source_kind_display(), share.source_id or "",
            share.corrects_id or ""]


class _Line:
    """What the csv writer writes to: it hands each line straight back, so nothing is kept."""

    def write(self, line):
        return line


def register_csv(rows) -> Iterator[str]:
    """The CSV a line at a time. rows: (share, its children) pairs, as the register's export reads them."""
    writer = defusedcsv.writer(_Line())
    yield writer.writerow(HEADER)
    for share, children in rows:
        yield writer.writerow([safe_cell(cell) for cell in _row(share, children)])
