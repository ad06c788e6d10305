"""The OWL API (the library Protégé is built on), driven from Python.

``OwlTool.java`` ships next to this file. It is compiled once with the
system's ``javac`` against the Debian OWL API jars (package
``libowlapi-java``) into a cache directory keyed by a hash of the source, the
compiler and the classpath, and then run as a subprocess for each call:

- :func:`check` loads files into one ontology and reports load errors, OWL 2 DL
  profile violations, undeclared entities, accidental punning, missing imports,
  RDF triples the parser could not use, constructs it could not read and axiom
  annotations it dropped;
- :func:`canonical_turtle` is what a Protégé open-and-save makes of a file;
- :func:`roundtrip_differences` lists what does not survive RDF/XML and back.

Nothing here needs Java at import time; a missing JDK or jar raises
:class:`OwlApiUnavailable` naming the Debian packages to install.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

__all__ = [
    "DroppedAnnotation",
    "MalformedConstruct",
    "MissingImport",
    "OwlApiUnavailable",
    "OwlCheckReport",
    "OwlLoadError",
    "OwlToolError",
    "ParseError",
    "ProfileViolation",
    "PunnedIRI",
    "UndeclaredEntity",
    "UnparsedTriple",
    "canonical_turtle",
    "check",
    "classpath",
    "ensure_available",
    "iris",
    "roundtrip_differences",
]

SOURCE = Path(__file__).with_name("OwlTool.java")
MAIN_CLASS = "OwlTool"

DEBIAN_PACKAGES = "default-jdk-headless libowlapi-java"
INSTALL_HINT = (
    f"install the Debian packages {DEBIAN_PACKAGES} "
    f"(sudo apt-get install -y {DEBIAN_PACKAGES}, or run scripts/install-system-deps.sh as root)"
)

#: Where Debian puts library jars; GMG_JAVA_LIB overrides it.
DEFAULT_JAR_DIR = "/usr/share/java"

#: The OWL API 5.1 distribution jar and what it needs at run time (Debian names).
JARS = (
    "owlapi-distribution",
    "guava",
    "caffeine",
    "commons-rdf-api",
    "commons-io",
    "commons-codec",
    "jsr305",
    "atinject-jsr330-api",
    "hppcrt",
    "xz",
    "slf4j-api",
    "slf4j-nop",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "httpclient",
    "httpcore",
    "commons-logging",
    "jaxb-api",
    "rdf4j-model-api",
    "rdf4j-model",
    "rdf4j-model-vocabulary",
    "rdf4j-util",
    "rdf4j-rio-api",
    "rdf4j-rio-datatypes",
    "rdf4j-rio-languages",
    "rdf4j-rio-turtle",
    "rdf4j-rio-rdfxml",
    "rdf4j-rio-ntriples",
    "rdf4j-rio-nquads",
    "rdf4j-rio-trig",
    "rdf4j-rio-n3",
    "rdf4j-rio-jsonld",
    "rdf4j-rio-trix",
    "rdf4j-rio-rdfjson",
    "rdf4j-rio-binary",
)

#: Start-up dominates on small files: a small heap, the serial collector and
#: the client compiler keep a run under a second. GMG_OWLAPI_JAVA_OPTS overrides.
DEFAULT_JAVA_OPTS = ("-Xmx1g", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true")

DEFAULT_TIMEOUT = 600.0


class OwlApiUnavailable(RuntimeError):
    """Java or the OWL API jars are not installed."""


class OwlToolError(RuntimeError):
    """The OWL tool failed in an unexpected way (a crash, not a finding)."""


class OwlLoadError(ValueError):
    """A file could not be loaded (syntax error, unreadable file...)."""

    def __init__(self, errors: Sequence["ParseError"]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors) or "load failed")


# ----------------------------------------------------------------- findings


@dataclass(frozen=True)
class ParseError:
    file: str
    message: str
    line: int | None = None
    column: int | None = None
    parser: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class ProfileViolation:
    type: str
    message: str
    entity: str | None = None
    axiom: str | None = None

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


@dataclass(frozen=True)
class UndeclaredEntity:
    iri: str
    entity_type: str
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" (used in {', '.join(self.files)})" if self.files else ""
        return f"{self.entity_type} <{self.iri}> is used but never declared{where}"


@dataclass(frozen=True)
class PunnedIRI:
    iri: str
    types: tuple[str, ...]
    declared_as: tuple[str, ...] = ()

    def __str__(self) -> str:
        declared = f"; declared as {', '.join(self.declared_as)}" if self.declared_as else "; never declared"
        return f"<{self.iri}> is used as {' and '.join(self.types)}{declared}"


@dataclass(frozen=True)
class MissingImport:
    file: str
    iri: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: import <{self.iri}> not loaded: {self.message}"


@dataclass(frozen=True)
class UnparsedTriple:
    file: str
    triple: str

    def __str__(self) -> str:
        return f"{self.file}: triple not turned into any axiom: {self.triple}"


@dataclass(frozen=True)
class MalformedConstruct:
    placeholder: str
    axioms: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" in {', '.join(self.files)}" if self.files else ""
        return (
            f"a construct the OWL API could not read{where} (e.g. a restriction without owl:onProperty) "
            f"became <{self.placeholder}>: {'; '.join(self.axioms)}"
        )


@dataclass(frozen=True)
class DroppedAnnotation:
    file: str
    property: str
    annotated_source: str
    annotated_property: str
    annotated_target: str
    value: str

    def __str__(self) -> str:
        return (
            f"{self.file}: axiom annotation <{self.property}> {self.value} on "
            f"<{self.annotated_source}> <{self.annotated_property}> <{self.annotated_target}> is dropped "
            f"on load: <{self.property}> is an object or data property, not an annotation property"
        )


@dataclass
class OwlCheckReport:
    """What :func:`check` found. ``ok`` is true only when every list is empty."""

    files: list[str]
    parse_errors: list[ParseError] = field(default_factory=list)
    profile_violations: list[ProfileViolation] = field(default_factory=list)
    undeclared: list[UndeclaredEntity] = field(default_factory=list)
    punned: list[PunnedIRI] = field(default_factory=list)
    missing_imports: list[MissingImport] = field(default_factory=list)
    unparsed_triples: list[UnparsedTriple] = field(default_factory=list)
    dropped_annotations: list[DroppedAnnotation] = field(default_factory=list)
    malformed: list[MalformedConstruct] = field(default_factory=list)
    axiom_count: int | None = None

    @property
    def loaded(self) -> bool:
        return not self.parse_errors

    @property
    def ok(self) -> bool:
        return not any(
            (
                self.parse_errors,
                self.profile_violations,
                self.undeclared,
                self.punned,
                self.missing_imports,
                self.unparsed_triples,
                self.dropped_annotations,
                self.malformed,
            )
        )

    def _sections(self):
        return (
            ("files that do not load", self.parse_errors),
            ("imports not loaded", self.missing_imports),
            ("axiom annotations dropped on load", self.dropped_annotations),
            ("RDF triples the OWL API could not use", self.unparsed_triples),
            ("constructs the OWL API could not read", self.malformed),
            ("OWL 2 DL profile violations", self.profile_violations),
            ("undeclared entities", self.undeclared),
            ("IRIs punned across entity kinds", self.punned),
        )

    def render(self) -> str:
        """Human-readable text naming every offender."""
        files = ", ".join(self.files)
        if self.ok:
            axioms = f" ({self.axiom_count} axioms)" if self.axiom_count is not None else ""
            return f"OWL API check of {files}: clean{axioms}\n"
        problems = sum(len(items) for _, items in self._sections())
        lines = [f"OWL API check of {files}: {problems} problem(s)"]
        for title, items in self._sections():
            if not items:
                continue
            lines.append("")
            lines.append(f"{title} ({len(items)}):")
            lines.extend(f"  - {item}" for item in items)
        return "\n".join(lines) + "\n"


# ------------------------------------------------------------- java set-up


def _jar_dir() -> Path:
    return Path(os.environ.get("GMG_JAVA_LIB") or DEFAULT_JAR_DIR)


_VERSION_PART = re.compile(r"(\d+|[^\d]+)")


def _version_key(name: str) -> list:
    return [(0, int(p)) if p.isdigit() else (1, p) for p in _VERSION_PART.findall(name)]


def _find_jar(directory: Path, name: str) -> Path | None:
    plain = directory / f"{name}.jar"
    if plain.is_file():
        return plain
    # versioned names only (guava-31.1-jre.jar), not longer artifact names
    # (guava-testlib.jar): the suffix must start with a digit
    candidates = [p for p in directory.glob(f"{name}-*.jar") if p.name[len(name) + 1 : len(name) + 2].isdigit()]
    if not candidates:
        return None
    return max(candidates, key=lambda p: _version_key(p.name))


def classpath() -> str:
    """The OWL API classpath; raises OwlApiUnavailable naming missing jars."""
    override = os.environ.get("GMG_OWLAPI_CLASSPATH")
    if override:
        return override
    directory = _jar_dir()
    found, missing = [], []
    for name in JARS:
        jar = _find_jar(directory, name)
        (found if jar else missing).append(str(jar) if jar else name)
    if missing:
        raise OwlApiUnavailable(
            f"the OWL API jars are missing from {directory} ({', '.join(missing)}): {INSTALL_HINT}"
        )
    return os.pathsep.join(found)


def _tool(name: str) -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        candidate = Path(home) / "bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _java() -> str:
    java = _tool("java")
    if not java:
        raise OwlApiUnavailable(f"no java executable found (JAVA_HOME or PATH): {INSTALL_HINT}")
    return java


def _java_opts() -> list[str]:
    opts = os.environ.get("GMG_OWLAPI_JAVA_OPTS")
    return shlex.split(opts) if opts is not None else list(DEFAULT_JAVA_OPTS)


def _cache_root() -> Path:
    explicit = os.environ.get("GMG_CACHE_DIR")
    if explicit:
        return Path(explicit) / "owlapi"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gmg" / "owlapi"


_prepared: tuple[list[str], str] | None = None  # (command prefix, classpath) once ready
_temp_dirs: list[str] = []


@atexit.register
def _cleanup() -> None:
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)


def _compile(javac: str, cp: str, target: Path) -> None:
    """Compile into a fresh directory next to ``target`` and move it in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".build-", dir=target.parent))
    try:
        result = subprocess.run(
            [javac, "-nowarn", "-Xlint:none", "-encoding", "UTF-8", "-cp", cp, "-d", str(work), str(SOURCE)],
            capture_output=True,
            text=True,
            timeout=DEFAULT_TIMEOUT,
        )
        if result.returncode != 0:
            raise OwlToolError(f"javac failed on {SOURCE.name}:\n{result.stdout}{result.stderr}")
        (work / "ok").write_text("compiled\n")
        try:
            os.replace(work, target)  # atomic; fails if another process won the race
        except OSError:
            if not (target / "ok").is_file():
                raise
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def ensure_available() -> None:
    """Find Java and the jars and compile the tool (once per source version).

    Raises :class:`OwlApiUnavailable` when Java or the jars are missing. Later
    calls are free.
    """
    _command()


