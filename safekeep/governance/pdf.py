"""The termly report as a PDF, built with WeasyPrint from the same published figures as the page.

Built by safekeep.core.pdf, which fetches nothing but the report's own print stylesheet.
"""

from django.template.loader import render_to_string

from safekeep.core import pdf

# The only thing a report PDF may load: its print stylesheet, by this address.
STYLESHEET = pdf.stylesheet_address("governance/report-print.css")


class OwnStylesheetOnly(pdf.OwnStylesheetOnly):
    """The core fetcher, answering for the report's stylesheet only."""

    def __init__(self):
        super().__init__(STYLESHEET)


def report_pdf(report: dict, *, fetcher: OwnStylesheetOnly | None = None) -> bytes:
    html = render_to_string("governance/report_pdf.html", {"report": report, "stylesheet": STYLESHEET})
    return pdf.pdf_from_html(html, stylesheet=STYLESHEET, fetcher=fetcher or OwnStylesheetOnly())
