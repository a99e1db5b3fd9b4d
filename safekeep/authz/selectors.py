from django.db.models import Q

from safekeep.accounts.models import User

from .models import RoleMembership
from .roles import Role


def people_with_role_at(role: Role | str, establishment):
    """Everyone who currently holds the role for this establishment: there, for its region, or organisation-wide."""
    reach = Q(establishment=establishment) | Q(organisation_id=establishment.organisation_id, scope="organisation")
    if establishment.region_id:
        reach |= Q(region_id=establishment.region_id)
    holders = RoleMembership.objects.current().filter(reach, role=str(role)).values("user_id")
    return User.objects.filter(pk__in=holders, is_active=True)
