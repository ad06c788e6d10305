"""The `gmg` command: a thin shell over build, validate, query and serve."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

EXIT_OK, EXIT_FAILED, EXIT_CANNOT_RUN = 0, 1, 2

# `gmg query --format` -> what to accept (graph answers fall back to Turtle / JSON-LD)
CLI_ACCEPT = {
    "json": "application/sparql-results+json, application/ld+json;q=0.9",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_CANNOT_RUN
    return args.run(args)


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gmg", description="Global migration governors: build, validate, query and serve the knowledge graph.")
    parser.add_argument("--version", action="version", version=f"gmg {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str) -> argparse.ArgumentParser:
        # the summary heads both `gmg --help` and `gmg NAME --help`
        return sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")

    p = command("build", "parse, validate and load the store; fail on any error or shape violation")
    p.add_argument("--store", type=Path, metavar="DIR", help="build an on-disk store in DIR (default: in memory)")
    p.add_argument("--strict", action="store_true", help="fail on shape warnings too")
    p.add_argument("--reason", action="store_true",
                   help="also run HermiT (needs Java): fail on an inconsistency, write inferred/inferred.ttl")
    p.set_defaults(run=cmd_build)

    p = command("export", "write the ontology, instances and inferred types as one Turtle file "
                          "(to browse the individuals in Protégé)")
    p.add_argument("out", type=Path, metavar="OUT.ttl",
                   help="the Turtle file to write (overwritten if it exists), e.g. gmg-all.ttl")
    p.set_defaults(run=cmd_export)

    p = command("fmt", "rewrite every module of ontology/ in the OWL API's Turtle form (as Protégé saves it)")
    p.add_argument("--check", action="store_true", help="only check: exit 1 if the file is not in that form")
    p.set_defaults(run=cmd_fmt)

    p = command("add", "add facts from a CSV file, each with the statement that asserts it, "
                       "after validating them with the whole graph")
    p.add_argument("csv", type=Path, metavar="FILE.csv",
                   help="one fact per row (columns: docs/examples/add-facts.csv; README, 'Adding facts')")
    p.add_argument("--to", type=Path, required=True, metavar="instances/MODULE.ttl",
                   help="the instances module to append to (e.g. instances/world-bank.ttl)")
    p.add_argument("--dry-run", action="store_true", help="validate and print the Turtle; write nothing")
    p.set_defaults(run=cmd_add)

    p = command("docs", "write HTML documentation of the ontology")
    p.add_argument("out_dir", nargs="?", type=Path, metavar="OUT_DIR", help="where to write index.html (default docs/)")
    p.set_defaults(run=cmd_docs)

    p = command("validate", "validate the data (plus any extra Turtle files) against the shapes")
    p.add_argument("extra", nargs="*", type=Path, metavar="EXTRA.ttl", help="more instance data to validate with the graph")
    p.add_argument("--format", choices=("text", "turtle"), default="text", help="text report or sh:ValidationReport in Turtle")
    p.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    p.set_defaults(run=cmd_validate)

    p = command("query", "run a SPARQL query against the graph and print the answer")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("query", nargs="?", help="the SPARQL query text")
    src.add_argument("-f", "--file", type=Path, metavar="FILE.rq", help="read the query from a file")
    p.add_argument("--format", choices=("table", "json", "csv", "tsv"), default="table",
                   help="table: aligned, at most 100 columns wide, long values cut with '…' (the default); "
                        "json, csv, tsv: the SPARQL results formats, full values")
    p.add_argument("--store", type=Path, metavar="DIR",
                   help="use (or build) the on-disk store in DIR (default: an in-memory store built from the files)")
    p.set_defaults(run=cmd_query)

    p = command("publish", "push the named graphs into a remote triple store (Graph Store Protocol), "
                           "replacing each, and count each graph's triples there")
    p.add_argument("--to", required=True, metavar="URL",
                   help="the store's Graph Store Protocol endpoint, e.g. http://HOST:7878/store (Oxigraph server) "
                        "or http://HOST:8890/sparql-graph-crud-auth (Virtuoso)")
    p.add_argument("--query-url", metavar="URL",
                   help="its SPARQL query endpoint, to count the triples (derived for Oxigraph and Virtuoso)")
    p.add_argument("--store", type=Path, metavar="DIR",
                   help="publish the on-disk store in DIR (built there if it is missing or out of date) "
                        "instead of building from the source files")
    p.add_argument("--graph", action="append", metavar="NAME",
                   help="publish only this graph (a name such as instances, or an IRI); repeatable")
    p.add_argument("--credentials", type=Path, metavar="FILE",
                   help="a file of NAME=value lines: GMG_STORE_AUTH (basic, digest or bearer), GMG_STORE_USER, "
                        "GMG_STORE_PASSWORD, GMG_STORE_TOKEN (the same environment variables work too)")
    p.add_argument("--chunk-triples", type=int, default=50_000, metavar="N",
                   help="triples per request; a larger graph goes in several (default 50000)")
    p.set_defaults(run=cmd_publish)

    p = command("serve", "serve the SPARQL endpoint and linked-data pages")
    add_setting_flags(p)
    p.set_defaults(run=cmd_serve)
    return parser


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per server setting, from the settings table (so flags and docs cannot drift)."""
    from dataclasses import fields

    from .settings import Settings

    for f in fields(Settings):
        default = f"(default {f.default}; env {f.metadata['env']})"
        if f.type in ("bool", bool):
            parser.add_argument(f.metadata["flag"], dest=f.name, action="store_true", default=None,
                                help=f"{f.metadata['help']} {default}")
            continue
        kind = {"int": int, "float": float}.get(f.type if isinstance(f.type, str) else f.type.__name__,
                                                Path if "Path" in str(f.type) else str)
        parser.add_argument(f.metadata["flag"], dest=f.name, type=kind, default=None,
                            help=f"{f.metadata['help']} {default}")


