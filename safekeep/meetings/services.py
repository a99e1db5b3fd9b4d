"""Recording multi-agency, strategy and professionals meetings (CE 10.5): the meeting, its attendees, the
children discussed, decisions, minutes, the actions agreed (on the action list, with their due dates) and
what was shared with other agencies (in the information-sharing register), all in one transaction."""

from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.actions.services import OWNER_ROLES, action_add
from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, deny_if_subject_of_allegation, require_permission
from safekeep.authz.roles import Permission
from safekeep.children.selectors import children_visible_to, current_enrolments
from safekeep.chronology.services import chronology_add
from safekeep.concerns.selectors import concerns_visible_to
from safekeep.core import clock
from safekeep.policy.deadlines import LONDON
from safekeep.sharing.models import SourceKind
from safekeep.sharing.services import share_errors, share_record

from .models import Attendee, Meeting, MeetingAction, MeetingNote

MAX_TEXT = 100_000
# An action agreed for a date is due at the end of that working day, UK time.
DUE_TIME = time(17, 0)
NAME_THE_ALLEGATION = ("Choose the allegation about an adult this meeting is about: linking it keeps the meeting "
                       "as restricted as the allegation.")


def meeting_permission(concern) -> Permission:
    """Who may record or add to a meeting: the safeguarding team; for an allegation, those who may read it."""
    return Permission.ALLEGATION_VIEW if concern is not None and concern.about_adult else Permission.CHILD_VIEW


def _concern_errors(actor, establishment, concern, about_allegation: bool) -> str:
    """The concern a meeting follows must be one the person may read, at this establishment. A meeting about
    an allegation must name it (ADR 0008)."""
    if concern is None:
        return NAME_THE_ALLEGATION if about_allegation else ""
    if concern.establishment_id != establishment.pk or not concerns_visible_to(actor).filter(pk=concern.pk).exists():
        raise NotVisible("meeting.create", "concern", concern.pk, establishment.pk)
    if about_allegation and not concern.about_adult:
        return NAME_THE_ALLEGATION
    return ""


def due_at_for(day: date) -> datetime:
    return datetime.combine(day, DUE_TIME, tzinfo=LONDON)


