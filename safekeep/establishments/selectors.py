from django.db.models import Prefetch, Q

from safekeep.authz.access import get_visible
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for

from .models import Establishment, EstablishmentLink, Location, Organisation, Region, TermDate


def establishments_visible_to(actor, permission=Permission.ESTABLISHMENT_VIEW):
    ids = scope_for(actor).establishment_ids(permission)
    if not ids:
        return Establishment.objects.none()
    return Establishment.objects.filter(pk__in=ids).select_related("organisation", "region")


def access_establishment(actor, establishment_id, *, permission=Permission.ESTABLISHMENT_VIEW,
                         action="establishment.view") -> Establishment:
    establishments = establishments_visible_to(actor, permission).prefetch_related(
        "local_contacts", Prefetch("links_as_first__second"), Prefetch("links_as_second__first"))
    return get_visible(establishments, establishment_id, action)


def organisations_managed_by(actor):
    return Organisation.objects.filter(pk__in=scope_for(actor).organisations_with(Permission.ESTABLISHMENT_MANAGE))


def regions_managed_by(actor):
    return Region.objects.filter(
        organisation_id__in=scope_for(actor).organisations_with(Permission.ESTABLISHMENT_MANAGE)
    ).select_related("organisation")


def locations_for(establishment, *, include_retired=False):
    """The places a recorder can choose for this establishment, on site first, then off site, then online."""
    places = Location.objects.filter(establishment=establishment)
    return places if include_retired else places.filter(retired=False)


def linked_peers_of(establishment) -> list[Establishment]:
    """Establishment.linked_peers, in one query: for a change that asks for every child and step."""
    links = list(EstablishmentLink.objects.filter(Q(first=establishment) | Q(second=establishment))
                 .select_related("first", "second").order_by("id"))
    return ([link.second for link in links if link.first_id == establishment.pk]
            + [link.first for link in links if link.second_id == establishment.pk])


def terms_for(establishment) -> tuple:
    """The establishment's terms as (first day, last day) pairs, for counting school days."""
    return tuple(TermDate.objects.filter(establishment=establishment).values_list("starts_on", "ends_on"))


def this_and_last_terms(establishment_ids, today) -> dict[int, tuple]:
    """For each establishment, (this term, last term) as TermDates, either None where not loaded. This term
    is the one under way today, or in a holiday the one just ended; last term is the one before it.
    One query, whatever the number of establishments."""
    terms = {}
    for term in (TermDate.objects.filter(establishment_id__in=establishment_ids, starts_on__lte=today)
                 .order_by("establishment_id", "-starts_on")):
        found = terms.setdefault(term.establishment_id, [])
        if len(found) < 2:
            found.append(term)
    return {pk: (found[0], found[1] if len(found) > 1 else None) for pk, found in terms.items()}
