"""A resource page that reads like an encyclopedia entry with footnotes.

First the label, the types, what the resource is called besides and its definition, with the
curators' remarks (rdfs:comment) set apart as editors' notes. Then its facts, grouped by
property: a fact node (a funding, a status, a relationship, an observation ...) is one
sentence made from its roles ("DFID funded MIRPAL with $650,000 (2010–2015)"), and every
fact — a fact node, or a plain triple whose axiom points at a statement — is followed by its
evidence as numbered lines: the words of the passage (short) with the section and paragraph
linking to the passage's page, the note, the hedge (its label and the printed words) and the
voice when it is not the article's own ("quoted: …", "cited work: …", "curators' reading",
the last in a style of its own). Then what points at the resource, grouped the same way, and
"mentioned in" folded to a count.

Plain rows in (the four queries of `gmg.sitequeries`: entry_outgoing, entry_incoming,
entry_facts, entry_evidence), HTML out; the passages' words and places come from the
reading order the site already holds.
"""

from __future__ import annotations

import html
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from ..charts import FRACTION, PERCENT, number, number_range
from ..sequence import ReadingOrder
from .terms import curie, local_href

GMG = "https://w3id.org/gmg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
LABEL, COMMENT = RDFS + "label", RDFS + "comment"
MENTIONED_IN = GMG + "mentionedIn"
QUOTE = GMG + "quote"

CURATORS, QUOTED, CITED, OWN = (GMG + k for k in ("CuratorInterpretation", "QuotedActor", "CitedWorkFinding",
                                                   "ArticleOwnStatement"))
# What the lead of the page shows, so the fact sections leave it out.
LEAD = {LABEL, RDF_TYPE, COMMENT, MENTIONED_IN, SKOS + "altLabel", SKOS + "prefLabel", SKOS + "definition",
        SKOS + "scopeNote", "http://purl.org/dc/terms/description", QUOTE}
DEFINITIONS = (SKOS + "definition", SKOS + "scopeNote", "http://purl.org/dc/terms/description", SKOS + "note")
QUOTE_LENGTH, NOTE_LENGTH = 240, 160
SOURCES_SHOWN = 3  # passages and notes of one statement shown before the rest fold away


# --- the rows, as terms ----------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    value: str
    kind: str = "uri"  # uri, literal, bnode
    label: str | None = None
    lang: str | None = None

    @property
    def text(self) -> str:
        return self.label or (curie(self.value) if self.kind == "uri" else self.value)


def term_of(value: dict | None, label: dict | None = None) -> Term | None:
    if value is None:
        return None
    kind = {"uri": "uri", "bnode": "bnode"}.get(value["type"], "literal")
    return Term(value["value"], kind, label["value"] if label else None, value.get("xml:lang"))


def _value(row: dict, name: str) -> str | None:
    return row.get(name, {}).get("value")


def _true(row: dict, name: str) -> bool:
    return _value(row, name) in ("true", "1")


@dataclass
class Statement:
    """One statement's evidence: sources, hedges, voice, remarks."""

    iri: str
    sources: list[tuple[str, str, bool]] = field(default_factory=list)  # (iri, label, is a note)
    hedges: list[Term] = field(default_factory=list)
    expressions: list[str] = field(default_factory=list)
    attributions: set[str] = field(default_factory=set)
    stated_by: list[Term] = field(default_factory=list)
    primary_sources: list[Term] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def curators(self) -> bool:
        return CURATORS in self.attributions


@dataclass
class Evidence:
    """Statements and remarks keyed by what they are about: a fact node's IRI, or a triple."""

    statements: dict[object, dict[str, Statement]] = field(default_factory=dict)
    remarks: dict[object, list[str]] = field(default_factory=dict)

    def of(self, key) -> list[Statement]:
        return list(self.statements.get(key, {}).values())


def triple_key(s: str, p: str, o: str) -> tuple[str, str, str]:
    return s, p, o


