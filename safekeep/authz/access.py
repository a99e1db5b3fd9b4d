"""Who may see what, decided here: `can(actor, permission, obj)` for one object, `establishments_where`
for a list, and fetch-and-check helpers that answer 404 for both "missing" and "not yours".

A 404 that says nothing is the only safe answer: a 403 would confirm that a child exists.
Selectors, views, API endpoints and templates (through the `can` tag in authz/templatetags) ask
these, never a role name or `role_at` of their own (docs/adr/0009-one-place-for-need-to-know.md).
"""

from django.http import Http404

from safekeep.establishments.models import Establishment

from .roles import Permission, Role
from .scope import scope_for


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


def _establishments_of(obj) -> list[int]:
    """Where an object is held: an establishment itself; a child read through access_child, at each
    establishment they are on roll or placed at now (in that order); anything else, at its establishment."""
    if isinstance(obj, Establishment):
        return [obj.pk]
    if hasattr(obj, "current"):
        return list(dict.fromkeys(enrolment.establishment_id for enrolment in obj.current))
    if hasattr(obj, "establishment_id"):
        return [obj.establishment_id]
    raise TypeError(f"Safekeep cannot tell where a {type(obj).__name__} is held")


def granting_role(actor, permission: Permission, obj) -> Role | None:
    """The role through which the actor holds the permission for this object, or None.

    - The permission must be held where the object is (roles.py says which role holds which).
    - An allegation about an adult also needs `allegation.view` there (ADR 0008), and its subject
      never may, whatever their role (DESIGN.md section 1).
    Lists do the same with establishments_where and concerns.selectors.allegations_hidden_from.
    """
    if actor is None or not actor.is_authenticated or is_subject_of_allegation(actor, obj):
        return None
    scope = scope_for(actor)
    allegation = bool(getattr(obj, "about_adult", False))
    for establishment_id in _establishments_of(obj):
        role = scope.role_at(permission, establishment_id)
        if role is not None and (not allegation or scope.role_at(Permission.ALLEGATION_VIEW, establishment_id)):
            return role
    return None


def can(actor, permission: Permission, obj) -> bool:
    """May this person do what the permission says with this object? The one answer for every layer.

    Field-level need to know asks it too: a child's date of birth, a concern's triage decisions, the
    team's actions and addenda, and an agency's answer to a referral all need `child.view` where the
    record is held; the member of staff who recorded a concern or made a referral sees their own part.
    """
    return granting_role(actor, permission, obj) is not None


def role_for(actor, permission: Permission, obj) -> str:
    """The granting role's name for an audit row ("" when the person reads through something else,
    such as having recorded the concern themselves)."""
    role = granting_role(actor, permission, obj)
    return str(role) if role is not None else ""


def establishments_where(actor, permission: Permission) -> set[int]:
    """The list form of `can`: the establishments where the person holds the permission."""
    return scope_for(actor).establishment_ids(permission)


def require_permission(actor, permission, *, action: str, establishment_id=None, organisation_id=None,
                       obj=None) -> str:
    """Return the role that grants the permission for this establishment or organisation, or deny (404).

    Services call this first, so HTML, API and commands are checked the same way.
    """
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
