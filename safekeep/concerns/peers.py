"""The peer graph: children named together in concerns (CoC 2.4-2.5, friendship clusters; CE 5.1-5.2).

Its edges are PeerLink rows, one per pair of children at an establishment, written in the transaction that
records the concern (peer_links_record), so a cluster is read from the edges and never rebuilt from every
concern on a request (ADR 0015). `peer_links_rebuild` writes them again from the concerns, for data recorded
before the table existed. Clusters are the connected parts of the graph (networkx's connected_components over
the edges), with how much each grew since a given moment.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from itertools import combinations

import networkx as nx
from django.db import connection, transaction

from .models import Concern, ConcernChild, PeerLink


def pairs_in(children: list[tuple[int, str]]) -> list[tuple[int, int, int, int]]:
    """The pairs a concern names: (lower child id, higher child id, the lower's role bit, the higher's), in
    the order the children were named. `children`: (child id, role) for each child of the concern."""
    found = []
    for (a, role_a), (b, role_b) in combinations(children, 2):
        if a > b:
            (a, role_a), (b, role_b) = (b, role_b), (a, role_a)
        found.append((a, b, PeerLink.ROLE_BITS[role_a], PeerLink.ROLE_BITS[role_b]))
    return found


def peer_links_record(concern: Concern, children: list[tuple[int, str]]) -> None:
    """Add a concern to the edges of the children it names together: one statement, inside the caller's
    transaction (concern_submit's), so the edges never disagree with the concerns. A pair named before has
    its count, last time and roles updated; a new pair starts at one. Allegations about adults are left out
    (PeerLink)."""
    if concern.about_adult or len(children) < 2:
        return
    table = connection.ops.quote_name(PeerLink._meta.db_table)
    at = connection.ops.adapt_datetimefield_value(concern.recorded_at)
    rows = pairs_in(children)
    values = ", ".join(["(%s, %s, %s, 1, %s, %s, %s, %s)"] * len(rows))
    params = [value for low, high, low_bit, high_bit in rows
              for value in (concern.establishment_id, low, high, at, at, low_bit, high_bit)]
    # One INSERT ... ON CONFLICT, understood alike by SQLite and PostgreSQL: two concerns naming the same pair
    # at once both count, without a read first.
    sql = (f"INSERT INTO {table} (establishment_id, child_low_id, child_high_id, concern_count, first_named_at, "  # noqa: S608
           f"last_named_at, low_roles, high_roles) VALUES {values} "
           f"ON CONFLICT (establishment_id, child_low_id, child_high_id) DO UPDATE SET "
           f"concern_count = {table}.concern_count + 1, last_named_at = excluded.last_named_at, "
           f"low_roles = {table}.low_roles | excluded.low_roles, high_roles = {table}.high_roles | excluded.high_roles")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def links_from_concerns(rows) -> dict[tuple[int, int, int], PeerLink]:
    """The edges, worked out from (concern id, establishment id, recorded at, child id, role) rows ordered
    by concern: what peer_links_record would have written, concern by concern."""
    links, current, named = {}, None, []

    def add():
        if current is None or len(named) < 2:
            return
        establishment_id, at = current[1], current[2]
        for low, high, low_bit, high_bit in pairs_in(named):
            link = links.get((establishment_id, low, high))
            if link is None:
                links[(establishment_id, low, high)] = PeerLink(
                    establishment_id=establishment_id, child_low_id=low, child_high_id=high, concern_count=1,
                    first_named_at=at, last_named_at=at, low_roles=low_bit, high_roles=high_bit)
            else:
                link.concern_count += 1
                link.first_named_at, link.last_named_at = min(link.first_named_at, at), max(link.last_named_at, at)
                link.low_roles |= low_bit
                link.high_roles |= high_bit

    for concern_id, establishment_id, at, child_id, role in rows:
        if current is None or concern_id != current[0]:
            add()
            current, named = (concern_id, establishment_id, at), []
        named.append((child_id, role))
    add()
    return links


@transaction.atomic
def peer_links_rebuild() -> int:
    """Write every edge again from the concerns (manage.py rebuild_peer_links): for concerns recorded before
    the edges were kept, or after a restore. Returns the number of edges."""
    rows = (ConcernChild.objects.filter(concern__about_adult=False)
            .order_by("concern_id", "id")
            .values_list("concern_id", "concern__establishment_id", "concern__recorded_at", "child_id", "role")
            .iterator(chunk_size=10000))
    links = links_from_concerns(rows)
    PeerLink.objects.all().delete()
    PeerLink.objects.bulk_create(links.values(), batch_size=5000)
    return len(links)


@dataclass(frozen=True)
class Cluster:
    """Children joined by being named together, directly or through others (a connected part of the graph)."""

    children: tuple[int, ...]  # child ids, lowest first
    links: int  # pairs named together inside it
    concerns: int  # the pairs' concern counts added up (a concern naming three children counts three times)
    last_named_at: datetime
    grown_by: int  # children more than the largest part of it that existed before `since`


def _pairs(links) -> dict[tuple[int, int], tuple[datetime, datetime, int]]:
    """Each pair of `links`: (low, high, first named at, last named at, concern count) tuples, once: a pair
    named at two establishments (the group-wide page) is one edge, with both establishments' concerns."""
    pairs = {}
    for low, high, first, last, count in links:
        known = pairs.get((low, high))
        pairs[(low, high)] = (first, last, count) if known is None else (
            min(known[0], first), max(known[1], last), known[2] + count)
    return pairs


def peer_graph(links) -> nx.Graph:
    """The graph whose edges are `links` (as _pairs reads them), each with when the pair was first and last
    named together and in how many concerns. Children and pairs are added lowest first, so the same edges
    make the same graph whatever order the database returned them in (the close groups found in it depend on
    that order)."""
    graph = nx.Graph()
    graph.add_edges_from((low, high, {"first_named_at": first, "last_named_at": last, "concerns": count})
                         for (low, high), (first, last, count) in sorted(_pairs(links).items()))
    return graph


def clusters_of(links, since: datetime | None = None) -> list[Cluster]:
    """The connected parts of the graph whose edges are `links` (as _pairs reads them). Each says how many
    children it has more than the largest part of it whose pairs were all first named before `since` (a
    cluster formed since then has grown by all its children). Largest first."""
    pairs = _pairs(links)
    parts = list(nx.connected_components(nx.Graph(list(pairs))))
    part_of = {child: number for number, part in enumerate(parts) for child in part}
    old_part = nx.utils.UnionFind()
    # One pass over the pairs for each part's counts and the parts that existed before `since`.
    edges, concerns, last = Counter(), Counter(), {}
    for (low, high), (first, last_named, count) in pairs.items():
        number = part_of[low]
        edges[number] += 1
        concerns[number] += count
        last[number] = max(last.get(number, last_named), last_named)
        if since is not None and first < since:
            old_part.union(low, high)
    found = []
    for number, children in enumerate(parts):
        old_sizes = Counter(old_part[child] for child in children if child in old_part.parents)
        found.append(Cluster(children=tuple(sorted(children)), links=edges[number], concerns=concerns[number],
                             last_named_at=last[number],
                             grown_by=len(children) - max(old_sizes.values(), default=0) if since is not None else 0))
    return sorted(found, key=lambda c: (-len(c.children), c.children))


def links_at(establishment_ids, *, named_since: datetime | None = None):
    """The edges at these establishments, as clusters_of reads them (one query)."""
    edges = PeerLink.objects.filter(establishment_id__in=establishment_ids)
    if named_since is not None:
        edges = edges.filter(last_named_at__gte=named_since)
    return edges.values_list("child_low_id", "child_high_id", "first_named_at", "last_named_at", "concern_count")