def _fail(message: str, code: int = EXIT_CANNOT_RUN) -> int:
    print(f"gmg: {message}", file=sys.stderr)
    return code


def cmd_build(args) -> int:
    from .build import BuildError, build
    from .iris import METADATA_GRAPH
    from .sources import SourceError

    try:
        result = build(store_path=args.store, strict=args.strict, reason=args.reason,
                       progress=BuildProgress(sys.stderr))
    except SourceError as err:
        return _fail(str(err))
    except BuildError as err:
        print(err.report.render() if err.report else "", file=sys.stderr)
        return _fail(str(err), EXIT_FAILED)
    for name, size in result.store.build_info()["graphs"].items():  # (as the load counted them)
        if name != str(METADATA_GRAPH):
            print(f"{name}: {size} triples")
    print(result.report.render())
    where = f"on disk in {args.store}" if args.store else "in memory"
    print(f"store: {len(result.store)} quads {where}")
    return EXIT_OK


class BuildProgress:
    """Where `gmg build` is, on stderr: a bar redrawn in place on a terminal, log lines otherwise."""

    STAGES = {"parse": "parsing the source files", "validate": "validating against the shapes",
              "reason": "reasoning with HermiT", "load": "loading the store"}

    def __init__(self, stream):
        import time

        self.stream, self.clock = stream, time.monotonic
        self.terminal = hasattr(stream, "isatty") and stream.isatty()
        self.started = self.stage_started = self.clock()
        self.last_drawn = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = self.clock()
        if done == 0:
            self.stage_started = now
        elapsed = now - self.stage_started
        finished = done >= total
        if self.terminal:
            if not finished and done and now - self.last_drawn < 0.1:
                return
            self.last_drawn = now
            width = 30
            filled = width if finished else int(width * done / total) if total else 0
            bar = "#" * filled + "-" * (width - filled)
            size = f" {done / 1e6:.1f}/{total / 1e6:.1f} MB" if stage == "parse" else ""
            self.stream.write(f"\r{self.STAGES[stage]:<30} [{bar}]{size} {elapsed:6.1f} s")
            if finished:
                self.stream.write("\n")
        elif done == 0:
            size = f" ({total / 1e6:.1f} MB)" if stage == "parse" else ""
            self.stream.write(f"gmg build: {self.STAGES[stage]}{size}\n")
        elif finished:
            self.stream.write(f"gmg build: {self.STAGES[stage]}: done in {elapsed:.1f} s "
                              f"({now - self.started:.1f} s in all)\n")
        self.stream.flush()


def cmd_docs(args) -> int:
    from .docs import cmd_docs as write_docs

    return write_docs(args.out_dir)


def cmd_export(args) -> int:
    from .export import merged_graph
    from .sources import SourceError, load_sources

    try:
        sources = load_sources()
    except SourceError as err:
        return _fail(str(err))
    merged = merged_graph(sources)
    args.out.write_text(merged.serialize(format="turtle"), encoding="utf-8")
    print(f"wrote {len(merged)} triples to {args.out}")
    return EXIT_OK