def evidence_from_rows(rows: list[dict]) -> Evidence:
    """The evidence rows of `entry_facts` (those with ?sp), any number of times each."""
    evidence = Evidence()
    for r in rows:
        if "sp" not in r or "role" in r:
            continue
        key = _value(r, "f")
        if key is None:
            key = triple_key(_value(r, "s") or "", _value(r, "p") or "", _value(r, "o") or "")
        sp, so = _value(r, "sp"), r.get("so")
        statement_iri = _value(r, "statement")
        if statement_iri is None:  # a remark on the triple's axiom
            if sp == COMMENT and so:
                remarks = evidence.remarks.setdefault(key, [])
                if so["value"] not in remarks:
                    remarks.append(so["value"])
            continue
        statement = evidence.statements.setdefault(key, {}).setdefault(statement_iri, Statement(statement_iri))
        if so is None:
            continue
        label = _value(r, "solabel")

        def add(values: list, value) -> None:
            if value not in values and not any(getattr(v, "value", None) == getattr(value, "value", 0)
                                               for v in values):
                values.append(value)

        if sp == PROV + "wasDerivedFrom":
            if all(source[0] != so["value"] for source in statement.sources):
                statement.sources.append((so["value"], label or curie(so["value"]), "/note/" in so["value"]))
        elif sp == GMG + "hedge":
            add(statement.hedges, Term(so["value"], "uri", label))
        elif sp == GMG + "hedgeExpression":
            add(statement.expressions, so["value"])
        elif sp == GMG + "attribution":
            statement.attributions.add(so["value"])
        elif sp == GMG + "statedBy":
            add(statement.stated_by, term_of(so, r.get("solabel")))
        elif sp == PROV + "hadPrimarySource":
            add(statement.primary_sources, Term(so["value"], "uri", _value(r, "title") or label))
        elif sp == COMMENT:
            add(statement.comments, so["value"])
    for statements in evidence.statements.values():  # the same page whatever order the store's rows came in
        for statement in statements.values():
            statement.expressions.sort()
            statement.comments.sort()
            for terms in (statement.hedges, statement.stated_by, statement.primary_sources):
                terms.sort(key=lambda t: (t.text.lower(), t.value))
    return evidence


@dataclass
class Fact:
    """A fact node and its roles: role IRI -> values."""

    iri: str
    roles: dict[str, list[Term]] = field(default_factory=dict)

    def get(self, local: str) -> list[Term]:
        return self.roles.get(local if local.startswith("http") else GMG + local, [])

    @property
    def types(self) -> set[str]:
        return {t.value for t in self.get(RDF_TYPE)}

    @property
    def label(self) -> str:
        labels = [t.value for t in self.get(LABEL) if (t.lang or "en").startswith("en")]
        return labels[0] if labels else curie(self.iri)


def facts_from_rows(rows: list[dict]) -> dict[str, Fact]:
    """The role rows of `entry_facts` (those with ?role); a value with two labels keeps the first."""
    facts: dict[str, Fact] = {}
    for r in rows:
        if "role" not in r:
            continue
        fact = facts.setdefault(r["f"]["value"], Fact(r["f"]["value"]))
        values = fact.roles.setdefault(r["role"]["value"], [])
        value = term_of(r["v"], r.get("vlabel"))
        if all((v.value, v.kind, v.lang) != (value.value, value.kind, value.lang) for v in values):
            values.append(value)
    for fact in facts.values():
        for values in fact.roles.values():
            values.sort(key=lambda t: (t.text.lower(), t.value))
    return facts


# --- words -----------------------------------------------------------------------------------

