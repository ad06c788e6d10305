// The query page's editor: turns the plain text area into YASGUI's query editor (Yasqe)
// when its bundle is installed. The form stays the way queries run (a GET, so the URL is
// the link to share); the editor only helps write them. Nothing here calls out: the
// completers are our own lists (the ontology as served), not prefix.cc or LOV.
(function () {
  "use strict";
  var area = document.getElementById("query"), form = document.getElementById("query-form");
  var Yasqe = window.Yasqe;
  if (!area || !form || !Yasqe) return;
  var config = JSON.parse(document.getElementById("editor-config").textContent);

  var prefixes = Object.keys(config.prefixes).map(function (p) { return p + ": <" + config.prefixes[p] + ">"; });
  var constant = function (list) { return function () { return Promise.resolve(list); }; };
  Yasqe.forkAutocompleter("prefixes", { name: "gmg-prefixes", get: constant(prefixes), persistenceId: null }, false);
  Yasqe.forkAutocompleter("property", { name: "gmg-properties", get: constant(config.properties), bulk: true }, false);
  Yasqe.forkAutocompleter("class", { name: "gmg-classes", get: constant(config.classes), bulk: true }, false);
  Yasqe.defaults.autocompleters = ["gmg-prefixes", "gmg-properties", "gmg-classes", "variables"];

  var holder = document.createElement("div");
  holder.id = "editor";
  area.parentNode.insertBefore(holder, area);
  area.style.display = "none";
  var yasqe = new Yasqe(holder, {
    value: area.value,
    persistenceId: null,          // the URL, not local storage, holds the query
    consumeShareLink: null,
    createShareableLink: null,    // the page's URL is the link
    showQueryButton: false,
    resizeable: true,
    requestConfig: { endpoint: "/sparql" },
  });
  // Running a query is submitting the form (Ctrl+Enter included), never a request of the editor's own.
  var run = function () { area.value = yasqe.getValue(); form.submit(); return Promise.resolve(); };
  yasqe.query = run;
  holder.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); e.stopPropagation(); run(); }
  }, true);
  form.addEventListener("submit", function () { area.value = yasqe.getValue(); });
  window.gmgEditor = yasqe;

  // The server's error names a line and column: put the cursor there.
  var error = document.querySelector("#results .error[data-line]");
  if (error) {
    yasqe.focus();
    yasqe.setCursor({ line: +error.dataset.line - 1, ch: Math.max(0, +error.dataset.column - 1) });
  }
})();
