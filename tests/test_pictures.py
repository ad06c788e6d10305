"""/network and /charts: static SVG drawn from the graph, every mark a link to its page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from gmg.network import CATEGORIES, KIND_COLOURS

GMG = "https://w3id.org/gmg/ontology#"
SVG = "{http://www.w3.org/2000/svg}"
HTML = {"Accept": "text/html"}


def select(client, query: str) -> list[dict]:
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]["bindings"]


def inline_svgs(page: str, css_class: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(rf'<svg class="{css_class}".*?</svg>', page, re.S)]


def local(iri: str) -> str:
    return iri.replace("https://w3id.org/gmg", "")


# --- the network ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def network(client):
    response = client.get("/network", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    (svg,) = inline_svgs(response.text, "network")
    return response.text, svg


def test_every_funding_membership_and_relationship_is_an_edge_that_links_to_it(client, network):
    _, svg = network
    edge_links = {a.get("href") for a in svg.iter("a") if a.get("class") == "edge"}
    facts = select(client, f"""
        PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?fact WHERE {{
          {{ ?fact a <{GMG}Funding> ; <{GMG}funder> ?a ; <{GMG}fundedActivity> ?b }}
          UNION {{ ?fact a <{GMG}Membership> ; org:member ?a ; org:organization ?b }}
          UNION {{ ?fact a/rdfs:subClassOf* <{GMG}Relationship> ; <{GMG}fromAgent> ?a ; <{GMG}toAgent> ?b }}
          UNION {{ ?fact a/rdfs:subClassOf* <{GMG}Relationship> ; <{GMG}participant> ?a , ?b FILTER(?a != ?b) }}
        }}""")
    expected = {local(r["fact"]["value"]) for r in facts}
    assert len(expected) > 30
    assert edge_links == expected
    assert "/id/funding/world-bank-mirpal-2009-2010" in edge_links


def test_nodes_are_the_agents_programmes_and_networks_each_a_link_to_its_page(client, network):
    _, svg = network
    nodes = {a.get("href"): a for a in svg.iter("a") if a.get("class") == "node"}
    for path in ("/id/world-bank", "/id/mirpal", "/id/carmp", "/id/iom", "/id/dfid", "/id/knomad"):
        assert path in nodes, path
    assert nodes["/id/world-bank"].find("title").text == "World Bank — global migration governor"
    assert nodes["/id/mirpal"].find("polygon") is not None  # an expert network: a diamond
    assert nodes["/id/carmp"].find("rect") is not None  # a programme: a square
    for path in nodes:
        assert client.head(path, headers=HTML).status_code == 200, path
    # every node is placed inside the picture
    width, height = (float(v) for v in svg.get("viewBox").split()[2:])
    for a in nodes.values():
        mark = a.find("circle") if a.find("circle") is not None else a.find("rect")
        if mark is None:
            continue
        x = float(mark.get("cx", mark.get("x")))
        y = float(mark.get("cy", mark.get("y")))
        assert 0 <= x <= width and 0 <= y <= height


def test_edges_are_coloured_by_kind_with_a_legend(network):
    _, svg = network
    legend = next(g for g in svg.iter("g") if g.get("class") == "legend")
    legend_colours = {line.get("stroke"): text.text for line, text in
                      zip(legend.iter("line"), [t for t in legend.iter("text") if t.get("class") != "legend-head"]
                          [-len(list(legend.iter("line"))):])}
    assert {"cooperation", "funding", "membership", "competition"} <= set(legend_colours.values())
    assert legend_colours[KIND_COLOURS[GMG + "Funding"]] == "funding"
    edges = [a for a in svg.iter("a") if a.get("class") == "edge"]
    for a in edges:
        stroke = a.find("path").get("stroke")
        assert stroke in legend_colours
        if a.get("href").startswith("/id/funding/"):
            assert legend_colours[stroke] == "funding"
        if a.get("href").startswith("/id/membership/"):
            assert legend_colours[stroke] == "membership"
    node_legend = {t.text for t in legend.iter("text")}
    assert {text for name, _, _, _, text in CATEGORIES if name in ("governor", "programme", "network")} <= node_legend


def test_the_network_page_loads_nothing_and_has_a_text_alternative(network):
    page, _ = network
    assert "<script" not in page and not re.search(r'src="https?://', page)
    table = re.search(r'<details class="as-table">.*?</details>', page, re.S).group(0)
    assert 'href="/id/world-bank"' in table and 'href="/id/funding/dfid-carmp-2010-2015"' in table


def test_no_two_names_in_the_network_overlap(network):
    """Each name goes where it covers no other (boxes measured with the label font's width per
    character, as the placement does), and stays inside the picture, right of the legend."""
    from gmg.network import Label, Picture

    _, svg = network
    labels = [Label(text.text, float(text.get("x")), float(text.get("y")), text.get("text-anchor", "start"))
              for a in svg.iter("a") if a.get("class") == "node" for text in a.iter("text")]
    assert len(labels) > 30
    boxes = [label.box for label in labels]
    overlapping = [(a.text, b.text) for i, a in enumerate(labels) for j, b in enumerate(labels[i + 1:], i + 1)
                   if min(boxes[i][2], boxes[j][2]) > max(boxes[i][0], boxes[j][0])
                   and min(boxes[i][3], boxes[j][3]) > max(boxes[i][1], boxes[j][1])]
    assert not overlapping
    picture = Picture()
    assert all(box[0] >= picture.margin + picture.legend_width and box[2] <= picture.width for box in boxes)


def test_the_network_downloads_as_a_standalone_svg(client):
    response = client.get("/network.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    assert root.tag == SVG + "svg"
    hrefs = {a.get("href") for a in root.iter(SVG + "a")}
    assert "https://w3id.org/gmg/id/world-bank" in hrefs


# --- the charts ---------------------------------------------------------------------------

COUNTRY_FIGURES = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?obs (GROUP_CONCAT(DISTINCT ?hl; separator="|") AS ?hedges) WHERE {{
  ?obs a <{GMG}Observation> ; <{GMG}refArea> ?area .
  OPTIONAL {{ ?st <{GMG}asserts> ?obs ; <{GMG}hedge>/rdfs:label ?hl FILTER(lang(?hl) = "en") }}
}} GROUP BY ?obs"""


