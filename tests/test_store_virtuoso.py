"""The remote store on a second real engine: OpenLink Virtuoso (Debian's virtuoso-opensource).

A throwaway Virtuoso runs on free loopback ports with its own database in a temporary folder;
the seed graphs are loaded through the remote store (Graph Store Protocol into a staging graph,
then ``MOVE``) and must answer as the embedded store does: the cross-store queries of
``test_store.py``, every library query's example, whole-graph CONSTRUCTs.

``make test`` installs ``virtuoso-t`` and ``isql-vt`` when they are missing (``.ci/system-deps.sh``:
Debian's ``virtuoso-opensource-7-bin``, the server without its system service); run alone on a
machine without them, the module is skipped and says how to install them.
"""

from __future__ import annotations

import contextlib
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pyoxigraph as ox
import pytest

from tests.conftest import check_remote_load_is_all_or_nothing, free_port, stop, wait_for_http
from tests.support.lookups import seed_store
from tests.test_store import BASE, BOUND, QUERIES, normalise
from treatygraph.api.query_policy import PREDECLARED
from treatygraph.named_queries import library as ql
from treatygraph.store import (
    Boolean,
    LoadError,
    QuerySyntaxError,
    ResultTooLarge,
    Solutions,
    Store,
    Triples,
    open_store,
)
from treatygraph.store import remote as remote_module

if TYPE_CHECKING:
    from tests.conftest import Service

    StartApp = Callable[..., contextlib.AbstractContextManager[Service]]

VIRTUOSO = shutil.which("virtuoso-t")
ISQL = shutil.which("isql-vt")  # Debian's name for Virtuoso's isql (unixODBC has an isql too)
GRAPH = "https://w3id.org/treatygraph/graph"
REAL = f"{GRAPH}/real"  # the seed resolution's real graph
MAX_ROWS = 10_000  # the server's ResultSetMaxRows (Virtuoso's default); the real graph is less
LIBRARY = ql.load_library()
# Where the engines may differ, as SPARQL allows: the order of GROUP_CONCAT's parts, the order of
# rows that tie under ORDER BY, DESCRIBE's shape; and where Oxigraph 0.5 differs from SPARQL 1.1:
# GROUP_CONCAT of no value is unbound there, "" on Virtuoso (and in the standard).
_CONCAT = re.compile(
    r'GROUP_CONCAT\s*\((?:[^;()]|\([^()]*\))*;\s*separator\s*=\s*"([^"]*)"\s*\)\s*AS\s*\?(\w+)',
    re.IGNORECASE,
)