def _children_errors(actor, establishment, children) -> str:
    if not children:
        return "Choose the child or children discussed."
    ids = [child.pk for child in children]
    here = set(current_enrolments().filter(establishment=establishment, child_id__in=ids)
               .values_list("child_id", flat=True))
    visible = set(children_visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if any(pk not in here or pk not in visible for pk in ids):
        return "Choose children on roll or placed at this establishment."
    return ""


def _meeting_errors(*, actor, establishment, kind, held_at, children, attendees, decisions, minutes, actions,
                    share, concern=None, about_allegation=False) -> dict[str, str]:
    errors = {}
    if problem := _concern_errors(actor, establishment, concern, about_allegation):
        errors["concern"] = problem
    if kind not in Meeting.Kind.values:
        errors["kind"] = "Choose the kind of meeting."
    if held_at is None:
        errors["held_at"] = "Enter the date and time of the meeting."
    elif held_at > clock.now():
        errors["held_at"] = "Record a meeting once it has happened: the date cannot be in the future."
    if problem := _children_errors(actor, establishment, children):
        errors["children"] = problem
    named = [a for a in attendees if any((a.get(k) or "").strip() for k in ("name", "role", "agency"))]
    if not named:
        errors["attendees"] = "Add at least one person who attended, with their agency."
    for index, attendee in enumerate(attendees):
        if attendee not in named:
            continue
        if not (attendee.get("name") or "").strip():
            errors[f"attendees-{index}-name"] = "Enter the attendee's name."
        if not (attendee.get("agency") or "").strip():
            errors[f"attendees-{index}-agency"] = "Enter the agency they came from (for example Police)."
    if not (decisions or "").strip():
        errors["decisions"] = "Record what was decided (write “No decisions” if none were made)."
    for name, text in (("decisions", decisions), ("minutes", minutes)):
        if len(text or "") > MAX_TEXT:
            errors[name] = f"Keep this to {MAX_TEXT:,} characters or fewer."
    today = clock.today()
    for index, agreed in enumerate(actions):
        if not (agreed.get("what") or "").strip():
            errors[f"actions-{index}-what"] = "Say what must be done."
        if agreed.get("owner") is None and agreed.get("owner_role") not in OWNER_ROLES:
            errors[f"actions-{index}-owner"] = "Choose who must do it."
        due = agreed.get("due_on")
        if not isinstance(due, date):
            errors[f"actions-{index}-due_on"] = "Enter the date it must be done by."
        elif due < today or due_at_for(due) <= clock.now():
            errors[f"actions-{index}-due_on"] = "The date it must be done by must be today (before 5pm) or later."
        if agreed.get("child") is not None and agreed["child"] not in children:
            errors[f"actions-{index}-child"] = "Choose one of the children discussed."
    if share is not None:
        problems = share_errors(**share, source_kind=SourceKind.MEETING, shared_at=held_at)
        errors |= {f"share-{name}": message for name, message in problems.items()}
    return errors


@transaction.atomic
def meeting_record(*, actor, establishment, kind: str, held_at, children, attendees, decisions: str,
                   minutes: str = "", actions=(), share: dict | None = None, concern=None,
                   about_allegation: bool = False) -> Meeting:
    """Record a meeting that has happened.

    attendees: [{"name", "role", "agency"}]; actions: [{"what", "owner_role", "owner" (a person or None),
    "due_on" (a date), "child" (one of the children, or None for each child)}]; share: the fields of
    share_record (recipient, recipient_organisation, what, purpose, lawful_basis, consent, consent_note,
    secure_handling_agreed, secure_handling_note) when information was shared with other agencies, else None.
    concern: the concern the meeting follows; about_allegation: the person says it is about an allegation, which
    must then be named, so the meeting and all that follows it are hidden as the allegation is (ADR 0008).
    Raises ValidationError with a message per field before writing anything.
    """
    role = require_permission(actor, meeting_permission(concern), action="meeting.create",
                              establishment_id=establishment.pk)
    children, attendees, actions = list(children), list(attendees), list(actions)
    errors = _meeting_errors(actor=actor, establishment=establishment, kind=kind, held_at=held_at,
                             children=children, attendees=attendees, decisions=decisions, minutes=minutes,
                             actions=actions, share=share, concern=concern, about_allegation=about_allegation)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(kind=kind, held_at=held_at, establishment=establishment,
                                     decisions=decisions.strip(), minutes=(minutes or "").strip() or None,
                                     recorded_by=actor, concern=concern)
    meeting.children.set(children)
    people = [Attendee(meeting=meeting, name=a["name"].strip()[:200], role=(a.get("role") or "").strip()[:200],
                       agency=a["agency"].strip()[:200])
              for a in attendees if (a.get("name") or "").strip()]
    Attendee.objects.bulk_create(people)
    agencies = ", ".join(dict.fromkeys(person.agency for person in people))
    summary = (f"{meeting.get_kind_display()} with {len(people)} attendee{'s' if len(people) != 1 else ''} "
               f"({agencies}). Decisions: {meeting.decisions[:1000]}")
    for child in children:
        chronology_add(actor=actor, child=child, establishment=establishment, kind="meeting.recorded", obj=meeting,
                       summary=summary, occurred_at=held_at)
    created = []
    for agreed in actions:
        for child in ([agreed["child"]] if agreed.get("child") is not None else children):
            owner = agreed.get("owner")
            action = action_add(actor=actor, establishment=establishment, child=child, what=agreed["what"],
                                owner_role=agreed.get("owner_role") or "dsl", owner=owner,
                                due_at=due_at_for(agreed["due_on"]), concern_id=meeting.concern_id)
            created.append(MeetingAction(meeting=meeting, action=action))
    MeetingAction.objects.bulk_create(created)
    share_row = None
    if share is not None:
        share_row = share_record(actor=actor, establishment=establishment, children=children,
                                 authorised_by=actor, source_kind=SourceKind.MEETING, source_id=meeting.pk,
                                 shared_at=held_at, concern=concern, **share)
    audit_record(actor=actor, action="meeting.create", obj=meeting, role=role, establishment_id=establishment.pk,
                 detail={"children": [child.pk for child in children], "attendees": len(people),
                         "actions": [link.action_id for link in created],
                         "share": getattr(share_row, "pk", None), "concern": meeting.concern_id})
    return meeting


@transaction.atomic
def meeting_add_note(*, actor, meeting: Meeting, text: str) -> MeetingNote:
    """Add to a meeting record later (minutes arriving, a correction): the record itself is never edited."""
    deny_if_subject_of_allegation(actor, meeting, "meeting.note")
    role = require_permission(actor, meeting_permission(meeting.concern), action="meeting.note",
                              establishment_id=meeting.establishment_id, obj=meeting)
    if not (text or "").strip():
        raise ValidationError({"text": "Write the note."})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": f"Keep this to {MAX_TEXT:,} characters or fewer."})
    note = MeetingNote.objects.create(meeting=meeting, text=text.strip(), added_by=actor)
    for child in meeting.children.all():
        chronology_add(actor=actor, child=child, establishment=meeting.establishment, kind="meeting.note",
                       obj=meeting, summary=f"Note added to the {meeting.get_kind_display().lower()} of "
                                            f"{meeting.held_at.astimezone(LONDON):%-d %B %Y}: {note.text[:1000]}")
    audit_record(actor=actor, action="meeting.note", obj=meeting, role=role,
                 establishment_id=meeting.establishment_id, detail={"note": note.pk})
    return note
