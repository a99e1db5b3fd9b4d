from datetime import timedelta

from crontask import cron
from django.tasks import task

from safekeep.core import clock

from .services import pending_uploads_expire as expire


@cron("23 * * * *")
@task()
def pending_uploads_expire() -> str:
    """Hourly: files chosen for a concern that was never sent are deleted once they are a day old."""
    return f"{expire(older_than=clock.now() - timedelta(days=1))} files deleted"