pytestmark = pytest.mark.skipif(
    VIRTUOSO is None or ISQL is None,
    reason="OpenLink Virtuoso is not installed (virtuoso-t and isql-vt): `make system-deps` "
    "(as root) installs Debian's virtuoso-opensource-7-bin",
)

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
DirsAllowed        = ., {dir}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
CheckpointInterval = 0
[HTTPServer]
ServerPort         = 127.0.0.1:{http_port}
ServerRoot         = {dir}
ServerThreads      = 4
[SPARQL]
ResultSetMaxRows      = {max_rows}
MaxQueryExecutionTime = 60
"""

# The anonymous SPARQL user may update (the load's MOVE) and write graphs (the Graph Store
# endpoint /sparql-graph-crud): for a throwaway loopback server only.
GRANTS = "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 7);"


@dataclass
class Virtuoso:
    directory: Path
    http_port: int
    sql_port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def spec(self, graph: str | None = GRAPH) -> str:
        spec = f"sparql+{self.url}/sparql?gsp=/sparql-graph-crud"
        return f"{spec}&graph={graph}" if graph else spec

    def start(self) -> Virtuoso:
        ini = self.directory / "virtuoso.ini"
        ini.write_text(
            INI.format(
                dir=self.directory,
                sql_port=self.sql_port,
                http_port=self.http_port,
                max_rows=MAX_ROWS,
            )
        )
        assert VIRTUOSO is not None
        self.process = subprocess.Popen(
            [VIRTUOSO, "+foreground", "+configfile", str(ini)],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_http(f"{self.url}/sparql?query=ASK%7B%7D", timeout=120, process=self.process)
        except (RuntimeError, TimeoutError) as e:
            log = self.directory / "virtuoso.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            self.stop()
            raise RuntimeError(f"{e}; virtuoso.log ends:\n{tail}") from None
        self.sql(GRANTS)
        return self

    def sql(self, statements: str) -> str:
        assert ISQL is not None
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0 and "*** Error" not in done.stdout + done.stderr, (
            done.stdout + done.stderr
        )
        return done.stdout

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def staging_graphs(self) -> list[str]:
        """The staging graphs on the server, asked directly (not through the remote store)."""
        query = (
            "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } "
            f'FILTER(STRSTARTS(STR(?g), "{remote_module.STAGING}")) }}'
        )
        answer = httpx.post(
            f"{self.url}/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        answer.raise_for_status()
        return [b["g"]["value"] for b in answer.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """A throwaway Virtuoso on loopback ports, its database in a temporary folder."""
    server = Virtuoso(tmp_path_factory.mktemp("virtuoso"), free_port(), free_port()).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def stores(virtuoso: Virtuoso, embedded_spec: str, seed_nt: Path) -> dict[str, Store]:
    """The seed graph, embedded and on Virtuoso (loaded through the remote store)."""
    open_store(virtuoso.spec(), read_only=False).load(seed_nt)
    return {
        "embedded": open_store(embedded_spec, read_only=True),
        "virtuoso": open_store(virtuoso.spec(), read_only=True),
    }


@pytest.fixture(scope="module")
def real_graph(virtuoso: Virtuoso, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Store]:
    """The seed resolution's real graph (the pipeline's), embedded and on Virtuoso, the
    latter in a graph of its own."""
    directory = tmp_path_factory.mktemp("real")
    embedded = seed_store(directory)
    spec = virtuoso.spec(REAL)
    assert open_store(spec, read_only=False).load(directory / "seed.nt") > 1000
    return {
        "embedded": open_store(embedded, read_only=True),
        "virtuoso": open_store(spec, read_only=True),
    }


# --- the same answers ---------------------------------------------------------------------------


def test_counts(stores: dict[str, Store], seed_size: int) -> None:
    """The loaded graph alone: not Virtuoso's own system graphs, which its default graph
    (the union of all graphs) holds too."""
    for store in stores.values():
        assert store.triple_count() == seed_size


@pytest.mark.parametrize("name", sorted(set(QUERIES) - {"describe"}))
def test_same_answers(stores: dict[str, Store], name: str) -> None:
    answers = [normalise(s.query(QUERIES[name], timeout=10)) for s in stores.values()]
    assert answers[0] == answers[1]
    assert answers[0] not in (set(), None)


def test_describe_adds_the_triples_that_point_at_the_resource(stores: dict[str, Store]) -> None:
    """DESCRIBE is the engine's choice: Oxigraph gives the resource's own triples, Virtuoso
    those and the triples whose object it is. (The linked-data pages use a CONSTRUCT.)"""
    embedded, virtuoso = (s.query(QUERIES["describe"], timeout=10) for s in stores.values())
    assert isinstance(embedded, Triples) and isinstance(virtuoso, Triples)
    own, more = set(embedded.triples), set(virtuoso.triples)
    crc = f"{BASE}instrument/crc"
    assert len(own) == 3 and own < more
    assert all(str(t.object) == f"<{crc}>" for t in more - own)


def test_ask_is_a_boolean(stores: dict[str, Store]) -> None:
    """Virtuoso answers ASK with a result set (__ASK_RETVAL): read as true and false."""
    virtuoso = stores["virtuoso"]
    assert virtuoso.query(QUERIES["ask yes"], timeout=10) == Boolean(True)
    assert virtuoso.query(QUERIES["ask no"], timeout=10) == Boolean(False)


# --- what /sparql adds to a query: a base IRI and the predeclared prefixes ------------------

QUERY_BASE = "https://w3id.org/treatygraph/id/"


@pytest.mark.parametrize(
    ("query", "value"),
    [
        ("SELECT (<x> AS ?y) {}", f"{QUERY_BASE}x"),
        ("BASE <http://example.org/a/> SELECT (<x> AS ?y) {}", "http://example.org/a/x"),
        ("SELECT (tg:cites AS ?y) {}", "https://w3id.org/treatygraph/ontology#cites"),
        (
            "PREFIX tg: <http://example.org/t#> SELECT (tg:cites AS ?y) {}",
            "http://example.org/t#cites",
        ),
        ("SELECT (cito:cites AS ?y) {}", "http://purl.org/spar/cito/cites"),
    ],
)
def test_the_base_and_the_prefixes_on_both_engines(
    stores: dict[str, Store], query: str, value: str
) -> None:
    """Virtuoso takes the remote store's prologue (BASE, then a PREFIX per undeclared
    prefix) as the embedded store takes pyoxigraph's base_iri and prefixes."""
    for store in stores.values():
        result = store.query(query, timeout=10, base_iri=QUERY_BASE, prefixes=PREDECLARED)
        assert isinstance(result, Solutions)
        assert [str(row[0].value) for row in result.rows if row[0] is not None] == [value]


