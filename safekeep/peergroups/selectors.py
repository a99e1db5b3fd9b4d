"""Reads of the peer clusters and the saved peer groups. These pages join many children, so only those who hold
peergroups.view where the children are (the safeguarding team, the group head) see them; 404 for anyone else.
Every read is audited in the same transaction (fail closed)."""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Prefetch

from safekeep.audit.services import audit_record
from safekeep.authz.access import NotVisible, establishments_where, get_visible, role_for
from safekeep.authz.roles import Permission
from safekeep.authz.scope import scope_for
from safekeep.children.models import Child
from safekeep.children.selectors import children_visible_to
from safekeep.concerns.models import ConcernChild, PeerLink
from safekeep.concerns.peers import Cluster, clusters_of, peer_graph
from safekeep.core import clock
from safekeep.establishments.models import Establishment
from safekeep.packs.selectors import peer_group_rules_at

from . import network
from .models import PeerGroup, PeerGroupEntry, PeerGroupMember

VIEW = Permission.PEER_GROUPS_VIEW
# The group-wide page lists the largest clusters first, this many (the establishments' pages list all of theirs).
GROUP_CLUSTERS_SHOWN = 50


@dataclass(frozen=True)
class ClusterRow:
    """One cluster as the table shows it: each child with the roles they had in the concerns naming them with
    the others, and whether the inbox shows it as a pattern to look at."""
    number: int
    cluster: Cluster
    children: list  # [(child, [role labels])], by name
    grown: bool  # the pack's cluster_grew pattern
    establishments: list  # names, on the group-wide page
    close_groups: list | None = None  # [[child, ...], ...]; [] when it does not split; None when not looked for


@dataclass(frozen=True)
class DrawnCluster:
    """The cluster the page draws: its row, and the drawing, or None when it is too large to draw."""
    row: ClusterRow
    drawing: network.Drawing | None
    asked: str  # the cluster number asked for when there is no such cluster, to say so


def establishments_for_peer_groups(actor):
    return Establishment.objects.filter(pk__in=establishments_where(actor, VIEW)).order_by("name")


def access_establishment(actor, establishment_id, action: str) -> Establishment:
    return get_visible(establishments_for_peer_groups(actor), establishment_id, action)


def _role_labels(bits: int) -> list[str]:
    return [ConcernChild.Role(role).label for role in PeerLink.roles_of(bits)]


def _rows(clusters, links, rule, places_of=None) -> list[ClusterRow]:
    """The table's rows: the roles each child had, from the cluster's edges."""
    bits = {}
    for _establishment_id, low, high, *_rest, low_roles, high_roles in links:
        bits[low] = bits.get(low, 0) | low_roles
        bits[high] = bits.get(high, 0) | high_roles
    children = Child.objects.in_bulk({pk for cluster in clusters for pk in cluster.children})
    rows = []
    for number, cluster in enumerate(clusters, start=1):
        members = sorted(((children[pk], _role_labels(bits.get(pk, 0))) for pk in cluster.children),
                         key=lambda item: (item[0].last_name, item[0].first_name, item[0].pk))
        grown = rule is not None and len(cluster.children) >= rule.grew_at_least_children \
            and cluster.grown_by >= rule.grew_by
        rows.append(ClusterRow(number=number, cluster=cluster, children=members, grown=grown,
                               establishments=places_of(cluster) if places_of else []))
    return rows


def _links(establishment_ids, since: datetime | None):
    links = PeerLink.objects.filter(establishment_id__in=establishment_ids)
    if since is not None:
        links = links.filter(last_named_at__gte=since)
    return list(links.values_list("establishment_id", "child_low_id", "child_high_id", "first_named_at",
                                  "last_named_at", "concern_count", "low_roles", "high_roles"))


def _with_close_groups(rows, graph, at_least: int | None) -> list[ClusterRow]:
    """Each row of a cluster of at least `at_least` children (the pack's peer_groups.close_groups) with the
    close groups within it, each by name as the row lists its children."""
    if at_least is None:
        return rows
    found = []
    for row in rows:
        if len(row.cluster.children) < at_least:
            found.append(row)
            continue
        by_pk = {child.pk: child for child, _roles in row.children}
        groups = [sorted((by_pk[pk] for pk in group), key=lambda c: (c.last_name, c.first_name, c.pk))
                  for group in network.close_groups(graph, row.cluster.children)]
        found.append(replace(row, close_groups=groups))
    return found


