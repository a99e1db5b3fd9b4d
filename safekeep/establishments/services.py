"""Every change to establishments and their local contacts. Each checks permission and audits in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction

from safekeep.accounts.models import User
from safekeep.audit.services import audit_record
from safekeep.authz.access import require_permission
from safekeep.authz.models import RoleMembership
from safekeep.authz.roles import Permission, Role, Scope
from safekeep.authz.scope import forget_scope
from safekeep.packs.services import shipped_packs_install

from .models import (Establishment, EstablishmentLink, HotspotThresholds, LocalContact, Location, Organisation, Region,
                     TermDate)

ESTABLISHMENT_FIELDS = ("name", "kind", "nation", "region", "urn", "local_authority", "is_active")


def _check_region(organisation, region):
    if region is not None and region.organisation_id != organisation.pk:
        raise ValidationError({"region": "Choose a region of the same organisation."})


@transaction.atomic
def establishment_create(*, actor, organisation: Organisation, **fields) -> Establishment:
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="establishment.create",
                              organisation_id=organisation.pk)
    _check_region(organisation, fields.get("region"))
    establishment = Establishment(organisation=organisation, **fields)
    establishment.full_clean()
    establishment.save()
    audit_record(actor=actor, action="establishment.create", obj=establishment, role=role,
                 establishment_id=establishment.pk)
    forget_scope(actor)
    return establishment


@transaction.atomic
def establishment_update(*, actor, establishment: Establishment, **fields) -> Establishment:
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="establishment.update",
                              organisation_id=establishment.organisation_id, obj=establishment)
    _check_region(establishment.organisation, fields.get("region", establishment.region))
    changed = sorted(name for name, value in fields.items() if getattr(establishment, name) != value)
    for name, value in fields.items():
        setattr(establishment, name, value)
    establishment.full_clean()
    establishment.save()
    audit_record(actor=actor, action="establishment.update", obj=establishment, role=role,
                 establishment_id=establishment.pk, detail={"fields": changed})
    return establishment


@transaction.atomic
def establishment_link(*, actor, first: Establishment, second: Establishment) -> EstablishmentLink:
    """Pair a school with a children's home as an integrated education and care setting (CE 11.3)."""
    if first.organisation_id != second.organisation_id:
        raise ValidationError("Only establishments of the same organisation can be linked.")
    if first.pk == second.pk:
        raise ValidationError("An establishment cannot be linked to itself.")
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="establishment.link",
                              organisation_id=first.organisation_id, obj=first)
    first, second = sorted([first, second], key=lambda e: e.pk)
    link, created = EstablishmentLink.objects.get_or_create(first=first, second=second)
    if created:
        audit_record(actor=actor, action="establishment.link", obj=first, role=role,
                     establishment_id=first.pk, detail={"linked_to": second.pk})
    return link


@transaction.atomic
def local_contact_add(*, actor, establishment: Establishment, **fields) -> LocalContact:
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="local_contact.create",
                              organisation_id=establishment.organisation_id, obj=establishment)
    contact = LocalContact(establishment=establishment, **fields)
    contact.full_clean()
    contact.save()
    audit_record(actor=actor, action="local_contact.create", obj=contact, role=role,
                 establishment_id=establishment.pk)
    return contact


@transaction.atomic
def local_contact_remove(*, actor, contact: LocalContact) -> None:
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="local_contact.delete",
                              organisation_id=contact.establishment.organisation_id, obj=contact)
    audit_record(actor=actor, action="local_contact.delete", obj=contact, role=role,
                 establishment_id=contact.establishment_id)
    contact.delete()


@transaction.atomic
def location_add(*, actor, establishment: Establishment, kind: str, name: str) -> Location:
    """A place recorders can choose: on site, off site or an online platform."""
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="location.create",
                              organisation_id=establishment.organisation_id, obj=establishment)
    location = Location(establishment=establishment, kind=kind, name=" ".join(name.split()))
    if Location.objects.filter(establishment=establishment, name__iexact=location.name).exists():
        raise ValidationError({"name": f"{establishment.name} already has a place called {location.name}."})
    location.full_clean()
    location.save()
    audit_record(actor=actor, action="location.create", obj=location, role=role, establishment_id=establishment.pk)
    return location