def test_a_construct_with_relative_iris_on_virtuoso(stores: dict[str, Store]) -> None:
    query = "CONSTRUCT { <s> <p> 1 } WHERE {}"
    result = stores["virtuoso"].query(query, timeout=10, base_iri=QUERY_BASE)
    assert isinstance(result, Triples)
    (triple,) = list(result.triples)
    assert (triple.subject.value, triple.predicate.value) == (f"{QUERY_BASE}s", f"{QUERY_BASE}p")


def test_an_undeclared_prefix_is_named_on_virtuoso(stores: dict[str, Store]) -> None:
    """(Virtuoso knows foaf:, schema: and many more of its own: a made-up prefix here.)"""
    with pytest.raises(QuerySyntaxError, match=r"line 1, column 16: prefix 'nope:' is not decl"):
        stores["virtuoso"].query("SELECT ?n { ?p nope:name ?n }", timeout=10, prefixes=PREDECLARED)


def test_a_syntax_error_on_virtuoso_says_where(stores: dict[str, Store]) -> None:
    """Virtuoso's own words, its line counted from the query's first line."""
    with pytest.raises(QuerySyntaxError, match=r"line 2: syntax error"):
        stores["virtuoso"].query("SELECT ?x\nWHERE { ?x ?p }", timeout=10, prefixes=PREDECLARED)


@pytest.mark.parametrize("name", sorted(BOUND))
def test_same_answers_with_bindings(stores: dict[str, Store], name: str) -> None:
    query, bindings = BOUND[name]
    answers = [normalise(s.query(query, bindings=bindings, timeout=10)) for s in stores.values()]
    assert answers[0] == answers[1]
    assert answers[0]


def _comparable(query: ql.Query, table: ql.Table) -> Counter[tuple[object, ...]]:
    """The rows as a multiset, each GROUP_CONCAT cell as its sorted parts."""
    concat = {name: sep for sep, name in _CONCAT.findall(query.text)}
    assert set(concat) <= set(table.columns)

    def cell(column: str, value: ql.Value) -> object:
        if column not in concat:
            return value
        return tuple(sorted(str(value).split(concat[column]))) if value not in (None, "") else ()

    return Counter(
        tuple(cell(c, v) for c, v in zip(table.columns, row, strict=True)) for row in table.rows
    )


@pytest.mark.parametrize(
    "query",
    list(LIBRARY),
    ids=lambda q: q.name,
)
def test_library_queries_same_answers(real_graph: dict[str, Store], query: ql.Query) -> None:
    """Every library query's example: the documented rows, and the same rows as embedded."""
    embedded, virtuoso = (
        ql.Runner(store, LIBRARY).run(query.name, query.example) for store in real_graph.values()
    )
    assert isinstance(embedded, ql.Table) and isinstance(virtuoso, ql.Table)
    assert ql.mismatches(query, virtuoso) == []
    assert virtuoso.columns == embedded.columns and virtuoso.total == embedded.total
    assert _comparable(query, virtuoso) == _comparable(query, embedded)


def test_real_graph_same_answers(real_graph: dict[str, Store]) -> None:
    """The whole graph back, term for term (dates, numbers, language tags, escapes)."""
    queries = [
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "SELECT ?class (COUNT(?s) AS ?n) { ?s a ?class } GROUP BY ?class",
        "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p",
    ]
    for query in queries:
        answers = [normalise(s.query(query, timeout=30)) for s in real_graph.values()]
        assert answers[0] == answers[1], query


def test_a_query_with_its_own_dataset_keeps_it(
    stores: dict[str, Store], real_graph: dict[str, Store], seed_size: int
) -> None:
    """graph= is the default graph of the queries that name none; FROM names another."""
    virtuoso = stores["virtuoso"]
    assert _count(virtuoso, "") == seed_size
    assert _count(virtuoso, f"FROM <{REAL}>") == real_graph["embedded"].triple_count()


