// The citation graph explorer: draws /explore/graph.json with Cytoscape.js, filters it,
// searches it, and shows one node's details from /explore/node.json in the side panel.
// Text from the graph is always set with textContent, never parsed as HTML.
(() => {
  "use strict";

  const config = JSON.parse(document.getElementById("explore-config").textContent);
  const colours = config.colours;
  const $ = (selector) => document.querySelector(selector);
  const status = $("#status");
  const panel = $("#panel");
  const KIND_NAMES = {
    resolution: "Resolution",
    paragraph: "Paragraph",
    footnote: "Footnote",
    instrument: "Instrument",
  };
  const LEVEL_NAMES = {
    full: "Everything",
    resolutions: "Resolutions and instruments",
    instruments: "Instruments only",
    resolution: "One resolution",
    neighbours: "Neighbourhood",
  };
  const LINK_NAMES = { "linked data": "Its page (linked data)", IRI: "Its IRI" };
  const DOWNLOADS = [
    ["gexf", "GEXF (Gephi)"],
    ["graphml", "GraphML"],
    ["cytoscape", "Cytoscape JSON"],
    ["nodelink", "Node-link JSON (D3)"],
    ["dot", "DOT (Graphviz)"],
    ["csv", "CSV nodes and edges"],
    ["turtle", "RDF Turtle"],
  ];
  const BIG = 400; // above this many nodes, a quick concentric layout instead of a force one

  let cy = null;
  let current = { level: "auto" };
  let resolveReady;
  const ready = new Promise((resolve) => { resolveReady = resolve; });

  // --- small helpers -----------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "style") node.style.cssText = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  async function getJSON(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try { detail = (await response.json()).detail || detail; } catch (e) { /* not JSON */ }
      throw new Error(detail);
    }
    return response.json();
  }

  function url(base, params) {
    const u = new URL(base, window.location.href);
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== undefined && value !== null) u.searchParams.set(key, value);
    }
    return u.toString();
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function colourKey(data) {
    if (data.kind === "paragraph") return data.part || "operative";
    if (data.kind === "instrument") {
      return colours[data.instrument_kind] ? data.instrument_kind : "other";
    }
    return data.kind;
  }

  function shortName(data) {
    if (data.kind === "paragraph") return data.local_id || data.label;
    if (data.kind === "footnote") return `fn ${data.number}`;
    if (data.kind === "instrument" && data.short_title) return data.short_title.split("; ")[0];
    const label = String(data.label || data.ref);
    return label.length > 42 ? `${label.slice(0, 40)}…` : label;
  }

  function untsText(unts) {
    if (!unts) return null;
    return unts.split("; ").map((record) => {
      const [volume, number] = record.split("/");
      return number ? `vol. ${volume}, No. ${number}` : `vol. ${volume}`;
    }).join("; ");
  }

  function humanKind(key) {
    const text = String(key).replace(/-/g, " ").replace(/\bilo\b/i, "ILO").replace(/\bun\b/i, "UN");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // --- the graph ---------------------------------------------------------------------------

  function styles() {
    const sheet = [
      {
        selector: "node",
        style: {
          "background-color": "data(colour)",
          label: "data(short)",
          width: "data(size)",
          height: "data(size)",
          "font-size": 9,
          "font-family": "system-ui, sans-serif",
          color: "#20242a",
          "text-valign": "bottom",
          "text-margin-y": 2,
          "text-wrap": "ellipsis",
          "text-max-width": 120,
          "min-zoomed-font-size": 7,
          "border-width": 1,
          "border-color": "#ffffff",
        },
      },
      { selector: "node.resolution", style: { shape: "round-rectangle", "font-size": 12, "font-weight": 600 } },
      { selector: "node.paragraph", style: { "font-size": 7, color: "#4b5563" } },
      { selector: "node.footnote", style: { shape: "diamond", label: "" } },
      { selector: "node.instrument", style: { "font-size": 10, "text-background-color": "#ffffff", "text-background-opacity": 0.7, "text-background-padding": 1 } },
      {
        selector: "edge",
        style: {
          width: 1,
          "line-color": "#c3c9d2",
          "curve-style": "straight",
          "target-arrow-shape": "none",
          opacity: 0.75,
        },
      },
      { selector: "edge.cites", style: { "line-color": "#8ea2bd", width: "mapData(weight, 1, 20, 1, 5)" } },
      { selector: "edge.supplements", style: { "line-color": "#b4572b", width: 2, "line-style": "dashed", "target-arrow-shape": "triangle", "target-arrow-color": "#b4572b", "arrow-scale": 0.8 } },
      { selector: "edge.part_of", style: { "line-color": "#dde2e8" } },
      { selector: "edge.cocited", style: { "line-color": "#9aa8ba", width: "mapData(weight, 1, 30, 1, 6)" } },
      { selector: "edge.references, edge.has_footnote", style: { "line-color": "#e2e2e2", "line-style": "dotted" } },
      { selector: ".faded", style: { opacity: 0.12, "text-opacity": 0 } },
      { selector: "node.focus", style: { "border-width": 3, "border-color": "#111827", "z-index": 10, "text-opacity": 1, "font-weight": 700 } },
      { selector: "node.neighbour", style: { "text-opacity": 1, "z-index": 9 } },
      { selector: "node:selected", style: { "overlay-opacity": 0 } },
      { selector: ".filtered", style: { display: "none" } },
    ];
    return sheet;
  }

  function decorate(collection) {
    collection.nodes().forEach((node) => {
      const data = node.data();
      const key = colourKey(data);
      let size = 12;
      if (data.kind === "resolution") size = 34;
      else if (data.kind === "footnote") size = 8;
      else if (data.kind === "instrument") {
        const citing = data.paragraphs !== undefined
          ? data.paragraphs
          : node.incomers("edge.cites").length;
        size = Math.min(64, 14 + 6 * Math.log2(1 + citing)); // readable from 1 to 10,000 citations
      }
      node.data({ colour: colours[key] || colours.other, short: shortName(data), size });
    });
    collection.edges().forEach((edge) => {
      edge.data("weight", edge.data("paragraphs") || edge.data("citations") || 1);
    });
  }

  function layoutOptions(count) {
    if (count > BIG) {
      // Rings by degree: the most connected in the middle, about ten rings in all.
      const top = cy.nodes().maxDegree(false) || 1;
      return {
        name: "concentric",
        animate: false,
        concentric: (node) => node.degree(false),
        levelWidth: () => Math.max(1, top / 10),
        minNodeSpacing: 2,
        spacingFactor: 0.6,
      };
    }
    return {
      name: "cose",
      animate: false,
      randomize: true,
      nodeRepulsion: () => 9000,
      idealEdgeLength: (edge) => (edge.hasClass("part_of") ? 50 : 80),
      edgeElasticity: (edge) => (edge.hasClass("part_of") ? 60 : 120),
      gravity: 0.6,
      numIter: 1500,
      padding: 24,
    };
  }

  function runLayout(collection) {
    const visible = collection.filter((e) => !e.hasClass("filtered"));
    const layout = visible.layout(layoutOptions(visible.nodes().length));
    const done = new Promise((resolve) => layout.one("layoutstop", resolve));
    layout.run();
    return done;
  }

  function describeCounts() {
    const nodes = cy.nodes().filter((n) => !n.hasClass("filtered")).length;
    const edges = cy.edges().filter((e) => e.visible()).length;
    const name = (LEVEL_NAMES[current.level] || current.level) + (current.note ? ` (${current.note})` : "");
    const total = current.total ? ` · the whole graph has ${current.total.nodes} nodes` : "";
    say(`${name}: ${nodes} nodes, ${edges} edges shown${total}.`);
  }

  async function load(level) {
    say("Loading the graph…");
    const data = await getJSON(url(config.graph, { level }));
    current = { level: data.level, total: data.total, note: data.note };
    $("#level").value = level;
    cy.elements().remove();
    cy.add(data.elements.nodes);
    cy.add(data.elements.edges);
    decorate(cy.elements());
    buildKinds(data.instrument_kinds);
    applyFilters();
    await runLayout(cy.elements());
    cy.fit(undefined, 24);
    buildDownloads();
    describeCounts();
  }

  async function addGraph(params, around) {
    const data = await getJSON(url(config.graph, params));
    const fresh = cy.collection();
    for (const element of [...data.elements.nodes, ...data.elements.edges]) {
      if (cy.getElementById(element.data.id).empty()) fresh.merge(cy.add(element));
    }
    decorate(cy.elements());
    applyFilters();
    if (fresh.nodes().length) {
      // New nodes go around the node asked for, else around a node already drawn that
      // they touch, else in the middle of the screen.
      let anchor = around ? cy.getElementById(around) : cy.collection();
      if (anchor.empty() || fresh.contains(anchor)) anchor = fresh.nodes().neighborhood().nodes().not(fresh).first();
      const extent = cy.extent();
      const centre = anchor.nonempty()
        ? anchor.position()
        : { x: (extent.x1 + extent.x2) / 2, y: (extent.y1 + extent.y2) / 2 };
      const layout = fresh.nodes().layout({
        name: "concentric",
        animate: false,
        boundingBox: { x1: centre.x - 220, y1: centre.y - 220, w: 440, h: 440 },
        concentric: (node) => (node.data("kind") === "paragraph" ? 2 : 1),
        levelWidth: () => 1,
      });
      layout.run();
    }
    describeCounts();
    return fresh;
  }

  // --- filters -----------------------------------------------------------------------------

  function buildKinds(counts) {
    const box = $("#kinds");
    box.replaceChildren();
    for (const [key, count] of Object.entries(counts || {})) {
      box.append(el("label", { class: "check" },
        el("input", { type: "checkbox", name: "kind", value: key, checked: "", onchange: applyFilters }),
        el("span", { class: "swatch", style: `background:${colours[key] || colours.other}` }),
        `${humanKind(key)} `,
        el("span", { class: "count" }, String(count))));
    }
  }

  function applyFilters() {
    const parts = new Set([...document.querySelectorAll("input[name=part]:checked")].map((i) => i.value));
    const kinds = new Set([...document.querySelectorAll("input[name=kind]")].filter((i) => i.checked).map((i) => i.value));
    const allKinds = document.querySelectorAll("input[name=kind]").length === 0;
    const footnotes = $("input[name=footnotes]").checked;
    cy.batch(() => {
      cy.nodes().forEach((node) => {
        const data = node.data();
        let hidden = false;
        if (data.kind === "paragraph") hidden = !parts.has(data.part);
        else if (data.kind === "footnote") hidden = !footnotes;
        else if (data.kind === "instrument") hidden = !allKinds && !kinds.has(colourKey(data));
        node.toggleClass("filtered", hidden);
      });
    });
    if (cy.nodes().length) describeCounts();
  }

  function buildDownloads() {
    const list = $("#downloads");
    list.replaceChildren();
    const scope = current.level === "resolutions" || current.level === "instruments"
      ? { aggregate: current.level }
      : {};
    for (const [name, label] of DOWNLOADS) {
      list.append(el("li", {}, el("a", { href: url(`${config.export}/${name}`, scope), download: "" }, label)));
    }
  }

  // --- selection and the side panel --------------------------------------------------------

  function highlight(id) {
    cy.elements().removeClass("faded focus neighbour");
    const node = cy.getElementById(id);
    if (node.empty()) return;
    const near = node.closedNeighborhood();
    cy.elements().not(near).addClass("faded");
    near.nodes().addClass("neighbour");
    node.addClass("focus");
  }

  // Show a node (an id or any ref the server knows) in the panel and highlight it; with
  // `load`, a node not drawn yet is drawn with its neighbours first.
  async function select(ref, options) {
    const opts = options || {};
    panel.replaceChildren(el("p", { class: "hint" }, "Loading…"));
    let data;
    try {
      data = await getJSON(url(config.node, { id: ref }));
    } catch (error) {
      panel.replaceChildren(el("p", { class: "error" }, `Could not load this node: ${error.message}`));
      return;
    }
    showNode(data);
    if (cy.getElementById(data.id).empty() && opts.load) {
      await addGraph({ around: data.id, depth: 1 }, null);
    }
    highlight(data.id);
    const node = cy.getElementById(data.id);
    if (!node.empty() && opts.centre) {
      cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1.1) }, { duration: 250 });
    }
  }

  // A link to another node: a real link (?node=...) that the page follows without reloading.
  function nodeButton(item, text) {
    return el("a", {
      class: "link",
      href: url(window.location.pathname, { node: item.ref }),
      "data-id": item.id,
      onclick: (event) => {
        event.preventDefault();
        select(item.id, { centre: true, load: true });
      },
    }, text || item.label);
  }

  function dot(item) {
    return el("span", { class: "dot", style: `background:${item.colour}` });
  }

  function field(name, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) return null;
    return [el("dt", {}, name), el("dd", {}, value)];
  }

  function joinNodes(items, short) {
    const out = [];
    items.forEach((item, i) => {
      if (i) out.push(", ");
      out.push(nodeButton(item, short ? item.ref.split(" ").pop() : item.ref));
    });
    return out;
  }

  function evidence(item) {
    const meta = [];
    if (item.intent) meta.push(item.intent.replace(/-/g, " "));
    if (item.via) meta.push(`found by ${item.via}`);
    if (item.footnotes) meta.push(`footnote ${item.footnotes}`);
    if (item.citations > 1) meta.push(`${item.citations} citations`);
    return [
      ...(item.quotes || []).map((words) => el("q", {}, words)),
      meta.length ? el("span", { class: "meta" }, meta.join(" · ")) : null,
    ];
  }

  function header(data) {
    const kind = data.kind === "paragraph" ? `${data.part} paragraph`
      : data.kind === "instrument" ? humanKind(data.instrument_kind || "instrument")
        : KIND_NAMES[data.kind];
    return el("header", {},
      el("span", { class: "badge", style: `background:${data.colour}` }, kind),
      el("h2", {}, data.kind === "instrument" ? data.label : data.ref));
  }

  function links(data) {
    return el("ul", { class: "links" }, data.links.map((link) =>
      el("li", {}, el("a", { href: link.href, rel: "noopener", target: "_blank" }, LINK_NAMES[link.rel] || link.rel))));
  }

  function actions(data) {
    const box = el("div", { class: "actions" });
    if (data.kind === "resolution") {
      box.append(el("button", { type: "button", onclick: () => addGraph({ resolution: data.id }, data.id).then(() => highlight(data.id)) }, "Show its paragraphs"));
    }
    box.append(el("button", { type: "button", onclick: () => addGraph({ around: data.id, depth: 1 }, data.id).then(() => highlight(data.id)) }, "Show neighbours"));
    return box;
  }

  function showNode(data) {
    const parts = [header(data)];
    if (data.kind === "instrument") parts.push(...instrumentPanel(data));
    else if (data.kind === "resolution") parts.push(...resolutionPanel(data));
    else parts.push(...textPanel(data));
    parts.push(el("h3", {}, "Links"), links(data), actions(data));
    panel.replaceChildren(el("article", { class: `node ${data.kind}`, "data-id": data.id }, parts));
    panel.scrollTop = 0;
  }

  function instrumentPanel(data) {
    const facts = el("dl", {},
      field("Short title", data.short_title),
      field("Title", data.title && data.title !== data.label ? data.title : null),
      field("UNTS", untsText(data.unts)),
      field("ILO code", data.ilo_code),
      field("Symbol", data.symbol),
      field("Adopted", data.adoption_date),
      field("In force", data.entry_into_force),
      field("Supplements", data.supplements.length ? joinNodes(data.supplements) : null),
      field("Supplemented by", data.supplemented_by.length ? joinNodes(data.supplemented_by) : null));
    const count = data.cited_by_total;
    const shown = data.cited_by.length < count ? ` (the first ${data.cited_by.length})` : "";
    return [
      facts,
      el("h3", {}, `Cited in ${count} paragraph${count === 1 ? "" : "s"}${shown}`),
      el("ol", { class: "cited-by" }, data.cited_by.map((item) =>
        el("li", {}, nodeButton(item, item.ref), ...evidence(item)))),
    ];
  }

  function textPanel(data) {
    const count = data.cites.length;
    const verb = data.kind === "footnote" ? "References" : "Cites";
    return [
      data.text ? el("blockquote", { class: "text" }, data.text) : null,
      el("dl", {},
        field("Resolution", joinNodes([data.resolution])),
        field("Footnotes", data.footnotes && data.footnotes.length ? joinNodes(data.footnotes, true) : null)),
      el("h3", {}, `${verb} ${count} instrument${count === 1 ? "" : "s"}`),
      el("ol", { class: "cites" }, data.cites.map((item) =>
        el("li", {},
          dot(item),
          nodeButton(item),
          el("span", { class: "meta" }, [...new Set([item.short_title, untsText(item.unts) && `UNTS ${untsText(item.unts)}`, item.ilo_code].filter(Boolean))].join(" · ")),
          ...evidence(item)))),
    ];
  }

  function resolutionPanel(data) {
    const direct = data.cites.filter((item) => item.direct);
    const parents = data.cites.filter((item) => !item.direct);
    return [
      el("p", { class: "title" }, data.title || ""),
      el("dl", {},
        field("Session", data.session),
        field("Adopted", data.adoption_date),
        field("Paragraphs", String(data.paragraphs)),
        field("Footnotes", String(data.footnotes))),
      el("h3", {}, `Cites ${direct.length} instruments`),
      el("ol", { class: "cites" }, direct.map((item) =>
        el("li", {}, dot(item), nodeButton(item), el("span", { class: "meta" }, `in ${item.paragraphs.join(", ")}`)))),
      parents.length ? el("h3", {}, `and, through protocols, ${parents.length} more`) : null,
      parents.length ? el("ol", { class: "cites" }, parents.map((item) =>
        el("li", {}, dot(item), nodeButton(item), el("span", { class: "meta" }, `through ${item.through.join(", ")}`)))) : null,
    ];
  }

  // --- search ------------------------------------------------------------------------------

  let searchTimer = null;
  async function suggest(text) {
    const list = $("#matches");
    if (!text.trim()) { list.hidden = true; return []; }
    const data = await getJSON(url(config.search, { q: text, limit: 10 }));
    list.replaceChildren(...data.matches.map((item) => el("li", {},
      el("button", { type: "button", onclick: () => { list.hidden = true; select(item.id, { centre: true, load: true }); } },
        el("span", { class: "kind" }, KIND_NAMES[item.kind]), item.kind === "instrument" ? item.label : item.ref))));
    list.hidden = data.matches.length === 0;
    return data.matches;
  }

  function wireSearch() {
    const input = $("#q");
    input.addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => suggest(input.value).catch((e) => say(e.message, true)), 150);
    });
    input.addEventListener("keydown", (event) => { if (event.key === "Escape") $("#matches").hidden = true; });
    document.addEventListener("click", (event) => {
      if (!$("#search").contains(event.target)) $("#matches").hidden = true;
    });
    $("#search").addEventListener("submit", async (event) => {
      event.preventDefault();
      clearTimeout(searchTimer);
      try {
        const matches = await suggest(input.value);
        if (!matches.length) { say(`Nothing matches “${input.value}”.`, true); return; }
        $("#matches").hidden = true;
        await select(matches[0].id, { centre: true, load: true });
      } catch (error) { say(error.message, true); }
    });
  }

  // --- start -------------------------------------------------------------------------------

  function legend() {
    const names = { resolution: "Resolution", preambular: "Preambular paragraph", operative: "Operative paragraph", footnote: "Footnote" };
    $("#legend").replaceChildren(...Object.entries(colours).map(([key, colour]) =>
      el("li", {}, el("span", { class: "swatch", style: `background:${colour}` }), names[key] || humanKind(key))));
    document.querySelectorAll(".swatch[data-colour]").forEach((s) => { s.style.background = colours[s.dataset.colour]; });
  }

  async function start() {
    legend();
    if (typeof window.cytoscape !== "function") {
      say("Cytoscape.js is not installed on this server (make assets).", true);
      return;
    }
    cy = window.cytoscape({
      container: $("#cy"),
      style: styles(),
      minZoom: 0.05,
      maxZoom: 4,
      hideEdgesOnViewport: false,
      textureOnViewport: false,
    });
    cy.on("tap", "node", (event) => select(event.target.id()));
    cy.on("tap", (event) => { if (event.target === cy) cy.elements().removeClass("faded focus neighbour"); });
    document.querySelectorAll("input[name=part], input[name=footnotes]").forEach((i) => i.addEventListener("change", applyFilters));
    $("#level").addEventListener("change", (event) => load(event.target.value).catch((e) => say(e.message, true)));
    $("#fit").addEventListener("click", () => cy.fit(cy.elements(":visible"), 24));
    $("#relayout").addEventListener("click", () => runLayout(cy.elements()).then(() => cy.fit(undefined, 24)));
    wireSearch();
    // The address may name a level (?level=instruments) and a node to show (?node=crc).
    const asked = new URLSearchParams(window.location.search);
    await load(asked.get("level") || "auto");
    if (asked.get("node")) await select(asked.get("node"), { centre: true, load: true });
  }

  window.explorer = { ready, select, cy: () => cy, load };
  start().then(() => resolveReady(true), (error) => { say(`The graph could not be loaded: ${error.message}`, true); resolveReady(false); });
})();
