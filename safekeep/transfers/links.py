"""The one-time link a child protection file is opened at: its secret is made when the email goes (tasks.py),
so it never waits in the task queue, and only its SHA-256 is kept. How long it stays open and how many wrong
codes lock it are the packs' (`transfer:`, in the statutory baseline)."""

import secrets
from datetime import timedelta

from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.core import clock
from safekeep.packs.selectors import packs_for
from safekeep.policy.packs import TransferLinkRules, shipped_packs

from .models import TransferLink, TransferPackage
from .package import sha256


def token_hash(token: str) -> str:
    return sha256(token.encode())


def link_rules(establishment) -> TransferLinkRules:
    """The adopted packs' `transfer:` section for the sending establishment; where none gives one, the statutory
    baseline's as shipped: a file is never sent by a link that has no expiry or no limit on wrong codes."""
    return next((pack.transfer for pack in packs_for(establishment) if pack.transfer is not None), None) or next(
        pack.transfer for pack in shipped_packs() if pack.transfer is not None)


def link_make(sent: TransferPackage) -> tuple[TransferLink, str] | None:
    """The file's link and its secret; None when the file already has its link (an email sent twice sends
    nothing the second time)."""
    with transaction.atomic():
        if TransferLink.objects.filter(package=sent).exists():
            return None
        token = secrets.token_urlsafe(32)
        days = link_rules(sent.establishment).link_expires_after_days
        link = TransferLink.objects.create(package=sent, token_hash=token_hash(token),
                                           expires_at=clock.now() + timedelta(days=days))
        audit_record(actor=None, action="transfer.link", obj=link, establishment_id=sent.establishment_id,
                     detail={"expires_at": link.expires_at.isoformat()})
    return link, token
