"""Reads of missing episodes and police descriptions: only the safeguarding team at the child's establishment,
and the group head (roles.py missing.view); 404 for anyone else. Every read is audited in its transaction."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Max

from safekeep.audit.services import audit_record
from safekeep.authz.access import establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.children.selectors import access_child, children_visible_to, establishment_for
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import packs_for, packs_for_each
from safekeep.policy.packs import Missing, Pack

from .models import MissingEpisode, PoliceDescription


def episodes_visible_to(actor):
    """Episodes at the establishments where the person reads missing episodes, about children they may reach."""
    places = establishments_where(actor, Permission.MISSING_VIEW)
    if not places:
        return MissingEpisode.objects.none()
    return MissingEpisode.objects.filter(establishment_id__in=places,
                                         child__in=children_visible_to(actor, Permission.MISSING_VIEW))


def access_missing_child(actor, child_id, action: str):
    """The child, if the person reads their missing episodes (audited), else 404. Inside a transaction."""
    return access_child(actor, child_id, permission=Permission.MISSING_VIEW, action=action)


def establishment_of(actor, child, permission=Permission.MISSING_RECORD) -> Establishment | None:
    """Where the person keeps this child's missing episodes: the first of the child's places where they may."""
    place = establishment_for(actor, child, permission)
    return Establishment.objects.get(pk=place) if place else None


def missing_rules(establishment) -> Missing | None:
    """The adopted packs' missing section for the establishment (the statutory baseline ships one)."""
    return next((pack.missing for pack in packs_for(establishment) if pack.missing is not None), None)


def read_child_missing(actor, child_id):
    """The child's episodes (newest first) and current police description, read and audited in one go."""
    with transaction.atomic():
        child = access_missing_child(actor, child_id, "missing.list")
        episodes = list(episodes_visible_to(actor).filter(child=child).select_related(
            "establishment", "return_action", "recorded_by"))
        description = current_description(actor, child)
    return child, episodes, description


def access_episode(actor, episode_id, action="missing.view") -> MissingEpisode:
    """One episode the person may read, audited; 404 for missing and not-yours alike. Inside a transaction."""
    episode = get_visible(episodes_visible_to(actor).select_related("establishment", "child", "return_action"),
                          episode_id, action)
    audit_record(actor=actor, action=action, obj=episode, establishment_id=episode.establishment_id,
                 role=role_for(actor, Permission.MISSING_VIEW, episode), detail={"child": episode.child_id})
    return episode


def current_description(actor, child) -> PoliceDescription | None:
    """The newest description of the child at a place where the person reads missing episodes."""
    places = establishments_where(actor, Permission.MISSING_VIEW)
    return (PoliceDescription.objects.filter(child=child, establishment_id__in=places)
            .select_related("written_by").first())


def read_description(actor, child_id, action="missing.description.view"):
    """The child, their current description and the earlier versions, read and audited in one transaction."""
    with transaction.atomic():
        child = access_missing_child(actor, child_id, action)
        places = establishments_where(actor, Permission.MISSING_VIEW)
        versions = list(PoliceDescription.objects.filter(child=child, establishment_id__in=places)
                        .select_related("written_by"))
    return child, (versions[0] if versions else None), versions[1:]


@dataclass(frozen=True)
class MissingPattern:
    child_id: int
    name: str
    episodes: int
    days: int


def missing_patterns_for(actor, packs: dict[int, list[Pack]] | None = None) -> list[MissingPattern]:
    """Children who went missing at least `episodes` times within `days` days (the adopted packs' missing.pattern,
    CE 5.3, 5.4, 7.8), at the establishments where the person reads missing episodes. Counted by the database:
    one read of the places' packs (none when the caller passes them, from packs_for_each), then one count per
    different threshold (usually one)."""
    places = establishments_where(actor, Permission.MISSING_VIEW)
    if not places:
        return []
    if packs is None:
        packs = packs_for_each(Establishment.objects.filter(pk__in=places).only("pk", "organisation_id"))
    by_threshold = {}
    for place in places:
        missing = next((pack.missing for pack in packs.get(place, []) if pack.missing is not None), None)
        if missing is not None:
            by_threshold.setdefault((missing.pattern_episodes, missing.pattern_days), []).append(place)
    found, now = [], clock.now()
    for (episodes, days), at in sorted(by_threshold.items()):
        rows = (MissingEpisode.objects.filter(establishment_id__in=at, went_missing_at__gt=now - timedelta(days=days),
                                              went_missing_at__lte=now,
                                              child__in=children_visible_to(actor, Permission.MISSING_VIEW))
                .values("child_id", "child__first_name", "child__last_name")
                .annotate(n=Count("id"), latest=Max("went_missing_at")).filter(n__gte=episodes)
                .order_by("-n", "-latest", "child_id"))
        found += [MissingPattern(row["child_id"], f"{row['child__first_name']} {row['child__last_name']}", row["n"],
                                 days) for row in rows]
    return found
