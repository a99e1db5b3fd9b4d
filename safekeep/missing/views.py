"""Pages for missing episodes and the description kept ready for the police. Every write goes through
services; every read through selectors (scoped, audited). A failed submission shows its errors and keeps
what was typed. No page is kept by the browser (core.cache_headers: no-store on every answer)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render

from safekeep.authz.access import NotVisible, can
from safekeep.authz.roles import Permission
from safekeep.core.forms import run_service

from . import selectors, services
from .forms import DescriptionForm, EpisodeForm, ReturnForm


def _place(request, child, action):
    """Where the person records this child's episodes; 404 for one who only reads them (the group head)."""
    establishment = selectors.establishment_of(request.user, child)
    if establishment is None:
        raise NotVisible(action, "child", child.pk)
    return establishment


def child_episodes(request, child_id):
    child, episodes, description = selectors.read_child_missing(request.user, child_id)
    records = selectors.establishment_of(request.user, child) is not None
    return render(request, "missing/child.html", {"child": child, "episodes": episodes, "description": description,
                                                  "records": records})


def episode_record(request, child_id):
    with transaction.atomic():
        child = selectors.access_missing_child(request.user, child_id, "missing.create")
        establishment = _place(request, child, "missing.create")
    form = EpisodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        episode = run_service(form, lambda: services.episode_record(
            actor=request.user, establishment=establishment, child=child, **form.cleaned_data))
        if episode:
            messages.success(request, f"The missing episode is recorded. Record {child.display_name}'s return "
                                      "when they come back.")
            return redirect("missing:child", child.pk)
    return render(request, "missing/episode_form.html", {"form": form, "child": child})


def episode_return(request, episode_id):
    with transaction.atomic():
        episode = selectors.access_episode(request.user, episode_id, "missing.return")
        if not can(request.user, Permission.MISSING_RECORD, episode):
            raise NotVisible("missing.return", "missingepisode", episode.pk, episode.establishment_id)
    form = ReturnForm(request.POST or None)
    if not episode.is_open:
        return redirect("missing:child", episode.child_id)
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.episode_return(actor=request.user, episode=episode,
                                                                 **form.cleaned_data))
        if done:
            due = (f" The return home interview is on the action list, due {done.return_action.deadline}."
                   if done.return_action else "")
            messages.success(request, f"{episode.child.display_name}'s return is recorded.{due}")
            return redirect("missing:child", episode.child_id)
    return render(request, "missing/return_form.html", {"form": form, "episode": episode, "child": episode.child})


def description(request, child_id):
    child, current, earlier = selectors.read_description(request.user, child_id)
    return render(request, "missing/description.html", {
        "child": child, "current": current, "earlier": earlier,
        "records": selectors.establishment_of(request.user, child) is not None})


def description_print(request, child_id):
    child, current, _ = selectors.read_description(request.user, child_id, action="missing.description.print")
    return render(request, "missing/description_print.html", {"child": child, "current": current})


def description_edit(request, child_id):
    with transaction.atomic():
        child = selectors.access_missing_child(request.user, child_id, "missing.description.update")
        establishment = _place(request, child, "missing.description.update")
        current = selectors.current_description(request.user, child)
    initial = {name: getattr(current, name) for name in DescriptionForm.base_fields} if current else None
    form = DescriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        written = run_service(form, lambda: services.description_update(
            actor=request.user, establishment=establishment, child=child, **form.cleaned_data))
        if written:
            messages.success(request, "The description for the police is saved. The earlier one is kept.")
            return redirect("missing:description", child.pk)
    return render(request, "missing/description_form.html", {"form": form, "child": child})
