from django.core.management.base import BaseCommand, CommandError

from safekeep.audit.checks import audit_role_warnings
from safekeep.audit.models import AuditEvent
from safekeep.audit.selectors import verify_chain
from safekeep.audit.services import audit_checkpoint


class Command(BaseCommand):
    help = ("Check the audit log's HMAC chain and its signed checkpoints; name the first row that was altered, "
            "deleted or inserted, or the rows removed from the end. Then seal the head in a new checkpoint.")

    def handle(self, *args, **options):
        for warning in audit_role_warnings():
            self.stderr.write(f"Warning: {warning.msg} {warning.hint}")
        problem = verify_chain()
        if problem:
            raise CommandError(f"Audit chain broken at {problem}")
        checkpoint = audit_checkpoint()
        rows = AuditEvent.objects.count()
        sealed = f" The head (seq {checkpoint.seq}) is sealed in a new checkpoint." if checkpoint else ""
        self.stdout.write(f"Audit chain intact: {rows} rows verified.{sealed}")