def _command() -> tuple[list[str], str]:
    global _prepared
    if _prepared is not None:
        return _prepared
    if not SOURCE.is_file():
        raise OwlToolError(f"{SOURCE} is missing from the installed package")
    java = _java()
    cp = classpath()
    javac = _tool("javac")
    opts = _java_opts()
    if javac is None:
        # A JRE without a compiler: run the source file directly (Java 11+),
        # compiling it in memory on every call (a second or two slower).
        _prepared = ([java, *opts, "-cp", cp, str(SOURCE)], cp)
        return _prepared
    digest = hashlib.sha256()
    digest.update(SOURCE.read_bytes())
    digest.update(b"\0" + os.path.realpath(javac).encode() + b"\0" + cp.encode())
    key = digest.hexdigest()[:20]
    target = _cache_root() / key
    if not (target / "ok").is_file():
        try:
            _compile(javac, cp, target)
        except OSError:
            # cache not writable: compile into a directory for this process
            scratch = tempfile.mkdtemp(prefix="gmg-owlapi-")
            _temp_dirs.append(scratch)
            target = Path(scratch) / key
            _compile(javac, cp, target)
    _prepared = ([java, *opts, "-cp", f"{target}{os.pathsep}{cp}", MAIN_CLASS], cp)
    return _prepared


