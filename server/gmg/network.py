"""The governance network as a static SVG: agents, programmes and networks as nodes;
relationships, fundings and memberships as edges coloured by kind; every node and edge a link.

Plain data in (the rows of `sitequeries.NETWORK_EDGES` and `sitequeries.network_nodes`),
SVG text out. The layout is networkx's spring layout with a fixed seed, so the same data
always gives the same picture.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Callable

import networkx as nx

GMG = "https://w3id.org/gmg/ontology#"

# node categories, in order of precedence, with their look (fill, shape) and legend text
CATEGORIES = (
    ("governor", "GlobalMigrationGovernor", "#2456a6", "circle", "global migration governor"),
    ("programme", "Programme", "#d08c2c", "square", "programme or initiative"),
    ("network", "ExpertNetwork", "#8e44ad", "diamond", "expert network"),
    ("person", "Person", "#6b7385", "small", "person"),
    ("country", "Country", "#2f8f83", "circle", "country"),
    ("collective", "CollectiveAgent", "#a3acbd", "circle", "group of agents"),
    ("other", None, "#8793a8", "circle", "other organization"),
)

# edge colours by kind; kinds not named here take the next colour of FALLBACK
KIND_COLOURS = {
    GMG + "Cooperation": "#2e8b57",
    GMG + "Competition": "#c0392b",
    GMG + "DivisionOfLabour": "#7d3c98",
    GMG + "Delegation": "#e67e22",
    GMG + "LobbyingRelationship": "#1f618d",
    GMG + "Endorsement": "#16a085",
    GMG + "StrategicPartnership": "#27ae60",
    GMG + "CoImplementation": "#5d6d7e",
    GMG + "FundingRelationship": "#b7950b",
    GMG + "Funding": "#b7950b",
    GMG + "Membership": "#95a5a6",
}
FALLBACK = ("#d35400", "#2c3e50", "#8e6c8a", "#117a65", "#a04000")


@dataclass(frozen=True)
class Node:
    iri: str
    label: str
    category: str


@dataclass(frozen=True)
class Edge:
    fact: str  # the relationship, funding or membership node
    kind: str
    kind_label: str
    source: str
    target: str
    directed: bool
    label: str


def value(row: dict, name: str, default: str = "") -> str:
    return row.get(name, {}).get("value", default)


def edges_from_rows(rows: list[dict]) -> list[Edge]:
    return [Edge(fact=value(r, "fact"), kind=value(r, "kind"), kind_label=value(r, "kindLabel") or value(r, "kind"),
                 source=value(r, "from"), target=value(r, "to"), directed=value(r, "directed") in ("true", "1"),
                 label=value(r, "factLabel") or value(r, "fact")) for r in rows]


def nodes_from_rows(rows: list[dict]) -> list[Node]:
    nodes = []
    for r in rows:
        classes = {c.removeprefix(GMG) for c in value(r, "classes").split()}
        category = next(name for name, cls, *_ in CATEGORIES if cls is None or cls in classes)
        iri = value(r, "node")
        nodes.append(Node(iri=iri, label=value(r, "label") or iri.rsplit("/", 1)[-1], category=category))
    return sorted(nodes, key=lambda n: n.iri)


def most_connected(edges: list[Edge], limit: int) -> list[Edge]:
    """The edges among the `limit` nodes with the most edges (ties by IRI): a picture of a large
    graph's network stays one a person can read (and a spring layout networkx can draw)."""
    degree: dict[str, int] = {}
    for edge in edges:
        for node in (edge.source, edge.target):
            degree[node] = degree.get(node, 0) + 1
    if len(degree) <= limit:
        return edges
    kept = set(sorted(degree, key=lambda node: (-degree[node], node))[:limit])
    return [edge for edge in edges if edge.source in kept and edge.target in kept]


def endpoints(edges: list[Edge]) -> list[str]:
    return sorted({e.source for e in edges} | {e.target for e in edges})


def kind_colours(edges: list[Edge]) -> dict[str, str]:
    colours, spare = {}, iter(FALLBACK * 10)
    for edge in sorted(edges, key=lambda e: e.kind):
        if edge.kind not in colours:
            colours[edge.kind] = KIND_COLOURS.get(edge.kind) or next(spare)
    return colours


@dataclass
class Picture:
    width: int = 1180
    height: int = 900
    margin: int = 30
    label_room: int = 150  # beside the outermost nodes, for their labels
    legend_width: int = 210  # the legend's column on the left
    strip: int = 130  # the row at the bottom for the small groups apart from the main network
    spacing: float = 46.0  # nodes closer than this are pushed apart after the layout


