"""PDFs built with WeasyPrint from Safekeep's own templates, fetching nothing from outside.

The fetcher answers only for the one print stylesheet the document is built with, read from Safekeep's
static files, and refuses every other address (a link, an image, a font someone put in a template), so
building a PDF never reaches the network and nothing about what it holds leaves.
"""

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Safekeep's static files, by this address: "safekeep-static:governance/report-print.css".
STATIC = "safekeep-static:"


def stylesheet_address(path: str) -> str:
    return f"{STATIC}{path}"


class OwnStylesheetOnly(URLFetcher):
    """Answers for our own print stylesheet; refuses everything else (and remembers what it refused)."""

    def __init__(self, stylesheet: str):
        super().__init__(allowed_protocols=())
        self.stylesheet = stylesheet
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url == self.stylesheet:
            with open(finders.find(url.removeprefix(STATIC)), "rb") as css:
                return URLFetcherResponse(url, css.read(), {"Content-Type": "text/css"})
        self.refused.append(url)
        raise ValueError(f"A Safekeep PDF loads nothing from outside Safekeep: {url}")


def pdf_from_html(html: str, *, stylesheet: str, fetcher: OwnStylesheetOnly | None = None,
                  tagged: bool = False) -> bytes:
    """The PDF of a page Safekeep rendered. tagged: PDF/UA-1, with its structure for screen readers (the
    language and title come from the page's <html lang> and <title>)."""
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    return HTML(string=html, base_url=stylesheet, url_fetcher=fetcher or OwnStylesheetOnly(stylesheet)).write_pdf(
        **options)
