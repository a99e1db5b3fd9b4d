"""Reading meetings: the case team at the establishment (CHILD_VIEW there) only; never staff, governors,
the data protection officer (who sees the register of what was shared, not the meeting) or administrators.
A meeting about an allegation follows the allegation: only those who may read it see the meeting, and
never the adult it is about (ADR 0008). Every read is audited in the same transaction (fail closed)."""

from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch

from safekeep.actions.models import Action
from safekeep.audit.services import audit_record
from safekeep.authz.access import deny_if_subject_of_allegation, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.models import Child
from safekeep.concerns.selectors import not_a_hidden_allegation
from safekeep.establishments.models import Establishment
from safekeep.sharing.models import InformationShare, SourceKind

from .models import Meeting, MeetingAction

PAGE_SIZE = 50


def _children():
    return Prefetch("children", queryset=Child.objects.only("id", "first_name", "last_name", "preferred_name")
                    .order_by("last_name", "first_name", "id"))


def meetings_visible_to(actor):
    ids = scope_for(actor).establishment_ids(Permission.CHILD_VIEW)
    if not ids:
        return Meeting.objects.none()
    # Judged on each meeting's own concern (a join), not a subquery over every allegation (issue 12).
    return Meeting.objects.filter(not_a_hidden_allegation(actor, "concern"), establishment_id__in=ids)


def meeting_establishments(actor):
    return Establishment.objects.filter(pk__in=scope_for(actor).establishment_ids(Permission.CHILD_VIEW)) \
        .order_by("name")


def access_meeting(actor, meeting_id, action="meeting.view") -> Meeting:
    meeting = get_visible(meetings_visible_to(actor).select_related("establishment", "recorded_by"), meeting_id,
                          action)
    deny_if_subject_of_allegation(actor, meeting, action)
    return meeting


def read_meeting(actor, meeting_id) -> Meeting:
    """A meeting with its attendees, children, agreed actions, notes and shares, read and audited together."""
    with transaction.atomic():
        meeting = access_meeting(actor, meeting_id)
        meeting = (Meeting.objects.filter(pk=meeting.pk).select_related("establishment", "recorded_by", "concern")
                   .prefetch_related(_children(), "attendees", Prefetch("notes__added_by"),
                                     Prefetch("agreed_actions", queryset=MeetingAction.objects.select_related(
                                         "action__child", "action__owner")))
                   .get())
        meeting.shares = list(InformationShare.objects.filter(source_kind=SourceKind.MEETING, source_id=meeting.pk,
                                                              establishment_id=meeting.establishment_id)
                              .select_related("authorised_by").order_by("id"))
        audit_record(actor=actor, action="meeting.view", obj=meeting, role=role_for(actor, Permission.CHILD_VIEW, meeting),
                     establishment_id=meeting.establishment_id)
    return meeting


def read_meeting_list(actor, establishment_id, page_number=1):
    """One page of an establishment's meetings, newest first, in a fixed number of queries."""
    with transaction.atomic():
        meetings = (meetings_visible_to(actor).filter(establishment_id=establishment_id)
                    .prefetch_related(_children()).annotate(attendee_count=Count("attendees", distinct=True))
                    .order_by("-held_at", "-id"))
        page = Paginator(meetings, PAGE_SIZE).get_page(page_number)
        rows = list(page.object_list)
        audit_record(actor=actor, action="meeting.list", object_type="meeting", establishment_id=establishment_id,
                     role=role_for(actor, Permission.CHILD_VIEW, Establishment(pk=establishment_id)), detail={"results": len(rows), "page": page.number})
    return page, rows


def actions_of(meeting) -> list[Action]:
    return [link.action for link in meeting.agreed_actions.all()]
