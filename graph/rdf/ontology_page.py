"""Generates the ontology's HTML page and JSON-LD context from ``ontology/treatygraph.ttl``.

    python -m treatygraph.rdf.ontology_page          # rewrite ontology/treatygraph.html and
    context.jsonld
    python -m treatygraph.rdf.ontology_page --check  # exit 1 if either is out of step with the TTL

Both outputs depend on the TTL only (sorted, no dates), so the committed files can be checked.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Literal, URIRef
from rdflib.term import Node

from treatygraph import resources
from treatygraph.rdf.vocab import PREFIXES, TG

ONTOLOGY_DIR = resources.ontology()
TTL = ONTOLOGY_DIR / "treatygraph.ttl"
HTML = ONTOLOGY_DIR / "treatygraph.html"
CONTEXT = ONTOLOGY_DIR / "context.jsonld"
ONTOLOGY_IRI = URIRef("https://w3id.org/treatygraph/ontology")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
KEYWORD_ALIASES = {"id": "@id", "type": "@type"}
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property)
SECTIONS = (
    ("classes", "Classes", (OWL.Class,)),
    ("object-properties", "Object properties", (OWL.ObjectProperty,)),
    ("datatype-properties", "Datatype properties", (OWL.DatatypeProperty,)),
    ("annotation-properties", "Annotation properties", (OWL.AnnotationProperty,)),
)


def load(path: Path = TTL) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


def prefixes(path: Path = TTL) -> dict[str, str]:
    """The TTL's own ``@prefix`` lines, then those the data adds (VoID, DCAT, Wikidata…)."""
    found = dict(re.findall(r"^@prefix\s+(\w*):\s*<([^>]+)>", path.read_text("utf-8"), re.M))
    return {**found, **{k: v for k, v in PREFIXES.items() if k not in found}}


