// OwlTool: checks, formats and round-trips OWL files with the OWL API (5.1),
// the library Protégé is built on, so that what passes here opens cleanly there.
//
// Subcommands (all output on stdout as JSON lines, one object per line, each
// with a "kind" field; exit 0 = clean, 1 = problems found, 2 = a file did not
// load, 3 = usage error):
//
//   check [--allow-undeclared-individuals] FILE...
//                       load the first file as the ontology and parse the others
//                       into it (so they see its declarations), then report
//                       load errors, missing imports, RDF triples the parser
//                       could not map to axioms, axiom annotations it dropped,
//                       OWL 2 DL profile violations, undeclared entities and
//                       accidental punning, over the ontology and its imports.
//   fmt IN OUT          load IN and save it to OUT as the OWL API's Turtle,
//                       keeping IN's prefixes (what a Protégé open-and-save does).
//   roundtrip FILE      load FILE, write it as RDF/XML in memory, read that
//                       back, and report every axiom, ontology annotation,
//                       import or ontology IRI/version IRI that changed.
//
// Loading never touches the network: imports are resolved through a
// catalog-v001.xml next to a loaded file (as Protégé does) or through the
// files already loaded; anything else is reported as a missing import.
//
// Written against Java 11+ so that it also runs with the source launcher
// (`java -cp CP OwlTool.java ...`) when no javac is installed.

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.ManchesterSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.NTriplesDocumentFormat;
import org.semanticweb.owlapi.formats.OWLXMLDocumentFormat;
import org.semanticweb.owlapi.formats.PrefixDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.RioTurtleDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.OWLParser;
import org.semanticweb.owlapi.io.OWLParserException;
import org.semanticweb.owlapi.io.OWLParserFactory;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.io.StreamDocumentSource;
import org.semanticweb.owlapi.io.StreamDocumentTarget;
import org.semanticweb.owlapi.io.UnparsableOntologyException;
import org.semanticweb.owlapi.model.AddOntologyAnnotation;
import org.semanticweb.owlapi.model.EntityType;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLAnnotation;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLImportsDeclaration;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyAlreadyExistsException;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyChange;
import org.semanticweb.owlapi.model.OWLOntologyDocumentAlreadyExistsException;
import org.semanticweb.owlapi.model.OWLOntologyID;
import org.semanticweb.owlapi.model.OWLOntologyIRIMapper;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.OWLRuntimeException;
import org.semanticweb.owlapi.model.SetOntologyID;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.Profiles;

public class OwlTool {

    static final int CLEAN = 0;
    static final int PROBLEMS = 1;
    static final int LOAD_FAILURE = 2;
    static final int USAGE = 3;

    static final String XSD = "http://www.w3.org/2001/XMLSchema#";
    static final String RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    static final String RDFS = "http://www.w3.org/2000/01/rdf-schema#";

    static PrintStream out;

    /**
     * Which of the OWL API's two Turtle parsers reads .ttl files (imports included):
     * "builtin" (its own, the default, what Protégé uses) or "rio" (RDF4J Rio).
     * Set with a leading --turtle-parser=builtin|rio.
     */
    static String turtleParser = "builtin";