@pytest.fixture(scope="module")
def charts(client):
    response = client.get("/charts", headers=HTML)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    svgs = inline_svgs(response.text, "chart")
    figures = {a.get("href"): a for svg in svgs for a in svg.iter("a")}
    return response.text, svgs, figures


def figure_text(a: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in a.iter("text"))


def test_every_country_figure_is_charted_with_its_hedges_from_its_statement(client, charts):
    _, _, figures = charts
    rows = select(client, COUNTRY_FIGURES)
    assert len(rows) >= 7
    assert set(figures) == {local(r["obs"]["value"]) for r in rows}
    for r in rows:
        a = figures[local(r["obs"]["value"])]
        hedges = [h for h in r.get("hedges", {}).get("value", "").split("|") if h]
        bar = a.find("rect")
        if hedges:  # hollow and dashed, the hedge words beside it
            assert "hedged" in a.get("class") and bar.get("fill") == "#fff" and bar.get("stroke-dasharray")
            for hedge in hedges:
                assert hedge in figure_text(a), (r["obs"]["value"], hedge)
        else:  # solid
            assert "hedged" not in a.get("class") and bar.get("fill") != "#fff" and not bar.get("stroke-dasharray")


def bar_span(svg: ET.Element, a: ET.Element) -> tuple[float, float]:
    bar = a.find("rect")
    return float(bar.get("x")), float(bar.get("x")) + float(bar.get("width"))


def axis(svg: ET.Element) -> dict[str, float]:
    """Tick label -> x, read from the chart itself."""
    return {t.text: float(t.get("x")) for t in svg.iter("text") if t.get("class") == "tick" and t.get("text-anchor")}


def chart_of(svgs, href):
    return next(svg for svg in svgs if any(a.get("href") == href for a in svg.iter("a")))


def test_values_ranges_and_fractions_are_drawn_to_scale_with_their_periods(charts):
    _, svgs, figures = charts
    remittances = chart_of(svgs, "/id/observation/remittances-share-of-gdp-tajikistan-2012")
    ticks = axis(remittances)
    zero, hundred = ticks["0%"], ticks["100%"]
    start, end = bar_span(remittances, figures["/id/observation/remittances-share-of-gdp-tajikistan-2012"])
    assert start == pytest.approx(zero) and end == pytest.approx(zero + 0.52 * (hundred - zero), abs=0.2)
    assert "52%" in figure_text(figures["/id/observation/remittances-share-of-gdp-tajikistan-2012"])
    assert "2012" in figure_text(figures["/id/observation/remittances-share-of-gdp-kyrgyzstan-2012"])

    # a fraction printed "one-third": shown as 1/3 and drawn at a third of the percent axis
    href = "/id/observation/share-of-employable-population-abroad-kyrgyzstan"
    fraction = chart_of(svgs, href)
    ticks = axis(fraction)
    start, end = bar_span(fraction, figures[href])
    assert end - start == pytest.approx((ticks["100%"] - ticks["0%"]) / 3, abs=0.2)
    assert "1/3" in figure_text(figures[href]) and "just before the global" in figure_text(figures[href])

    # a range: a floating bar from the minimum to the maximum, end marks, "4–5 million"
    href = "/id/observation/irregular-labour-migrant-count-russia"
    ranged = chart_of(svgs, href)
    ticks = axis(ranged)
    unit = (ticks["5 million"] - ticks["0"]) / 5_000_000
    start, end = bar_span(ranged, figures[href])
    assert start == pytest.approx(ticks["0"] + 4_000_000 * unit, abs=0.2)
    assert end == pytest.approx(ticks["0"] + 5_000_000 * unit, abs=0.2)
    assert len(figures[href].findall("line")) == 2
    assert "4–5 million" in figure_text(figures[href])


