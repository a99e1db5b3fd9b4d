import base64

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.formats import date_format

from safekeep.authz.access import NotVisible, can, establishments_where
from safekeep.authz.roles import Permission
from safekeep.core.forms import run_service
from safekeep.establishments.models import Establishment

from . import selectors, services
from .forms import CompletionForm, ConfirmForm, UploadForm

# How long a checked file may wait for its "Load" button: the check is made again when it is pressed.
CHECKED_FOR = 60 * 60
SALT = "training.load"


def _establishment(request, establishment_id, permission, action) -> Establishment:
    establishment = Establishment.objects.filter(pk=establishment_id).first()
    if establishment is None or not can(request.user, permission, establishment):
        raise NotVisible(action, "establishment", establishment_id, establishment_id)
    return establishment


def _places(actor, permission):
    return Establishment.objects.filter(pk__in=establishments_where(actor, permission), is_active=True).order_by("name")


def mine(request):
    """My training: what each of my roles asks of me, what is overdue or expiring soon, and what I have done.
    Also the way in to the establishments' training for those who keep it."""
    courses = selectors.training_of(request.user)
    return render(request, "training/mine.html", {
        "courses": courses, "completions": selectors.completions_of(request.user, [row.course for row in courses]),
        "viewable": _places(request.user, Permission.TRAINING_VIEW_ESTABLISHMENT),
        "recordable": _places(request.user, Permission.TRAINING_RECORD),
        "can_see_group": bool(establishments_where(request.user, Permission.TRAINING_VIEW_GROUP)),
    })


def establishment(request, establishment_id):
    """An establishment's currency: per course, the share current, who is overdue and who expires soon."""
    place = _establishment(request, establishment_id, Permission.TRAINING_VIEW_ESTABLISHMENT, "training.view")
    return render(request, "training/establishment.html", {
        "place": place, "currency": selectors.establishment_currency(place),
        "can_record": can(request.user, Permission.TRAINING_RECORD, place)})


# The group table's columns are "name", "overdue" and one per course (by its code); names sort A to Z first,
# people overdue most first, and a course's share current lowest first: what needs looking at comes first.
def group(request):
    """One row per establishment the person oversees, with the share current per course (sortable)."""
    if not establishments_where(request.user, Permission.TRAINING_VIEW_GROUP):
        raise NotVisible("training.group")
    courses, rows = selectors.group_currency(request.user)
    keys = ["name", "overdue"] + [c.code for c in courses]
    sort = request.GET.get("sort", "-overdue")
    sort = sort if sort.lstrip("-") in keys else "-overdue"
    return render(request, "training/group.html", {
        "courses": courses, "rows": _sorted(rows, sort, courses), "headings": _headings(sort, courses)})


def _figure(row, key, courses):
    if key == "overdue":
        return row.overdue_people
    return row.cells[[c.code for c in courses].index(key)].percent


def _sorted(rows, sort, courses):
    by_name = sorted(rows, key=lambda r: (r.establishment.name.lower(), r.establishment.pk))
    key = sort.lstrip("-")
    if key == "name":
        return by_name[::-1] if sort.startswith("-") else by_name
    counted = [r for r in by_name if _figure(r, key, courses) is not None]
    counted.sort(key=lambda r: _figure(r, key, courses), reverse=sort.startswith("-"))
    return counted + [r for r in by_name if _figure(r, key, courses) is None]


def _headings(sort, courses):
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = [("name", "Establishment", "name"), ("overdue", "People with overdue training", "-overdue")]
    columns += [(c.code, f"{c.title}: % current", c.code) for c in courses]
    headings = []
    for key, label, first in columns:
        link = (key if descending else f"-{key}") if key == current else first
        state = ("descending" if descending else "ascending") if key == current else ""
        headings.append({"key": key, "label": label, "link": link, "aria_sort": state, "numeric": key != "name"})
    return headings


def person(request, user_id):
    """One person's training, and the form to record a course they finished (for their head, DSL or the
    organisation's administrator)."""
    someone = selectors.access_person(request.user, Permission.TRAINING_RECORD, user_id, "training.record")
    place = selectors.shared_establishment(request.user, Permission.TRAINING_RECORD, someone)
    courses = selectors.courses_at(place)
    form = CompletionForm(request.POST or None, courses=courses)
    if request.method == "POST" and form.is_valid():
        done = run_service(form, lambda: services.training_record(
            actor=request.user, establishment=place, person=someone, course_code=form.cleaned_data["course"],
            completed_on=form.cleaned_data["completed_on"], evidence=form.cleaned_data["evidence"]))
        if done is not None:
            messages.success(request, f"Recorded: {someone} finished “{dict(form.fields['course'].choices)[done.course_code]}” "
                                      f"on {date_format(done.completed_on, 'j F Y')}.")
            return redirect("training:person", someone.pk)
    return render(request, "training/person.html", {
        "someone": someone, "place": place, "form": form, "courses": selectors.training_of(someone),
        "completions": selectors.completions_of(someone, courses),
        "can_view_place": can(request.user, Permission.TRAINING_VIEW_ESTABLISHMENT, place)})


def load(request, establishment_id):
    """Load training records from a CSV file: choose it, see every row checked (each error with its line), then
    load it. Nothing is saved until "Load" is pressed, and then only if every row is still right."""
    place = _establishment(request, establishment_id, Permission.TRAINING_RECORD, "training.import")
    upload, confirm = UploadForm(), ConfirmForm()
    checked, token = None, ""
    if request.method == "POST" and "checked" in request.POST:
        confirm = ConfirmForm(request.POST)
        if confirm.is_valid():
            try:
                held = signing.loads(confirm.cleaned_data["checked"], salt=SALT, max_age=CHECKED_FOR)
            except signing.BadSignature:
                held = None
            if held is None or held.get("e") != place.pk:
                confirm.add_error(None, "The checked file has expired. Choose the file again.")
            else:
                loaded = run_service(confirm, lambda: services.training_import(
                    actor=request.user, establishment=place, file_name=held["f"],
                    data=base64.b64decode(held["d"])))
                if loaded is not None:
                    messages.success(request, f"{loaded.new} training records loaded from {held['f']}; "
                                              f"{loaded.already} were already recorded.")
                    return redirect("training:load", place.pk)
    elif request.method == "POST":
        upload = UploadForm(request.POST, request.FILES)
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            data = file.read()
            checked = services.training_import_check(actor=request.user, establishment=place, file_name=file.name,
                                                     data=data)
            if not checked.errors:
                token = signing.dumps({"e": place.pk, "f": file.name[:200], "d": base64.b64encode(data).decode()},
                                      salt=SALT, compress=True)
    return render(request, "training/load.html", {
        "place": place, "form": upload, "confirm": confirm, "checked": checked, "token": token,
        "row_errors": checked.errors if checked else [], "courses": selectors.courses_at(place),
        "can_view_place": can(request.user, Permission.TRAINING_VIEW_ESTABLISHMENT, place)})


