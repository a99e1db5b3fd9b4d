from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.authz.access import can
from safekeep.authz.roles import Permission, role_label
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import access_child, establishment_for
from safekeep.core.forms import run_service
from safekeep.establishments.models import Establishment

from . import selectors, services
from .forms import AddActionForm, CancelForm, CompleteForm, ReassignForm


def action_list(request):
    """My actions, and for the case team the establishment's open actions: overdue first."""
    scope = scope_for(request.user)
    team_places = Establishment.objects.filter(pk__in=scope.establishment_ids(Permission.ACTION_MANAGE)) \
        .order_by("name")
    chosen = request.GET.get("establishment", "")
    establishment = next((e for e in team_places if str(e.pk) == chosen), None)
    after = request.GET.get("after", "")
    # A home page's figure drills down here narrowed: ?due=overdue or ?due=today (anything else: every one).
    due = request.GET.get("due", "")
    due = due if due in selectors.DUE else ""
    page = selectors.read_action_list(request.user, establishment.pk if establishment else None, after=after,
                                      due=due)
    return render(request, "actions/list.html", {"actions": page.rows, "next_cursor": page.next_cursor,
                                                 "later_page": after.isdigit(), "team_places": team_places,
                                                 "establishment": establishment, "due": due,
                                                 "due_words": selectors.DUE[due][0] if due else ""})


def _detail(request, action, **forms):
    context = {
        "action": action, "manages": can(request.user, Permission.ACTION_MANAGE, action),
        "ladder": [role_label(r, action.establishment.kind) for r in action.escalation_ladder],
        "can_open_child": action.child_id is not None and can(request.user, Permission.CHILD_VIEW, action),
        "complete_form": forms.get("complete_form") or CompleteForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(prefix="cancel"),
        "reassign_form": forms.get("reassign_form") or ReassignForm(prefix="reassign", kind=action.establishment.kind,
                                                                    initial={"owner_role": action.owner_role}),
    }
    return render(request, "actions/detail.html", context)


def action_detail(request, action_id):
    return _detail(request, selectors.read_action(request.user, action_id))


@require_POST
def action_complete(request, action_id):
    action = selectors.access_action(request.user, action_id, "action.complete")
    form = CompleteForm(request.POST)
    if form.is_valid() and run_service(form, lambda: services.action_complete(
            actor=request.user, action=action, note=form.cleaned_data["note"])):
        messages.success(request, "The action is done, and the child's chronology shows what you did.")
        return redirect("actions:list")
    return _detail(request, action, complete_form=form)


@require_POST
def action_cancel(request, action_id):
    action = selectors.access_action(request.user, action_id, "action.cancel")
    form = CancelForm(request.POST, prefix="cancel")
    if form.is_valid() and run_service(form, lambda: services.action_cancel(
            actor=request.user, action=action, reason=form.cleaned_data["reason"])):
        messages.success(request, "The action is cancelled. The reason is in the child's chronology.")
        return redirect("actions:list")
    return _detail(request, action, cancel_form=form)


@require_POST
def action_reassign(request, action_id):
    action = selectors.access_action(request.user, action_id, "action.reassign")
    form = ReassignForm(request.POST, prefix="reassign", kind=action.establishment.kind)
    if form.is_valid() and run_service(form, lambda: services.action_reassign(
            actor=request.user, action=action, owner_role=form.cleaned_data["owner_role"])):
        messages.success(request, f"The action is now for the "
                                  f"{role_label(form.cleaned_data['owner_role'], action.establishment.kind).lower()}.")
        return redirect("actions:detail", action.pk)
    return _detail(request, action, reassign_form=form)


def action_add(request, child_id):
    """A DSL adds an action for a child, with a deadline in the policies' words."""
    with transaction.atomic():  # the read of the child and its audit row together (fail closed)
        child = access_child(request.user, child_id, permission=Permission.ACTION_MANAGE, action="action.create")
    establishment = Establishment.objects.get(pk=establishment_for(request.user, child, Permission.ACTION_MANAGE))
    form = AddActionForm(request.POST or None, kind=establishment.kind)
    if request.method == "POST" and form.is_valid():
        action = run_service(form, lambda: services.action_add(
            actor=request.user, establishment=establishment, child=child, **form.cleaned_data))
        if action:
            messages.success(request, f"Action added, due {action.deadline}.")
            return redirect("actions:detail", action.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"Add an action for {child.display_name}",
                                                   "submit_label": "Add action",
                                                   "back_url": f"/children/{child.pk}/"})