def _run(args: Sequence[str], timeout: float | None) -> tuple[int, list[dict]]:
    prefix, _ = _command()
    try:
        result = subprocess.run(
            [*prefix, *args],
            capture_output=True,
            timeout=timeout if timeout is not None else DEFAULT_TIMEOUT,
        )
    except FileNotFoundError as exc:  # java vanished between lookup and run
        raise OwlApiUnavailable(f"cannot run java ({exc}): {INSTALL_HINT}") from exc
    stdout = result.stdout.decode("utf-8", errors="replace")
    stderr = result.stderr.decode("utf-8", errors="replace")
    records = []
    for line in stdout.splitlines():
        line = line.strip()
        if not line:
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            raise OwlToolError(f"unexpected output from the OWL tool: {line!r}\n{stderr}") from None
    if result.returncode not in (0, 1, 2):
        raise OwlToolError(f"the OWL tool failed (exit {result.returncode}):\n{stderr}{stdout}")
    if result.returncode == 2 and not any(r.get("kind") in ("load-error", "error") for r in records):
        raise OwlToolError(f"the OWL tool failed to load without saying why:\n{stderr}{stdout}")
    return result.returncode, records


def _existing(paths: Iterable[str | os.PathLike]) -> list[str]:
    out = []
    for p in paths:
        path = Path(p)
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        out.append(str(path))
    return out


