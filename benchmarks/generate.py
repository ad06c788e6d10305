"""Generate synthetic instance data in the shape of gmg's ontology, beside the article's graph.

    .venv/bin/python benchmarks/generate.py --triples 100000 [--seed 14] [--out benchmarks/generated/100k]

Writes a data folder, OUT/{ontology,instances,shapes,inferred,queries}: copies of this
checkout's files, plus OUT/instances/synthetic.ttl, so that

    GMG_DATA_DIR=OUT gmg validate
    GMG_DATA_DIR=OUT gmg build --store OUT/store
    GMG_DATA_DIR=OUT gmg serve --store OUT/store

read the synthetic data like any other instance data. The article's files are
untouched, so the competency questions still find what they found.

The data conforms to gmg's shapes. It is made of clusters, one per synthetic
governor: the governor (an organisation of one of several kinds), a person who
works for it, a programme; two statuses, a funding with its amount and period, a
relationship with the previous governor, a membership, an authority attribution and
two observations; every fact asserted by a statement with its passage, attribution
and, for some, a hedge with its printed words; each cluster's passages lie in one
paragraph of a synthetic report whose sections group 50 clusters, and every passage
has its selector (words, offsets and rights). Every ten clusters share a country, a
measure and single-year periods; observations of one measure and country differ in
their year, so no two contradict each other. Every IRI the generator mints has
"synth" in its local name and every label and quoted text "Synthetic" or "synthetic",
so that a query's answers about the article can be told apart from the rest.

The same seed and size give the same file, byte for byte.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from gmg.paths import DATA_FOLDERS, DataDir, default_data_dir  # noqa: E402

SYNTHETIC_FILE = "synthetic.ttl"
CLUSTERS_PER_SECTION = 50
CLUSTERS_PER_GROUP = 10
ID = "https://w3id.org/gmg/id/"

PREFIXES = """\
@prefix gmg: <https://w3id.org/gmg/ontology#> .
@prefix id: <https://w3id.org/gmg/id/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix amount: <https://w3id.org/gmg/id/amount/> .
@prefix authority-attribution: <https://w3id.org/gmg/id/authority-attribution/> .
@prefix funding: <https://w3id.org/gmg/id/funding/> .
@prefix measure: <https://w3id.org/gmg/id/measure/> .
@prefix membership: <https://w3id.org/gmg/id/membership/> .
@prefix observation: <https://w3id.org/gmg/id/observation/> .
@prefix paragraph: <https://w3id.org/gmg/id/paragraph/> .
@prefix passage: <https://w3id.org/gmg/id/passage/> .
@prefix period: <https://w3id.org/gmg/id/period/> .
@prefix relationship: <https://w3id.org/gmg/id/relationship/> .
@prefix rights: <https://w3id.org/gmg/id/rights/> .
@prefix section: <https://w3id.org/gmg/id/section/> .
@prefix selector: <https://w3id.org/gmg/id/selector/> .
@prefix statement: <https://w3id.org/gmg/id/statement/> .
@prefix status: <https://w3id.org/gmg/id/status/> .

# Synthetic data for benchmarks (benchmarks/generate.py): not the article's, and not true
# of anyone. Generated: do not edit.

<https://w3id.org/gmg/instances/synthetic> a owl:Ontology ;
    rdfs:label "gmg instances: synthetic data for benchmarks"@en ;
    dcterms:isPartOf <https://w3id.org/gmg/instances> ;
    owl:imports <https://w3id.org/gmg/ontology> , <https://w3id.org/gmg/ontology/schemes> , <https://w3id.org/gmg/ontology/sources> .

id:synth-report a gmg:Report ;
    rdfs:label "Synthetic report on migration governors"@en ;
    gmg:publicationYear 2020 .

