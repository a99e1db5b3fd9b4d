from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core.forms import run_service

from . import selectors, services
from .forms import EstablishmentForm, LinkForm, LocalContactForm, LocationForm, TermForm
from .models import LocalContact, Location, TermDate


def _can_manage(request, establishment=None):
    organisations = scope_for(request.user).organisations_with(Permission.ESTABLISHMENT_MANAGE)
    return establishment.organisation_id in organisations if establishment else bool(organisations)


def establishment_list(request):
    establishments = selectors.establishments_visible_to(request.user).order_by("organisation__name", "name")
    return render(request, "establishments/list.html",
                  {"establishments": establishments, "can_manage": _can_manage(request)})


def establishment_detail(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id)
    return render(request, "establishments/detail.html", {
        "establishment": establishment,
        "linked": establishment.linked_peers,
        "can_manage": _can_manage(request, establishment),
        "places": selectors.locations_for(establishment, include_retired=True),
        "terms": establishment.terms.all(),
    })


def establishment_create(request):
    organisation = selectors.organisations_managed_by(request.user).first()
    if organisation is None:
        raise NotVisible("establishment.create")
    form = EstablishmentForm(request.POST or None, regions=selectors.regions_managed_by(request.user))
    if request.method == "POST" and form.is_valid():
        establishment = run_service(form, lambda: services.establishment_create(
            actor=request.user, organisation=organisation, **form.cleaned_data))
        if establishment:
            messages.success(request, f"{establishment.name} has been added.")
            return redirect("establishments:detail", establishment.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "Add an establishment"})


def establishment_edit(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE,
                                                   action="establishment.update")
    form = EstablishmentForm(request.POST or None, instance=establishment,
                             regions=selectors.regions_managed_by(request.user))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        establishment.refresh_from_db()
        if run_service(form, lambda: services.establishment_update(
                actor=request.user, establishment=establishment, **fields)):
            messages.success(request, f"Changes to {establishment.name} have been saved.")
            return redirect("establishments:detail", establishment.pk)
    return render(request, "core/form_page.html",
                  {"form": form, "title": f"Change {establishment.name}", "establishment": establishment})


def contact_add(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE,
                                                   action="local_contact.create")
    form = LocalContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.local_contact_add(
                actor=request.user, establishment=establishment, **form.cleaned_data)):
            messages.success(request, "The contact has been added.")
            return redirect("establishments:detail", establishment.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Add a local contact for {establishment.name}", "establishment": establishment})


@require_POST
def contact_remove(request, establishment_id, contact_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE,
                                                   action="local_contact.delete")
    contact = get_object_or_404(LocalContact, pk=contact_id, establishment=establishment)
    services.local_contact_remove(actor=request.user, contact=contact)
    messages.success(request, "The contact has been removed.")
    return redirect("establishments:detail", establishment.pk)


def link_add(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE,
                                                   action="establishment.link")
    choices = selectors.establishments_visible_to(request.user, Permission.ESTABLISHMENT_MANAGE).filter(
        organisation=establishment.organisation).exclude(pk=establishment.pk)
    form = LinkForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.establishment_link(
                actor=request.user, first=establishment, second=form.cleaned_data["other"])):
            messages.success(request, "The establishments are now linked.")
            return redirect("establishments:detail", establishment.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Link {establishment.name} with another establishment",
        "establishment": establishment})


def location_add(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE,
                                                   action="location.create")
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.location_add(actor=request.user, establishment=establishment,
                                                           **form.cleaned_data)):
            messages.success(request, f"{form.cleaned_data['name']} is on the list of places.")
            return redirect("establishments:detail", establishment.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Add a place for {establishment.name}", "establishment": establishment})


@require_POST
def location_retire(request, establishment_id, location_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE,
                                                   action="location.update")
    location = get_object_or_404(Location, pk=location_id, establishment=establishment)
    retired = request.POST.get("retired") != "no"
    services.location_set_retired(actor=request.user, location=location, retired=retired)
    messages.success(request, f"{location.name} is {'off' if retired else 'back on'} the list of places.")
    return redirect("establishments:detail", establishment.pk)


def term_add(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE, action="term.create")
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if run_service(form, lambda: services.term_add(actor=request.user, establishment=establishment,
                                                       **form.cleaned_data)):
            messages.success(request, f"{form.cleaned_data['name']} is added. School-day deadlines now count "
                                      "only the days in term.")
            return redirect("establishments:detail", establishment.pk)
    return render(request, "core/form_page.html", {
        "form": form, "title": f"Add a term for {establishment.name}", "establishment": establishment,
        "submit_label": "Add the term"})


@require_POST
def term_remove(request, establishment_id, term_id):
    establishment = selectors.access_establishment(request.user, establishment_id,
                                                   permission=Permission.ESTABLISHMENT_MANAGE, action="term.delete")
    term = get_object_or_404(TermDate, pk=term_id, establishment=establishment)
    services.term_remove(actor=request.user, term=term)
    messages.success(request, f"{term.name} is removed.")
    return redirect("establishments:detail", establishment.pk)
