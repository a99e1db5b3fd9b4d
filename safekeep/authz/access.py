"""Access helpers: fetch-and-check in one call, answering 404 for both "missing" and "not yours".

A 404 that says nothing is the only safe answer: a 403 would confirm that a child exists.
"""

from django.http import Http404


class NotVisible(Http404):
    """Raised for anything the actor may not see. AuditDenialMiddleware and the API's error handler
    write the denial to the audit log after the request's own transaction has rolled back."""

    def __init__(self, action: str, object_type: str = "", object_id="", establishment_id=None):
        super().__init__("Page not found")
        self.action = action
        self.object_type = object_type
        self.object_id = "" if object_id is None else str(object_id)
        self.establishment_id = establishment_id


def get_visible(queryset, pk, action: str):
    """The one object with this id among those the actor may see, or NotVisible: missing and
    not-yours give the same answer."""
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotVisible(action, queryset.model._meta.model_name, pk) from None


# Predicates (actor, obj) -> True when the actor is the subject of an allegation that obj belongs to.
# The allegations app registers its own; a subject is denied whatever their role (DESIGN.md section 1).
_allegation_subject_checks = []


def register_allegation_subject_check(predicate) -> None:
    _allegation_subject_checks.append(predicate)


def is_subject_of_allegation(actor, obj) -> bool:
    return any(check(actor, obj) for check in _allegation_subject_checks)


def deny_if_subject_of_allegation(actor, obj, action: str) -> None:
    if is_subject_of_allegation(actor, obj):
        raise NotVisible(action, obj._meta.model_name, obj.pk)


def require_permission(actor, permission, *, action: str, establishment_id=None, organisation_id=None,
                       obj=None) -> str:
    """Return the role that grants the permission for this establishment or organisation, or deny (404).

    Services call this first, so HTML, API and commands are checked the same way.
    """
    from .scope import scope_for

    scope = scope_for(actor)
    role = None
    if establishment_id is not None:
        role = scope.role_at(permission, establishment_id)
    if role is None and organisation_id is not None:
        role = scope.organisation_grants.get(permission, {}).get(organisation_id)
    if role is None:
        raise NotVisible(action, obj._meta.model_name if obj is not None else "",
                         obj.pk if obj is not None else "", establishment_id)
    return str(role)
