from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from safekeep.accounts.models import User
from safekeep.authz.models import RoleMembership
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core.forms import run_service
from safekeep.sharing import lawful_basis
from safekeep.sharing.forms import ShareForm
from safekeep.sharing.picking import chosen_establishment, pick

from . import selectors, services
from .forms import ACTION_ROWS, ATTENDEE_ROWS, AgreedActionForm, AttendeeForm, MeetingForm, NoteForm


def _people(establishment):
    if establishment is None:
        return []
    here = RoleMembership.objects.current().filter(establishment=establishment).values("user_id")
    return list(User.objects.filter(pk__in=here, is_active=True).order_by("full_name", "id"))


class Forms:
    """The meeting form and its parts: attendee rows, agreed-action rows and what was shared."""

    def __init__(self, data, picked, establishment, actor):
        people = _people(establishment)
        self.people = {str(p.pk): p for p in people}
        self.children = {str(c.pk): c for c in picked.children}
        concerns = (concerns_visible_to(actor).filter(establishment=establishment,
                                                             children_involved__child__in=picked.children)
                    .distinct().order_by("-recorded_at") if establishment else concerns_visible_to(None))
        self.meeting = MeetingForm(data, concerns=concerns)
        self.attendees = [AttendeeForm(data, prefix=f"attendees-{i}") for i in range(ATTENDEE_ROWS)]
        kind = establishment.kind if establishment else None
        self.actions = [AgreedActionForm(data, prefix=f"actions-{i}", people=people, children=picked.children,
                                         kind=kind) for i in range(ACTION_ROWS)]
        self.share = ShareForm(data, prefix="share", initial={"lawful_basis": lawful_basis.DEFAULT})

    @property
    def sharing(self) -> bool:
        return self.meeting.is_bound and self.meeting.data.get("shared") in ("on", "true", "1")

    def all(self):
        return [self.meeting, *self.attendees, *self.actions, *([self.share] if self.sharing else [])]

    def is_valid(self) -> bool:
        return all([form.is_valid() for form in self.all()])  # a list: every form validated, every error shown

    def with_errors(self):
        return [form for form in self.all() if form.errors]

    def service_arguments(self) -> dict:
        data = self.meeting.cleaned_data
        held_at = timezone.make_aware(datetime.combine(data["held_on"], data["held_time"]))
        attendees = [form.cleaned_data for form in self.attendees]
        actions = []
        self.action_rows = []
        for form in self.actions:
            if form.is_blank:
                continue
            kind, _, value = form.cleaned_data["owner"].partition(":")
            actions.append({"what": form.cleaned_data["what"], "due_on": form.cleaned_data["due_on"],
                            "owner_role": value if kind == "role" else "dsl",
                            "owner": self.people.get(value) if kind == "person" else None,
                            "child": self.children.get(form.cleaned_data["child"] or "")})
            self.action_rows.append(form)
        return {"kind": data["kind"], "held_at": held_at, "attendees": attendees, "decisions": data["decisions"],
                "concern": data["concern"], "about_allegation": data["about_allegation"],
                "minutes": data["minutes"], "actions": actions,
                "share": self.share.service_fields() if self.sharing else None}

    def add_service_errors(self, error) -> None:
        """Each message from the service beside the field it is about."""
        for name, texts in error.message_dict.items():
            group, _, rest = name.partition("-")
            if group == "attendees" and rest:
                index, _, field = rest.partition("-")
                self.attendees[int(index)].add_error(field, texts)
            elif group == "attendees":
                self.attendees[0].add_error("name", texts)
            elif group == "actions" and rest:
                index, _, field = rest.partition("-")
                form = self.action_rows[int(index)]
                form.add_error("owner" if field == "owner" else field, texts)
            elif group == "share":
                self.share.add_service_errors(ValidationError({rest: texts}))
            elif name == "held_at":
                self.meeting.add_error("held_on", texts)
            elif name in self.meeting.fields:
                self.meeting.add_error(name, texts)
            else:
                self.meeting.add_error(None, texts)


def meeting_new(request):
    """Record a multi-agency, strategy or professionals meeting about one or more children (CE 10.5)."""
    picked = pick(request)
    if not picked.children:
        return render(request, "sharing/pick.html", {"picked": picked, "title": "Record a meeting",
                                                     "action_url": request.path})
    establishment = chosen_establishment(picked, request.POST.get("establishment"))
    # A name search posts too (intent "find"): it is not the meeting being sent.
    sent = request.method == "POST" and not picked.searching
    forms = Forms(request.POST if sent else None, picked, establishment, request.user)
    if sent and forms.is_valid():
        try:
            meeting = services.meeting_record(actor=request.user, establishment=establishment,
                                              children=picked.children, **forms.service_arguments())
        except ValidationError as error:
            forms.add_service_errors(error)
        else:
            messages.success(request, "The meeting is recorded, with its actions on the action list and an entry "
                                      "in each child's chronology.")
            return redirect("meetings:detail", meeting.pk)
    return render(request, "meetings/new.html", {
        "picked": picked, "forms": forms, "establishment": establishment, "establishments": picked.establishments,
        "forms_with_errors": forms.with_errors() if sent else []})


def meeting_detail(request, meeting_id, note_form=None):
    meeting = selectors.read_meeting(request.user, meeting_id)
    return render(request, "meetings/detail.html", {"meeting": meeting, "actions": selectors.actions_of(meeting),
                                                    "note_form": note_form or NoteForm()})


@require_POST
def meeting_note_add(request, meeting_id):
    meeting = selectors.access_meeting(request.user, meeting_id, "meeting.note")
    form = NoteForm(request.POST)
    if form.is_valid() and run_service(form, lambda: services.meeting_add_note(
            actor=request.user, meeting=meeting, text=form.cleaned_data["text"])):
        messages.success(request, "Your note is added to the meeting record and each child's chronology.")
        return redirect("meetings:detail", meeting.pk)
    return meeting_detail(request, meeting_id, note_form=form)


def meeting_list(request):
    establishments = list(selectors.meeting_establishments(request.user))
    chosen = request.GET.get("establishment", "")
    establishment = next((e for e in establishments if str(e.pk) == chosen), establishments[0] if establishments
                         else None)
    page, rows = (selectors.read_meeting_list(request.user, establishment.pk, request.GET.get("page", 1))
                  if establishment else (None, []))
    return render(request, "meetings/list.html", {"establishments": establishments, "establishment": establishment,
                                                  "page": page, "meetings": rows})