def _parse_error(r: dict) -> ParseError:
    if r.get("kind") == "error":
        return ParseError(file="", message=r.get("message", ""))
    return ParseError(
        file=r.get("file", ""),
        message=r.get("message", ""),
        line=r.get("line"),
        column=r.get("column"),
        parser=r.get("parser"),
    )


# ---------------------------------------------------------------- the API


TURTLE_PARSERS = ("builtin", "rio")


def _parser_flag(turtle_parser: str) -> list[str]:
    if turtle_parser not in TURTLE_PARSERS:
        raise ValueError(f"turtle_parser must be one of {TURTLE_PARSERS}, not {turtle_parser!r}")
    return [f"--turtle-parser={turtle_parser}"]


def check(
    paths: Sequence[str | os.PathLike] | str | os.PathLike,
    *,
    individuals_need_declaring: bool = True,
    turtle_parser: str = "builtin",
    timeout: float | None = None,
) -> OwlCheckReport:
    """Check OWL files with the OWL API, as one ontology.

    The first file is loaded as the ontology and every other file is parsed
    into it, so later files see the declarations of earlier ones (put the
    ontology first, instance data after). Imports are resolved offline: from a
    ``catalog-v001.xml`` next to a file or from files already loaded.

    ``individuals_need_declaring=False`` accepts named individuals without an
    ``owl:NamedIndividual`` declaration (OWL 2 DL allows it; Protégé adds them
    on save). ``turtle_parser`` picks which of the OWL API's Turtle parsers reads
    ``.ttl`` files, imports included: ``"builtin"`` (its own, as in Protégé) or
    ``"rio"`` (RDF4J Rio).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = _existing(paths)
    if not files:
        raise ValueError("check() needs at least one file")
    args = [*_parser_flag(turtle_parser), "check"]
    if not individuals_need_declaring:
        args.append("--allow-undeclared-individuals")
    status, records = _run([*args, *files], timeout)
    report = OwlCheckReport(files=files)
    for r in records:
        kind = r.get("kind")
        if kind in ("load-error", "error"):
            report.parse_errors.append(_parse_error(r))
        elif kind == "profile":
            report.profile_violations.append(
                ProfileViolation(type=r.get("type", ""), message=r.get("message", ""), entity=r.get("entity"), axiom=r.get("axiom"))
            )
        elif kind == "undeclared":
            report.undeclared.append(
                UndeclaredEntity(iri=r["iri"], entity_type=r.get("entity_type", ""), files=tuple(r.get("files", ())))
            )
        elif kind == "punned":
            report.punned.append(
                PunnedIRI(iri=r["iri"], types=tuple(r.get("types", ())), declared_as=tuple(r.get("declared_as", ())))
            )
        elif kind == "missing-import":
            report.missing_imports.append(MissingImport(file=r.get("file", ""), iri=r.get("import", ""), message=r.get("message", "")))
        elif kind == "unparsed-triple":
            report.unparsed_triples.append(UnparsedTriple(file=r.get("file", ""), triple=r.get("triple", "")))
        elif kind == "dropped-annotation":
            report.dropped_annotations.append(
                DroppedAnnotation(
                    file=r.get("file", ""),
                    property=r.get("property", ""),
                    annotated_source=r.get("annotated_source", ""),
                    annotated_property=r.get("annotated_property", ""),
                    annotated_target=r.get("annotated_target", ""),
                    value=r.get("value", ""),
                )
            )
        elif kind == "malformed":
            report.malformed.append(
                MalformedConstruct(
                    placeholder=r.get("placeholder", ""),
                    axioms=tuple(r.get("axioms", ())),
                    files=tuple(r.get("files", ())),
                )
            )
        elif kind == "summary":
            report.axiom_count = r.get("axioms")
    if status != 0 and report.ok:
        raise OwlToolError(f"the OWL tool exited with {status} but reported nothing: {records}")
    if status == 0 and not report.ok:
        raise OwlToolError(f"the OWL tool exited cleanly but reported problems: {records}")
    return report


def iris(
    paths: Sequence[str | os.PathLike] | str | os.PathLike,
    *,
    turtle_parser: str = "builtin",
    timeout: float | None = None,
) -> set[str]:
    """Every IRI the OWL API reads from the files (the first with its imports, resolved
    offline through ``catalog-v001.xml``): entities, annotation subjects and IRI values,
    ontology and import IRIs. Raises OwlLoadError if a file does not load."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files = _existing(paths)
    status, records = _run([*_parser_flag(turtle_parser), "iris", *files], timeout)
    if status == 2:
        raise OwlLoadError([_parse_error(r) for r in records if r.get("kind") in ("load-error", "error")])
    found = [r for r in records if r.get("kind") == "iris"]
    if len(found) != 1:
        raise OwlToolError(f"the OWL tool gave no IRIs: {records}")
    return set(found[0]["iris"])


