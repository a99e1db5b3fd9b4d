from django.core.paginator import Paginator
from django.db import transaction

from safekeep.audit.services import audit_record
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import access_child, establishment_for

from .models import ChronologyEntry

PAGE_SIZE = 100
KINDS = {"concern": "Concerns", "action": "Actions"}


def read_chronology(actor, child_id, *, kind: str = "", page: int = 1):
    """A child's chronology, by when things happened, a page at a time; audited, fail closed."""
    with transaction.atomic():
        child = access_child(actor, child_id, action="child.chronology.view")
        entries = ChronologyEntry.objects.filter(child=child).select_related("recorded_by", "establishment")
        if kind in KINDS:
            entries = entries.filter(kind__startswith=f"{kind}.")
        paginator = Paginator(entries.order_by("-occurred_at", "-id"), PAGE_SIZE)
        page_obj = paginator.get_page(page)
        establishment_id = establishment_for(actor, child, Permission.CHILD_VIEW)
        audit_record(actor=actor, action="child.chronology.view", obj=child, establishment_id=establishment_id,
                     role=scope_for(actor).role_at(Permission.CHILD_VIEW, establishment_id) or "",
                     detail={"page": page_obj.number})
    return child, page_obj