def layout(nodes: list[Node], edges: list[Edge], picture: Picture) -> dict[str, tuple[float, float]]:
    """Positions in the picture's coordinates.

    The largest connected group fills the main area; smaller groups (donors of another
    programme, the author's affiliations) sit side by side in a strip below it, so that
    the spring layout does not push them to the corners and crush the main network.
    """
    graph = nx.Graph()
    graph.add_nodes_from(n.iri for n in nodes)
    graph.add_edges_from((e.source, e.target) for e in edges)
    if not nodes:
        return {}
    groups = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    main, rest = groups[0], groups[1:]
    left = picture.margin + picture.legend_width + picture.label_room
    right = picture.width - picture.margin - picture.label_room
    bottom_of_main = picture.height - picture.margin - (picture.strip if rest else 0)
    positions = place(graph.subgraph(main), (left, picture.margin + 20, right, bottom_of_main - 20))
    if rest:
        total = sum(len(g) for g in rest)
        x = float(picture.margin + picture.legend_width)
        room = picture.width - picture.margin - x
        top = picture.height - picture.margin - picture.strip + 30
        for group in rest:
            width = room * len(group) / total
            positions.update(place(graph.subgraph(group), (x + 20, top, x + width - 20, picture.height - picture.margin)))
            x += width
    return spread(positions, picture.spacing, (left - picture.label_room + 20, picture.margin, right, picture.height))


def place(graph: nx.Graph, box: tuple[float, float, float, float]) -> dict[str, tuple[float, float]]:
    """networkx's spring layout of one connected group, scaled into the box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    if graph.number_of_nodes() == 1:
        (only,) = graph.nodes
        return {only: ((x0 + x1) / 2, (y0 + y1) / 2)}
    raw = nx.spring_layout(graph, seed=7, k=2.2 / math.sqrt(graph.number_of_nodes()), iterations=500)
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]

    def scale(v: float, low: float, high: float, a: float, b: float) -> float:
        return (a + b) / 2 if high - low < 1e-9 else a + (v - low) / (high - low) * (b - a)

    return {iri: (scale(x, min(xs), max(xs), x0, x1), scale(y, min(ys), max(ys), y0, y1)) for iri, (x, y) in raw.items()}


def spread(positions: dict[str, tuple[float, float]], spacing: float,
           bounds: tuple[float, float, float, float]) -> dict[str, tuple[float, float]]:
    """Push apart nodes closer than `spacing` (a few deterministic passes), then round."""
    keys = sorted(positions)
    points = {k: list(positions[k]) for k in keys}
    for _ in range(60):
        moved = False
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                (ax, ay), (bx, by) = points[a], points[b]
                dx, dy = bx - ax, by - ay
                distance = math.hypot(dx, dy)
                if distance >= spacing:
                    continue
                if distance < 1e-6:
                    dx, dy, distance = 1.0, 0.0, 1.0
                push = (spacing - distance) / 2
                ux, uy = dx / distance * push, dy / distance * push * 0.6  # rather sideways: labels are wide
                points[a] = [ax - ux, ay - uy]
                points[b] = [bx + ux, by + uy]
                moved = True
        x0, y0, x1, y1 = bounds
        for k in keys:
            points[k] = [min(max(points[k][0], x0), x1), min(max(points[k][1], y0), y1)]
        if not moved:
            break
    return {k: (round(p[0], 1), round(p[1], 1)) for k, p in points.items()}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def node_mark(node: Node, x: float, y: float) -> str:
    _, _, fill, shape, _ = next(c for c in CATEGORIES if c[0] == node.category)
    return shape_svg(shape, fill, x, y)


def shape_svg(shape: str, fill: str, x: float, y: float) -> str:
    if shape == "square":
        return f'<rect x="{x - 8}" y="{y - 8}" width="16" height="16" rx="2" fill="{fill}" stroke="#fff" stroke-width="1.5"/>'
    if shape == "diamond":
        return (f'<polygon points="{x},{y - 10} {x + 10},{y} {x},{y + 10} {x - 10},{y}" fill="{fill}" '
                'stroke="#fff" stroke-width="1.5"/>')
    radius = 5 if shape == "small" else 8
    return f'<circle cx="{x}" cy="{y}" r="{radius}" fill="{fill}" stroke="#fff" stroke-width="1.5"/>'


def edge_path(x1: float, y1: float, x2: float, y2: float, bend: float) -> str:
    """A straight line, or a quadratic curve bent `bend` pixels to the side (for parallel edges)."""
    if bend == 0:
        return f"M{x1},{y1} L{x2},{y2}"
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    cx, cy = mx - dy / length * bend, my + dx / length * bend
    return f"M{x1},{y1} Q{round(cx, 1)},{round(cy, 1)} {x2},{y2}"


def shorten(x1: float, y1: float, x2: float, y2: float, by: float) -> tuple[float, float]:
    """The point `by` pixels before (x2, y2) on the way from (x1, y1): arrows end at the node's edge."""
    length = math.hypot(x2 - x1, y2 - y1)
    if length <= by:
        return x2, y2
    return round(x2 - (x2 - x1) / length * by, 1), round(y2 - (y2 - y1) / length * by, 1)