def _drawn(actor, rows, graph, asked: str) -> DrawnCluster | None:
    """The cluster numbered `asked` (the largest when nothing or something else is asked), drawn, with names
    only for the children whose records the viewer may open."""
    if not rows:
        return None
    chosen = next((row for row in rows if str(row.number) == asked), None)
    missing = asked if chosen is None and asked else ""
    chosen = chosen or rows[0]
    if len(chosen.cluster.children) > network.DRAWN_AT_MOST:
        return DrawnCluster(row=chosen, drawing=None, asked=missing)
    may_open = set(children_visible_to(actor).filter(pk__in=chosen.cluster.children).values_list("pk", flat=True))
    names = {child.pk: child for child, _roles in chosen.children if child.pk in may_open}
    groups = [[child.pk for child in group] for group in chosen.close_groups or []]
    return DrawnCluster(row=chosen, drawing=network.draw(graph, chosen.cluster.children, groups, names),
                        asked=missing)


def read_establishment_clusters(actor, establishment_id, drawn: str = "") -> dict:
    """The clusters at one establishment, over the period its child-on-child abuse pack gives (all time when it
    follows no pack with a peer_groups section), largest first, with the close groups within the large ones
    and the cluster numbered `drawn` drawn. Read and audited together."""
    with transaction.atomic():
        establishment = access_establishment(actor, establishment_id, "peergroups.clusters.view")
        rule = peer_group_rules_at([establishment.pk]).get(establishment.pk)
        now = clock.now()
        since = now - timedelta(days=rule.named_within_days) if rule else None
        links = _links([establishment.pk], since)
        clusters = clusters_of([link[1:6] for link in links],
                               since=now - timedelta(days=rule.grew_within_days) if rule else None)
        graph = peer_graph(link[1:6] for link in links)
        rows = _with_close_groups(_rows(clusters, links, rule), graph,
                                  rule.close_groups_at_least_children if rule else None)
        drawing = _drawn(actor, rows, graph, drawn)
        audit_record(actor=actor, action="peergroups.clusters.view", obj=establishment,
                     role=role_for(actor, VIEW, establishment), establishment_id=establishment.pk,
                     detail={"clusters": len(rows)})
    return {"establishment": establishment, "rule": rule, "rows": rows, "since": since, "drawn": drawing,
            "drawn_at_most": network.DRAWN_AT_MOST}


def group_organisation(actor):
    """The organisation whose group-wide clusters the person reads: where they hold peergroups.view for the
    whole organisation (the group head). None for anyone else."""
    organisations = scope_for(actor).organisations_with(VIEW)
    return min(organisations) if organisations else None


def read_group_clusters(actor) -> dict:
    """The clusters across every establishment of the organisation: a child named with others at a school and
    at its linked home joins both groups (CE 11.3). Each establishment's edges over its own pack's period."""
    organisation_id = group_organisation(actor)
    if organisation_id is None:
        raise NotVisible("peergroups.group.view", "organisation")
    with transaction.atomic():
        places = dict(Establishment.objects.filter(organisation_id=organisation_id).values_list("pk", "name"))
        rules = peer_group_rules_at(list(places))
        now = clock.now()
        oldest = min((now - timedelta(days=r.named_within_days) for r in rules.values()), default=None)
        links = [link for link in _links(list(places), oldest)
                 if link[0] not in rules or link[4] >= now - timedelta(days=rules[link[0]].named_within_days)]
        clusters = clusters_of([link[1:6] for link in links])
        shown = clusters[:GROUP_CLUSTERS_SHOWN]
        where = {}
        for establishment_id, low, high, *_ in links:
            where.setdefault(low, set()).add(establishment_id)
            where.setdefault(high, set()).add(establishment_id)

        def places_of(cluster):
            return sorted({places[e] for pk in cluster.children for e in where.get(pk, ())})

        rows = _rows(shown, links, None, places_of)
        audit_record(actor=actor, action="peergroups.group.view", obj=None, object_type="organisation",
                     object_id=organisation_id, role=str(scope_for(actor).role_for(VIEW) or ""),
                     detail={"clusters": len(clusters)})
    return {"rows": rows, "clusters": len(clusters), "shown": len(shown)}


def peer_groups_visible_to(actor):
    places = establishments_where(actor, VIEW)
    if not places:
        return PeerGroup.objects.none()
    return PeerGroup.objects.filter(establishment_id__in=places)


def peer_groups_list(actor):
    return (peer_groups_visible_to(actor).select_related("establishment").annotate(children=Count("members"))
            .order_by("-created_at", "-id"))


def access_peer_group(actor, group_id, action="peergroup.view") -> PeerGroup:
    return get_visible(peer_groups_visible_to(actor).select_related("establishment"), group_id, action)


def read_peer_group(actor, group_id) -> PeerGroup:
    """The group with its members and its chronology (newest first), read and audited in one transaction."""
    with transaction.atomic():
        group = get_visible(peer_groups_visible_to(actor).select_related("establishment", "created_by").prefetch_related(
            Prefetch("members", PeerGroupMember.objects.select_related("child", "added_by")),
            Prefetch("entries", PeerGroupEntry.objects.select_related("recorded_by"))), group_id, "peergroup.view")
        audit_record(actor=actor, action="peergroup.view", obj=group, role=role_for(actor, VIEW, group),
                     establishment_id=group.establishment_id)
    return group