def _count(store: Store, dataset: str) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) {dataset} {{ ?s ?p ?o }}", timeout=10)
    assert isinstance(result, Solutions)
    (n,) = next(result.rows)
    assert isinstance(n, ox.Literal)
    return int(n.value)


def test_a_result_cut_by_the_server_is_an_error(real_graph: dict[str, Store]) -> None:
    """Virtuoso stops at ResultSetMaxRows and says so in a header: never a short answer."""
    query = "SELECT ?a ?b { ?a a ?c . ?b a ?d } LIMIT 20000"
    with pytest.raises(ResultTooLarge, match=f"cut the result at {MAX_ROWS} rows"):
        real_graph["virtuoso"].query(query, timeout=30)
    fits = real_graph["virtuoso"].query(query.replace("20000", "100"), timeout=30)
    assert isinstance(fits, Solutions) and len(list(fits.rows)) == 100


# --- loads --------------------------------------------------------------------------------------


def test_load_is_all_or_nothing(
    virtuoso: Virtuoso,
    tmp_path: Path,
    seed_nt: Path,
    seed_size: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(virtuoso.spec(f"{GRAPH}/atomic"), read_only=False)

    def no_staging_graph_left() -> None:
        assert virtuoso.staging_graphs() == []

    check_remote_load_is_all_or_nothing(
        store, tmp_path, seed_nt, seed_size, monkeypatch, after_failure=no_staging_graph_left
    )
    assert virtuoso.staging_graphs() == []
    assert store.load(seed_nt, trusted=True) == seed_size == store.triple_count()


def test_a_stale_staging_graph_is_dropped(
    virtuoso: Virtuoso, tmp_path: Path, seed_nt: Path, seed_size: int
) -> None:
    """A load that died midway left its staging graph: the next load finds it (Virtuoso's
    ``GRAPH ?g { }`` matches no graph, so it is found by its triples) and drops it."""
    stale = f"{remote_module.STAGING}left-behind"
    put = httpx.put(
        f"{virtuoso.url}/sparql-graph-crud",
        params={"graph": stale},
        content=b"<http://e/a> <http://e/b> <http://e/c> .\n",
        headers={"Content-Type": "application/n-triples"},
    )
    put.raise_for_status()
    assert virtuoso.staging_graphs() == [stale]
    store = open_store(virtuoso.spec(f"{GRAPH}/stale"), read_only=False)
    assert store.load(seed_nt) == seed_size
    assert virtuoso.staging_graphs() == []


def test_without_a_named_graph_the_load_is_refused_cleanly(
    virtuoso: Virtuoso, seed_nt: Path
) -> None:
    """Virtuoso has no plain default graph to MOVE into: the load fails with its reason,
    nothing is left behind."""
    store = open_store(virtuoso.spec(graph=None), read_only=False)
    with pytest.raises(LoadError, match=r"previous graph is unchanged") as caught:
        store.load(seed_nt)
    assert "default graph" in str(caught.value)
    assert virtuoso.staging_graphs() == []


# --- the service --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(
    real_graph: dict[str, Store], virtuoso: Virtuoso, start_app: StartApp
) -> Iterator[Service]:
    """The API (its own process) on the real graph in Virtuoso."""
    with start_app(virtuoso.spec(REAL), query_timeout=10) as running:
        yield running


def test_the_service_answers_from_virtuoso(service: Service, real_graph: dict[str, Store]) -> None:
    sparql = {"Accept": "application/sparql-results+json"}
    count = httpx.get(
        service.sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}, headers=sparql
    )
    assert count.status_code == 200, count.text
    n = count.json()["results"]["bindings"][0]["n"]["value"]
    assert int(n) == real_graph["embedded"].triple_count()  # the graph, no system graph
    ask = httpx.get(service.sparql, params={"query": "ASK { ?s ?p ?o }"}, headers=sparql)
    assert ask.json()["boolean"] is True
    citations = httpx.get(f"{service.url}/resolutions/A-RES-77-194/paragraphs/5/citations")
    assert citations.status_code == 200, citations.text
    assert len(citations.json()) == 17
    turtle = httpx.get(f"{service.url}/data/instrument/cedaw.ttl")
    assert turtle.status_code == 200 and "Discrimination against Women" in turtle.text


def test_the_network_view_on_virtuoso(service: Service) -> None:
    ego = httpx.get(f"{service.url}/network/ego", params={"instrument": "cedaw"}, timeout=60)
    assert ego.status_code == 200, ego.text
