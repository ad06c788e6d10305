"""/network and /charts: pictures where people would rather look than read.

Static SVG drawn on the server (no script, nothing from elsewhere): the governance
network (`gmg.network`) and the country figures (`gmg.charts`). Each picture comes with
the same content as a table below it, for screen readers and for print.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..charts import by_measure, chart_svg, figures_from_rows, legend_svg
from ..engine import EngineSupervisor
from ..network import CATEGORIES, edges_from_rows, endpoints, most_connected, network_svg, nodes_from_rows
from ..settings import Settings
from ..sitequeries import NETWORK_EDGES, OBSERVATIONS, network_nodes
from . import internal
from .errors import ProtocolError, error_response
from .layout import page
from .head import without_body
from .terms import local_href

MAX_NODES = 150  # drawn at most: the most connected (the article's network has far fewer)
MAX_CHARTS, MAX_BARS = 30, 60  # charts, and bars in a chart, drawn at most (the article has far fewer)


@dataclass(frozen=True)
class Whole:
    """The size of the whole network, when the picture shows part of it."""

    nodes: int
    edges: int


PICTURE_STYLE = """<style>
 figure.picture { margin: 1rem 0; overflow-x: auto; } figure.picture svg { max-width: 100%; height: auto; }
 figure.picture figcaption { font-size: 14px; color: #4a5468; }
 details.as-table { margin: 1rem 0; } .swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px;
 vertical-align: -1px; margin-right: .3rem; }
