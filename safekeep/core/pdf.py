"""PDFs built with WeasyPrint from Safekeep's own templates, fetching nothing from outside.

The fetcher answers only for the document's own print stylesheet and the page stylesheet every record
printout shares (PAGE_STYLESHEET: the page size, the header and footer on every page, the type), read from
Safekeep's static files, and refuses every other address (a link, an image, a font someone put in a
template), so building a PDF never reaches the network and nothing about what it holds leaves.
"""

import pydyf
from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Safekeep's static files, by this address: "safekeep-static:governance/report-print.css".
STATIC = "safekeep-static:"


def stylesheet_address(path: str) -> str:
    return f"{STATIC}{path}"


# The page furniture of a record printout (the chronology, the file that follows a child, a subject access
# answer): each document links it before its own stylesheet (templates/includes/pdf_page.html).
PAGE_STYLESHEET = stylesheet_address("safekeep/pdf-page.css")


class OwnStylesheetOnly(URLFetcher):
    """Answers for our own print stylesheets; refuses everything else (and remembers what it refused)."""

    def __init__(self, stylesheet: str):
        super().__init__(allowed_protocols=())
        self.stylesheets = {stylesheet, PAGE_STYLESHEET}
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if url in self.stylesheets:
            with open(finders.find(url.removeprefix(STATIC)), "rb") as css:
                return URLFetcherResponse(url, css.read(), {"Content-Type": "text/css"})
        self.refused.append(url)
        raise ValueError(f"A Safekeep PDF loads nothing from outside Safekeep: {url}")


def day(moment) -> str:
    """A date as a printout says it: "3 December 2026"."""
    return f"{moment.day} {moment:%B %Y}"


def _page_references(document):
    """The PDF's page references, built once the pages are all added. pydyf builds them again on every
    read, and the tagging of a PDF/UA document reads them once per tagged element: at 2,000 chronology
    entries (230 pages, 20,000 elements) that alone was 2 s of a build. Pages are only ever added, so the
    count of pages tells when the references are out of date."""
    kids = document.pages["Kids"]
    cached = getattr(document, "_safekeep_page_references", None)
    if cached is None or cached[0] != len(kids):
        cached = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        document._safekeep_page_references = cached
    return cached[1]


pydyf.PDF.page_references = property(_page_references)


def pdf_from_html(html: str, *, stylesheet: str, fetcher: OwnStylesheetOnly | None = None,
                  tagged: bool = False) -> bytes:
    """The PDF of a page Safekeep rendered. tagged: PDF/UA-1, with its structure for screen readers (the
    language and title come from the page's <html lang> and <title>)."""
    options = {"pdf_variant": "pdf/ua-1"} if tagged else {}
    return HTML(string=html, base_url=stylesheet, url_fetcher=fetcher or OwnStylesheetOnly(stylesheet)).write_pdf(
        **options)
