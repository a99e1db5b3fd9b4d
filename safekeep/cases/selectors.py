from safekeep.authz.access import NotVisible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.selectors import children_at
from safekeep.establishments.models import Establishment

from .models import Case, CaseStatusChange


def case_child_and_place(actor, child_id, establishment_id, action: str):
    """The child and establishment a case URL names, for the case team there; NotVisible (404) otherwise."""
    if establishment_id not in scope_for(actor).establishment_ids(Permission.CHILD_VIEW):
        raise NotVisible(action, "establishment", establishment_id)
    child = children_at(actor, establishment_id).filter(pk=child_id).first()
    if child is None:
        raise NotVisible(action, "child", child_id, establishment_id)
    return child, Establishment.objects.get(pk=establishment_id)


def case_status(child, establishment) -> str:
    """Open until a DSL closes it; the latest opening or closing wins (kept on the Case row)."""
    case = Case.objects.filter(child=child, establishment=establishment).first()
    return case.status if case else CaseStatusChange.Status.OPEN


def case_history(child, establishment_ids) -> list[CaseStatusChange]:
    return list(CaseStatusChange.objects.filter(child=child, establishment_id__in=establishment_ids)
                .select_related("establishment", "changed_by"))
