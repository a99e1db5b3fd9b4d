"""A child's chronology as a PDF for a case conference (safekeep.core.pdf: it fetches nothing but its own
stylesheets). Tagged for screen readers (PDF/UA-1, in British English, titled), numbered "Page 3 of 12", with
the child's name and date of birth at the top of every page and who printed it, and when, at the foot.

Each entry is laid out as a heading and one paragraph of lines (who recorded it, what it says, what happened),
with the child's own words set apart: WeasyPrint's cost is in the blocks and lines it lays out, and fewer
blocks an entry is what keeps a 2,000-entry chronology within its time (docs/performance.md)."""


from django.template.loader import render_to_string

from safekeep.core import clock, pdf
from safekeep.core.sealed import Sealer

from .redaction import WITHHELD

STYLESHEET = pdf.stylesheet_address("chronology/chronology-pdf.css")


def _lines(entry, withhold) -> str:
    """The entry's paragraph, a line each (printed as written: white-space pre-wrap). Who recorded an entry
    and who marked a key event are Safekeep's users, professionals acting in their role: their names are
    part of the record and are never withheld (docs/domain/chronology.md)."""
    recorded = entry.recorded_at.astimezone(clock.LONDON)
    about = f"Recorded {recorded.day} {recorded:%b %Y, %H:%M}"
    if entry.recorded_by:
        about += f" by {entry.recorded_by.full_name}"
    about += f", {entry.establishment.name}"
    if entry.shows_role:
        about += f". Role in the concern: {entry.role_label.lower()}"
    if entry.category_labels:
        about += f". Categories: {', '.join(entry.category_labels)}"
    lines = [about, withhold(entry.summary)]
    if entry.narrative:
        lines.append(f"What happened: {withhold(entry.narrative)}")
    if entry.key_marked_by:
        lines.append(f"{'Marked as a key event' if entry.is_key else 'Key event mark taken away'} by "
                     f"{entry.key_marked_by}")
    return "\n".join(lines)


def chronology_pdf(export, *, fetcher: pdf.OwnStylesheetOnly | None = None) -> bytes:
    withhold = export.redaction
    rows = [{
        "when": entry.occurred_at.astimezone(clock.LONDON), "kind": entry.kind_words, "key": entry.is_key,
        "linked": entry.type == "linked", "lines": _lines(entry, withhold),
        "childs_words": withhold(entry.childs_words),
    } for entry in export.entries]
    printed = export.printed_at.astimezone(clock.LONDON)
    html = render_to_string("chronology/chronology_pdf.html", {
        "child": export.child, "born": pdf.day(export.child.date_of_birth), "rows": rows,
        "stylesheet": STYLESHEET, "establishment": export.establishment, "tracked_hidden": export.tracked_hidden,
        "withheld": withhold.withholds, "withheld_words": WITHHELD,
        "printed": f"Printed by {export.printed_by}, {export.printed_role}, on {pdf.day(printed)} at "
                   f"{printed:%H:%M}"})
    return pdf.pdf_from_html(html, stylesheet=STYLESHEET, fetcher=fetcher, tagged=True)


# A PDF the worker prepared (prepared.py) is a copy of the child's record, kept a day: encrypted as attachments
# are (ADR 0007: AES-GCM, under a key derived from the field key with a label of its own, so it never shares a
# key with an attachment or a child protection file). Stored as: version byte, 12-byte nonce, ciphertext and tag.
_SEALER = Sealer(what="chronology PDF", key_label=b"chronology pdfs v1", bound=b"safekeep chronology pdf v1")
seal, unseal = _SEALER.encrypt, _SEALER.decrypt
