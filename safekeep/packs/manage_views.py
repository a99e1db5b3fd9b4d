"""For the group head of safeguarding: load a revised policy pack, see what changed, adopt it."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safekeep.authz.access import NotVisible, get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core.forms import Form, run_service
from safekeep.establishments.models import Organisation
from safekeep.policy.diff import changes_between
from safekeep.policy.packs import PackInvalid, parse_packs

from . import selectors, services

MAX_PACK = 512 * 1024


class UploadForm(Form):
    file = forms.FileField(label="Policy pack file (YAML)",
                           help_text="Give a revision a new version in the file. Nothing changes until you adopt it.")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PACK:
            raise forms.ValidationError("The file is larger than 512 KB: is it a policy pack?")
        try:
            return upload.name, upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not text. Save the pack as UTF-8 YAML.") from None


def _organisation(request) -> Organisation:
    ids = scope_for(request.user).organisations_with(Permission.POLICY_ADOPT)
    if not ids:
        raise NotVisible("policy.manage")
    return Organisation.objects.get(pk=min(ids))


def manage(request):
    organisation = _organisation(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        name, text = form.cleaned_data["file"]
        version = run_service(form, lambda: services.pack_load(actor=request.user, organisation=organisation,
                                                               file_name=name, text=text))
        if version:
            return redirect("packs:version", version.pk)
    loaded = selectors.versions_visible_to(request.user, [organisation.pk]).order_by("pack", "-loaded_at")
    return render(request, "packs/manage.html", {
        "organisation": organisation, "form": form, "adoptions": selectors.organisation_adoptions(organisation.pk),
        "loaded": loaded})


def _parsed(version, organisation):
    texts = selectors.organisation_texts(organisation.pk, leaving_out=version.pack)
    texts[f"{version.pack}.yaml"] = version.text
    try:
        return next(p for p in parse_packs(texts) if p.pack == version.pack)
    except PackInvalid:
        return None


def version(request, version_id):
    organisation = _organisation(request)
    version = get_visible(selectors.versions_visible_to(request.user, [organisation.pk]), version_id, "policy.view")
    current = next((a.pack_version for a in selectors.organisation_adoptions(organisation.pk)
                    if a.pack_version.pack == version.pack), None)
    new = _parsed(version, organisation)
    old = _parsed(current, organisation) if current and current != version else None
    return render(request, "packs/version.html", {
        "version": version, "current": current, "pack": new, "is_current": current == version,
        "changes": changes_between(old, new) if new else ["This version no longer fits the other adopted packs."],
    })


@require_POST
def adopt(request, version_id):
    organisation = _organisation(request)
    version = get_visible(selectors.versions_visible_to(request.user, [organisation.pk]), version_id, "policy.adopt")
    form = Form(request.POST)
    if run_service(form, lambda: services.pack_adopt(actor=request.user, pack_version=version,
                                                     organisation=organisation)):
        messages.success(request, f"{organisation.name} now follows {version.title}, version {version.version}. "
                                  "New concerns use it from now on; actions already set keep their version.")
    return redirect("packs:manage")
