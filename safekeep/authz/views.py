from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.audit.services import audit_record
from safekeep.authz.scope import scope_for

from . import services
from .models import RoleMembership
from .roles import ROLES, Permission
from .selectors import grants_visible_to, may_approve


def roles(request):
    """Every role in plain English, so a DSL can check who sees what."""
    return render(request, "authz/roles.html", {"roles": ROLES.values()})


def grants(request):
    """Every role given in the organisation, waiting or decided, who gave it and who approved it (for the
    group head); for anyone else who may approve, the grants waiting for them."""
    with transaction.atomic():
        rows = list(grants_visible_to(request.user)[:500])
        audit_record(actor=request.user, action="role.grants.view", object_type="rolemembership",
                     role=str(scope_for(request.user).role_for(Permission.CHILD_VIEW) or ""),
                     detail={"results": len(rows)})
    for row in rows:
        row.may_decide = row.awaiting_approval and row.ended_at is None and may_approve(request.user, row)
    return render(request, "authz/grants.html", {"grants": rows})


@require_POST
def grant_decide(request):
    """Approve or refuse a role waiting for a second person. The grant is named in the form, not the address."""
    value, decision = request.POST.get("membership", ""), request.POST.get("decision", "")
    if not value.isdigit() or decision not in ("approve", "refuse"):
        messages.error(request, "Choose a role waiting for approval, and approve or refuse it.")
        return redirect("authz:grants")
    try:
        decided = services.role_grant_decide(actor=request.user, membership=RoleMembership(pk=int(value)),
                                             approve=decision == "approve")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("authz:grants")
    messages.success(request, f"{decided.user.full_name}'s role is approved and in force now." if decision == "approve"
                     else f"{decided.user.full_name}'s role is refused: it never took effect.")
    return redirect("authz:grants")
