"""Pages for places (CoC 2.4-2.5, 2.5(e)-(f); CE 5.1-5.2). Every read goes through the selectors (scoped to
places.view, audited), every write through the services. A failed submission shows the errors and keeps what
was typed. The site plan's image is served only here, access-checked, never cached."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from safekeep.authz.access import can
from safekeep.authz.roles import Permission
from safekeep.contexts.forms import subject_value
from safekeep.contexts.selectors import assessments_about
from safekeep.core import clock
from safekeep.core.forms import run_service
from safekeep.establishments.models import Location
from safekeep.establishments.services import hotspot_thresholds_set

from . import selectors, services
from .forms import NoteForm, PeriodForm, PinForm, PlanForm, ThresholdsForm


def _establishment_page(request, establishment_id):
    period_form, period = _period(request)
    found = selectors.read_establishment_places(request.user, establishment_id, period)
    found["period_form"] = period_form
    found["can_record"] = can(request.user, Permission.PLACES_RECORD, found["establishment"])
    found["can_set"] = can(request.user, Permission.HOTSPOTS_SET, found["establishment"])
    return render(request, "places/establishment.html", found)


def index(request):
    """One establishment's places for someone who sees places at one; otherwise a choice of establishment (the
    group head), and where the person may set the hotspot thresholds."""
    seen = list(selectors.establishments_for_places(request.user))
    settable = list(selectors.establishments_for_places(request.user, Permission.HOTSPOTS_SET))
    if len(seen) == 1:
        return _establishment_page(request, seen[0].pk)
    return render(request, "places/index.html", {"establishments": seen, "settable": settable,
                                                 "group_wide": selectors.group_organisation(request.user) is not None})


def group(request):
    """The places across the organisation, counted over the period asked for (the last 28 days unless asked)."""
    period_form, period = _period(request, default="28d")
    found = selectors.read_group_places(request.user, period)
    return render(request, "places/group.html", found | {"period_form": period_form})


def establishment(request, establishment_id):
    return _establishment_page(request, establishment_id)


def _period(request, default="all"):
    """The period form, bound to the query string when it asks for one, and the period it gives."""
    form = PeriodForm(request.GET, default=default, today=clock.today())
    return form, selectors.period_of(*form.chosen())


def _detail(request, location_id, *, note_form=None, status=200):
    period_form, period = _period(request)
    found = selectors.read_place(request.user, location_id, period)
    found["note_form"] = note_form or NoteForm()
    found["period_form"] = period_form
    place = found["place"]
    found["can_record"] = can(request.user, Permission.PLACES_RECORD, place)
    found["assessments"] = assessments_about(request.user, location=place)
    # A retired place is no longer offered for assessment (contexts.selectors.contexts_at).
    if not place.retired and can(request.user, Permission.CONTEXTS_ASSESS, place):
        found["assess_url"] = (reverse("contexts:assess", args=[place.establishment_id])
                               + f"?subject={subject_value('location', place.pk)}")
    return render(request, "places/detail.html", found, status=status)


def detail(request, location_id):
    return _detail(request, location_id)


@require_POST
def note(request, location_id):
    place = selectors.access_place(request.user, location_id, "place.note")
    form = NoteForm(request.POST)
    if form.is_valid() and run_service(form, lambda: services.place_note_add(
            actor=request.user, place=place, text=form.cleaned_data["text"])):
        messages.success(request, "Note added to the place's chronology.")
        return redirect("places:detail", place.pk)
    return _detail(request, location_id, note_form=form)


def _plan_page(request, establishment_id, *, plan_form=None, pin_forms=None):
    found = selectors.read_plan(request.user, establishment_id)
    pin_forms = pin_forms or {}
    for row in found["rows"]:
        # Where the place was on the previous plan, offered (never set) while the new plan has no pins.
        row.was = found["offered"].get(row.place.pk)
        start = row.pin or row.was
        initial = {"x": start.x, "y": start.y} if start else None
        row.form = pin_forms.get(row.place.pk) or PinForm(prefix=f"pin-{row.place.pk}", initial=initial)
    found["plan_form"] = plan_form or PlanForm()
    found["failed"] = [form for form in [plan_form, *pin_forms.values()] if form is not None and form.errors]
    found["can_record"] = can(request.user, Permission.PLACES_RECORD, found["establishment"])
    return render(request, "places/plan.html", found)


def plan(request, establishment_id):
    return _plan_page(request, establishment_id)


@require_POST
def plan_upload(request, establishment_id):
    establishment = selectors.access_establishment(request.user, establishment_id, "place.plan.upload")
    form = PlanForm(request.POST, request.FILES)
    replacing = selectors.latest_plan(establishment.pk) is not None
    if form.is_valid() and run_service(form, lambda: services.site_plan_upload(
            actor=request.user, establishment=establishment, upload=form.cleaned_data["plan"])):
        messages.success(request, "Site plan uploaded. It starts with no pins: any pins stay on the previous "
                                  "plan, which is kept." if replacing else "Site plan uploaded.")
        return redirect("places:plan", establishment.pk)
    return _plan_page(request, establishment_id, plan_form=form)


@require_POST
def pin(request, location_id):
    place = selectors.access_place(request.user, location_id, "place.pin")
    form = PinForm(request.POST, prefix=f"pin-{place.pk}")
    if form.is_valid() and run_service(form, lambda: services.place_pin_set(
            actor=request.user, place=place, x=form.cleaned_data["x"], y=form.cleaned_data["y"])):
        messages.success(request, f"{place.name} pinned on the site plan.")
        return redirect("places:plan", place.establishment_id)
    if place.kind != Location.Kind.ON_SITE:
        messages.error(request, "Only a place on site can be pinned on the site plan.")
        return redirect("places:plan", place.establishment_id)
    return _plan_page(request, place.establishment_id, pin_forms={place.pk: form})


def _image(plan, data):
    """Shown in a plan page's picture, never as a page of its own: nothing in it can run, and no copy is kept
    by the browser or anything between (ADR 0007)."""
    response = HttpResponse(data, content_type=plan.content_type)
    response["Content-Disposition"] = "inline"
    response["Content-Length"] = str(len(data))
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store, private"
    return response


def plan_image(request, establishment_id):
    return _image(*selectors.read_plan_image(request.user, establishment_id))


def plan_previous(request, establishment_id, plan_id):
    """An earlier site plan with where its places were pinned: history, with nothing to change."""
    return render(request, "places/plan_previous.html",
                  selectors.read_previous_plan(request.user, establishment_id, plan_id))


def plan_previous_image(request, establishment_id, plan_id):
    return _image(*selectors.read_previous_plan_image(request.user, establishment_id, plan_id))


def thresholds(request, establishment_id):
    """The establishment's own hotspot thresholds, set through hotspot_thresholds_set; the pack's beside them."""
    establishment = selectors.access_establishment(request.user, establishment_id, "hotspots.thresholds.set",
                                                   Permission.HOTSPOTS_SET)
    own, defaults, pack_title = selectors.thresholds_defaults(establishment)
    initial = {name: getattr(own, name) for name in ThresholdsForm.base_fields} if own is not None else None
    form = ThresholdsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid() and run_service(form, lambda: hotspot_thresholds_set(
            actor=request.user, establishment=establishment, **form.cleaned_data)):
        messages.success(request, "Hotspot thresholds saved.")
        return redirect("places:thresholds", establishment.pk)
    rows = [{"default": default, "concerns": form[f"{default.part}_concerns"], "days": form[f"{default.part}_days"]}
            for default in defaults]
    return render(request, "places/thresholds.html", {
        "establishment": establishment, "form": form, "rows": rows, "pack_title": pack_title,
        "can_view": can(request.user, Permission.PLACES_VIEW, establishment)})
