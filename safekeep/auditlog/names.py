"""Names for the audit log's rows: who did it, and what they opened ("Alfie Khan's chronology"), not "child 17".

An audit row names its record by kind and id, as text, with no foreign key (ADR 0002). The names are read with
the rows, in the same query, one correlated subquery for each kind of object (the person, the child, the
concern's children): a page of 50 rows or a CSV of millions costs the same number of queries, and no row is
read twice. A child is named only where the children app says the reader may see them: on roll now where the
reader holds the audit log permission (children_visible_to). Any other child stays "a child record" and its
number, as the log always showed it.
"""

from dataclasses import dataclass

from django.db.models import BigIntegerField, Case, F, Func, JSONField, OuterRef, Subquery, When
from django.db.models.functions import Cast, JSONObject

from safekeep.accounts.models import User
from safekeep.audit.actions import describe
from safekeep.authz.roles import Permission, role_label
from safekeep.children.models import Child
from safekeep.children.selectors import children_visible_to
from safekeep.concerns.models import ConcernChild
from safekeep.establishments.models import Establishment

from .forms import RECORD_WORDS

# Only digits are ever compared with a primary key: the id of an audit row's object is text, and not every
# kind of object has a number (a refused address, the log itself).
_NUMBER = Cast(Case(When(object_id__regex=r"^[0-9]{1,18}$", then=F("object_id"))), BigIntegerField())
_CHILD_FIELDS = {"first": "first_name", "last": "last_name", "preferred": "preferred_name"}


def with_names(events, actor):
    """The rows, each with `actor_name`, `child_fields` (the child it is about, if the reader may see them),
    `concern_child_fields` and `concern_children` (for a concern: its first child the reader may see, and how
    many children it is about) and `kind` (the establishment's kind, for the name of the role)."""
    visible = children_visible_to(actor, Permission.AUDIT_LOG_VIEW).values("pk")
    child = (Child.objects.filter(pk=OuterRef("object_number"), pk__in=visible)
             .values(fields=JSONObject(**_CHILD_FIELDS))[:1])
    involved = ConcernChild.objects.filter(concern_id=OuterRef("object_number"))
    first_visible = (involved.filter(child__in=visible).order_by("pk")
                     .values(fields=JSONObject(**{key: f"child__{name}" for key, name in _CHILD_FIELDS.items()}))[:1])
    # COUNT as a plain function, not an aggregate: no GROUP BY, one number for the concern.
    how_many = involved.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return events.annotate(
        object_number=_NUMBER,
        actor_name=Subquery(User.objects.filter(pk=OuterRef("actor_id")).values("full_name")[:1]),
        establishment_kind=Subquery(Establishment.objects.filter(pk=OuterRef("establishment_id")).values("kind")[:1]),
        child_fields=Case(When(object_type="child", then=Subquery(child, output_field=JSONField()))),
        concern_child_fields=Case(When(object_type="concern",
                                       then=Subquery(first_visible, output_field=JSONField()))),
        concern_children=Case(When(object_type="concern", then=Subquery(how_many))),
    )


@dataclass(frozen=True)
class Row:
    """One audit row as the page and the CSV show it."""

    seq: int
    occurred_at: object
    who: str
    email: str
    role: str
    action: str
    action_words: str
    record: str
    object_type: str
    object_id: str
    refused: bool


def _name(fields) -> str | None:
    if not fields:
        return None
    return Child(first_name=fields["first"], last_name=fields["last"], preferred_name=fields["preferred"]).display_name


def what_was_opened(event) -> str:
    """The record in words: "Alfie Khan's chronology", "A concern about Alfie Khan"; without a name where the
    reader may not see the child."""
    kind, number = event.object_type, event.object_id
    if kind == "child":
        name = _name(event.child_fields)
        if not number:
            return "Children's records"  # a search: the names found are never recorded
        if name is None:
            return f"A child record ({number})"
        if event.action.startswith("child.chronology") or event.action.startswith("chronology."):
            return f"{name}'s chronology"
        if event.action == "child.access_log.view":
            return f"Who has seen {name}'s record"
        return f"{name}'s record"
    if kind == "concern" and number:
        name = _name(event.concern_child_fields)
        if name is None:
            return f"A concern ({number})"
        others = (event.concern_children or 1) - 1
        also = f" and {others} other {'child' if others == 1 else 'children'}" if others else ""
        return f"A concern about {name}{also} ({number})"
    words = RECORD_WORDS.get(kind, kind)
    return f"{words} ({number})" if number else words


def row_for(event) -> Row:
    return Row(seq=event.seq, occurred_at=event.occurred_at,
               who=event.actor_name or event.actor_email or "Not signed in", email=event.actor_email,
               role=role_label(event.role, event.establishment_kind) if event.role else "",
               action=event.action, action_words=describe(event.action, event.object_type),
               record=what_was_opened(event), object_type=event.object_type, object_id=event.object_id,
               refused=event.outcome == "denied")
