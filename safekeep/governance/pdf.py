"""The termly report as a PDF, built with WeasyPrint from the same published figures as the page.

The PDF fetches nothing from outside: its fetcher answers only for Safekeep's own print stylesheet, read from
the static files, and refuses every other address (a link, an image, a font someone put in a template), so
building a report never reaches the network and nothing about it leaves.
"""

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The only thing a report PDF may load: its print stylesheet, by this address.
STYLESHEET = "safekeep-static:governance/report-print.css"


class OwnStylesheetOnly(URLFetcher):
    """Answers for our own print stylesheet; refuses everything else (and remembers what it refused)."""

    def __init__(self):
        super().__init__(allowed_protocols=())
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url == STYLESHEET:
            path = finders.find(url.removeprefix("safekeep-static:"))
            with open(path, "rb") as css:
                return URLFetcherResponse(url, css.read(), {"Content-Type": "text/css"})
        self.refused.append(url)
        raise ValueError(f"A report PDF loads nothing from outside Safekeep: {url}")


def report_pdf(report: dict, *, fetcher: OwnStylesheetOnly | None = None) -> bytes:
    html = render_to_string("governance/report_pdf.html", {"report": report, "stylesheet": STYLESHEET})
    return HTML(string=html, base_url=STYLESHEET, url_fetcher=fetcher or OwnStylesheetOnly()).write_pdf()