"""

GOVERNOR_KINDS = ("gmg:InternationalOrganization", "gmg:Organization", "gmg:ThinkTank", "gmg:ResearchInstitution")
STATUS_TYPES = ("gmg:ReferentIO", "gmg:NonreferentIO", "gmg:PowerfulIO", "gmg:Donor")
FIELDS = ("gmg:MigrationGovernance", "gmg:GlobalEconomicGovernance", "gmg:MigrationAndDevelopment",
          "gmg:BorderManagement", "gmg:RefugeeProtection", "gmg:MigrantHealthCare")
RELATIONSHIP_KINDS = ("gmg:Cooperation", "gmg:Competition", "gmg:DivisionOfLabour", "gmg:Delegation",
                      "gmg:StrategicPartnership", "gmg:CoImplementation")
AUTHORITY_TYPES = ("gmg:ExpertAuthority", "gmg:InstitutionalAuthority", "gmg:DelegatedAuthority",
                   "gmg:PrincipledAuthority", "gmg:CapacityBasedAuthority")
HEDGES = (("gmg:Approximate", "about"), ("gmg:Reportedly", "reportedly"), ("gmg:Estimate", "an estimated"),
          ("gmg:Mostly", "mostly"), ("gmg:Potentially", "potentially"), ("gmg:Perceived", "is seen as"))
POSTS = ("director", "programme officer", "senior economist", "regional coordinator", "consultant")


def literal(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


class Writer:
    """Turtle blocks, counted in triples."""

    def __init__(self, out):
        self.out = out
        self.triples = 0

    def node(self, subject: str, types: str, *pairs: tuple[str, str | list[str]]) -> None:
        lines = [f"{subject} a {types}"]
        self.triples += types.count(",") + 1
        for predicate, objects in pairs:
            objects = objects if isinstance(objects, list) else [objects]
            lines.append(f"    {predicate} {' , '.join(objects)}")
            self.triples += len(objects)
        self.out.write(" ;\n".join(lines) + " .\n\n")


class Generator:
    def __init__(self, writer: Writer, seed: int, taken: set[str]):
        self.w = writer
        self.random = random.Random(seed)
        self.taken = taken  # IRIs the article already defines (periods): referenced, never redefined
        self.defined: set[str] = set()
        self.offset = 0  # running character offset of the selectors in the synthetic report

    def period(self, start: int, end: int) -> str:
        local = f"{start}" if start == end else f"{start}-{end}"
        iri = ID + "period/" + local
        if iri not in self.taken and iri not in self.defined:
            self.defined.add(iri)
            label = f"{start}" if start == end else f"{start}–{end}"
            self.w.node(f"period:{local}", "gmg:Period", ("rdfs:label", literal(label)),
                        ("gmg:startYear", str(start)), ("gmg:endYear", str(end)),
                        ("gmg:precision", "gmg:YearPrecision"))
        return f"period:{local}"

    def section(self, n: int) -> None:
        self.w.node(f"section:synth{n}", "gmg:Section", ("rdfs:label", literal(f"Synthetic section {n}")),
                    ("gmg:sectionOrder", str(100 + n)), ("dcterms:isPartOf", "id:synth-report"))

    def group(self, g: int, section: int) -> dict:
        """What ten clusters share: a country, a measure and its unit."""
        country, measure = f"id:synth-country-{g}", f"measure:synth-indicator-{g}"
        first = f"passage:synth{section}-p{(g * CLUSTERS_PER_GROUP) % CLUSTERS_PER_SECTION + 1}-a"
        self.w.node(country, "gmg:Country", ("rdfs:label", literal(f"Synthetic Country {g}")),
                    ("gmg:mentionedIn", first))
        self.w.node(measure, "gmg:Measure , skos:Concept", ("rdfs:label", literal(f"synthetic indicator {g}")),
                    ("skos:scopeNote", literal(f"A synthetic share, in percent, for benchmarks (group {g}).")),
                    ("skos:inScheme", "gmg:Measures"))
        return {"country": country, "measure": measure}

    def passages(self, section: int, paragraph: int, cluster: int, parts: int) -> list[str]:
        local = f"synth{section}-p{paragraph}"
        self.w.node(f"paragraph:{local}", "gmg:Paragraph",
                    ("rdfs:label", literal(f"Synthetic section {section}, paragraph {paragraph}")),
                    ("gmg:inSection", f"section:synth{section}"), ("gmg:paragraphNumber", str(paragraph)))
        names = []
        for k in range(parts):
            letter = "abcdefghij"[k]
            words = (f"synthetic words {k + 1} about synthetic governor {cluster}, its programme and "
                     f"its partners in the field")
            start, self.offset = self.offset, self.offset + len(words) + 1
            self.w.node(f"passage:{local}-{letter}", "gmg:Passage",
                        ("rdfs:label", literal(f"Synthetic section {section}, paragraph {paragraph} ({letter})")),
                        ("gmg:inSection", f"section:synth{section}"), ("oa:hasSource", f"paragraph:{local}"),
                        ("oa:hasSelector", f"selector:{local}-{letter}"))
            self.w.node(f"selector:{local}-{letter}", "oa:TextQuoteSelector , oa:TextPositionSelector",
                        ("rdfs:label", literal(f"Words quoted by synthetic section {section}, paragraph {paragraph} "
                                               f"({letter})")),
                        ("oa:exact", literal(words, None)), ("oa:start", str(start)),
                        ("oa:end", str(start + len(words))), ("dcterms:rights", "rights:quoted-text"))
            names.append(f"passage:{local}-{letter}")
        return names

    def statement(self, fact: str, label: str, passage: str, *, hedge: bool = False,
                  stated_by: str | None = None) -> None:
        prefix, local = fact.split(":", 1)
        pairs = [("rdfs:label", literal(f"statement: {label}")), ("gmg:asserts", fact)]
        if stated_by:
            pairs += [("gmg:attribution", "gmg:QuotedActor"), ("gmg:statedBy", stated_by)]
        else:
            pairs.append(("gmg:attribution", "gmg:ArticleOwnStatement"))
        if hedge:
            concept, words = self.random.choice(HEDGES)
            pairs += [("gmg:hedge", concept), ("gmg:hedgeExpression", literal(words, None))]
        pairs.append(("prov:wasDerivedFrom", passage))
        self.w.node(f"statement:{prefix}-{local}-1", "gmg:Statement", *pairs)

    def cluster(self, i: int, shared: dict, section: int) -> None:
        r = self.random
        paragraph = i % CLUSTERS_PER_SECTION + 1
        pa, pb, pc = self.passages(section, paragraph, i, 3)
        governor, person, programme = f"id:synth-governor-{i}", f"id:synth-person-{i}", f"id:synth-programme-{i}"
        previous = f"id:synth-governor-{i - 1}" if i > 0 else shared["country"]
        name = f"Synthetic Governor {i}"
        s1, s2 = f"status:synth-{i}-field", f"status:synth-{i}-donor"
        self.w.node(governor, GOVERNOR_KINDS[i % len(GOVERNOR_KINDS)], ("rdfs:label", literal(name)),
                    ("skos:altLabel", literal(f"SG{i}")), ("gmg:mentionedIn", [pa, pb]), ("gmg:hasStatus", [s1, s2]))
        self.w.node(person, "gmg:Person", ("rdfs:label", literal(f"Synthetic Person {i}")), ("gmg:mentionedIn", pc))
        self.w.node(programme, "gmg:Programme", ("rdfs:label", literal(f"Synthetic Programme {i}")),
                    ("skos:altLabel", literal(f"SP{i}")), ("gmg:mentionedIn", pb))

        start = 1990 + r.randrange(25)
        period = self.period(start, start + r.randrange(1, 6))
        field = FIELDS[r.randrange(len(FIELDS))]
        status_type = STATUS_TYPES[r.randrange(len(STATUS_TYPES))]
        label = f"{name} has a synthetic status in its field"
        self.w.node(s1, "gmg:Status", ("rdfs:label", literal(label)), ("gmg:statusOf", governor),
                    ("gmg:statusType", status_type), ("gmg:inField", field))
        self.statement(s1, label, pa)
        label = f"{name} is a synthetic core donor of Synthetic Programme {i}"
        self.w.node(s2, "gmg:Status", ("rdfs:label", literal(label)), ("gmg:statusOf", governor),
                    ("gmg:statusType", "gmg:CoreDonor"), ("gmg:inContext", programme))
        self.statement(s2, label, pb, hedge=r.random() < 0.3)

        value = r.randrange(10, 5000) * 1000
        funding, amount = f"funding:synth-{i}", f"amount:synth-{i}"
        label = f"{name} funded Synthetic Programme {i} with ${value:,}"
        self.w.node(funding, "gmg:Funding", ("rdfs:label", literal(label)), ("gmg:funder", governor),
                    ("gmg:fundedActivity", programme), ("gmg:amount", amount), ("gmg:period", period))
        self.w.node(amount, "gmg:MonetaryAmount", ("rdfs:label", literal(f"Synthetic ${value:,}")),
                    ("gmg:amountValue", f"{value}.0"), ("gmg:currency", '"USD"'), ("gmg:currencySymbol", '"$"'))
        self.statement(funding, label, pb, hedge=r.random() < 0.2)

        relationship = f"relationship:synth-{i}"
        label = f"{name} works with its synthetic neighbour in Synthetic Programme {i}"
        self.w.node(relationship, "gmg:GovernorRelationship", ("rdfs:label", literal(label)),
                    ("gmg:relationshipKind", RELATIONSHIP_KINDS[r.randrange(len(RELATIONSHIP_KINDS))]),
                    ("gmg:participant", [governor, previous]), ("gmg:inContext", programme), ("gmg:inField", field))
        self.statement(relationship, label, pc, stated_by=person)

        membership = f"membership:synth-{i}"
        post = POSTS[r.randrange(len(POSTS))]
        label = f"Synthetic Person {i}, {post}, {name}"
        self.w.node(membership, "gmg:Membership", ("rdfs:label", literal(label)), ("org:member", person),
                    ("org:organization", governor), ("gmg:postTitle", literal(post)), ("gmg:period", period))
        self.statement(membership, label, pc)

        attribution = f"authority-attribution:synth-{i}"
        label = f"{name} holds synthetic authority"
        self.w.node(attribution, "gmg:AuthorityAttribution", ("rdfs:label", literal(label)),
                    ("gmg:holder", governor), ("gmg:authorityType", AUTHORITY_TYPES[r.randrange(len(AUTHORITY_TYPES))]),
                    ("gmg:basis", literal("synthetic expertise")))
        self.statement(attribution, label, pa, hedge=True)

        local = i % CLUSTERS_PER_GROUP
        for k in range(2):  # one year per observation of the group's measure and country: none contradict
            year = 1960 + 2 * local + k
            observation = f"observation:synth-{i}-{k}"
            value = r.randrange(0, 1000) / 10
            label = f"Synthetic indicator of Synthetic Country {i // CLUSTERS_PER_GROUP} was {value} percent in {year}"
            self.w.node(observation, "gmg:Observation", ("rdfs:label", literal(label)),
                        ("gmg:measure", shared["measure"]), ("gmg:value", f"{value}"), ("gmg:unit", "gmg:Percent"),
                        ("gmg:refArea", shared["country"]), ("gmg:refPeriod", self.period(year, year)))
            self.statement(observation, label, pa, hedge=k == 1)


def article_triples(data: DataDir) -> tuple[int, set[str]]:
    """The article's instance triples, and the IRIs of the periods it defines."""
    count, periods = 0, set()
    for path in data.files("instances"):
        if path.name == SYNTHETIC_FILE:
            continue
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            count += 1
            if isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(ID + "period/"):
                periods.add(triple.subject.value)
    return count, periods