def terms(g: rdflib.Graph, types: Iterable[URIRef]) -> list[URIRef]:
    """Subjects typed with any of ``types``, sorted by IRI."""
    found = {s for t in types for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    return sorted(found, key=str)


def is_ours(iri: URIRef) -> bool:
    return str(iri).startswith(TG)


def local(iri: URIRef) -> str:
    return re.split(r"[#/]", str(iri))[-1]


def curie(iri: Node, spaces: dict[str, str]) -> str:
    text = str(iri)
    for prefix, namespace in sorted(spaces.items(), key=lambda kv: -len(kv[1])):
        if text.startswith(namespace) and len(text) > len(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


# --- JSON-LD context ---------------------------------------------------------------------------


def context(g: rdflib.Graph, spaces: dict[str, str]) -> dict[str, Any]:
    """Keyword aliases, prefixes, then one term per class and property: ours by local name,
    reused ones by local name unless that name is taken (they stay compact IRIs)."""
    entries: dict[str, Any] = dict(KEYWORD_ALIASES)
    entries.update(spaces)
    defined: dict[str, Any] = {}
    vocabulary = terms(g, (OWL.Class, *PROPERTY_TYPES))
    for iri in sorted(vocabulary, key=lambda i: (not is_ours(i), str(i))):
        name = local(iri)
        if name in entries or name in defined:
            continue
        defined[name] = _definition(g, iri, spaces)
    entries.update(sorted(defined.items(), key=lambda kv: kv[0].casefold()))
    return {"@context": entries}


def _definition(g: rdflib.Graph, iri: URIRef, spaces: dict[str, str]) -> Any:
    name = curie(iri, spaces)
    coercion = _coercion(g, iri)
    return {"@id": name, "@type": coercion} if coercion else name


def _coercion(g: rdflib.Graph, iri: URIRef) -> str | None:
    """``@id`` for properties whose values are IRIs; ``xsd:date`` for dates. Integers and
    booleans are written as native JSON values, which need no coercion."""
    if (iri, RDF.type, OWL.ObjectProperty) in g:
        return "@id"
    if (iri, RDFS.range, XSD_DATE) in g:
        return "xsd:date"
    if (iri, RDF.type, OWL.AnnotationProperty) in g:
        values = list(g.objects(None, iri))
        if values and all(isinstance(v, URIRef) for v in values):
            return "@id"
    return None


def context_text(g: rdflib.Graph, spaces: dict[str, str]) -> str:
    return json.dumps(context(g, spaces), indent=2, ensure_ascii=False) + "\n"


# --- HTML --------------------------------------------------------------------------------------


def _text(g: rdflib.Graph, iri: Node, prop: URIRef) -> str:
    values = sorted(str(v) for v in g.objects(iri, prop) if isinstance(v, Literal))
    return " ".join(values)


def _link(iri: Node, spaces: dict[str, str]) -> str:
    label = html.escape(curie(iri, spaces))
    if isinstance(iri, URIRef) and is_ours(iri):
        return f'<a href="#{local(iri)}">{label}</a>'
    target = html.escape(str(iri))
    return f'<a href="{target}">{label}</a>'


def _links(g: rdflib.Graph, iri: URIRef, prop: URIRef, spaces: dict[str, str]) -> str:
    return ", ".join(_link(v, spaces) for v in sorted(g.objects(iri, prop), key=str))


REUSE_PROPS = (
    ("subclass of", RDFS.subClassOf),
    ("subproperty of", RDFS.subPropertyOf),
    ("inverse of", OWL.inverseOf),
    ("disjoint with", OWL.disjointWith),
    ("close match", SKOS.closeMatch),
    ("Wikidata", URIRef(TG + "wikidataProperty")),
    ("domain", RDFS.domain),
    ("range", RDFS.range),
)


def _entry(g: rdflib.Graph, iri: URIRef, spaces: dict[str, str]) -> str:
    rows = [
        f"<dt>IRI</dt><dd><code>{html.escape(iri)}</code></dd>",
        f"<dt>Definition</dt><dd>{html.escape(_text(g, iri, SKOS.definition))}</dd>",
    ]
    comment = _text(g, iri, RDFS.comment)
    if comment:
        rows.append(f"<dt>Note</dt><dd>{html.escape(comment)}</dd>")
    for caption, prop in REUSE_PROPS:
        links = _links(g, iri, prop, spaces)
        if links:
            rows.append(f"<dt>{caption}</dt><dd>{links}</dd>")
    label = html.escape(_text(g, iri, RDFS.label))
    return (
        f'<section class="term" id="{local(iri)}" data-iri="{html.escape(iri)}">\n'
        f"<h3>{label} <small>{html.escape(curie(iri, spaces))}</small></h3>\n"
        f"<dl>{''.join(rows)}</dl>\n</section>"
    )


def _scheme(g: rdflib.Graph, scheme: URIRef, spaces: dict[str, str]) -> str:
    concepts = sorted(
        (c for c in g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)), key=str
    )
    rows = []
    for c in concepts:
        extra = [_links(g, c, URIRef(TG + p), spaces) for p in ("instrumentClass", "citoProperty")]
        alt = "; ".join(sorted(str(a) for a in g.objects(c, SKOS.altLabel)))
        rows.append(
            f'<tr id="{local(c)}" data-iri="{html.escape(c)}">'
            f"<td><code>{html.escape(curie(c, spaces))}</code></td>"
            f"<td>{html.escape(_text(g, c, SKOS.prefLabel))}</td>"
            f"<td>{html.escape(_text(g, c, SKOS.definition))}</td>"
            f"<td>{' '.join(e for e in extra if e)}</td>"
            f"<td>{_links(g, c, SKOS.closeMatch, spaces)}</td>"
            f"<td>{html.escape(alt)}</td>"
            "</tr>"
        )
    return (
        f'<section class="scheme" id="{local(scheme)}" data-iri="{html.escape(scheme)}">\n'
        f"<h3>{html.escape(_text(g, scheme, RDFS.label))} "
        f"<small>{html.escape(curie(scheme, spaces))}</small></h3>\n"
        f"<p>{html.escape(_text(g, scheme, SKOS.definition))}</p>\n"
        "<table><tr><th>Concept</th><th>Label</th><th>Definition</th>"
        "<th>Class / property</th><th>Close match</th><th>Alternative labels</th></tr>\n"
        + "\n".join(rows)
        + "\n</table>\n</section>"
    )


def _reused(g: rdflib.Graph, spaces: dict[str, str]) -> str:
    rows = []
    for iri in terms(g, (OWL.Class, *PROPERTY_TYPES)):
        if is_ours(iri):
            continue
        kinds = sorted(local(t) for t in g.objects(iri, RDF.type) if isinstance(t, URIRef))
        rows.append(
            f'<tr id="{curie(iri, spaces).replace(":", "-")}" data-iri="{html.escape(iri)}">'
            f"<td>{_link(iri, spaces)}</td><td>{html.escape(', '.join(kinds))}</td>"
            f"<td>{html.escape(_text(g, iri, RDFS.label))}</td>"
            f"<td>{html.escape(_text(g, iri, RDFS.comment))}</td></tr>"
        )
    return (
        '<section id="reused"><h2>Reused terms</h2>\n<p>Declared in the ontology, not imported; '
        "the last column says how treatygraph uses each.</p>\n<table><tr><th>Term</th>"
        "<th>Declared as</th><th>Label</th><th>Use in treatygraph</th></tr>\n"
        + "\n".join(rows)
        + "\n</table></section>"
    )


STYLE = """body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;
line-height:1.4}code{font-size:.9em}h3 small{font-weight:normal;color:#555}
dl{display:grid;grid-template-columns:9em 1fr;gap:.2em 1em}dt{font-weight:bold}dd{margin:0}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em;
vertical-align:top;text-align:left}section.term{border-top:1px solid #ddd;padding-top:.5em}"""


def html_text(g: rdflib.Graph, spaces: dict[str, str]) -> str:
    body = []
    for anchor, caption, types in SECTIONS:
        ours = [iri for iri in terms(g, types) if is_ours(iri)]
        entries = "\n".join(_entry(g, iri, spaces) for iri in ours)
        body.append(f'<section id="{anchor}"><h2>{caption}</h2>\n{entries}\n</section>')
    schemes = "\n".join(_scheme(g, s, spaces) for s in terms(g, (SKOS.ConceptScheme,)))
    body.append(f'<section id="schemes"><h2>Concept schemes</h2>\n{schemes}\n</section>')
    body.append(_reused(g, spaces))
    space_rows = "".join(
        f"<tr><td><code>{p}:</code></td><td><code>{html.escape(n)}</code></td></tr>"
        for p, n in spaces.items()
    )
    o = ONTOLOGY_IRI
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(_text(g, o, DCT.title))}</title>
<style>{STYLE}</style>
</head>
<body>
<!-- Generated from treatygraph.ttl by python -m treatygraph.rdf.ontology_page; do not edit. -->
<h1>{html.escape(_text(g, o, DCT.title))}</h1>
<dl>
<dt>IRI</dt><dd><code>{o}</code></dd>
<dt>Namespace</dt><dd><code>{TG}</code> (prefix <code>tg:</code>)</dd>
<dt>Version</dt><dd>{html.escape(_text(g, o, OWL.versionInfo))}</dd>
<dt>Licence</dt><dd>{_links(g, o, DCT.license, spaces)}</dd>
</dl>
<p>{html.escape(_text(g, o, DCT.description))}</p>
<nav><a href="#classes">Classes</a> · <a href="#object-properties">Object properties</a> ·
<a href="#datatype-properties">Datatype properties</a> ·
<a href="#annotation-properties">Annotation properties</a> ·
<a href="#schemes">Concept schemes</a> · <a href="#reused">Reused terms</a> ·
<a href="#prefixes">Prefixes</a></nav>
{chr(10).join(body)}
<section id="prefixes"><h2>Prefixes</h2><table>{space_rows}</table></section>
</body>
</html>
"""


def outputs(path: Path = TTL) -> dict[Path, str]:
    """What the generator writes, by file."""
    g = load(path)
    spaces = prefixes(path)
    return {HTML: html_text(g, spaces), CONTEXT: context_text(g, spaces)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a file is out of step")
    args = parser.parse_args(argv)
    stale = []
    for path, text in outputs().items():
        if path.exists() and path.read_text("utf-8") == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text, "utf-8")
    for path in stale:
        print(f"{'out of step' if args.check else 'wrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
