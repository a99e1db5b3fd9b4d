"""A child's chronology as a PDF for a case conference (safekeep.core.pdf: it fetches nothing but its own
stylesheet). Tagged for screen readers (PDF/UA-1, in British English, titled), numbered "Page 3 of 12", with
the child's name and date of birth at the top of every page and who printed it, and when, at the foot."""

from django.template.loader import render_to_string

from safekeep.core import clock, pdf

from .redaction import WITHHELD

STYLESHEET = pdf.stylesheet_address("chronology/chronology-pdf.css")


def _day(moment) -> str:
    local = moment.astimezone(clock.LONDON)
    return f"{local.day} {local:%B %Y}"


def chronology_pdf(export, *, fetcher: pdf.OwnStylesheetOnly | None = None) -> bytes:
    withhold = export.redaction
    rows = [{
        "when": entry.occurred_at.astimezone(clock.LONDON), "recorded": entry.recorded_at.astimezone(clock.LONDON),
        "recorded_by": withhold(entry.recorded_by.full_name) if entry.recorded_by else "",
        "place": entry.establishment.name, "kind": entry.kind_words, "key": entry.is_key,
        "linked": entry.type == "linked", "role": entry.role_label.lower() if entry.shows_role else "",
        "summary": withhold(entry.summary), "narrative": withhold(entry.narrative),
        "childs_words": withhold(entry.childs_words), "categories": ", ".join(entry.category_labels),
        "marked_by": withhold(entry.key_marked_by or ""),
    } for entry in export.entries]
    printed = export.printed_at.astimezone(clock.LONDON)
    html = render_to_string("chronology/chronology_pdf.html", {
        "child": export.child, "born": _day_of(export.child.date_of_birth), "rows": rows,
        "stylesheet": STYLESHEET, "establishment": export.establishment, "tracked_hidden": export.tracked_hidden,
        "withheld": withhold.withholds, "withheld_words": WITHHELD,
        "printed": f"Printed by {export.printed_by}, {export.printed_role}, on {_day(printed)} at {printed:%H:%M}"})
    return pdf.pdf_from_html(html, stylesheet=STYLESHEET, fetcher=fetcher, tagged=True)


def _day_of(day) -> str:
    return f"{day.day} {day:%B %Y}"
