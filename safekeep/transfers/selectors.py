"""Reading what was sent and received: the sender's page for the safeguarding team at the child's establishment
(404 alike for missing and not yours, audited), and the link behind an address (its secret is its only key)."""

from dataclasses import dataclass

from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.roles import Permission
from safekeep.cases.models import Leaving
from safekeep.cases.selectors import case_child_and_place
from safekeep.children.selectors import children_at
from safekeep.establishments.models import Establishment

from .links import token_hash
from .models import ImportedFile, TransferLink, TransferPackage


@dataclass
class TransferPage:
    child: object
    establishment: object
    leaving: Leaving | None
    sent: list


def read_transfer_page(actor, child_id, establishment_id) -> TransferPage:
    """The child's leaving, and each file sent with its hashes, downloads and receipt. Audited, fail closed."""
    with transaction.atomic():
        child, establishment = case_child_and_place(actor, child_id, establishment_id, "transfer.view")
        role = require_permission(actor, Permission.TRANSFER_SEND, action="transfer.view",
                                  establishment_id=establishment.pk)
        leaving = Leaving.objects.filter(child=child, establishment=establishment).first()
        sent = list(TransferPackage.objects.filter(child=child, establishment=establishment)
                    .select_related("built_by", "link__receipt").prefetch_related("link__downloads"))
        audit_record(actor=actor, action="transfer.view", obj=child, role=role, establishment_id=establishment.pk)
    return TransferPage(child=child, establishment=establishment, leaving=leaving, sent=sent)


def link_for(token: str) -> TransferLink | None:
    if not token or len(token) > 100:
        return None
    return (TransferLink.objects.select_related("package__establishment", "package__child")
            .filter(token_hash=token_hash(token)).first())


def import_place(actor, establishment_id):
    """The establishment a file is imported at, and the children there the DSL may choose from; 404 otherwise."""
    with transaction.atomic():
        role = require_permission(actor, Permission.TRANSFER_SEND, action="transfer.import",
                                  establishment_id=establishment_id)
        establishment = Establishment.objects.get(pk=establishment_id)
        audit_record(actor=actor, action="transfer.import.view", obj=establishment, role=role,
                     establishment_id=establishment.pk)
    return establishment, children_at(actor, establishment_id).order_by("last_name", "first_name")


def imports_at(establishment_id) -> list[ImportedFile]:
    return list(ImportedFile.objects.filter(establishment_id=establishment_id).select_related("child", "imported_by")
                .order_by("-imported_at")[:20])

