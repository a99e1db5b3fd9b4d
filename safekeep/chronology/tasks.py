from datetime import timedelta

from crontask import cron
from django.tasks import task

from safekeep.core import clock

from .prepared import pdf_request_build, pdf_requests_expire


@task()
def chronology_pdf_build(request_id: int) -> str:
    """A long chronology's PDF, queued in the transaction of the request that asked for it (services)."""
    return pdf_request_build(request_id)


@cron("*/10 * * * *")
@task()
def chronology_pdfs_expire() -> str:
    """Every ten minutes: a prepared PDF is a copy of the child's record, deleted once it is a day old."""
    return f"{pdf_requests_expire(older_than=clock.now() - timedelta(days=1))} chronology PDFs deleted"
