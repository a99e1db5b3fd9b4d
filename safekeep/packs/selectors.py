from django.db.models import Q

from safekeep.policy.packs import Pack, parse_packs_once

from .models import PackAdoption, PolicyPackVersion


def adopted_versions(establishment) -> dict[str, PolicyPackVersion]:
    """pack id -> the version this establishment follows: its own adoption, else its organisation's."""
    adoptions = (PackAdoption.objects.filter(organisation_id=establishment.organisation_id, ended_at__isnull=True)
                 .select_related("pack_version").order_by("adopted_at"))
    chosen = {}
    for adoption in adoptions:
        if adoption.establishment_id is None:
            chosen.setdefault(adoption.pack_version.pack, adoption.pack_version)
    for adoption in adoptions:
        if adoption.establishment_id == establishment.pk:
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
    """packs_for for many establishments in one query (a group-wide table): establishment id -> its packs."""
    establishments = list(establishments)
    adoptions = list(PackAdoption.objects.filter(
        organisation_id__in={e.organisation_id for e in establishments}, ended_at__isnull=True)
        .select_related("pack_version").order_by("adopted_at"))
    result = {}
    for establishment in establishments:
        chosen = {}
        for adoption in adoptions:
            if adoption.organisation_id == establishment.organisation_id and adoption.establishment_id is None:
                chosen.setdefault(adoption.pack_version.pack, adoption.pack_version)
        for adoption in adoptions:
            if adoption.establishment_id == establishment.pk:
                chosen[adoption.pack_version.pack] = adoption.pack_version
        result[establishment.pk] = list(parse_packs_once(tuple(sorted((f"{pack}.yaml", v.text)
                                                                      for pack, v in chosen.items()))))
    return result