def short(text: str, length: int) -> str:
    """At most `length` characters, cut at a word, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def and_list(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def quoted(text: str) -> str:
    """Words in quotation marks, unless they come with their own."""
    text = text.strip()
    return html.escape(text) if text[:1] in "\"“'‘" else f"“{html.escape(text)}”"


def plural(terms: list[Term]) -> bool:
    """Several, or one whose name reads as a plural ("IOs", "EU member states")."""
    if len(terms) != 1:
        return True
    words = re.sub(r"\s*\(.*?\)\s*$", "", terms[0].text).split()
    last = words[-1] if words else ""
    return last.endswith("s") and not last.endswith(("ss", "us", "is")) and last[:1].islower() or last.endswith("Os")


def article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


class Writer:
    """HTML for one page: links (the page's own resource in bold, not linked), terms, sentences,
    evidence lines (numbered through the page by `number_footnotes` once the page is laid out)."""

    def __init__(self, iri: str, order: ReadingOrder | None, documented: Collection[str] = (), name: str = ""):
        self.iri, self.order, self.documented = iri, order, documented
        self.name = name  # what the page's own resource is called in its sentences

    def href(self, iri: str) -> str:
        return local_href(iri, self.documented)

    def link(self, term: Term | None, capital: bool = False) -> str:
        if term is None:
            return ""
        text = term.text
        if capital:
            text = text[:1].upper() + text[1:]
        if term.kind == "bnode":
            return "<i>(an annotation node)</i>"
        if term.kind == "literal":
            return html.escape(text)
        if term.value == self.iri:
            text = self.name or text
            return f'<b class="self">{html.escape(text[:1].upper() + text[1:] if capital else text)}</b>'
        if not term.value.startswith(("http://", "https://")):  # no javascript: or file: links
            return html.escape(text)
        return (f'<a href="{html.escape(self.href(term.value))}" title="{html.escape(term.value)}">'
                f"{html.escape(text)}</a>")

    def value(self, term: Term) -> str:
        """A property's value in a list: a link, or a literal with its language tag."""
        if term.kind == "literal" and term.lang:
            return f'{html.escape(term.value)} <span class="tag">@{html.escape(term.lang)}</span>'
        return self.link(term)

    def names(self, terms: list[Term], capital: bool = False) -> str:
        return and_list([self.link(t, capital and i == 0) for i, t in enumerate(terms)])

    # --- sentences of fact nodes ----------------------------------------------------------

    def sentence(self, fact: Fact) -> str:
        """The fact as one sentence from its roles; its label when no pattern fits."""
        types = fact.types
        for kind, write in SENTENCES:
            if GMG + kind in types:
                try:
                    text = write(self, fact)
                except (ValueError, IndexError):
                    text = None
                if text:
                    qualifiers = fact.get("qualifier")
                    if qualifiers:
                        text += ", " + self.names(qualifiers)
                    return text
        return html.escape(fact.label)

    def period(self, fact: Fact, role: str = "period") -> str:
        periods = fact.get(role)
        return f" ({self.names(periods)})" if periods else ""

    def phrase(self, fact: Fact, role: str, before: str) -> str:
        values = fact.get(role)
        return f"{before}{self.names(values)}" if values else ""

    # --- evidence ------------------------------------------------------------------------

    def evidence(self, statements: list[Statement], remarks: list[str] = ()) -> str:
        """Numbered lines, one per statement, then the editors' notes on the fact."""
        if not statements and not remarks:
            return ""
        lines = []
        for st in sorted(statements, key=lambda s: (s.curators, self.first_place(s), s.iri)):
            lines.append(self.statement(st))
        out = f'<ol class="evidence" start="0">{"".join(lines)}</ol>' if lines else ""
        return out + "".join(editors_note(r) for r in remarks)

    def first_place(self, statement: Statement) -> int:
        places = [self.place(iri) for iri, _, _ in statement.sources]
        return min(places) if places else 10**6

    def place(self, iri: str) -> int:
        position = self.order.position(iri) if self.order is not None else None
        return position if position is not None else 10**6

    def statement(self, st: Statement) -> str:
        sources = []
        for iri, label, is_note in sorted(set(st.sources), key=lambda s: (s[2], self.place(s[0]), s[0])):
            item = self.order.item(iri) if self.order is not None else None
            words = item.quote if item is not None else ""
            if item is not None:
                label, is_note = item.label, item.is_note
            where = f'<a class="where" href="{html.escape(self.href(iri))}">{html.escape(label)}</a>'
            if is_note:
                quote = f': <q class="quote note-text">{html.escape(short(words, NOTE_LENGTH))}</q>' if words else ""
                sources.append(f'<span class="source note">{where}{quote}</span>')
            else:
                quote = f'<q class="quote">{html.escape(short(words, QUOTE_LENGTH))}</q> — ' if words else ""
                sources.append(f'<span class="source">{quote}{where}</span>')
        if len(sources) > SOURCES_SHOWN + 1:
            rest = sources[SOURCES_SHOWN:]
            sources = sources[:SOURCES_SHOWN] + [
                f'<details class="sources"><summary>{len(rest)} more places the article says so</summary>'
                f'{"".join(rest)}</details>']
        about = []
        if st.hedges or st.expressions:
            hedges = and_list([self.link(h) for h in st.hedges])
            printed = "; ".join(f"“{html.escape(e)}”" for e in st.expressions)
            about.append(f'<span class="hedge">hedged: {" ".join(x for x in (hedges, printed) if x)}</span>')
        if st.curators:
            about.append('<span class="voice curators">curators\' reading</span>')
        if QUOTED in st.attributions:
            speakers = self.names(st.stated_by) if st.stated_by else "an actor the article quotes"
            about.append(f'<span class="voice quoted">quoted: {speakers}</span>')
        elif st.stated_by:
            about.append(f'<span class="voice">stated by {self.names(st.stated_by)}</span>')
        if CITED in st.attributions:
            works = self.names(st.primary_sources) if st.primary_sources else "a work the notes cite"
            about.append(f'<span class="voice cited">cited work: {works}</span>')
        elif st.primary_sources:
            about.append(f'<span class="voice">in {self.names(st.primary_sources)}</span>')
        link = [] if st.iri == self.iri else [f'<a class="st" href="{html.escape(self.href(st.iri))}">the statement</a>']
        if about or not link or not sources or not sources[-1].endswith("</span>"):
            parts = sources + ([f'<span class="about">{" · ".join(about + link)}</span>'] if about or link else [])
        else:  # nothing more to say: the link ends the last line
            parts = sources[:-1] + [sources[-1][:-len("</span>")] + f" {link[0]}</span>"]
        parts += [editors_note(c, "span") for c in st.comments]
        css = "statement curators" if st.curators else "statement"
        return f'<li class="{css}" data-statement="{html.escape(st.iri)}">{"".join(parts)}</li>'


def number_footnotes(fragment: str) -> str:
    """Number the evidence lines through the page, in the order they are laid out."""
    count = 0

    def renumber(match: re.Match) -> str:
        nonlocal count
        start = count + 1
        count += match.group(1).count('<li class="statement')
        return f'<ol class="evidence" start="{start}">{match.group(1)}'

    return re.sub(r'<ol class="evidence" start="0">(.*?</ol>)', renumber, fragment, flags=re.S)


def editors_note(text: str, tag: str = "p") -> str:
    return (f'<{tag} class="editors-note"><span class="badge">editors\' note</span> '
            f"{html.escape(' '.join(text.split()))}</{tag}>")


# --- one pattern per kind of fact ----------------------------------------------------------

def _funding(w: Writer, f: Fact) -> str | None:
    funders, activity = f.get("funder"), f.get("fundedActivity")
    if not activity:
        return None
    who = f"{w.names(funders, True)} funded {w.names(activity)}" if funders else f"{w.names(activity, True)} was funded"
    return (f"{who}{w.phrase(f, 'amount', ' with ')}"
            f"{w.phrase(f, 'fundedThrough', ' through ')}{w.phrase(f, 'inFrameworkOf', ' in the framework of ')}"
            f"{w.phrase(f, 'inField', ' for ')}{w.phrase(f, 'inContext', ' in ')}{w.period(f)}")


def _grant(w: Writer, f: Fact) -> str | None:
    funders, project = f.get("funder"), f.get("fundedProject")
    if not funders or not project:
        return None
    number_ = f.get("grantNumber")
    return (f"{w.names(funders, True)} funded {w.names(project)}"
            + (f" under grant agreement no. {w.names(number_)}" if number_ else "")
            + w.phrase(f, "fundingProgramme", " of the ") + w.phrase(f, "hostInstitution", ", hosted by ")
            + w.period(f))


def _status(w: Writer, f: Fact) -> str | None:
    holders, kinds = f.get("statusOf"), f.get("statusType")
    if not holders or not kinds:
        return None
    rank = f.get("rank")
    ranked = f", ranked {ordinal(int(float(rank[0].value)))}" if rank else ""
    verb = "are" if plural(holders) else f"is {article(kinds[0].text)}"
    return (f"{w.names(holders, True)} {verb} {w.names(kinds)}"
            f"{w.phrase(f, 'inField', ' in ')}{w.phrase(f, 'inContext', ' in ')}{w.period(f)}{ranked}")


def _figure(f: Fact) -> str:
    unit = (f.get("unit") or [None])[0]
    unit_iri = unit.value if unit else ""

    def num(role: str) -> float | None:
        values = f.get(role)
        return float(values[0].value) if values else None

    value, low, high, top, bottom = (num(r) for r in ("value", "minValue", "maxValue", "numerator", "denominator"))
    if top is not None and bottom:
        printed = f"{top:g}/{bottom:g} (≈{top / bottom * 100:.0f}%)"
    elif low is not None and high is not None:
        printed = number_range(low, high, unit_iri)
    elif value is not None:
        printed = number(value, unit_iri)
    else:
        return ""
    if unit and unit_iri not in (PERCENT, FRACTION):
        printed += " " + unit.text
    return printed


def _observation(w: Writer, f: Fact) -> str | None:
    measures = f.get("measure")
    figure = _figure(f)
    if not measures or not figure:
        return None
    when = w.phrase(f, "refPeriod", ", ")
    if f.get("refArea"):
        where = w.phrase(f, "refArea", " in ") + when
    else:
        where = f" ({w.names(f.get('inContext'))}{when})" if f.get("inContext") else when
    return f"{w.names(measures, True)}{where}: {html.escape(figure)}"


def _relationship(w: Writer, f: Fact) -> str | None:
    kinds = f.get("relationshipKind")
    if not kinds:
        return None
    kind = w.names(kinds, True)
    sources, targets, participants = f.get("fromAgent"), f.get("toAgent"), f.get("participant")
    if sources or targets:
        who = f"{w.names(sources) or '…'} → {w.names(targets) or '…'}"
        if participants:
            who += f", with {w.names(participants)}"
        text = f"{kind}: {who}"
    elif participants:
        text = f"{kind} between {w.names(participants)}"
    else:
        return None
    topics = f.get("aboutTopic")
    if topics:
        text += f", on {w.names(topics)}"
    return text + w.phrase(f, "inField", ", in ") + w.phrase(f, "inContext", ", in ") + w.period(f)


def _membership(w: Writer, f: Fact) -> str | None:
    members, organizations = f.get(ORG + "member"), f.get(ORG + "organization")
    if not members or not organizations:
        return None
    posts = f.get("postTitle")
    role = f"{w.names(posts)}, " if posts else "member of "
    return f"{w.names(members, True)}: {role}{w.names(organizations)}{w.period(f)}"


def _flow(w: Writer, f: Fact) -> str | None:
    kinds = f.get("flowKind")
    if not kinds:
        return None
    return (f"{w.names(kinds, True)}{w.phrase(f, 'migrantGroup', ' of ')}{w.phrase(f, 'origin', ' from ')}"
            f"{w.phrase(f, 'destination', ' to ')}{w.phrase(f, 'flowArea', ' in ')}{w.period(f)}")


def _causation(w: Writer, f: Fact) -> str | None:
    causes, effects = f.get("cause"), f.get("effect")
    if not causes or not effects:
        return None
    return f"Cause: {w.names(causes)} — effect: {w.names(effects)}"


def _characterization(w: Writer, f: Fact) -> str | None:
    places, features = f.get("characterizedPlace"), f.get("feature")
    if not places or not features:
        return None
    return (f"{w.names(places, True)} {'are' if plural(places) else 'is'} characterized by {w.names(features)}"
            f"{w.phrase(f, 'comparedWith', ', compared with ')}{w.period(f)}")


def _authority(w: Writer, f: Fact) -> str | None:
    holders, kinds = f.get("holder"), f.get("authorityType")
    if not holders or not kinds:
        return None
    bases = f.get("basis")
    basis = f" on the basis of {and_list([quoted(b.value) for b in bases])}" if bases else ""
    return (f"{w.names(kinds, True)} held by {w.names(holders)}{basis}"
            f"{w.phrase(f, 'recognizedBy', ', recognized by ')}")


def _knowledge(w: Writer, f: Fact) -> str | None:
    producers = f.get("producer")
    if not producers:
        return None
    kinds = w.names(f.get("knowledgeType"), True) or "Knowledge"
    return (f"{kinds}{w.phrase(f, 'aboutTopic', ' on ')} produced by {w.names(producers)}"
            f"{w.phrase(f, 'audience', ' for ')}{w.phrase(f, 'mechanism', ' through ')}"
            f"{w.phrase(f, 'inContext', ', in ')}{w.period(f)}")


def _mechanism(w: Writer, f: Fact) -> str | None:
    users, mechanisms = f.get("user"), f.get("mechanism")
    if not users or not mechanisms:
        return None
    return (f"{w.names(mechanisms, True)} used by {w.names(users)}{w.phrase(f, 'embodiedBy', ', embodied by ')}"
            f"{w.phrase(f, 'inField', ', in ')}{w.phrase(f, 'inContext', ', in ')}{w.period(f)}")


def _evaluation(w: Writer, f: Fact) -> str | None:
    programmes, scores = f.get("evaluatedProgramme"), f.get("score")
    if not programmes or not scores:
        return None
    meaning = f.get("scoreMeaning")
    return (f"{w.names(programmes, True)}{w.phrase(f, 'evaluatedOutput', ' (')}{')' if f.get('evaluatedOutput') else ''}"
            f" scored {w.names(scores)}" + (f" — “{w.names(meaning)}”" if meaning else "")
            + w.phrase(f, "evaluationReport", ", in ") + w.period(f))


def _adoption(w: Writer, f: Fact) -> str | None:
    adopters, policies = f.get("adoptedBy"), f.get("adoptedPolicy")
    if not adopters or not policies:
        return None
    return (f"{w.names(adopters, True)} adopted {w.names(policies)}"
            f"{w.phrase(f, 'broughtAboutBy', ', brought about by ')}{w.period(f)}")


# most specific first: a GovernorRelationship is a Relationship, a Grant is not a Funding
SENTENCES = (("Funding", _funding), ("Grant", _grant), ("Status", _status), ("Observation", _observation),
             ("GovernorRelationship", _relationship), ("Relationship", _relationship),
             ("Membership", _membership), ("MigrationFlow", _flow), ("Causation", _causation),
             ("Characterization", _characterization), ("AuthorityAttribution", _authority),
             ("KnowledgeProduction", _knowledge), ("MechanismUse", _mechanism), ("Evaluation", _evaluation),
             ("Adoption", _adoption))


# --- the page -------------------------------------------------------------------------------

@dataclass
class Item:
    """One value of a property group: a fact node (its sentence and evidence), or a plain value
    (with the evidence of its triple when the triple has any)."""

    html: str
    curators: bool = False
    fact: str | None = None  # the fact node's IRI
    triple: tuple[str, str, str] | None = None  # a plain triple with evidence

    def li(self) -> str:
        css = ["fact"] + (["triple"] if self.fact is None else []) + (["curators"] if self.curators else [])
        if self.fact is None and not self.triple and 'class="evidence"' not in self.html:
            css = ["value"]
        attr = f' data-fact="{html.escape(self.fact)}"' if self.fact else ""
        if self.triple:
            attr += f' data-triple="{html.escape(" ".join(self.triple))}"'
        return f'<li class="{" ".join(css)}"{attr}>{self.html}</li>'


def split_links(rows: list[dict]) -> tuple[list[dict], list[dict]]:
    """The rows of `entry_links` as (outgoing, incoming), each triple once (its first labels),
    ordered by property, then by the other end's label."""
    outgoing: dict[tuple, dict] = {}
    incoming: dict[tuple, dict] = {}
    for r in rows:
        if "s" in r:
            incoming.setdefault((r["s"]["value"], r["p"]["value"]), r)
        elif "o" in r:
            o = r["o"]
            outgoing.setdefault((r["p"]["value"], o["value"], o["type"], o.get("xml:lang"), o.get("datatype")), r)

    def text(r: dict, end: str) -> str:
        return (r.get(end + "label") or r[end])["value"].lower()

    return (sorted(outgoing.values(), key=lambda r: (r["p"]["value"], text(r, "o"), r["o"]["value"])),
            sorted(incoming.values(), key=lambda r: (r["p"]["value"], text(r, "s"), r["s"]["value"])))


def title_of(outgoing: list[dict], iri: str) -> str:
    return next((r["o"]["value"] for r in outgoing
                 if r["p"]["value"] == LABEL and r["o"].get("xml:lang", "").startswith("en")), iri)


def entry_main(iri: str, links: list[dict], fact_rows: list[dict], order: ReadingOrder | None,
               documented: Collection[str] = (), formats: str = "", nav: str = "", parts: str = "") -> str:
    """The <main> of a resource page before "Cite this" (which the caller adds), from the rows of
    `entry_links` and `entry_facts`."""
    outgoing, incoming = split_links(links)
    title = title_of(outgoing, iri)
    own: dict[str, list[dict]] = {}
    for r in outgoing:
        own.setdefault(r["p"]["value"], []).append(r)
    w = Writer(iri, order, documented, short_name(title, [r["o"]["value"] for r in own.get(SKOS + "altLabel", [])]))
    facts = facts_from_rows(fact_rows)
    evidence = evidence_from_rows(fact_rows)
    shown: set[str] = set()  # each fact node once on the page

    def fact_item(fact_iri: str) -> Item:
        shown.add(fact_iri)
        fact = facts.get(fact_iri) or Fact(fact_iri)
        statements = evidence.of(fact_iri)
        curators = bool(statements) and all(s.curators for s in statements)
        badge = '<span class="badge curators">curators\' reading</span> ' if curators else ""
        if fact_iri == iri:  # the page's own fact: its remarks are in the lead already
            comments, more = [], ""
        else:
            comments = [t.value for t in fact.get(COMMENT)]
            more = (f' <a class="more" href="{html.escape(w.href(fact_iri))}" title="{html.escape(fact.label)}">'
                    "the fact</a>")
        body = f'<p class="sentence">{badge}{w.sentence(fact)}{more}</p>{w.evidence(statements, comments)}'
        return Item(body, curators, fact=fact_iri)

    def plain_item(value_html: str, key: tuple[str, str, str]) -> Item:
        statements = evidence.of(key)
        curators = bool(statements) and all(s.curators for s in statements)
        return Item(f'<p class="value">{value_html}</p>{w.evidence(statements, evidence.remarks.get(key, []))}',
                    curators, triple=key if statements else None)

    # --- the lead: label, types, other names, definition, editors' notes -----------------
    types = [term_of(r["o"], r.get("olabel")) for r in own.get(RDF_TYPE, [])]
    types = [t for t in types if t.kind == "uri" and not t.value.startswith("http://www.w3.org/2002/07/owl#")]
    lead = [f"<h1>{html.escape(title)}</h1>"]
    if types:
        lead.append('<p class="types">' + " · ".join(w.link(t) for t in types) + "</p>")
    others = [r["o"]["value"] for p in (SKOS + "prefLabel", SKOS + "altLabel") for r in own.get(p, [])
              if r["o"]["value"] != title]
    if others:
        lead.append(f'<p class="also">Also called: {html.escape("; ".join(dict.fromkeys(others)))}</p>')
    for p in DEFINITIONS:
        for r in own.get(p, []):
            lead.append(f'<p class="definition">{html.escape(r["o"]["value"])}</p>')
    for r in own.get(QUOTE, []):
        lead.append(f'<blockquote class="quote">{html.escape(r["o"]["value"])}</blockquote>')
    lead += [editors_note(r["o"]["value"], "aside") for r in own.get(COMMENT, [])]
    lead.append(f'<p class="iri">{html.escape(iri)}</p>')
    if formats:
        lead.append(f"<p>As data: {formats}</p>")
    sections = ["".join(lead), nav]

    # --- the resource as a fact: its sentence and evidence ---------------------------------
    if iri in facts:
        sections.append(f'<section class="this-fact"><h2>The fact and its evidence</h2>'
                        f'<ul class="facts">{fact_item(iri).li()}</ul></section>')

    # --- what it says, grouped by property ----------------------------------------------
    groups: dict[str, tuple[str, list[Item]]] = {}
    for p, rows in own.items():
        if p in LEAD:
            continue
        items = []
        for r in rows:
            o = r["o"]
            if o["type"] == "uri" and _true(r, "isFact"):
                if o["value"] not in shown:
                    items.append(fact_item(o["value"]))
            else:
                items.append(plain_item(w.value(term_of(o, r.get("olabel"))), triple_key(iri, p, o["value"])))
        if items:
            groups[p] = (w.link(term_of(rows[0]["p"], rows[0].get("plabel"))), items)
    sections.append(_groups("Its roles" if iri in facts else "Facts", groups, "outgoing",
                            empty="The graph states nothing more about it."))

    # --- what points here, grouped by property (facts by the role the resource plays) -----
    inward: dict[tuple[str, bool], tuple[str, list[Item]]] = {}
    mentions: list[Term] = []
    for r in incoming:
        p, s = r["p"]["value"], r["s"]["value"]
        if p == MENTIONED_IN:
            mentions.append(term_of(r["s"], r.get("slabel")))
            continue
        prop = term_of(r["p"], r.get("plabel"))
        fact_iri = s if _true(r, "isFact") else _value(r, "asserts")
        key = (p, fact_iri is not None)
        if key not in inward:
            me = _b(w.name if order is None or iri not in order else
                    ("this note" if "/note/" in iri else "this passage"))
            if p == PROV + "wasDerivedFrom" and fact_iri is not None:
                heading = f"What the graph draws from {me}"
            elif fact_iri is not None:
                heading = f"{me} as {w.link(prop)}"
            else:
                heading = f'<span class="muted">…</span> {w.link(prop)} {me}'
            inward[key] = (heading, [])
        if fact_iri is None:
            inward[key][1].append(plain_item(w.link(term_of(r["s"], r.get("slabel"))), triple_key(s, p, iri)))
        elif fact_iri not in shown:
            inward[key][1].append(fact_item(fact_iri))
    inward = {k: v for k, v in inward.items() if v[1]}
    sections.append(_groups(f"What points to {html.escape(w.name)}", inward, "incoming",
                            empty="Nothing else in the graph points here."))

    # --- mentioned in (and, on a passage's page, what it mentions): a count that opens ------
    mentioned = [term_of(r["o"], r.get("olabel")) for r in own.get(MENTIONED_IN, [])]
    if mentioned:
        mentioned.sort(key=lambda t: (w.place(t.value), t.value))
        notes = sum(1 for t in mentioned if _is_note(t))
        where = _count(len(mentioned) - notes, "passage") + (f" and {_count(notes, 'note')}" if notes else "")
        sections.append(_mentions(f"Mentioned in {len(mentioned)} places of the article: {where}",
                                  mentioned, w, "mentioned-in"))
    if mentions:
        mentions.sort(key=lambda t: t.text.lower())
        sections.append(_mentions(f"Mentions {_count(len(mentions), 'resource')}", mentions, w, "mentions"))
    sections.append(parts)
    return number_footnotes("".join(sections))


def short_name(label: str, alternatives: list[str]) -> str:
    """A long name's shortest alternative (MIRPAL for the Migration and Remittances Peer-Assisted
    Learning network), to name the page's own resource in its sentences and headings."""
    if len(label) <= 30:
        return label
    shorter = sorted((a for a in alternatives if 2 <= len(a) < len(label) and not a.lower().startswith("the ")),
                     key=lambda a: (len(a), a))
    return shorter[0] if shorter else label


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _is_note(term: Term) -> bool:
    return "/note/" in term.value


def _b(text: str) -> str:
    return f"<b>{html.escape(text)}</b>"


def _groups(heading: str, groups: dict, kind: str, empty: str) -> str:
    if not groups:
        return f'<section class="{kind}"><h2>{heading}</h2><p class="muted">{empty}</p></section>'
    def order(group: tuple[str, list[Item]]) -> tuple:  # groups of fact nodes first, then by heading
        return not any(i.fact for i in group[1]), _plain(group[0]).lower()

    body = "".join(f'<section class="group"><h3>{title}</h3><ul class="facts">{"".join(i.li() for i in items)}</ul>'
                   "</section>" for title, items in sorted(groups.values(), key=order))
    return f'<section class="{kind}"><h2>{heading}</h2>{body}</section>'


def _plain(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).lstrip("… ")


def _mentions(summary: str, terms: list[Term], w: Writer, css: str) -> str:
    items = "".join(f"<li>{w.link(t)}</li>" for t in terms)
    return (f'<section class="{css}"><details><summary><h2>{html.escape(summary)}</h2></summary>'
            f"<ol>{items}</ol></details></section>")


ENTRY_STYLE = """<style>
 p.types { color: #4a5468; margin: 0 0 .4rem; } p.also { margin: 0 0 .4rem; } p.definition { font-size: 16px; }
 section.group h3 { font-size: 1rem; margin: 1.1rem 0 .3rem; font-weight: 600; }
 section.group h3 a { color: inherit; text-decoration: none; border-bottom: 1px dotted #8a93a6; }
 ul.facts { list-style: none; padding: 0; margin: 0; }
 li.fact { margin: 0 0 .7rem; padding: .1rem 0 .1rem .7rem; border-left: 3px solid #c9d3e6; }
 li.fact p { margin: 0 0 .15rem; } b.self { font-weight: 600; }
 li.value { margin: 0 0 .2rem; padding-left: .7rem; } li.value p { margin: 0; }
 a.more, a.st { font-size: 12px; color: #6b7486; }
 ol.evidence { margin: .1rem 0 .3rem; padding-left: 1.8rem; font-size: 13.5px; color: #333b4b; }
 ol.evidence li { margin: .1rem 0; } ol.evidence li::marker { color: #6b7486; font-size: 12px; }
 span.source { display: block; } span.about { display: block; color: #4a5468; font-size: 12.5px; }
 details.sources > summary { font-size: 12.5px; color: #4a5468; }
 q.quote { font-style: italic; } q.note-text { font-style: normal; color: #4a5468; }
 .badge { display: inline-block; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: .04em;
          padding: 0 .35rem; border-radius: 3px; margin-right: .3rem; background: #eef0f4; color: #4a5468; }
 li.fact.curators { border-left: 3px dashed #8a5a00; background: #fdf8ec; }
 li.fact.curators p.sentence { font-style: italic; }
 .badge.curators, span.voice.curators { background: #f6e7c4; color: #6b4500; }
 span.voice.curators { font-size: 11px; font-weight: 600; text-transform: uppercase; padding: 0 .35rem; border-radius: 3px; }
 .editors-note { display: block; background: #f3f5f9; border-left: 3px solid #8a93a6; padding: .3rem .6rem;
                 margin: .3rem 0; font-size: 13.5px; color: #39414f; }
 aside.editors-note { margin: .6rem 0; font-size: 14px; }
 details > summary { cursor: pointer; } details > summary h2 { display: inline; font-size: 1.1rem; }
 section.mentioned-in, section.mentions { margin-top: 1.5rem; }
 @media print { a.st, a.more { display: none; } li.fact { break-inside: avoid; }
                details::details-content { content-visibility: visible; display: block; } }
</style>"""
