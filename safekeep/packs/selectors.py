from django.db.models import Q

from safekeep.establishments.models import Establishment
from safekeep.policy.packs import Pack, PeerGroupRules, parse_packs_once

from .models import PackAdoption, PolicyPackVersion


def adopted_versions(establishment) -> dict[str, PolicyPackVersion]:
    """pack id -> the version this establishment follows: its own adoption, else its organisation's."""
    adoptions = (PackAdoption.objects.filter(organisation_id=establishment.organisation_id, ended_at__isnull=True)
                 .select_related("pack_version").order_by("adopted_at"))
    return _chosen(adoptions, establishment.pk, establishment.organisation_id)


def _chosen(adoptions, establishment_id, organisation_id) -> dict[str, PolicyPackVersion]:
    """From adoptions in the order they were made: the organisation's, then the establishment's own over it."""
    chosen = {}
    for adoption in adoptions:
        if adoption.establishment_id is None and adoption.organisation_id == organisation_id:
            chosen.setdefault(adoption.pack_version.pack, adoption.pack_version)
    for adoption in adoptions:
        if adoption.establishment_id == establishment_id:
            chosen[adoption.pack_version.pack] = adoption.pack_version
    return chosen


def organisation_texts(organisation_id, *, leaving_out: str = "") -> dict[str, str]:
    """The packs an organisation follows (file name -> YAML), to check a new pack against."""
    adoptions = (PackAdoption.objects.filter(organisation_id=organisation_id, establishment__isnull=True,
                                             ended_at__isnull=True).select_related("pack_version"))
    return {f"{a.pack_version.pack}.yaml": a.pack_version.text for a in adoptions if a.pack_version.pack != leaving_out}


def packs_for(establishment) -> list[Pack]:
    """The parsed packs an establishment follows. Parsing is cached: versions never change once stored."""
    versions = adopted_versions(establishment)
    return list(parse_packs_once(tuple(sorted((f"{pack}.yaml", v.text) for pack, v in versions.items()))))


def versions_visible_to(actor, organisation_ids):
    """Shipped versions, and those loaded or adopted by the person's organisations (a group's own
    revision may name its local contacts, so it is not shown to other organisations)."""
    return PolicyPackVersion.objects.filter(
        Q(loaded_by__isnull=True) | Q(loaded_by__organisation_id__in=organisation_ids)
        | Q(adoptions__organisation_id__in=organisation_ids)).distinct()


def organisation_adoptions(organisation_id):
    return (PackAdoption.objects.filter(organisation_id=organisation_id, establishment__isnull=True,
                                        ended_at__isnull=True).select_related("pack_version", "adopted_by")
            .order_by("pack_version__pack"))


def packs_for_each(establishments) -> dict[int, list[Pack]]:
    """packs_for for many establishments (id -> packs) in one read of their organisations' adoptions: the
    inbox of someone who oversees many establishments asks each one's rules without a query per place."""
    places = {place.pk: place.organisation_id for place in establishments}
    if not places:
        return {}
    adoptions = (PackAdoption.objects.filter(organisation_id__in=set(places.values()), ended_at__isnull=True)
                 .filter(Q(establishment__isnull=True) | Q(establishment_id__in=places))
                 .select_related("pack_version").order_by("adopted_at"))
    adoptions = list(adoptions)
    found = {}
    for place, organisation_id in places.items():
        chosen = _chosen(adoptions, place, organisation_id)
        found[place] = list(parse_packs_once(tuple(sorted((f"{pack}.yaml", v.text) for pack, v in chosen.items()))))
    return found


def peer_group_rules_at(establishment_ids, packs: dict[int, list[Pack]] | None = None) -> dict[int, PeerGroupRules]:
    """For each establishment, the peer_groups section of the packs it follows (CoC 2.4-2.5); an establishment
    following no pack with one is left out. Two queries for any number of establishments (the inbox asks for all
    the places the person reads), none when the caller has read their packs already (packs_for_each)."""
    if packs is None:
        packs = packs_for_each(Establishment.objects.filter(pk__in=establishment_ids))
    found = {}
    for establishment_id in establishment_ids:
        rules = next((pack.peer_groups for pack in packs.get(establishment_id, []) if pack.peer_groups is not None),
                     None)
        if rules is not None:
            found[establishment_id] = rules
    return found
