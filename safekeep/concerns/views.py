from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.actions.models import Action
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for

from . import selectors, services


def concern_detail(request, concern_id):
    concern = selectors.read_concern(request.user, concern_id)
    actions = Action.objects.filter(concern_id=concern.pk).select_related("child").order_by("due_at")
    team = scope_for(request.user).role_at(Permission.CHILD_VIEW, concern.establishment_id) is not None
    return render(request, "concerns/detail.html", {"concern": concern, "actions": actions, "team": team})


@require_POST
def concern_mark_read(request, concern_id):
    concern = selectors.access_concern(request.user, concern_id, "concern.read")
    services.concern_mark_read(actor=request.user, concern=concern)
    messages.success(request, "Marked as read. The member of staff who recorded it can see that you have.")
    return redirect("concerns:detail", concern.pk)
