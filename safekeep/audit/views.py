from django.db import transaction
from django.shortcuts import render

from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core.db_router import reads_from_replica

from . import selectors
from .services import audit_record


@reads_from_replica
def audit_log(request):
    """The audit log for a data protection officer or the group head of safeguarding. Reading it is audited too."""
    scope = scope_for(request.user)
    organisations = scope.organisations_with(Permission.AUDIT_LOG_VIEW)
    action = request.GET.get("action", "").strip()[:60]
    # Read before the audit's transaction so that, with a replica, the log is read there.
    events = selectors.audit_log(actor=request.user, organisation_ids=organisations, action_prefix=action)
    with transaction.atomic():
        audit_record(actor=request.user, action="audit.view", object_type="audit",
                     role=scope.role_for(Permission.AUDIT_LOG_VIEW) or "", detail={"rows": len(events)})
    return render(request, "audit/log.html", {"events": events, "action": action})
