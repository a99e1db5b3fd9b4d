"""The page every record printout shares (core's pdf-page.css, imported by the chronology PDF, the file that
follows a child and the subject access answer): who the record is about at the top of every page, who
printed it and when at the foot, "Page N of M"; and the builder fetches nothing else."""

import io

from pypdf import PdfReader

from safekeep.core import pdf
from safekeep.subjectaccess.pdf import STYLESHEET as ANSWER_STYLESHEET

PAGE = """<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>Answer</title>
<link rel="stylesheet" href="{stylesheet}"></head>
<body data-page-top="Child Here: the records Safekeep holds. Confidential." data-page-foot="Prepared by Sam Jones">
<h1>The records held</h1>{paragraphs}
<img src="https://example.org/track.png" alt="">
</body></html>"""


def test_every_page_carries_the_top_and_foot_and_nothing_outside_is_fetched():
    fetcher = pdf.OwnStylesheetOnly(ANSWER_STYLESHEET)
    html = PAGE.format(stylesheet=ANSWER_STYLESHEET,
                       paragraphs="".join(f"<p>Entry {number}</p>" for number in range(150)))
    pages = [page.extract_text() for page in
             PdfReader(io.BytesIO(pdf.pdf_from_html(html, stylesheet=ANSWER_STYLESHEET, fetcher=fetcher,
                                                    tagged=True))).pages]
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert "Child Here: the records Safekeep holds. Confidential." in text, number
        assert "Prepared by Sam Jones" in text and f"Page {number} of {len(pages)}" in text, number
    # The page's own stylesheet and the shared one were read; the picture was refused.
    assert fetcher.refused == ["https://example.org/track.png"]


def test_a_stylesheet_of_someone_elses_choosing_is_refused():
    fetcher = pdf.OwnStylesheetOnly(ANSWER_STYLESHEET)
    html = PAGE.format(stylesheet="file:///etc/passwd", paragraphs="<p>One</p>")
    assert pdf.pdf_from_html(html, stylesheet=ANSWER_STYLESHEET, fetcher=fetcher).startswith(b"%PDF")
    assert fetcher.refused == ["file:///etc/passwd", "https://example.org/track.png"]
