from crontask import cron
from django.tasks import task

from .services import trends_refresh


@cron("*/5 * * * *")
@task()
def trends_refresh_incremental() -> str:
    """Every five minutes (manage.py crontask enqueues it; the database worker runs it): the trend pages'
    figures are at most a few minutes old, and the page says how old (ADR 0011)."""
    refresh = trends_refresh()
    return f"{refresh.months_refreshed} establishment-months recounted"