def test_charts_link_to_observations_that_answer_and_say_what_hollow_means(client, charts):
    page, _, figures = charts
    assert "hollow" in page and "<script" not in page
    for href in figures:
        assert client.head(href, headers=HTML).status_code == 200, href


def test_home_page_and_every_header_link_the_pictures(client):
    for path in ("/", "/id/world-bank"):
        page = client.get(path, headers=HTML).text
        assert 'href="/network"' in page and 'href="/charts"' in page


# --- the plain modules, on made-up figures --------------------------------------------------

def test_figures_are_printed_as_a_reader_says_them():
    from gmg.charts import FRACTION, PERCENT, Figure, nice_ceiling, tick_count

    base = dict(iri="x", label="x", measure="m", measure_label="m", area="a", area_label="A")
    assert Figure(**base, value=52.0, unit=PERCENT).printed() == "52%"
    assert Figure(**base, value=800000.0).printed() == "800,000"
    assert Figure(**base, low=4e6, high=5e6).printed() == "4–5 million"
    third = Figure(**base, numerator=1, denominator=3, unit=FRACTION)
    assert third.printed() == "1/3 (≈33%)" and third.plotted() == pytest.approx((0, 100 / 3))
    assert Figure(**base).plotted() is None  # no value at all: not charted
    assert [nice_ceiling(v) for v in (0.8, 11, 52, 800000, 5e6, 3e7)] == [1, 20, 100, 1e6, 5e6, 5e7]
    assert tick_count(5e6) == 5 and tick_count(100) == 4


def test_the_layout_is_the_same_for_the_same_data():
    from gmg.network import Edge, Node, layout, Picture

    nodes = [Node(f"n{i}", f"node {i}", "other") for i in range(8)]
    edges = [Edge(f"f{i}", "k", "kind", f"n{i}", f"n{(i + 1) % 5}", True, "edge") for i in range(5)]
    edges.append(Edge("f9", "k", "kind", "n6", "n7", False, "apart"))
    first, second = layout(nodes, edges, Picture()), layout(nodes, edges, Picture())
    assert first == second and set(first) == {n.iri for n in nodes}
    # nodes are kept apart
    points = list(first.values())
    assert all(abs(a[0] - b[0]) + abs(a[1] - b[1]) > 10 for i, a in enumerate(points) for b in points[i + 1:])


def test_a_network_too_large_to_read_is_drawn_by_its_most_connected_nodes():
    """At a million triples the network has thousands of nodes: the spring layout of all of them
    needed scipy (a 500) and would be unreadable. The picture keeps the best connected."""
    from gmg.network import Edge, Node, endpoints, most_connected, network_svg
    from gmg.web.pictures import MAX_NODES

    hubs = [f"hub{i}" for i in range(5)]
    edges = [Edge(f"f{i}", "k", "kind", hubs[i % 5], f"leaf{i}", True, f"edge {i}") for i in range(1000)]
    edges += [Edge(f"g{i}", "k", "kind", hubs[i], hubs[(i + 1) % 5], False, f"between {i}") for i in range(5)]
    shown = most_connected(edges, MAX_NODES)
    kept = endpoints(shown)
    assert len(kept) == MAX_NODES and set(hubs) <= set(kept)
    assert all(f"between {i}" in {e.label for e in shown} for i in range(5))
    assert most_connected(edges[:40], MAX_NODES) == edges[:40]  # (a small network is left whole)
    svg = network_svg([Node(iri, iri, "other") for iri in kept], shown, lambda iri: "/id/" + iri)
    assert svg.count('class="edge"') == len(shown)


def test_a_graph_with_thousands_of_figures_gets_a_page_a_person_can_read():
    """At a million triples the charts page was 10.8 MB (a chart per synthetic indicator): it
    draws the measures with the most figures and the first bars of each, and says so."""
    from gmg.charts import Figure
    from gmg.web.pictures import MAX_BARS, MAX_CHARTS, charts_html

    figures = [Figure(iri=f"https://w3id.org/gmg/id/obs/{m}-{a}", label=f"figure {m} {a}", measure=f"m{m}",
                      measure_label=f"indicator {m}", area=f"https://w3id.org/gmg/id/c{a}", area_label=f"Country {a:03}",
                      value=float(a + 1)) for m in range(MAX_CHARTS + 20) for a in range(MAX_BARS + (100 if m == 0 else 0))]
    page = charts_html(figures)
    assert page.count('<section class="chart">') == MAX_CHARTS
    assert f"figures of {MAX_CHARTS + 20} measures" in page
    assert f"The first {MAX_BARS} of {MAX_BARS + 100} figures" in page  # (the measure with the most comes first)
    assert page.count("<tr><td>") == MAX_CHARTS * MAX_BARS