def network_svg(nodes: list[Node], edges: list[Edge], href: Callable[[str], str],
                picture: Picture | None = None, standalone: bool = False) -> str:
    """The picture: edges under nodes, a legend of node categories and edge kinds, links everywhere."""
    picture = picture or Picture()
    positions = layout(nodes, edges, picture)
    colours = kind_colours(edges)
    markers = "".join(
        f'<marker id="arrow-{i}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for i, colour in enumerate(colours.values()))
    marker_of = {kind: f"arrow-{i}" for i, kind in enumerate(colours)}

    # parallel edges between one pair of nodes fan out
    pairs: dict[frozenset, list[Edge]] = {}
    for edge in edges:
        pairs.setdefault(frozenset((edge.source, edge.target)), []).append(edge)
    edge_svg = []
    for group in pairs.values():
        for i, edge in enumerate(group):
            if edge.source not in positions or edge.target not in positions:
                continue
            (x1, y1), (x2, y2) = positions[edge.source], positions[edge.target]
            bend = (i - (len(group) - 1) / 2) * 16
            if edge.directed:
                x2, y2 = shorten(x1, y1, x2, y2, 11)
            colour = colours[edge.kind]
            dash = ' stroke-dasharray="5 3"' if edge.kind == GMG + "Membership" else ""
            arrow = f' marker-end="url(#{marker_of[edge.kind]})"' if edge.directed else ""
            edge_svg.append(
                f'<a class="edge" href="{_esc(href(edge.fact))}"><title>{_esc(edge.label)} ({_esc(edge.kind_label)})</title>'
                f'<path d="{edge_path(x1, y1, x2, y2, bend)}" fill="none" stroke="{colour}" stroke-width="2"'
                f'{dash}{arrow}/></a>')
    legend_text = {c[0]: c[4] for c in CATEGORIES}
    labels = place_labels(nodes, edges, positions, picture)
    node_svg = []
    for node in nodes:
        if node.iri not in positions:
            continue
        x, y = positions[node.iri]
        node_svg.append(
            f'<a class="node" href="{_esc(href(node.iri))}" data-iri="{_esc(node.iri)}">'
            f'<title>{_esc(node.label)} — {_esc(legend_text[node.category])}</title>{node_mark(node, x, y)}'
            f'{labels[node.iri].svg()}</a>')

    legend = legend_svg(colours, {e.kind: e.kind_label for e in edges}, {n.category for n in nodes}, picture)
    namespace = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (f'<svg{namespace} class="network" viewBox="0 0 {picture.width} {picture.height}" width="{picture.width}" '
            f'height="{picture.height}" role="group" aria-labelledby="network-title">'
            f'<title id="network-title">The governance network: {len(nodes)} agents, programmes and networks, '
            f'{len(edges)} relationships, fundings and memberships</title>'
            f"<defs>{markers}</defs><style>{SVG_STYLE}</style>"
            f'<rect width="100%" height="100%" fill="#fff"/>'
            f'<g class="edges">{"".join(edge_svg)}</g><g class="nodes">{"".join(node_svg)}</g>{legend}</svg>')


LABEL_CHARS = 34  # longer names are cut (the full name is in the node's tooltip)
CHAR_WIDTH, LINE_HEIGHT = 6.3, 13.0  # of the 11 px label font, generously: boxes must not touch


@dataclass(frozen=True)
class Label:
    text: str
    x: float  # where the text is anchored
    y: float  # its baseline
    anchor: str  # "start", "middle" or "end"

    @property
    def box(self) -> tuple[float, float, float, float]:
        width = len(self.text) * CHAR_WIDTH
        left = {"start": self.x, "middle": self.x - width / 2, "end": self.x - width}[self.anchor]
        return left, self.y - LINE_HEIGHT + 3, left + width, self.y + 3

    def svg(self) -> str:
        anchor = "" if self.anchor == "start" else f' text-anchor="{self.anchor}"'
        return f'<text x="{round(self.x, 1)}" y="{round(self.y, 1)}"{anchor}>{_esc(self.text)}</text>'


def label_candidates(text: str, x: float, y: float) -> list[Label]:
    """Where a node's name may go: beside it on either side, above, below, then the corners."""
    return [Label(text, x + 12, y + 4, "start"), Label(text, x - 12, y + 4, "end"),
            Label(text, x, y - 12, "middle"), Label(text, x, y + 21, "middle"),
            Label(text, x + 9, y - 9, "start"), Label(text, x + 9, y + 17, "start"),
            Label(text, x - 9, y - 9, "end"), Label(text, x - 9, y + 17, "end")]


def place_labels(nodes: list[Node], edges: list[Edge], positions: dict[str, tuple[float, float]],
                 picture: Picture) -> dict[str, Label]:
    """Each node's name where it covers the fewest names already placed, node marks and edges.

    Greedy, most connected nodes first (their names matter most and have the least room),
    so the same data always gives the same picture.
    """
    degree = {n.iri: 0 for n in nodes}
    for edge in edges:
        for end in (edge.source, edge.target):
            if end in degree:
                degree[end] += 1
    segments = [(positions[e.source], positions[e.target]) for e in edges
                if e.source in positions and e.target in positions]
    marks = [(x - 9, y - 9, x + 9, y + 9) for x, y in positions.values()]
    placed: dict[str, Label] = {}
    for node in sorted((n for n in nodes if n.iri in positions), key=lambda n: (-degree[n.iri], n.iri)):
        x, y = positions[node.iri]
        text = node.label if len(node.label) <= LABEL_CHARS else node.label[:LABEL_CHARS - 1].rstrip() + "…"

        def cost(label: Label) -> float:
            box = label.box
            outside = max(0.0, picture.margin + picture.legend_width - box[0]) + max(0.0, box[2] - picture.width) \
                + max(0.0, -box[1]) + max(0.0, box[3] - picture.height)
            return (1000 * outside + 100 * sum(_overlap(box, other.box) for other in placed.values())
                    + 10 * sum(_overlap(box, mark) for mark in marks)
                    + sum(1 for a, b in segments if _crosses(box, a, b)))

        placed[node.iri] = min(label_candidates(text, x, y), key=cost)  # (ties: the first, beside it)
    return placed


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _crosses(box: tuple[float, float, float, float], a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the segment a–b passes through the box (sampled: labels are small, edges long)."""
    steps = max(2, int(math.hypot(b[0] - a[0], b[1] - a[1]) / 6))
    for i in range(1, steps):
        t = i / steps
        px, py = a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t
        if box[0] <= px <= box[2] and box[1] <= py <= box[3]:
            return True
    return False


def legend_svg(colours: dict[str, str], kind_labels: dict[str, str], categories: set[str], picture: Picture) -> str:
    x, y = picture.margin - 20, picture.margin
    rows = ['<text class="legend-head" x="{}" y="{}">Nodes</text>'.format(x, y)]
    y += 20
    for name, _, fill, shape, text in CATEGORIES:
        if name not in categories:
            continue
        rows.append(shape_svg(shape, fill, x + 10, y - 4) + f'<text x="{x + 26}" y="{y}">{_esc(text)}</text>')
        y += 22
    y += 10
    rows.append(f'<text class="legend-head" x="{x}" y="{y}">Edges (arrow: from → to)</text>')
    y += 20
    for kind, colour in colours.items():
        dash = ' stroke-dasharray="5 3"' if kind == GMG + "Membership" else ""
        rows.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 20}" y2="{y - 4}" stroke="{colour}" stroke-width="3"{dash}/>'
                    f'<text x="{x + 26}" y="{y}">{_esc(kind_labels.get(kind, kind))}</text>')
        y += 20
    return f'<g class="legend">{"".join(rows)}</g>'


SVG_STYLE = """
 text { font: 11px system-ui, sans-serif; fill: #1d2330; paint-order: stroke; stroke: #fff; stroke-width: 3px;
        stroke-linejoin: round; }
 .legend text { font-size: 12px; } .legend-head { font-weight: 600; }
 a.node:hover text, a.node:focus text { font-weight: 700; fill: #2456a6; }
 a.edge:hover path, a.edge:focus path { stroke-width: 4; }
"""