</style>"""


def pictures_router(settings: Settings, engine: EngineSupervisor) -> APIRouter:
    router = APIRouter()

    async def draw_network():
        every = edges_from_rows(await internal.rows(engine, settings, NETWORK_EDGES))
        edges = most_connected(every, MAX_NODES)
        iris = endpoints(edges)
        nodes = nodes_from_rows(await internal.rows(engine, settings, network_nodes(iris))) if iris else []
        whole = Whole(len(endpoints(every)), len(every))
        return (nodes, edges, whole, network_svg(nodes, edges, local_href),
                network_svg(nodes, edges, absolute, standalone=True))

    async def draw_charts():
        return charts_html(figures_from_rows(await internal.rows(engine, settings, OBSERVATIONS)))

    # (drawn from whole-graph queries: on a large store they take longer than a page may wait)
    network, charts = (internal.PerDataVersion(engine, draw, patience=settings.query_timeout, what=what)
                       for draw, what in ((draw_network, "the network"), (draw_charts, "the charts")))

    async def answer(request: Request, make) -> Response:
        try:
            response = await make()
        except ProtocolError as err:
            response = error_response(err)
        return await without_body(response) if request.method == "HEAD" else response

    @router.api_route("/network", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def network_page(request: Request) -> Response:
        """The governance network as a picture: every node and edge links to its page."""
        async def make():
            nodes, edges, whole, svg, _ = await network.get()
            return HTMLResponse(network_html(nodes, edges, svg, whole))
        return await answer(request, make)

    @router.api_route("/network.svg", methods=["GET", "HEAD"])
    async def network_file(request: Request) -> Response:
        """The governance network as an SVG file (links point at the published IRIs)."""
        async def make():
            *_, standalone = await network.get()
            return Response(standalone, media_type="image/svg+xml")
        return await answer(request, make)

    @router.api_route("/charts", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def charts_page(request: Request) -> Response:
        """Charts of the country figures the graph holds, hedged figures drawn apart."""
        async def make():
            return HTMLResponse(await charts.get())
        return await answer(request, make)

    return router


def absolute(iri: str) -> str:
    return iri


def network_html(nodes, edges, svg: str, whole: Whole | None = None) -> str:
    names = {n.iri: n.label for n in nodes}
    kinds: dict[str, list] = {}
    for edge in edges:
        kinds.setdefault(edge.kind_label, []).append(edge)

    def link(iri: str, text: str) -> str:
        return f'<a href="{html.escape(local_href(iri))}">{html.escape(text)}</a>'

    rows = "".join(
        f"<tr><td>{html.escape(kind)}</td><td>{link(e.source, names.get(e.source, e.source))}</td>"
        f"<td>{'→' if e.directed else '—'}</td><td>{link(e.target, names.get(e.target, e.target))}</td>"
        f"<td>{link(e.fact, e.label)}</td></tr>"
        for kind in sorted(kinds) for e in kinds[kind])
    counts = ", ".join(f"{len(kinds[k])} {html.escape(k)}" for k in sorted(kinds))
    categories = "".join(f'<li><span class="swatch" style="background:{fill}"></span>{html.escape(text)}: '
                         f'{sum(1 for n in nodes if n.category == name)}</li>'
                         for name, _, fill, _, text in CATEGORIES if any(n.category == name for n in nodes))
    main = (f"<h1>The governance network</h1>"
            f"<p>Who works with whom, who funds what, who belongs where, as the article tells it: "
            f"{len(nodes)} agents, programmes and networks joined by {len(edges)} edges ({counts}). "
            + (f"The graph holds {whole.nodes:,} of them joined by {whole.edges:,} edges: these are the {MAX_NODES} "
               "with the most edges, and the edges among them; <a href=\"/sparql\">a query</a> finds the rest. "
               if whole and whole.edges > len(edges) else "") +
            "Each node opens its page; each edge opens the relationship, funding or membership it stands for, "
            "with its evidence. Parallel edges are separate statements of the article.</p>"
            f'<figure class="picture">{svg}<figcaption>Drawn on the server from the graph; '
            f'<a href="/network.svg" download="gmg-network.svg">download the SVG</a>.</figcaption></figure>'
            f'<ul>{categories}</ul>'
            f'<details class="as-table"><summary>The same network as a table</summary><table>'
            f'<thead><tr><th scope="col">kind</th><th scope="col">from</th><th scope="col"></th>'
            f'<th scope="col">to</th><th scope="col">the statement</th></tr></thead><tbody>{rows}</tbody></table></details>')
    return page("The governance network — gmg", main, extra_head=PICTURE_STYLE)


def charts_html(figures) -> str:
    groups = by_measure(figures)
    sections = []
    for i, (measure, label, every) in enumerate(groups[:MAX_CHARTS]):
        members = every[:MAX_BARS]
        svg = chart_svg(label, members, local_href, f"chart-{i + 1}")
        more = (f'<p>The first {len(members)} of {len(every):,} figures of this measure, by country: '
                '<a href="/sparql">a query</a> finds them all.</p>' if len(every) > len(members) else "")
        rows = "".join(
            f'<tr><td><a href="{html.escape(local_href(f.area))}">{html.escape(f.area_label)}</a></td>'
            f"<td>{html.escape(f.period or 'no year given')}</td><td>{html.escape(f.printed())}</td>"
            f"<td>{html.escape(', '.join(f.hedges) or '—')}</td>"
            f"<td>{html.escape('; '.join(f.expressions) or '—')}</td>"
            f'<td><a href="{html.escape(local_href(f.iri))}">{html.escape(f.label)}</a></td></tr>' for f in members)
        sections.append(
            f'<section class="chart"><h2 id="measure-{i + 1}">{html.escape(label[:1].upper() + label[1:])}</h2>'
            f'<figure class="picture">{svg}</figure>{more}'
            f'<details class="as-table"><summary>The figures as a table</summary><table><thead><tr>'
            f'<th scope="col">country</th><th scope="col">period</th><th scope="col">figure</th>'
            f'<th scope="col">hedges</th><th scope="col">as the article hedges it</th><th scope="col">observation</th>'
            f'</tr></thead><tbody>{rows}</tbody></table></details></section>')
    body = "".join(sections) or "<p>The graph holds no country figures.</p>"
    main = ("<h1>Country figures</h1>"
            f"<p>The {len(figures)} figures about countries the article reports — remittances, migrant numbers, "
            "populations — one chart per measure, with the period each refers to. A figure the article hedges "
            "(an estimate, an approximate or second-hand figure, a range) is drawn hollow and dashed, with the hedge "
            "beside it; the hedges are those of the statement that asserts the figure. A fraction the article prints "
            "(\"one-third\") is shown as printed and drawn on a percent axis. Each bar opens its observation.</p>"
            + (f"<p>The graph holds figures of {len(groups):,} measures: these are the {MAX_CHARTS} with the most "
               "figures, shares first.</p>" if len(groups) > MAX_CHARTS else "") +
            f'<figure class="picture">{legend_svg()}</figure>{body}')
    return page("Country figures — gmg", main, extra_head=PICTURE_STYLE)
