"""A long chronology's PDF, prepared by the worker (issue 15, section 3): built with the chronology PDF's own
code from what the person who asked may read when it is built, stored encrypted, and deleted a day later.

A 2,000-entry chronology takes WeasyPrint some 18 s of CPU (docs/performance.md), longer than a page may keep
someone waiting; so the page answers at once and the worker builds the file. The PDF is a copy of the child's
record: it is stored encrypted (pdf.seal) and deleted a day after it was asked for."""

import logging

from django.db import transaction

from safekeep.core import clock

from .models import ChronologyPdfRequest
from .pdf import chronology_pdf, seal
from .selectors import read_chronology_for_export

logger = logging.getLogger(__name__)

Status = ChronologyPdfRequest.Status


def pdf_request_build(request_id: int) -> str:
    """Build the PDF asked for, as the person who asked would download it now (the export's read is audited
    as theirs, as a direct download's is), and store it encrypted. Any failure marks the request failed and
    is logged with its ids alone (a record's words never reach a log); nothing is stored half-written, and
    the worker carries on with its next task."""
    asked = ChronologyPdfRequest.objects.select_related("requested_by").filter(
        pk=request_id, status=Status.WAITING).first()
    if asked is None:
        return "nothing to build"
    try:
        with transaction.atomic():
            export = read_chronology_for_export(asked.requested_by, asked.child_id, redact=asked.redact)
        sealed = seal(chronology_pdf(export))
    except Exception as error:  # whatever went wrong, the person is told and the worker goes on
        logger.error("Chronology PDF request %s for child %s could not be built: %s", asked.pk, asked.child_id,
                     type(error).__name__)
        ChronologyPdfRequest.objects.filter(pk=asked.pk, status=Status.WAITING).update(status=Status.FAILED)
        return "failed"
    # Stored whole in one update, and only while still waiting: one deleted as a day old in the meantime stays so.
    stored = ChronologyPdfRequest.objects.filter(pk=asked.pk, status=Status.WAITING).update(
        status=Status.READY, pdf=sealed, ready_at=clock.now())
    return "ready" if stored else "expired while it was built"


def pdf_requests_expire(*, older_than) -> int:
    """The PDFs asked for before older_than are deleted (and any still waiting then will not be built)."""
    return (ChronologyPdfRequest.objects.filter(requested_at__lt=older_than).exclude(status=Status.EXPIRED)
            .update(status=Status.EXPIRED, pdf=None))
