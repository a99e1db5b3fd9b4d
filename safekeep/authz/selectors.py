from django.db.models import Q

from safekeep.accounts.models import User

from .models import RoleMembership
from .roles import Role


def _reaching(establishment) -> Q:
    reach = Q(establishment=establishment) | Q(organisation_id=establishment.organisation_id, scope="organisation")
    if establishment.region_id:
        reach |= Q(region_id=establishment.region_id)
    return reach


def people_with_role_at(role: Role | str, establishment):
    """Everyone who currently holds the role for this establishment: there, for its region, or organisation-wide."""
    holders = RoleMembership.objects.current().filter(_reaching(establishment), role=str(role)).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True)


def people_at(establishment):
    """Everyone who currently holds any role for this establishment, by name."""
    holders = RoleMembership.objects.current().filter(_reaching(establishment)).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True).order_by("full_name", "id")
