from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safekeep.authz import services as authz_services
from safekeep.authz.access import NotVisible
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core.forms import run_service
from safekeep.establishments.models import Organisation

from . import selectors, services
from .forms import ApiTokenForm, PersonForm, RoleGrantForm
from .mfa import has_strong_authenticator, mfa_satisfied


def mfa_required(request):
    """Shown instead of any page until the person has set up a second factor."""
    return render(request, "accounts/mfa_required.html", {"enrolled": has_strong_authenticator(request.user)})


def security(request):
    return render(request, "accounts/security.html", {
        "tokens": selectors.api_tokens_of(request.user),
        "memberships": RoleMembership.objects.current().filter(user=request.user)
        .select_related("establishment", "region", "organisation"),
    })


def api_token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        created = run_service(form, lambda: services.api_token_create(
            actor=request.user, name=form.cleaned_data["name"], mfa_passed=mfa_satisfied(request)))
        if created:
            token, key = created
            # The secret is shown on this response only; it is never stored or shown again.
            response = render(request, "accounts/api_token_created.html", {"token": token, "key": key})
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "core/form_page.html", {
        "form": form, "title": "Make an API token", "submit_label": "Make token",
        "intro": "A token lets a program use Safekeep's API as you, with exactly your access. "
                 "It stops working after 90 days, or when you revoke it.",
        "back_url": "/account/security/"})


@require_POST
def api_token_revoke(request, token_id):
    token = selectors.access_own_token(request.user, token_id)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, f"The token “{token.name}” has been revoked and no longer works.")
    return redirect("accounts:security")


def _organisation(request):
    organisations = scope_for(request.user).organisations_with(Permission.PERSON_MANAGE)
    if not organisations:
        raise NotVisible("person.create")

    return Organisation.objects.get(pk=min(organisations))


def people_list(request):
    people = selectors.people_managed_by(request.user).select_related("organisation")
    return render(request, "accounts/people_list.html", {"people": people})


def person_create(request):
    organisation = _organisation(request)
    form = PersonForm(request.POST or None)
    form.fields.pop("is_active")
    if request.method == "POST" and form.is_valid():
        person = run_service(form, lambda: services.person_create(
            actor=request.user, organisation=organisation, email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"], job_title=form.cleaned_data["job_title"],
            staff_mis_id=form.cleaned_data["staff_mis_id"]))
        if person:
            messages.success(request, f"{person.full_name} has been added and has been emailed an invitation to "
                                      "set a password. Give them a role so they can see their establishment.")
            return redirect("people:detail", person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": "Add a person", "back_url": "/people/"})


def person_detail(request, user_id):
    person = selectors.access_person(request.user, user_id)
    return render(request, "accounts/person_detail.html", {
        "person": person, "locked_out": selectors.person_is_locked_out(person),
        "invitation_open": person.is_active and not person.has_usable_password(),
    })


def person_edit(request, user_id):
    person = selectors.access_person(request.user, user_id, action="person.update")
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PERSON_FIELDS}
        person.refresh_from_db()
        if run_service(form, lambda: services.person_update(actor=request.user, person=person, **fields)):
            messages.success(request, "Changes have been saved.")
            return redirect("people:detail", person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"Change {person.full_name}'s details",
                                                   "back_url": f"/people/{person.pk}/"})


@require_POST
def person_invite(request, user_id):
    person = selectors.access_person(request.user, user_id, action="person.invite")
    try:
        services.person_invite(actor=request.user, person=person)
    except ValidationError as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, f"The invitation has been emailed to {person.full_name} again.")
    return redirect("people:detail", person.pk)


@require_POST
def person_unlock(request, user_id):
    person = selectors.access_person(request.user, user_id, action="person.unlock")
    services.person_unlock(actor=request.user, person=person)
    messages.success(request, f"{person.full_name} can sign in again.")
    return redirect("people:detail", person.pk)


def role_grant(request, user_id):
    person = selectors.access_person(request.user, user_id, action="role.grant")
    form = RoleGrantForm(request.POST or None, organisation=person.organisation)
    if request.method == "POST" and form.is_valid():
        membership = run_service(form, lambda: authz_services.role_grant(
            actor=request.user, person=person, role=form.cleaned_data["role"], **form.place()))
        if membership:
            messages.success(request, f"{person.full_name} has been given the role. It reads case content, so it "
                                      "takes effect when a second person who holds it approves it."
                             if membership.awaiting_approval else f"{person.full_name} has a new role.")
            return redirect("people:detail", person.pk)
    return render(request, "core/form_page.html", {"form": form, "title": f"Give {person.full_name} a role",
                                                   "submit_label": "Give role", "back_url": f"/people/{person.pk}/"})


@require_POST
def role_end(request, user_id, membership_id):
    person = selectors.access_person(request.user, user_id, action="role.end")
    membership = get_object_or_404(RoleMembership.objects.filter(ended_at__isnull=True), pk=membership_id, user=person)
    authz_services.role_end(actor=request.user, membership=membership)
    messages.success(request, f"{person.full_name} no longer has the role {membership.role_label}.")
    return redirect("people:detail", person.pk)
