import logging

from crontask import cron
from django.tasks import task

from .services import AuditChainBroken, audit_checkpoint

logger = logging.getLogger(__name__)


@cron("* * * * *")
@task()
def audit_checkpoint_take() -> str:
    """Every minute: seal the audit log's head, so rows removed from the end are named by the verifier.
    The window in which the newest rows could vanish unnoticed is at most this minute."""
    try:
        checkpoint = audit_checkpoint()
    except AuditChainBroken as broken:
        # Sequence numbers only, never case content. The verifier names the same break.
        logger.error("Audit chain broken, no checkpoint taken: %s", broken)
        return f"no checkpoint: {broken}"
    return f"checkpoint at seq {checkpoint.seq}" if checkpoint else "no new audit rows"