def cmd_fmt(args) -> int:
    from .owlapi import OwlApiUnavailable, OwlLoadError, canonical_turtle
    from .paths import default_data_dir

    status = EXIT_OK
    for path in default_data_dir().files("ontology"):  # every module of ontology/ (not releases/)
        try:
            canonical = canonical_turtle(path)
        except OwlApiUnavailable as err:
            return _fail(str(err))
        except OwlLoadError as err:
            return _fail(f"{path}: the OWL API cannot load it: {err}")
        current = path.read_text(encoding="utf-8")
        if canonical == current:
            print(f"{path} is in the OWL API's Turtle form")
        elif args.check:
            print(f"{path} is not in the OWL API's Turtle form: run `gmg fmt`", file=sys.stderr)
            status = EXIT_FAILED
        else:
            path.write_text(canonical, encoding="utf-8")
            print(f"rewrote {path}")
    return status


def cmd_validate(args) -> int:
    from .build import RULES
    from .iris import INSTANCES_GRAPH
    from .sources import SourceError, load_sources, source_files
    from .validate_files import validate_files

    files = [path for path, name in source_files() if name == INSTANCES_GRAPH] + list(args.extra)
    try:
        report = validate_files(files, load_sources(only=RULES))
    except SourceError as err:
        return _fail(str(err))
    except Exception as err:  # e.g. a shape pySHACL cannot run: exit 2, never 1 ("violations")
        return _fail(f"validation could not run: {err}")
    if args.format == "turtle":
        sys.stdout.write(report.graph.serialize(format="turtle"))
    else:
        print(report.render())
    return EXIT_FAILED if report.failed(args.strict) else EXIT_OK


def cmd_add(args) -> int:
    from .authoring import AuthoringError, append_turtle, facts_from_csv
    from .paths import default_data_dir
    from .sources import SourceError, load_sources
    from .validate import validate

    target = args.to.resolve()
    modules = default_data_dir().files("instances")
    if target not in [m.resolve() for m in modules]:
        return _fail(f"--to must be an existing module of instances/ (e.g. instances/world-bank.ttl), not {args.to}")
    try:
        sources = load_sources()
        added = facts_from_csv(args.csv, sources)
    except (SourceError, AuthoringError) as err:
        return _fail(str(err))
    report = validate(sources, added.graph)
    if report.failed():
        print(report.render())
        print(f"Nothing was written: fix the rows above in {args.csv}.", file=sys.stderr)
        return EXIT_FAILED
    if args.dry_run:
        sys.stdout.write(added.graph.serialize(format="turtle"))
        return EXIT_OK
    append_turtle(added, target)
    print(f"Added {len(added.facts)} fact(s) and their statements to {args.to}: "
          + ", ".join(str(f).removeprefix("https://w3id.org/gmg/id/") for f in added.facts))
    return EXIT_OK


def cmd_query(args) -> int:
    from .store import open_store
    from .formats import NotAcceptable
    from .query import QueryError, QueryRequest, execute
    from .sources import SourceError
    from .table import render_table

    try:
        text = args.file.read_text(encoding="utf-8") if args.file else args.query
    except OSError as err:
        return _fail(f"cannot read {args.file}: {err}")
    try:
        store = open_store(store_path=args.store)
    except SourceError as err:
        return _fail(str(err))
    try:
        if args.format == "table":
            sys.stdout.write(render_table(store, text))
        else:
            _, body = execute(store, QueryRequest(text, accept=CLI_ACCEPT[args.format], max_rows=10**9))
            sys.stdout.write(body.decode("utf-8"))
    except QueryError as err:
        return _fail(str(err), EXIT_FAILED)
    except NotAcceptable as err:
        return _fail(f"--format {args.format} does not fit this query's answer. {err}", EXIT_FAILED)
    return EXIT_OK


