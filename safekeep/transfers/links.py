"""The one-time link a child protection file is opened at: its secret is made when the email goes (tasks.py),
so it never waits in the task queue, and only its SHA-256 is kept."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.core import clock

from .models import TransferLink, TransferPackage
from .package import sha256


def token_hash(token: str) -> str:
    return sha256(token.encode())


def link_make(sent: TransferPackage) -> tuple[TransferLink, str] | None:
    """The file's link and its secret; None when the file already has its link (an email sent twice sends
    nothing the second time)."""
    with transaction.atomic():
        if TransferLink.objects.filter(package=sent).exists():
            return None
        token = secrets.token_urlsafe(32)
        link = TransferLink.objects.create(package=sent, token_hash=token_hash(token),
                                           expires_at=clock.now() + timedelta(days=settings.SAFEKEEP_TRANSFER_LINK_DAYS))
        audit_record(actor=None, action="transfer.link", obj=link, establishment_id=sent.establishment_id,
                     detail={"expires_at": link.expires_at.isoformat()})
    return link, token
