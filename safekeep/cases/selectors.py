from .models import CaseStatusChange


def case_status(child, establishment) -> str:
    """Open until a DSL closes it; the latest opening or closing wins."""
    latest = CaseStatusChange.objects.filter(child=child, establishment=establishment).first()
    return latest.status if latest else CaseStatusChange.Status.OPEN


def case_history(child, establishment_ids) -> list[CaseStatusChange]:
    return list(CaseStatusChange.objects.filter(child=child, establishment_id__in=establishment_ids)
                .select_related("establishment", "changed_by"))
