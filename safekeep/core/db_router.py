"""Which database a query goes to: the primary, or a read replica for reports and exports.

Reports, dashboards and exports read a lot and may be a moment behind, so when a PostgreSQL
streaming replica is configured (DATABASE_REPLICA_URL, config/settings.py) the views that build them
read inside `use_replica()`. Everything else reads from the primary, so a person who has just
recorded something sees it on the next page.

Inside a transaction every read goes to the primary, replica or not: a transaction writes, and what
it writes (the audit chain's next link, whether a step is already met) must follow from the newest
data, never from a copy that is behind. A report therefore reads first and then records, in its own
transaction, that it was read. Writes and migrations only ever go to the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

_reading_a_report: ContextVar[bool] = ContextVar("safekeep_reading_a_report", default=False)


@contextmanager
def use_replica():
    """Reads in this block, outside a transaction, go to the replica when one is configured."""
    token = _reading_a_report.set(True)
    try:
        yield
    finally:
        _reading_a_report.reset(token)


def _streamed_from_replica(chunks):
    # A streamed export reads its rows while the response is sent, after the view has returned.
    with use_replica():
        yield from chunks


def reads_from_replica(view):
    """For a report or export view: its reads (and a streamed response's) go to the replica."""

    @wraps(view)
    def reporting(request, *args, **kwargs):
        with use_replica():
            response = view(request, *args, **kwargs)
        if response.streaming:
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response

    return reporting


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (_reading_a_report.get() and replica_configured()
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA
