from django.db import transaction
from django.db.models import Prefetch, Q

from safekeep.audit.services import audit_record
from safekeep.authz.access import deny_if_subject_of_allegation, get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for

from .models import Concern, ConcernChild


def concerns_visible_to(actor):
    """Staff see only the concerns they recorded; the safeguarding team sees their establishments'."""
    scope = scope_for(actor)
    if not scope.roles:
        return Concern.objects.none()
    return Concern.objects.filter(Q(recorded_by=actor) | Q(establishment_id__in=scope.establishment_ids(
        Permission.CHILD_VIEW)))


def access_concern(actor, concern_id, action="concern.view") -> Concern:
    concern = get_visible(concerns_visible_to(actor).select_related("establishment"), concern_id, action)
    deny_if_subject_of_allegation(actor, concern, action)
    return concern


def read_concern(actor, concern_id) -> Concern:
    """The concern with its children, audited in the same transaction (fail closed)."""
    with transaction.atomic():
        concern = get_visible(concerns_visible_to(actor).select_related("establishment", "recorded_by")
                              .prefetch_related(Prefetch("children_involved", queryset=ConcernChild.objects
                                                         .select_related("child").order_by("id"))),
                              concern_id, "concern.view")
        deny_if_subject_of_allegation(actor, concern, "concern.view")
        team_role = scope_for(actor).role_at(Permission.CHILD_VIEW, concern.establishment_id)
        audit_record(actor=actor, action="concern.view", obj=concern, role=str(team_role or ""),
                     establishment_id=concern.establishment_id)
    return concern
