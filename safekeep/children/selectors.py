from django.db import transaction
from django.db.models import Case, DateField, Exists, F, OuterRef, Prefetch, Q, When

from safekeep.audit.services import audit_record
from safekeep.authz.access import (NotVisible, deny_if_subject_of_allegation, establishments_where, get_visible,
                                   role_for)
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.core import clock

from .models import Child, Enrolment


def current_enrolments():
    today = clock.today()
    return Enrolment.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def children_visible_to(actor, permission=Permission.CHILD_VIEW):
    """Children on roll or placed at an establishment where the actor holds the permission. Nothing by default."""
    establishment_ids = scope_for(actor).establishment_ids(permission)
    if not establishment_ids:
        return Child.objects.none()
    on_roll = current_enrolments().filter(establishment_id__in=establishment_ids).values("child_id")
    return Child.objects.filter(pk__in=on_roll)


def children_at(actor, establishment_id, permission=Permission.CHILD_VIEW):
    """The children the actor may reach who are on roll or placed at this establishment now."""
    return children_visible_to(actor, permission).filter(
        pk__in=current_enrolments().filter(establishment_id=establishment_id).values("child_id"))


def require_child_at(actor, child, establishment, action: str, permission=Permission.CHILD_VIEW) -> None:
    """NotVisible (404) unless the child is at the establishment now and the actor may reach them."""
    if not children_at(actor, establishment.pk, permission).filter(pk=child.pk).exists():
        raise NotVisible(action, "child", child.pk, establishment.pk)


def with_date_of_birth_for(actor, children):
    """Each child's `date_of_birth_shown`: their date of birth where the actor may read their record
    (the list form of can(actor, child.view, child)), otherwise None. Staff find a child by name and
    year group only (roles.py), so a search never hands them a date of birth."""
    readable = current_enrolments().filter(child_id=OuterRef("pk"),
                                           establishment_id__in=establishments_where(actor, Permission.CHILD_VIEW))
    return children.annotate(date_of_birth_shown=Case(When(Exists(readable), then=F("date_of_birth")), default=None,
                                                      output_field=DateField()))


def children_search(actor, *, query: str = "", establishment_id=None, permission=Permission.CHILD_SEARCH):
    """Find children by any part of their first, preferred or last name ("ali", "Ali Kh"). Callers slice or page.

    Without a name, only those who may read children's records get a list (of the children whose records
    they may read): staff, who may only find a child to record a concern, must type part of a name.
    """
    children = (children_at(actor, establishment_id, permission) if establishment_id
                else children_visible_to(actor, permission))
    words = query.split()[:4]
    if not words:
        children = children.filter(pk__in=children_visible_to(actor, Permission.CHILD_VIEW).values("pk"))
    for word in words:
        children = children.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(preferred_name__icontains=word))
    return with_date_of_birth_for(actor, children).order_by("last_name", "first_name", "id")


def audit_search(actor, *, results: int, **detail) -> None:
    """A search is a read of children's names: audited with the number found, never the words typed."""
    audit_record(actor=actor, action="child.search", object_type="child",
                 role=scope_for(actor).role_for(Permission.CHILD_SEARCH) or "", detail={"results": results, **detail})


def establishment_for(actor, child, permission) -> int | None:
    """The establishment through which the actor reaches this child (recorded on the audit row)."""
    reachable = scope_for(actor).establishment_ids(permission)
    for enrolment in child.current:
        if enrolment.establishment_id in reachable:
            return enrolment.establishment_id
    return None


def access_child(actor, child_id, *, permission=Permission.CHILD_VIEW, action="child.view") -> Child:
    """The child, if the actor may see them, with their current enrolments; otherwise NotVisible (404).

    An allowed read is written to the audit log in the caller's transaction: the caller must
    be inside transaction.atomic(), so no data is shown if the audit row cannot be written.
    """
    child = get_visible(with_date_of_birth_for(actor, children_visible_to(actor, permission))
                        .prefetch_related(_current_prefetch()), child_id, action)
    deny_if_subject_of_allegation(actor, child, action)
    establishment_id = establishment_for(actor, child, permission)
    audit_record(actor=actor, action=action, obj=child, establishment_id=establishment_id,
                 role=role_for(actor, permission, child))
    return child


def _current_prefetch():
    return Prefetch("enrolments", queryset=current_enrolments().select_related("establishment"), to_attr="current")


def read_child_record(actor, child_id):
    """Everything the child record page shows, read and audited in one transaction (fail closed)."""
    with transaction.atomic():
        return access_child(actor, child_id)
