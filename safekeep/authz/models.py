from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from safekeep.core.classification import NOT_PERSONAL, PERSONAL
from safekeep.establishments.models import Establishment, Organisation, Region

from .roles import ROLES, Role, Scope, role_label


class RoleMembershipQuerySet(models.QuerySet):
    def current(self):
        """The roles in force: not ended, and not waiting for a second person's approval."""
        return self.filter(ended_at__isnull=True, awaiting_approval=False)

    def pending(self):
        return self.filter(ended_at__isnull=True, awaiting_approval=True)


class RoleMembership(models.Model):
    """A person holds a role at one establishment, across a region, or across an organisation.

    Memberships are ended, never deleted, so the record of who could see what, and when, stays.
    A role that reads case content, given by someone in Safekeep, waits for a second person's approval
    before it takes effect (awaiting_approval); a refused grant is ended without ever taking effect.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="memberships")
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Who gave the role (empty for the organisation's first administrator and loads from the MIS), and who
    # approved it when it reads case content.
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    awaiting_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")

    objects = RoleMembershipQuerySet.as_manager()

    data_classification = {"id": NOT_PERSONAL, "user": PERSONAL, "role": PERSONAL, "scope": PERSONAL,
                           "organisation": PERSONAL, "region": PERSONAL, "establishment": PERSONAL,
                           "started_at": PERSONAL, "ended_at": PERSONAL, "granted_by": PERSONAL,
                           "awaiting_approval": PERSONAL, "approved_by": PERSONAL, "approved_at": PERSONAL,
                           "ended_by": PERSONAL}

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="membership_scope_matches_target",
                condition=(
                    Q(scope="establishment", establishment__isnull=False, region__isnull=True)
                    | Q(scope="region", establishment__isnull=True, region__isnull=False)
                    | Q(scope="organisation", establishment__isnull=True, region__isnull=True)
                ),
            ),
            # One current membership per person, role and place (a constraint per scope, as NULLs never clash).
            *[
                models.UniqueConstraint(fields=["user", "role", target],
                                        condition=Q(ended_at__isnull=True, scope=target),
                                        name=f"membership_current_unique_{target}")
                for target in ("establishment", "region", "organisation")
            ],
        ]

    def __str__(self):
        return f"{self.role_label}, {self.where}"

    @property
    def role_label(self) -> str:
        """The role's name at the place it is held: a children's home's lead is its safeguarding lead."""
        return role_label(self.role, self.establishment.kind if self.establishment_id else None)

    @property
    def where(self) -> str:
        return str(self.establishment or self.region or self.organisation)

    def clean(self):
        if self.scope not in ROLES[Role(self.role)].scopes:
            raise ValidationError(f"{self.get_role_display()} cannot be given for {self.get_scope_display().lower()}.")