    public static void main(String[] args) throws Exception {
        // JSON is written ASCII-only (non-ASCII escaped), and in UTF-8 in any case,
        // so the locale of the calling process cannot garble IRIs or labels.
        out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        int status;
        try {
            status = run(args);
        } catch (OWLRuntimeException | OWLOntologyCreationException e) {
            emit(obj("kind", "error", "message", oneLine(String.valueOf(e))));
            status = LOAD_FAILURE;
        }
        out.flush();
        System.exit(status);
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) {
            return usage();
        }
        int first = 0;
        if (args[0].startsWith("--turtle-parser=")) {
            turtleParser = args[0].substring("--turtle-parser=".length());
            if (!turtleParser.equals("builtin") && !turtleParser.equals("rio")) {
                return usage();
            }
            first = 1;
            if (args.length == 1) {
                return usage();
            }
        }
        String command = args[first];
        List<String> rest = List.of(args).subList(first + 1, args.length);
        switch (command) {
            case "iris":
                return rest.isEmpty() ? usage() : iris(rest);
            case "check":
                return check(rest);
            case "fmt":
                return rest.size() != 2 ? usage() : fmt(rest.get(0), rest.get(1));
            case "roundtrip":
                return rest.size() != 1 ? usage() : roundtrip(rest.get(0));
            default:
                return usage();
        }
    }

    /**
     * Loads the first file with its imports (offline, through catalog-v001.xml) and every
     * further file into it, and writes every IRI the ontologies hold — entities of every axiom,
     * annotation subjects and IRI values, ontology and import IRIs — as one sorted JSON record.
     */
    static int iris(List<String> paths) throws Exception {
        LoadLog log = new LoadLog();
        OfflineMapper mapper = new OfflineMapper();
        for (String p : paths) {
            mapper.readCatalogNextTo(new File(p));
        }
        OWLOntologyManager m = newManager(mapper, log, false);
        OWLOntology ontology = load(m, paths.get(0), log);
        if (ontology != null) {
            for (String p : paths.subList(1, paths.size())) {
                parseInto(m, ontology, p, log);
            }
        }
        for (Map<String, Object> e : log.errors) {
            emit(e);
        }
        for (Map<String, Object> e : log.missingImports) {
            emit(e);
        }
        if (ontology == null || !log.errors.isEmpty()) {
            return LOAD_FAILURE;
        }
        TreeSet<String> found = new TreeSet<>();
        List<String> ontologies = new ArrayList<>();
        ontology.importsClosure().forEach(o -> {
            o.getOntologyID().getOntologyIRI().ifPresent(i -> ontologies.add(i.toString()));
            o.getOntologyID().getOntologyIRI().ifPresent(i -> found.add(i.toString()));
            o.getOntologyID().getVersionIRI().ifPresent(i -> found.add(i.toString()));
            o.importsDeclarations().forEach(d -> found.add(d.getIRI().toString()));
            o.annotations().forEach(a -> collect(a, found));
            o.axioms().forEach(ax -> {
                ax.signature().forEach(e -> found.add(e.getIRI().toString()));
                ax.annotations().forEach(a -> collect(a, found));
                if (ax instanceof org.semanticweb.owlapi.model.OWLAnnotationAssertionAxiom) {
                    org.semanticweb.owlapi.model.OWLAnnotationAssertionAxiom aa =
                        (org.semanticweb.owlapi.model.OWLAnnotationAssertionAxiom) ax;
                    aa.getSubject().asIRI().ifPresent(i -> found.add(i.toString()));
                    aa.getValue().asIRI().ifPresent(i -> found.add(i.toString()));
                }
            });
        });
        found.removeIf(i -> i.startsWith("_:"));  // blank nodes the parser gave a name, not IRIs
        emit(obj("kind", "iris", "ontologies", ontologies, "iris", new ArrayList<>(found)));
        return log.missingImports.isEmpty() ? CLEAN : PROBLEMS;
    }

    static void collect(OWLAnnotation a, Set<String> found) {
        found.add(a.getProperty().getIRI().toString());
        a.getValue().asIRI().ifPresent(i -> found.add(i.toString()));
        a.annotations().forEach(n -> collect(n, found));
    }

    static int usage() {
        System.err.println("usage: OwlTool [--turtle-parser=builtin|rio] "
            + "check [--allow-undeclared-individuals] FILE... | fmt IN OUT | roundtrip FILE | iris FILE...");
        return USAGE;
    }

    // ------------------------------------------------------------------ loading

    /** Collects what went wrong while loading, file by file. */
    static final class LoadLog {
        final List<Map<String, Object>> errors = new ArrayList<>();
        final List<Map<String, Object>> missingImports = new ArrayList<>();
        String currentFile = "";
    }

    /**
     * Maps import IRIs to local documents: entries of catalog-v001.xml files
     * first; any other non-file IRI is sent to a document that does not exist,
     * so that the import fails (and is reported) instead of being downloaded.
     */
    static final class OfflineMapper implements OWLOntologyIRIMapper {
        final Map<IRI, IRI> catalog = new HashMap<>();
        final Set<File> readCatalogs = new LinkedHashSet<>();
        final File nowhere;

        OfflineMapper() {
            nowhere = new File(System.getProperty("java.io.tmpdir"),
                "owltool-offline-" + Long.toHexString(System.nanoTime()));
        }

        void readCatalogNextTo(File file) {
            File dir = file.getAbsoluteFile().getParentFile();
            if (dir == null) {
                return;
            }
            File cat = new File(dir, "catalog-v001.xml");
            if (!cat.isFile() || !readCatalogs.add(cat)) {
                return;
            }
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setNamespaceAware(true);
                f.setExpandEntityReferences(false);
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                DocumentBuilder b = f.newDocumentBuilder();
                org.w3c.dom.Document doc = b.parse(cat);
                org.w3c.dom.NodeList uris = doc.getElementsByTagNameNS("*", "uri");
                for (int i = 0; i < uris.getLength(); i++) {
                    org.w3c.dom.Element e = (org.w3c.dom.Element) uris.item(i);
                    String name = e.getAttribute("name");
                    String target = e.getAttribute("uri");
                    if (name.isEmpty() || target.isEmpty()) {
                        continue;
                    }
                    URI resolved = dir.toURI().resolve(target);
                    if ("file".equals(resolved.getScheme())) {
                        catalog.put(IRI.create(name), IRI.create(resolved));
                    }
                }
            } catch (Exception e) {
                System.err.println("OwlTool: cannot read " + cat + ": " + e);
            }
        }

        @Override
        public IRI getDocumentIRI(IRI ontologyIRI) {
            IRI mapped = catalog.get(ontologyIRI);
            if (mapped != null) {
                return mapped;
            }
            if ("file".equalsIgnoreCase(ontologyIRI.getScheme())) {
                return null;
            }
            return IRI.create(new File(nowhere, Integer.toHexString(ontologyIRI.hashCode()) + ".owl"));
        }
    }

    static OWLOntologyManager newManager(OfflineMapper mapper, LoadLog log, boolean repairPunnings) {
        OWLOntologyManager m = OWLManager.createOWLOntologyManager();
        m.getOntologyConfigurator()
            .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
            .withRepairIllegalPunnings(repairPunnings)
            .setReportStackTraces(false)
            .setConnectionTimeout(1);
        m.getIRIMappers().clear();
        m.getIRIMappers().add(mapper);
        // Only the chosen Turtle parser may read Turtle, imported documents included.
        String unwanted = turtleParser.equals("rio") ? new TurtleDocumentFormat().getKey()
            : new RioTurtleDocumentFormat().getKey();
        List<OWLParserFactory> drop = new ArrayList<>();
        for (OWLParserFactory pf : m.getOntologyParsers()) {
            if (pf.getSupportedFormat().getKey().equals(unwanted)) {
                drop.add(pf);
            }
        }
        for (OWLParserFactory pf : drop) {
            m.getOntologyParsers().remove(pf);
        }
        m.addMissingImportListener(event -> {
            String message = event.getCreationException() == null ? ""
                : firstLine(event.getCreationException().getMessage());
            IRI imported = event.getImportedOntologyURI();
            if (!mapper.catalog.containsKey(imported)) {
                message = "not fetched: loading is offline; map it to a local file in catalog-v001.xml";
            }
            log.missingImports.add(obj("kind", "missing-import", "file", log.currentFile,
                "import", String.valueOf(imported), "message", message));
        });
        return m;
    }

    /** The document format implied by a file name, or null to let every parser try. */
    static OWLDocumentFormat formatFor(File file) {
        String name = file.getName().toLowerCase(Locale.ROOT);
        if (name.endsWith(".ttl")) {
            return turtleParser.equals("rio") ? new RioTurtleDocumentFormat() : new TurtleDocumentFormat();
        }
        if (name.endsWith(".rdf")) {
            return new RDFXMLDocumentFormat();
        }
        if (name.endsWith(".nt")) {
            return new NTriplesDocumentFormat();
        }
        if (name.endsWith(".ofn")) {
            return new FunctionalSyntaxDocumentFormat();
        }
        if (name.endsWith(".owx")) {
            return new OWLXMLDocumentFormat();
        }
        if (name.endsWith(".omn")) {
            return new ManchesterSyntaxDocumentFormat();
        }
        return null; // .owl and anything else: RDF/XML, OWL/XML, functional... try them all
    }

    /**
     * Loads one file; on failure records the parser messages and returns null.
     * Throws only when the manager already holds that ontology or document.
     */
    static OWLOntology load(OWLOntologyManager m, String path, LoadLog log)
            throws OWLOntologyAlreadyExistsException, OWLOntologyDocumentAlreadyExistsException {
        File file = new File(path);
        log.currentFile = path;
        if (!file.isFile()) {
            log.errors.add(obj("kind", "load-error", "file", path, "message", "no such file"));
            return null;
        }
        OWLDocumentFormat format = formatFor(file);
        FileDocumentSource source = format == null ? new FileDocumentSource(file) : new FileDocumentSource(file, format);
        try {
            return m.loadOntologyFromOntologyDocument(source);
        } catch (OWLOntologyAlreadyExistsException | OWLOntologyDocumentAlreadyExistsException e) {
            throw e;
        } catch (UnparsableOntologyException e) {
            Map<OWLParser, OWLParserException> byParser = e.getExceptions();
            if (byParser.isEmpty()) {
                log.errors.add(obj("kind", "load-error", "file", path, "message", oneLine(e.getMessage())));
            }
            for (Map.Entry<OWLParser, OWLParserException> entry : byParser.entrySet()) {
                OWLParserException pe = entry.getValue();
                Map<String, Object> error = obj("kind", "load-error", "file", path,
                    "parser", entry.getKey().getClass().getSimpleName(),
                    "message", oneLine(parserMessage(pe)));
                addPosition(error, pe);
                log.errors.add(error);
            }
            return null;
        } catch (OWLOntologyCreationException | OWLRuntimeException e) {
            log.errors.add(obj("kind", "load-error", "file", path, "message", oneLine(String.valueOf(e))));
            return null;
        }
    }

    /**
     * Parses one more document into an existing ontology (as if it were part
     * of the first document). Returns the document's format, or null after
     * recording the error.
     */
    static OWLDocumentFormat parseInto(OWLOntologyManager m, OWLOntology ontology, String path, LoadLog log) {
        File file = new File(path);
        log.currentFile = path;
        if (!file.isFile()) {
            log.errors.add(obj("kind", "load-error", "file", path, "message", "no such file"));
            return null;
        }
        OWLDocumentFormat format = formatFor(file);
        if (format == null) {
            format = sniff(file);
        }
        String key = format.getKey();
        OWLParserFactory factory = null;
        for (OWLParserFactory pf : m.getOntologyParsers()) {
            if (pf.getSupportedFormat().getKey().equals(key)) {
                factory = pf;
                break;
            }
        }
        if (factory == null) {
            log.errors.add(obj("kind", "load-error", "file", path, "message", "no parser for " + key));
            return null;
        }
        OWLParser parser = factory.createParser();
        OWLOntologyID id = ontology.getOntologyID();
        try {
            OWLDocumentFormat result = parser.parse(new FileDocumentSource(file, format), ontology,
                m.getOntologyLoaderConfiguration());
            if (!ontology.getOntologyID().equals(id)) {
                // A second owl:Ontology header must not rename the ontology.
                m.applyChange(new SetOntologyID(ontology, id));
            }
            return result;
        } catch (OWLParserException e) {
            Map<String, Object> error = obj("kind", "load-error", "file", path,
                "parser", parser.getClass().getSimpleName(), "message", oneLine(parserMessage(e)));
            addPosition(error, e);
            log.errors.add(error);
        } catch (OWLRuntimeException e) {
            log.errors.add(obj("kind", "load-error", "file", path, "message", oneLine(parserMessage(e))));
        }
        return null;
    }

    static final Pattern POSITION = Pattern.compile("line (\\d+)(?:, column (\\d+))?");

    static void addPosition(Map<String, Object> error, OWLParserException pe) {
        int line = pe.getLineNumber();
        int column = pe.getColumnNumber();
        if (line <= 0) {
            java.util.regex.Matcher mt = POSITION.matcher(String.valueOf(error.get("message")));
            if (mt.find()) {
                line = Integer.parseInt(mt.group(1));
                column = mt.group(2) == null ? -1 : Integer.parseInt(mt.group(2));
            }
        }
        if (line > 0) {
            error.put("line", line);
        }
        if (column > 0) {
            error.put("column", column);
        }
    }

    static final Pattern FUNCTIONAL = Pattern.compile("^\\s*(Prefix|Ontology)\\s*\\(", Pattern.MULTILINE);

    /** Guesses the syntax of a file whose name does not tell it. */
    static OWLDocumentFormat sniff(File file) {
        String head;
        try (java.io.InputStream in = new java.io.FileInputStream(file)) {
            head = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return new TurtleDocumentFormat();
        }
        if (head.contains("<rdf:RDF") || head.contains("<RDF")) {
            return new RDFXMLDocumentFormat();
        }
        if (head.contains("<Ontology")) {
            return new OWLXMLDocumentFormat();
        }
        if (FUNCTIONAL.matcher(head).find()) {
            return new FunctionalSyntaxDocumentFormat();
        }
        return new TurtleDocumentFormat();
    }

    static String parserMessage(Throwable t) {
        // The interesting message is usually the deepest one (the RDF4J or
        // JavaCC parser's), the outer ones only wrap it.
        String best = t.getMessage();
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                best = c.getMessage();
            }
        }
        return best == null ? t.getClass().getSimpleName() : best;
    }

    // -------------------------------------------------------------------- check

    static int check(List<String> args) throws Exception {
        boolean individualsNeedDeclaring = true;
        List<String> paths = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--allow-undeclared-individuals")) {
                individualsNeedDeclaring = false;
            } else {
                paths.add(a);
            }
        }
        if (paths.isEmpty()) {
            return usage();
        }
        LoadLog log = new LoadLog();
        OfflineMapper mapper = new OfflineMapper();
        for (String p : paths) {
            mapper.readCatalogNextTo(new File(p));
        }
        OWLOntologyManager m = newManager(mapper, log, false);

        // Which file brought which entity in, to name the file in reports.
        Map<IRI, Set<String>> mentionedIn = new HashMap<>();
        m.addOntologyChangeListener(changes -> {
            for (OWLOntologyChange c : changes) {
                if (c.isAddAxiom()) {
                    c.getAxiom().signature().forEach(e ->
                        mentionedIn.computeIfAbsent(e.getIRI(), k -> new LinkedHashSet<>()).add(log.currentFile));
                } else if (c instanceof AddOntologyAnnotation) {
                    mentionedIn.computeIfAbsent(((AddOntologyAnnotation) c).getAnnotation().getProperty().getIRI(),
                        k -> new LinkedHashSet<>()).add(log.currentFile);
                }
            }
        });

        // The first file is loaded as the ontology; every other file is parsed
        // into that same ontology, so that it sees the declarations made before
        // it (the knowledge graph is one graph; a file parsed on its own would
        // have its undeclared properties guessed as annotation properties).
        Map<String, OWLDocumentFormat> formats = new LinkedHashMap<>();
        OWLOntology ontology = null;
        for (String p : paths) {
            if (ontology == null) {
                ontology = load(m, p, log);
                if (ontology != null) {
                    formats.put(p, m.getOntologyFormat(ontology));
                    // the manager does not broadcast the changes of a load
                    for (OWLOntology o : ontology.getImportsClosure()) {
                        o.signature().forEach(e ->
                            mentionedIn.computeIfAbsent(e.getIRI(), k -> new LinkedHashSet<>()).add(p));
                        o.annotations().forEach(a ->
                            mentionedIn.computeIfAbsent(a.getProperty().getIRI(), k -> new LinkedHashSet<>()).add(p));
                    }
                }
            } else {
                OWLDocumentFormat f = parseInto(m, ontology, p, log);
                if (f != null) {
                    formats.put(p, f);
                }
            }
        }
        if (!log.errors.isEmpty()) {
            log.errors.forEach(OwlTool::emit);
            emit(obj("kind", "summary", "files", paths.size(), "problems", log.errors.size(), "loaded", false));
            return LOAD_FAILURE;
        }

        // Checked: the ontology with everything it imports, as one ontology.
        OWLOntology merged;
        if (ontology.getImportsClosure().size() == 1) {
            merged = ontology;
        } else {
            OWLOntologyManager mm = OWLManager.createOWLOntologyManager();
            merged = mm.createOntology(ontology.getOntologyID());
            for (OWLOntology c : ontology.getImportsClosure()) {
                mm.addAxioms(merged, c.axioms());
                for (OWLAnnotation a : c.getAnnotations()) {
                    mm.applyChange(new AddOntologyAnnotation(merged, a));
                }
            }
        }

        int problems = 0;
        for (Map<String, Object> mi : log.missingImports) {
            emit(mi);
            problems++;
        }

        // RDF triples the parser could not turn into axioms are silently lost
        // otherwise (e.g. an axiom annotation whose property is an object property).
        for (Map.Entry<String, OWLDocumentFormat> e : formats.entrySet()) {
            OWLDocumentFormat f = e.getValue();
            if (f == null) {
                continue;
            }
            Optional<OWLOntologyLoaderMetaData> meta = f.getOntologyLoaderMetaData();
            if (!meta.isPresent()) {
                continue;
            }
            List<RDFTriple> unparsed = meta.get().getUnparsedTriples().sorted().collect(Collectors.toList());
            for (RDFTriple t : unparsed) {
                emit(obj("kind", "unparsed-triple", "file", e.getKey(), "triple", t.toString(),
                    "subject", t.getSubject().toString(), "predicate", t.getPredicate().toString(),
                    "object", t.getObject().toString()));
                problems++;
            }
        }

        // Axiom annotations whose property is an object or data property are
        // dropped by the parser without a word (the reified owl:Axiom node
        // becomes an anonymous individual): find them in the RDF itself.
        for (String p : formats.keySet()) {
            problems += findDroppedAnnotations(p, merged);
        }

        OWLProfileReport report = Profiles.OWL2_DL.checkOntology(merged);
        Set<String> seen = new LinkedHashSet<>();
        for (OWLProfileViolation v : report.getViolations()) {
            String message = oneLine(v.toString());
            if (!seen.add(message)) {
                continue;
            }
            Map<String, Object> line = obj("kind", "profile", "type", v.getClass().getSimpleName(),
                "message", message);
            Object expression = v.getExpression();
            if (expression != null) {
                line.put("entity", describe(expression));
            }
            if (v.getAxiom() != null) {
                line.put("axiom", oneLine(v.getAxiom().toString()));
            }
            emit(line);
            problems++;
        }

        // Undeclared entities (the OWL API guesses a type for them silently).
        Map<IRI, Collection<Class<?>>> guessed = new HashMap<>();
        for (OWLDocumentFormat f : formats.values()) {
            if (f != null && f.getOntologyLoaderMetaData().isPresent()) {
                f.getOntologyLoaderMetaData().get().getGuessedDeclarations().asMap()
                    .forEach((iri, types) -> guessed.computeIfAbsent(iri, k -> new ArrayList<>()).addAll(types));
            }
        }
        Set<OWLEntity> signature = new TreeSet<>(merged.getSignature());
        for (OWLAnnotation a : merged.getAnnotations()) {
            signature.add(a.getProperty());
        }
        // Constructs the parser could not read (a restriction without
        // owl:onProperty, a list that is not a list...) become placeholder
        // entities in the OWL API's error namespace.
        for (OWLEntity entity : signature) {
            if (!entity.getIRI().toString().startsWith(ERROR_NAMESPACE)) {
                continue;
            }
            List<String> axioms = merged.referencingAxioms(entity).map(ax -> oneLine(ax.toString()))
                .sorted().collect(Collectors.toList());
            emit(obj("kind", "malformed", "placeholder", entity.getIRI().toString(), "axioms", axioms,
                "files", new ArrayList<>(mentionedIn.getOrDefault(entity.getIRI(), Set.of()))));
            problems++;
        }
        for (OWLEntity entity : signature) {
            if (ignorable(entity) || merged.isDeclared(entity)
                || entity.getIRI().toString().startsWith(ERROR_NAMESPACE)) {
                continue;
            }
            if (!individualsNeedDeclaring && entity.isOWLNamedIndividual()) {
                continue; // OWL 2 DL itself does not require individuals to be declared
            }
            List<String> files = new ArrayList<>(mentionedIn.getOrDefault(entity.getIRI(), Set.of()));
            Map<String, Object> line = obj("kind", "undeclared", "iri", entity.getIRI().toString(),
                "entity_type", entity.getEntityType().getName(), "files", files);
            if (guessed.containsKey(entity.getIRI())) {
                line.put("guessed", true);
            }
            emit(line);
            problems++;
        }

        // Punning: one IRI as two kinds of property, or as class and individual.
        Map<IRI, Set<EntityType<?>>> used = new TreeMap<>();
        Map<IRI, Set<EntityType<?>>> declared = new TreeMap<>();
        for (OWLEntity entity : signature) {
            used.computeIfAbsent(entity.getIRI(), k -> new TreeSet<>(OwlTool::compareTypes)).add(entity.getEntityType());
        }
        merged.axioms(org.semanticweb.owlapi.model.AxiomType.DECLARATION).forEach(d ->
            declared.computeIfAbsent(d.getEntity().getIRI(), k -> new TreeSet<>(OwlTool::compareTypes))
                .add(d.getEntity().getEntityType()));
        for (Map.Entry<IRI, Set<EntityType<?>>> e : used.entrySet()) {
            Set<EntityType<?>> types = e.getValue();
            int properties = 0;
            for (EntityType<?> t : types) {
                if (t == EntityType.OBJECT_PROPERTY || t == EntityType.DATA_PROPERTY || t == EntityType.ANNOTATION_PROPERTY) {
                    properties++;
                }
            }
            boolean classAndIndividual = types.contains(EntityType.CLASS) && types.contains(EntityType.NAMED_INDIVIDUAL);
            boolean classAndDatatype = types.contains(EntityType.CLASS) && types.contains(EntityType.DATATYPE);
            if (properties < 2 && !classAndIndividual && !classAndDatatype) {
                continue;
            }
            List<String> declaredAs = declared.getOrDefault(e.getKey(), Set.of()).stream()
                .map(EntityType::getName).collect(Collectors.toList());
            emit(obj("kind", "punned", "iri", e.getKey().toString(),
                "types", types.stream().map(EntityType::getName).collect(Collectors.toList()),
                "declared_as", declaredAs));
            problems++;
        }

        emit(obj("kind", "summary", "files", paths.size(), "axioms", merged.getAxiomCount(),
            "problems", problems, "loaded", true));
        return problems == 0 ? CLEAN : PROBLEMS;
    }

    static final String OWL = "http://www.w3.org/2002/07/owl#";
    static final String ERROR_NAMESPACE = "http://org.semanticweb.owlapi/error#";

    static int findDroppedAnnotations(String path, OWLOntology merged) {
        File file = new File(path);
        org.eclipse.rdf4j.rio.RDFFormat rdfFormat;
        OWLDocumentFormat format = formatFor(file);
        if (format == null) {
            format = sniff(file);
        }
        if (format instanceof TurtleDocumentFormat) {
            rdfFormat = org.eclipse.rdf4j.rio.RDFFormat.TURTLE;
        } else if (format instanceof RDFXMLDocumentFormat) {
            rdfFormat = org.eclipse.rdf4j.rio.RDFFormat.RDFXML;
        } else if (format instanceof NTriplesDocumentFormat) {
            rdfFormat = org.eclipse.rdf4j.rio.RDFFormat.NTRIPLES;
        } else {
            return 0; // not RDF: no reification to lose
        }
        org.eclipse.rdf4j.model.Model model;
        try (java.io.InputStream in = new java.io.FileInputStream(file)) {
            model = org.eclipse.rdf4j.rio.Rio.parse(in, file.toURI().toString(), rdfFormat);
        } catch (Exception e) {
            System.err.println("OwlTool: " + path + ": cannot re-read as RDF to look for dropped annotations: " + e);
            return 0;
        }
        org.eclipse.rdf4j.model.ValueFactory vf = org.eclipse.rdf4j.model.impl.SimpleValueFactory.getInstance();
        org.eclipse.rdf4j.model.IRI type = vf.createIRI(RDF + "type");
        Set<String> structural = Set.of(RDF + "type", OWL + "annotatedSource", OWL + "annotatedProperty",
            OWL + "annotatedTarget");
        int n = 0;
        for (String reifier : List.of(OWL + "Axiom", OWL + "Annotation")) {
            for (org.eclipse.rdf4j.model.Resource node : model.filter(null, type, vf.createIRI(reifier)).subjects()) {
                String source = model.filter(node, vf.createIRI(OWL + "annotatedSource"), null).objects().stream()
                    .map(Object::toString).findFirst().orElse("");
                String property = model.filter(node, vf.createIRI(OWL + "annotatedProperty"), null).objects().stream()
                    .map(Object::toString).findFirst().orElse("");
                String target = model.filter(node, vf.createIRI(OWL + "annotatedTarget"), null).objects().stream()
                    .map(Object::toString).findFirst().orElse("");
                for (org.eclipse.rdf4j.model.Statement st : model.filter(node, null, null)) {
                    String p = st.getPredicate().stringValue();
                    if (structural.contains(p)) {
                        continue;
                    }
                    IRI iri = IRI.create(p);
                    if (merged.containsObjectPropertyInSignature(iri) || merged.containsDataPropertyInSignature(iri)) {
                        emit(obj("kind", "dropped-annotation", "file", path, "property", p,
                            "annotated_source", source, "annotated_property", property,
                            "annotated_target", target, "value", st.getObject().toString()));
                        n++;
                    }
                }
            }
        }
        return n;
    }

    static int compareTypes(EntityType<?> a, EntityType<?> b) {
        return a.getName().compareTo(b.getName());
    }

    /** Built-ins need no declaration: owl:Thing, rdfs:label, xsd:*, rdf:PlainLiteral, rdf:langString... */
    static boolean ignorable(OWLEntity e) {
        if (e.isBuiltIn()) {
            return true;
        }
        if (e.isOWLDatatype()) {
            String iri = e.getIRI().toString();
            return iri.startsWith(XSD) || iri.equals(RDF + "PlainLiteral") || iri.equals(RDF + "langString")
                || iri.equals(RDF + "XMLLiteral") || iri.equals(RDFS + "Literal");
        }
        return false;
    }

    static String describe(Object expression) {
        if (expression instanceof OWLEntity) {
            OWLEntity e = (OWLEntity) expression;
            return e.getEntityType().getName() + " " + e.getIRI();
        }
        return oneLine(String.valueOf(expression));
    }

    // ---------------------------------------------------------------------- fmt

    static int fmt(String in, String outPath) throws Exception {
        LoadLog log = new LoadLog();
        OfflineMapper mapper = new OfflineMapper();
        mapper.readCatalogNextTo(new File(in));
        // Protégé loads with the OWL API's default configuration (punnings repaired).
        OWLOntologyManager m = newManager(mapper, log, true);
        OWLOntology o = load(m, in, log);
        if (o == null) {
            log.errors.forEach(OwlTool::emit);
            return LOAD_FAILURE;
        }
        TurtleDocumentFormat turtle = new TurtleDocumentFormat();
        OWLDocumentFormat loadedFormat = m.getOntologyFormat(o);
        if (loadedFormat != null && loadedFormat.isPrefixOWLDocumentFormat()) {
            PrefixDocumentFormat prefixes = loadedFormat.asPrefixOWLDocumentFormat();
            turtle.copyPrefixesFrom(prefixes);
        }
        File target = new File(outPath).getAbsoluteFile();
        try (FileOutputStream os = new FileOutputStream(target)) {
            m.saveOntology(o, turtle, new StreamDocumentTarget(os));
        }
        for (Map<String, Object> mi : log.missingImports) {
            emit(mi);
        }
        emit(obj("kind", "written", "file", outPath, "axioms", o.getAxiomCount()));
        return CLEAN;
    }

    // ---------------------------------------------------------------- roundtrip

    static final Pattern BLANK = Pattern.compile("_:[A-Za-z0-9_\\-.]+");

    static int roundtrip(String path) throws Exception {
        LoadLog log = new LoadLog();
        OfflineMapper mapper = new OfflineMapper();
        mapper.readCatalogNextTo(new File(path));
        OWLOntologyManager m1 = newManager(mapper, log, true);
        OWLOntology original = load(m1, path, log);
        if (original == null) {
            log.errors.forEach(OwlTool::emit);
            return LOAD_FAILURE;
        }
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        RDFXMLDocumentFormat rdfxml = new RDFXMLDocumentFormat();
        OWLDocumentFormat loadedFormat = m1.getOntologyFormat(original);
        if (loadedFormat != null && loadedFormat.isPrefixOWLDocumentFormat()) {
            rdfxml.copyPrefixesFrom(loadedFormat.asPrefixOWLDocumentFormat());
        }
        m1.saveOntology(original, rdfxml, new StreamDocumentTarget(buffer));

        LoadLog log2 = new LoadLog();
        OWLOntologyManager m2 = newManager(mapper, log2, true);
        OWLOntology again;
        try {
            IRI docIRI = IRI.create("urn:owltool:roundtrip:" + new File(path).getName());
            again = m2.loadOntologyFromOntologyDocument(new StreamDocumentSource(
                new ByteArrayInputStream(buffer.toByteArray()), docIRI, new RDFXMLDocumentFormat(), null));
        } catch (OWLOntologyCreationException e) {
            emit(obj("kind", "load-error", "file", path + " (as written to RDF/XML)",
                "message", oneLine(parserMessage(e))));
            return LOAD_FAILURE;
        }

        int differences = 0;
        if (!original.getOntologyID().equals(again.getOntologyID())) {
            emit(obj("kind", "lost", "what", "ontology-id", "item", original.getOntologyID().toString()));
            emit(obj("kind", "gained", "what", "ontology-id", "item", again.getOntologyID().toString()));
            differences += 2;
        }
        differences += compare("ontology-annotation",
            original.annotations().map(OwlTool::key).collect(Collectors.toList()),
            again.annotations().map(OwlTool::key).collect(Collectors.toList()));
        differences += compare("import",
            original.importsDeclarations().map(OWLImportsDeclaration::toString).collect(Collectors.toList()),
            again.importsDeclarations().map(OWLImportsDeclaration::toString).collect(Collectors.toList()));
        differences += compare("axiom",
            original.axioms().map(OwlTool::key).collect(Collectors.toList()),
            again.axioms().map(OwlTool::key).collect(Collectors.toList()));
        emit(obj("kind", "summary", "axioms", original.getAxiomCount(), "differences", differences));
        return differences == 0 ? CLEAN : PROBLEMS;
    }

    /**
     * A comparable key for an axiom or annotation: its functional-syntax form
     * (which includes its annotations), with blank node labels blanked out as
     * they are renamed by every parse.
     */
    static String key(Object o) {
        String s = o.toString();
        return BLANK.matcher(s).replaceAll("_:b");
    }

    static int compare(String what, List<String> before, List<String> after) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String s : before) {
            counts.merge(s, 1, Integer::sum);
        }
        for (String s : after) {
            counts.merge(s, -1, Integer::sum);
        }
        int n = 0;
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            int c = e.getValue();
            for (int i = 0; i < Math.abs(c); i++) {
                emit(obj("kind", c > 0 ? "lost" : "gained", "what", what, "item", oneLine(e.getKey())));
                n++;
            }
        }
        return n;
    }

    // --------------------------------------------------------------------- JSON

    static Map<String, Object> obj(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static void emit(Map<String, Object> m) {
        StringBuilder sb = new StringBuilder();
        writeJson(sb, m);
        out.println(sb);
    }

    static void writeJson(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            sb.append(v);
        } else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                writeJson(sb, String.valueOf(e.getKey()));
                sb.append(':');
                writeJson(sb, e.getValue());
            }
            sb.append('}');
        } else if (v instanceof Collection) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Collection<?>) v) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                writeJson(sb, o);
            }
            sb.append(']');
        } else {
            String s = v.toString();
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\').append(c);
                } else if (c < 0x20 || c > 0x7e) {
                    sb.append(String.format("\\u%04x", (int) c));
                } else {
                    sb.append(c);
                }
            }
            sb.append('"');
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        return s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
