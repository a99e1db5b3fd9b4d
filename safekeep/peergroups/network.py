"""The close groups within a peer cluster and the drawing of one cluster (CoC 2.5(e)-(f), CE 5.1-5.2).

A close group is a set of children named together more with each other than with the rest of their cluster
(networkx's Louvain communities, weighted by how many concerns named each pair). The seed is fixed, and the
graph is built lowest child first (concerns.peers.peer_graph), so the same concerns always give the same
groups. Like a cluster, a close group is a pattern to look at, never a finding about a child (CoC 1.3).

The drawing places the cluster's children round a circle, each close group together, and joins each pair
named together by a line as thick as the times they were named together. The table beside it holds the same
information; a child the viewer may not open is drawn without a name or initials.
"""

import math
from dataclasses import dataclass

import networkx as nx

# The same seed every time: the same data gives the same close groups on every page and every day.
SEED = 14
# Clusters larger than this are not drawn (the drawing would be unreadable); the table shows them.
DRAWN_AT_MOST = 60
SIZE = 400  # the drawing's width and height, in its own units
WIDEST_LINE = 6


def close_groups(graph: nx.Graph, children) -> list[tuple[int, ...]]:
    """The close groups within the cluster of these children, largest first, each lowest child first; empty
    when the cluster does not split (one group)."""
    found = nx.community.louvain_communities(graph.subgraph(sorted(children)), weight="concerns", seed=SEED)
    if len(found) < 2:
        return []
    return sorted((tuple(sorted(group)) for group in found), key=lambda group: (-len(group), group))


@dataclass(frozen=True)
class Node:
    x: float
    y: float
    radius: float
    label: str  # the child's initials, or "" for a child the viewer may not open
    title: str  # the child's name, or words saying the child is not named


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: int
    times: int  # concerns naming both


@dataclass(frozen=True)
class Drawing:
    size: int
    nodes: list
    lines: list


def initials(child) -> str:
    return "".join(part[0] for part in ((child.preferred_name or child.first_name), child.last_name) if part).upper()


def draw(graph: nx.Graph, children, groups, names: dict) -> Drawing:
    """The cluster of these children laid out round a circle, close group by close group. `names`: the
    children the viewer may open, by id; any other child is a circle with no name."""
    grouped = [child for group in groups for child in group] if groups else sorted(children)
    centre, ring = SIZE / 2, SIZE / 2 - 30
    step = 2 * math.pi / len(grouped)
    radius = round(min(16.0, 0.4 * ring * step), 1)
    places = {child: (round(centre + ring * math.sin(n * step), 1), round(centre - ring * math.cos(n * step), 1))
              for n, child in enumerate(grouped)}
    nodes = []
    for child in grouped:
        known = names.get(child)
        nodes.append(Node(*places[child], radius=radius, label=initials(known) if known else "",
                          title=known.display_name if known else "A child whose record you cannot open"))
    lines = [Line(*places[low], *places[high], width=min(times, WIDEST_LINE), times=times)
             for low, high, times in sorted((min(a, b), max(a, b), times)
                                            for a, b, times in graph.subgraph(grouped).edges(data="concerns"))]
    return Drawing(size=SIZE, nodes=nodes, lines=lines)
