// The query page: YASGUI on this endpoint, with example queries. Without the vendored
// assets (`make assets`) the plain form in the page stays in charge.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const form = document.getElementById("fallback");
  const textarea = document.getElementById("query");
  let yasgui = null;

  if (typeof window.Yasgui === "function") {
    // Class and property completion would ask a third-party service: keep requests local.
    const yasqe = window.Yasgui.Yasqe.defaults;
    yasqe.autocompleters = yasqe.autocompleters.filter((n) => n !== "class" && n !== "property");
    // A new tab's query: the predeclared prefixes spelled out (they may also be left out).
    yasqe.value = config.start;
    yasgui = new window.Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: config.endpoint, method: "POST" },
      copyEndpointOnNewTab: true,
      endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
      persistenceId: "treatygraph-sparql",
    });
    form.hidden = true;
  }

  function show(example) {
    if (yasgui) {
      const tab = yasgui.getTab();
      tab.setEndpoint && tab.setEndpoint(config.endpoint);
      tab.setQuery(example.query);
    } else {
      textarea.value = example.query;
    }
  }

  document.querySelectorAll("[data-example]").forEach((button) => {
    button.addEventListener("click", () => show(config.examples[Number(button.dataset.example)]));
  });
})();
