"""Pages for the peer clusters and the saved peer groups (CoC 2.4-2.5, CE 3.2, 5.1-5.2). Every read goes
through the selectors (scoped to peergroups.view, audited), every write through the services. A failed
submission shows the errors and keeps what was typed and ticked."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from safekeep.authz.access import can
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_at
from safekeep.contexts.forms import subject_value
from safekeep.contexts.selectors import assessments_about
from safekeep.core.forms import run_service

from . import selectors, services
from .forms import AddChildrenForm, NoteForm, PeerGroupForm


def index(request):
    """Where the person may see clusters, the group-wide page for those who see the whole organisation, and
    the peer groups saved at their establishments."""
    return render(request, "peergroups/index.html", {
        "establishments": selectors.establishments_for_peer_groups(request.user),
        "group_wide": selectors.group_organisation(request.user) is not None,
        "groups": selectors.peer_groups_list(request.user)})


def clusters(request, establishment_id):
    # ?cluster=<number> asks for that cluster to be drawn (a number on the page, never a child).
    found = selectors.read_establishment_clusters(request.user, establishment_id,
                                                  drawn=request.GET.get("cluster", "")[:10])
    found["can_save"] = can(request.user, Permission.PEER_GROUP_RECORD, found["establishment"])
    return render(request, "peergroups/clusters.html", found)


def group(request):
    return render(request, "peergroups/group.html", selectors.read_group_clusters(request.user))


def create(request, establishment_id):
    """By hand (the establishment's children, ticked), or from a cluster's row (its children carried here)."""
    establishment = selectors.access_establishment(request.user, establishment_id, "peergroup.create")
    children = children_at(request.user, establishment.pk).order_by("last_name", "first_name", "pk")
    form = PeerGroupForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        saved = run_service(form, lambda: services.peer_group_save(
            actor=request.user, establishment=establishment, name=form.cleaned_data["name"],
            children=form.cleaned_data["children"], from_cluster=form.cleaned_data["from_cluster"]))
        if saved is not None:
            messages.success(request, "Peer group saved.")
            return redirect("peergroups:detail", saved.pk)
    return render(request, "peergroups/create.html", {"establishment": establishment, "form": form})


def _detail(request, group_id, *, note_form=None, add_form=None, status=200):
    peer_group = selectors.read_peer_group(request.user, group_id)
    in_group = {member.child_id for member in peer_group.members.all()}
    others = [child for child in children_at(request.user, peer_group.establishment_id)
              .order_by("last_name", "first_name", "pk") if child.pk not in in_group]
    assess_url = (reverse("contexts:assess", args=[peer_group.establishment_id])
                  + f"?subject={subject_value('group', peer_group.pk)}"
                  if can(request.user, Permission.CONTEXTS_ASSESS, peer_group) else "")
    return render(request, "peergroups/detail.html", {
        "group": peer_group, "note_form": note_form or NoteForm(),
        "add_form": add_form or AddChildrenForm(children=others),
        "can_record": can(request.user, Permission.PEER_GROUP_RECORD, peer_group),
        "assessments": assessments_about(request.user, peer_group=peer_group), "assess_url": assess_url},
        status=status)


def detail(request, group_id):
    return _detail(request, group_id)


def note(request, group_id):
    peer_group = selectors.access_peer_group(request.user, group_id, "peergroup.note")
    form = NoteForm(request.POST)
    if form.is_valid() and run_service(form, lambda: services.peer_group_note_add(
            actor=request.user, group=peer_group, text=form.cleaned_data["text"])):
        messages.success(request, "Note added to the peer group's chronology.")
        return redirect("peergroups:detail", peer_group.pk)
    return _detail(request, group_id, note_form=form)


def add_children(request, group_id):
    peer_group = selectors.access_peer_group(request.user, group_id, "peergroup.member.add")
    in_group = set(peer_group.members.values_list("child_id", flat=True))
    others = [child for child in children_at(request.user, peer_group.establishment_id)
              .order_by("last_name", "first_name", "pk") if child.pk not in in_group]
    form = AddChildrenForm(request.POST, children=others)
    if form.is_valid():
        if not form.cleaned_data["children"]:
            form.add_error("children", "Choose at least one child to add.")
        elif run_service(form, lambda: services.peer_group_add_children(
                actor=request.user, group=peer_group, children=form.cleaned_data["children"])):
            messages.success(request, "Children added to the peer group.")
            return redirect("peergroups:detail", peer_group.pk)
    return _detail(request, group_id, add_form=form)