def cmd_publish(args) -> int:
    from .build import BuildError, build
    from .remote.endpoints import Endpoints, RemoteConfigError, read_credentials
    from .iris import CHANGES_GRAPH, MERGED_GRAPH, NAME_ONLY_GRAPHS
    from .remote.publish import changes_graph, graph_name, graphs_of, publish, with_merged
    from .sources import SourceError
    from .store import open_store

    try:
        endpoints = Endpoints.from_graph_store_url(args.to, args.query_url)
        credentials = read_credentials(args.credentials)
    except RemoteConfigError as err:
        return _fail(str(err))
    try:  # a given store as it is (rebuilt only if its sources changed); else a checked build
        store = open_store(store_path=args.store) if args.store else build(store_path=None).store
    except SourceError as err:
        return _fail(str(err))
    except BuildError as err:
        print(err.report.render() if err.report else "", file=sys.stderr)
        return _fail(f"{err}; nothing was published", EXIT_FAILED)
    graphs = with_merged(graphs_of(store))
    if args.graph:
        wanted = [graph_name(name) for name in args.graph]
        unknown = [g for g in wanted if g not in graphs]
        if unknown:
            return _fail(f"no such graph in the store: {', '.join(unknown)} (it has {', '.join(graphs)})")
        if any(g not in NAME_ONLY_GRAPHS for g in wanted) and str(MERGED_GRAPH) not in wanted:
            wanted.append(str(MERGED_GRAPH))  # (it merges a graph sent again)
        graphs = {g: graphs[g] for g in wanted}
    graphs[str(CHANGES_GRAPH)] = changes_graph()  # (the mark replicas watch; last)
    print(f"publishing {len(graphs)} graphs to {endpoints.graph_store} (counted through {endpoints.query})",
          file=sys.stderr)
    results = publish(graphs, endpoints, credentials, chunk_triples=args.chunk_triples)
    failed = [r for r in results if not r.ok]
    if failed:
        names = " ".join(f"--graph {r.graph}" for r in failed)
        return _fail(f"{len(failed)} of {len(results)} graphs were not published; the others were. "
                     f"Fix the cause, then send the failed ones again: gmg publish --to {args.to} {names}",
                     EXIT_FAILED)
    print(f"published {len(results)} graphs, {sum(r.expected for r in results)} triples")
    return EXIT_OK


def configure_logging() -> None:
    """gmg's own loggers (the JSON access log among them) write to stderr; uvicorn's are its own."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger("gmg")
    root.addHandler(handler)
    root.setLevel(logging.INFO)


def cmd_serve(args) -> int:
    from dataclasses import fields

    import uvicorn

    from .settings import Settings
    from .web import create_app

    from .paths import default_data_dir

    settings = Settings.from_env(**{f.name: getattr(args, f.name) for f in fields(Settings)})
    # first line: which files are served (a checkout's, or an installed package's copy)
    print(f"gmg serve: data from {default_data_dir().describe()}", flush=True)
    print("gmg serve with settings:\n" + settings.describe(), flush=True)
    from .journal import JournalCorrupt

    from .remote.endpoints import RemoteConfigError

    try:
        app = create_app(settings)
    except JournalCorrupt as err:  # an acknowledged update would be lost: say where and what to do
        return _fail(str(err))
    except RemoteConfigError as err:
        return _fail(str(err))
    if settings.store_url:
        engine = app.state.engine
        print(f"store: remote, queried at {engine.endpoints.query} (credentials: {engine.credentials.describe()}); "
              "durability is the store's own, gmg keeps no journal", flush=True)
    elif settings.store is None:
        print("store: in memory (rebuilt from the source files at every start)", flush=True)
        if settings.update_token:
            print("updates: enabled; in memory they last until the server stops (use --store DIR to keep them)",
                  flush=True)
    elif settings.update_token:
        print(f"updates: enabled; accepted updates are journalled in {settings.store}", flush=True)
    from .web.app import served, url_length_limit

    configure_logging()
    import logging

    # A store that cannot be served (e.g. a journal missing acknowledged updates) is
    # reported in one message naming the file, not in the framework's traceback.
    logging.getLogger("uvicorn.error").addFilter(lambda record: app.state.start_error is None)
    from .web.connections import accept_backlog, default_max_connections, guarded_protocol, quiet_accept_errors

    # No client can stall the server: a cap on connections, a time limit on silence. The
    # request line and headers have room for an over-long URL, so that it reaches the app and
    # gets a 414 that says what to do (past that room: a bare 431, or h11's 400).
    header_limit = 2 * url_length_limit(settings)
    protocol = guarded_protocol(settings.client_timeout, settings.max_connections or default_max_connections(),
                                max_header_bytes=header_limit)
    quiet_accept_errors()
    try:
        uvicorn.run(served(app), host=settings.host, port=settings.port, log_level="info", access_log=False,
                    http=protocol, timeout_keep_alive=min(5, int(settings.client_timeout) or 1),
                    backlog=accept_backlog(),
                    h11_max_incomplete_event_size=header_limit)
    except SystemExit:
        if app.state.start_error is None:
            raise
    if app.state.start_error is not None:
        return _fail(f"cannot serve: {app.state.start_error}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