def canonical_turtle(path: str | os.PathLike, *, timeout: float | None = None) -> str:
    """The file as the OWL API writes it in Turtle (what a Protégé open-and-save
    produces), with the file's own prefixes. Raises OwlLoadError if it does not load."""
    (source,) = _existing([path])
    with tempfile.TemporaryDirectory(prefix="gmg-owlapi-fmt-") as tmp:
        out = Path(tmp) / "canonical.ttl"
        status, records = _run(["fmt", source, str(out)], timeout)
        if status != 0:
            raise OwlLoadError([_parse_error(r) for r in records if r.get("kind") in ("load-error", "error")])
        return out.read_text(encoding="utf-8")


def _difference_text(r: dict) -> str:
    verb = {"lost": "lost in the round trip", "gained": "gained in the round trip"}.get(r.get("kind"), r.get("kind"))
    return f"{verb}: {r.get('what', '')} {r.get('item', '')}".rstrip()


def roundtrip_differences(path: str | os.PathLike, *, timeout: float | None = None) -> list[str]:
    """Load the file, write it as RDF/XML, read it back and list every axiom
    (annotations included), ontology annotation, import or ontology IRI/version
    IRI that differs. Empty when the file survives. Raises OwlLoadError if it
    does not load."""
    (source,) = _existing([path])
    status, records = _run(["roundtrip", source], timeout)
    if status == 2:
        raise OwlLoadError([_parse_error(r) for r in records if r.get("kind") in ("load-error", "error")])
    return [_difference_text(r) for r in records if r.get("kind") in ("lost", "gained")]