def write_synthetic(out, total_triples: int, seed: int, data: DataDir) -> int:
    """Write synthetic Turtle until the instances (the article's and these) reach `total_triples`."""
    existing, periods = article_triples(data)
    writer = Writer(out)
    out.write(PREFIXES)
    writer.triples += 6  # the header's two nodes
    generator = Generator(writer, seed, periods)
    i = 0
    shared: dict = {}
    while existing + writer.triples < total_triples:
        section = i // CLUSTERS_PER_SECTION
        if i % CLUSTERS_PER_SECTION == 0:
            generator.section(section)
        if i % CLUSTERS_PER_GROUP == 0:
            shared = generator.group(i // CLUSTERS_PER_GROUP, section)
        generator.cluster(i, shared, section)
        i += 1
    return writer.triples


def make_data_dir(out: Path, total_triples: int, seed: int, source: DataDir | None = None) -> dict:
    """A data folder at `out`: the checkout's folders copied, plus instances/synthetic.ttl."""
    source = source or default_data_dir()
    out.mkdir(parents=True, exist_ok=True)
    for folder in DATA_FOLDERS:
        target = out / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source.folder(folder), target, ignore=shutil.ignore_patterns(SYNTHETIC_FILE))
    started = time.perf_counter()
    with open(out / "instances" / SYNTHETIC_FILE, "w", encoding="utf-8", buffering=1 << 20) as f:
        generated = write_synthetic(f, total_triples, seed, source)
    return {"generated": generated, "seconds": time.perf_counter() - started,
            "bytes": (out / "instances" / SYNTHETIC_FILE).stat().st_size}


def parse_size(text: str) -> int:
    text = text.lower().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=parse_size, required=True,
                        help="instance triples in all, the article's included (10k, 100k, 1m, 10m)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--out", type=Path, help="the data folder to write (default benchmarks/generated/<size>)")
    args = parser.parse_args(argv)
    out = args.out or ROOT / "benchmarks" / "generated" / f"{args.triples:_}".replace("_000_000", "m").replace("_000", "k")
    info = make_data_dir(out, args.triples, args.seed)
    print(f"wrote {out / 'instances' / SYNTHETIC_FILE}: {info['generated']:,} synthetic triples, "
          f"{info['bytes'] / 1e6:.1f} MB in {info['seconds']:.1f} s")
    print(f"GMG_DATA_DIR={out} gmg build --store {out / 'store'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