@transaction.atomic
def location_set_retired(*, actor, location: Location, retired: bool) -> Location:
    """Take a place off the recording page, or bring it back. Concerns that name it keep it."""
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="location.update",
                              organisation_id=location.establishment.organisation_id, obj=location)
    if location.retired != retired:
        location.retired = retired
        location.save(update_fields=["retired"])
        audit_record(actor=actor, action="location.update", obj=location, role=role,
                     establishment_id=location.establishment_id, detail={"retired": retired})
    return location


@transaction.atomic
def term_add(*, actor, establishment: Establishment, name: str, starts_on, ends_on) -> TermDate:
    """A term of a school or college: school-day deadlines count only the days inside terms."""
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="term.create",
                              organisation_id=establishment.organisation_id, obj=establishment)
    errors = {}
    if not (name or "").strip():
        errors["name"] = "Name the term, for example Autumn 2026."
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = "The last day must be on or after the first day."
        elif (ends_on - starts_on).days > 200:
            errors["ends_on"] = "A term is at most about 200 days: check the dates."
        elif TermDate.objects.filter(establishment=establishment, starts_on__lte=ends_on,
                                     ends_on__gte=starts_on).exists():
            errors["starts_on"] = "These dates overlap a term already entered."
    if errors:
        raise ValidationError(errors)
    term = TermDate.objects.create(establishment=establishment, name=name.strip()[:60], starts_on=starts_on,
                                   ends_on=ends_on)
    audit_record(actor=actor, action="term.create", obj=term, role=role, establishment_id=establishment.pk)
    return term


@transaction.atomic
def term_remove(*, actor, term: TermDate) -> None:
    role = require_permission(actor, Permission.ESTABLISHMENT_MANAGE, action="term.delete",
                              organisation_id=term.establishment.organisation_id, obj=term)
    audit_record(actor=actor, action="term.delete", obj=term, role=role, establishment_id=term.establishment_id,
                 detail={"starts_on": str(term.starts_on), "ends_on": str(term.ends_on)})
    term.delete()


@transaction.atomic
def organisation_bootstrap(*, name: str, kind: str, safeguarding_email: str, admin_email: str,
                           admin_name: str, regions=(), packs=("statutory-baseline",)
                           ) -> tuple[Organisation, User]:
    """Set up a new organisation with its first administrator. Run by the platform operator, from a command."""
    if User.objects.filter(email__iexact=admin_email).exists():
        raise ValidationError(f"Someone with the email address {admin_email} already has an account.")
    organisation = Organisation(name=name, kind=kind, safeguarding_email=safeguarding_email)
    organisation.full_clean()
    organisation.save()
    for region in regions:
        Region.objects.create(organisation=organisation, name=region)
    admin = User(email=admin_email.lower(), full_name=admin_name, organisation=organisation,
                 job_title="Safekeep administrator")
    admin.set_unusable_password()
    admin.save()
    RoleMembership.objects.create(user=admin, role=Role.ADMINISTRATOR, scope=Scope.ORGANISATION,
                                  organisation=organisation)
    audit_record(actor=None, action="organisation.create", obj=organisation,
                 detail={"administrator": admin.pk})
    shipped_packs_install(organisation=organisation, adopt=tuple(packs))
    return organisation, admin


@transaction.atomic
def hotspot_thresholds_set(*, actor, establishment: Establishment, **figures) -> HotspotThresholds:
    """The establishment's own thresholds for the hotspot flag (CoC 2.4-2.5): each figure a whole number from 1
    to 365, or None to keep the pack's default. Set by the safeguarding lead or the head, audited."""
    role = require_permission(actor, Permission.HOTSPOTS_SET, action="hotspots.thresholds.set",
                              establishment_id=establishment.pk)
    unknown = set(figures) - set(HotspotThresholds.FIGURES)
    if unknown:
        raise TypeError(f"not a hotspot threshold: {', '.join(sorted(unknown))}")
    errors = {name: "Give a whole number from 1 to 365, or leave it empty to keep Safekeep's default."
              for name, value in figures.items()
              if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 365)}
    if errors:
        raise ValidationError(errors)
    thresholds, _ = HotspotThresholds.objects.update_or_create(establishment=establishment,
                                                               defaults={**figures, "set_by": actor})
    audit_record(actor=actor, action="hotspots.thresholds.set", obj=thresholds, role=role,
                 establishment_id=establishment.pk, detail={name: figures[name] for name in sorted(figures)})
    return thresholds
