"""The lookups' answers, made by the build: every answer of the lookup routes
(``treatygraph.api.routes.lookups``) written once into a read-only SQLite file that the
service reads instead of querying the store (``treatygraph.api.answers``).

Two steps. :func:`stage` runs before the store is loaded, over the parts of the graph the
build has just written: each resolution's own lines and the shared nodes it names (its
instruments and their UNTS records) go into a small in-memory pyoxigraph store, where the
library's own queries (resolutions, paragraphs, citations, sub-items, references,
footnotes, cited-by) run bound to that resolution, in as many processes as the build reads
with. Their rows are shaped by the routes' own functions into the exact JSON and CSV the
routes send. :func:`finish` runs on the loaded store (any store: embedded, Oxigraph server,
Virtuoso): the instrument-wide answers (the instruments, their details, UNTS records, ILO
codes), which count citations across resolutions, come from one unbound run of their
library queries; then the file is closed and moved into place with one ``os.replace``.

The file is never changed after that (the service opens it ``immutable=1``). Layout: one
row per URL path (``key``: the raw path, plus ``?kind=...`` for a kind of instruments);
a single resource has its whole JSON and CSV bodies; a list has its items' JSON joined by
``,`` and its CSV rows, with the end offset of each item, so that any page is two slices.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import multiprocessing
import os
import re
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from treatygraph.build.corpus import part_lines
from treatygraph.build.folders import scratch_folder
from treatygraph.named_queries import shapes
from treatygraph.named_queries.library import (
    Library,
    Table,
    Value,
    bind,
    collect,
    load_library,
    value,
)
from treatygraph.named_queries.output import csv_cell, to_csv
from treatygraph.rdf.iris import Ids
from treatygraph.store import Store
from treatygraph.store.binding import bind_values

FILE = "answers.sqlite"
VERSION = "1"
SAFE = re.compile(r"[A-Za-z0-9._~-]+")  # a path segment that needs no percent-encoding
PER_RESOLUTION = ("resolutions", "paragraphs", "citations", "sub-items", "references", "footnotes")
BULK_ROWS = 10_000_000
WINDOW = 64  # resolutions handed to the workers at a time
SCHEMA = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE answers (
  key TEXT PRIMARY KEY, paged INTEGER NOT NULL, json BLOB NOT NULL, csv BLOB NOT NULL,
  header BLOB NOT NULL, empty BLOB NOT NULL, json_ends BLOB NOT NULL, csv_ends BLOB NOT NULL
) WITHOUT ROWID;
CREATE TABLE staged.staged_list (seq INTEGER PRIMARY KEY, json BLOB NOT NULL, csv BLOB NOT NULL);
CREATE TABLE staged.staged_cites (
  seq INTEGER PRIMARY KEY, instrument TEXT NOT NULL, json BLOB NOT NULL, csv BLOB NOT NULL
);
"""
Row = Mapping[str, Value]
Answer = tuple[str, int, bytes, bytes, bytes, bytes, bytes, bytes]  # a row of `answers`


def dumps(data: Any) -> bytes:
    """JSON exactly as the routes' ``JSONResponse`` renders it."""
    return json.dumps(
        data, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
    ).encode("utf-8")


def single(key: str, data: Any, columns: Sequence[str], rows: Sequence[Row]) -> Answer:
    """One resource: its JSON body and its CSV body."""
    return (key, 0, dumps(data), to_csv(columns, rows).encode("utf-8"), b"", b"", b"", b"")


@dataclass(frozen=True, slots=True)
class Listed:
    """A list, item by item: each item's JSON and CSV row, the CSV header of a page that
    has items and that of an empty page (a route may name other columns then)."""

    items: list[bytes]
    rows: list[bytes]
    header: bytes
    empty: bytes

    def answer(self, key: str) -> Answer:
        return (
            key, 1, b",".join(self.items), b"".join(self.rows), self.header, self.empty,
            _ends(self.items, 1).tobytes(), _ends(self.rows, 0).tobytes(),
        )  # fmt: skip


def listed(items: Sequence[Any], flat: Sequence[Row], columns: Sequence[str],
           empty: Sequence[str]) -> Listed:  # fmt: skip
    header = to_csv(columns, []).encode("utf-8")
    return Listed([dumps(i) for i in items], csv_rows(columns, flat), header,
                  to_csv(empty, []).encode("utf-8"))  # fmt: skip


def csv_rows(columns: Sequence[str], flat: Sequence[Row]) -> list[bytes]:
    """Each row's line of :func:`to_csv` (``columns``, ``flat``), without the header: one
    writer for them all, each line cut from its buffer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    lines: list[bytes] = []
    for record in flat:
        writer.writerow([csv_cell(record.get(c)) for c in columns])
        lines.append(buffer.getvalue().encode("utf-8"))
        buffer.seek(0)
        buffer.truncate()
    return lines


def _ends(parts: Sequence[bytes], gap: int) -> array[int]:
    """Where each part ends in the parts joined with ``gap`` bytes between them."""
    ends, at = array("Q"), 0
    for n, part in enumerate(parts):
        at += len(part) + (gap if n else 0)
        ends.append(at)
    return ends


# --- one resolution -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Made:
    """What one resolution gives: its answers, its item of ``/resolutions`` (JSON, CSV row)
    and its citations as items of ``/instruments/{id}/cited-by`` (instrument IRI, JSON, CSV)."""

    answers: list[Answer]
    listed: tuple[bytes, bytes]
    cited: list[tuple[str, bytes, bytes]]


def resolution_answers(tables: Mapping[str, Table], cited_by: Table) -> Made:
    """Every answer about one resolution, from its rows of the library queries (bound to it),
    shaped as the routes shape them."""
    (row,) = tables["resolutions"].records()
    slug = shapes.slug_of(str(row["symbol"]))
    meta = shapes.resolution_meta(row)
    cites = shapes.citations_by_paragraph(tables["citations"])
    items = shapes.grouped(tables["sub-items"].records(), "paragraph")
    items_of = {str(group[0]["paragraph"]): group for group in items}
    made: list[Answer] = []
    paragraphs = []
    for p in tables["paragraphs"].records():
        pid = str(p["paragraph"])
        own = cites.get(pid, [])
        paragraph = shapes.paragraph_json(p, own, items_of.get(pid, []))
        paragraphs.append(paragraph)
        flat = [shapes.flat_citation(c) for c in own]
        columns = list(flat[0]) if flat else ["instrument"]
        if SAFE.fullmatch(pid):
            at = f"/resolutions/{slug}/paragraphs/{pid}"
            made.append(single(at, paragraph | {"resolution": meta}, columns, flat))
            made.append(listed(own, flat, columns, ["instrument"]).answer(f"{at}/citations"))
    refs = shapes.grouped(tables["references"].records(), "footnote")
    refs_of = {group[0]["footnote"]: group for group in refs}
    notes = shapes.grouped(tables["footnotes"].records(), "footnote")
    footnotes = [shapes.footnote_json(g, refs_of.get(g[0]["footnote"], [])) for g in notes]
    whole = {"resolution": meta, "paragraphs": paragraphs, "footnotes": footnotes}
    flat = [shapes.flat_paragraph(p) for p in paragraphs]
    if SAFE.fullmatch(slug):
        made.append(single(f"/resolutions/{slug}", whole, list(flat[0]) if flat else ["id"], flat))
    item = meta | shapes.counts(row) | {"iri": row["resolution"]}
    line = listed([item], [item], [*shapes.RESOLUTION_LIST_ITEM], [])
    cited = [
        (str(r["instrument"]), *_cited_item(shapes.cited_by_json(r))) for r in cited_by.records()
    ]
    return Made(made, (line.items[0], line.rows[0]), cited)


CITED_BY_COLUMNS = [*shapes.CITED_BY_EXAMPLE][:-1]


def _cited_item(item: Mapping[str, Any]) -> tuple[bytes, bytes]:
    flat = {k: v for k, v in item.items() if k != "span"}
    line = listed([item], [flat], CITED_BY_COLUMNS, [])
    return line.items[0], line.rows[0]


def run(store: ox.Store, library: Library, name: str, values: Mapping[str, str],
        base: str) -> Table:  # fmt: skip
    """A library query on an in-memory store, bound as the service binds it (unbound
    without ``values``)."""
    query = library[name]
    text = bind_values(query.text, bind(query, values, base=base)) if values else query.text
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    variables = tuple(v.value for v in result.variables)
    rows = tuple(tuple(map(value, r)) for r in result)
    return Table(variables, rows, len(rows))


# --- worker processes -----------------------------------------------------------------------

_SHARED: dict[bytes, bytes] = {}  # in a worker: shared subject "<iri>" → its lines
_BASE = ""
_LIBRARY: Library | None = None
_SHARED_OBJECT = re.compile(rb"x^")  # the objects that name a shared node the lookups read
LOOKED_UP = ("instrument/", "unts/", "body/")  # those nodes, under the base


def _start(shared: dict[bytes, bytes], base: str) -> None:
    global _SHARED, _BASE, _LIBRARY, _SHARED_OBJECT
    _SHARED, _BASE, _LIBRARY = shared, base, load_library()
    heads = b"|".join(re.escape(f"{base}{kind}".encode()) for kind in LOOKED_UP)
    _SHARED_OBJECT = re.compile(rb" (<(?:" + heads + rb")[^>]*>) \.\n")


def _answer(job: tuple[str, bytes]) -> Made:
    """In a worker: one resolution's answers from its own lines and the shared nodes they
    name (and the nodes those name: an instrument's UNTS records)."""
    symbol, own = job
    assert _LIBRARY is not None
    needed: dict[bytes, bytes] = {}
    frontier = set(_SHARED_OBJECT.findall(own))
    for _ in range(2):
        found = {s: _SHARED[s] for s in frontier if s in _SHARED and s not in needed}
        needed.update(found)
        frontier = set(_SHARED_OBJECT.findall(b"".join(found.values())))
    store = ox.Store()
    store.load(own + b"".join(needed.values()), ox.RdfFormat.N_TRIPLES)
    # The store holds this resolution alone: its queries run unbound give its rows, without
    # the cost of binding them (the tests compare every answer with the routes' own).
    tables = {name: run(store, _LIBRARY, name, {}, _BASE) for name in PER_RESOLUTION}
    symbols = [r["symbol"] for r in tables["resolutions"].records()]
    if symbols != [symbol]:
        raise ValueError(f"{symbol}: its answers' store holds the resolutions {symbols}")
    return resolution_answers(tables, run(store, _LIBRARY, "cited-by", {}, _BASE))


def shared_index(lines: Iterable[str]) -> dict[bytes, bytes]:
    """The shared lines by subject (``<iri>``), as UTF-8."""
    by: dict[bytes, list[bytes]] = defaultdict(list)
    for line in lines:
        data = line.encode("utf-8")
        by[data[: data.index(b" ")]].append(data)
    return {s: b"".join(group) for s, group in by.items()}


# --- the file -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """Where one resolution's own lines are: the part file, where they begin, their size."""

    symbol: str
    file: Path
    offset: int
    size: int


def stage(
    sources: Sequence[Source],
    shared: list[str],
    base: str,
    path: Path,
    *,
    jobs: int | None = None,
    stop: EventType | None = None,
) -> int:
    """Write every resolution's answers into a new file at ``path``; the number written.
    Setting ``stop`` (the build failed) ends it early with :class:`Stopped`."""
    path.unlink(missing_ok=True)
    _side(path).unlink(missing_ok=True)
    db = _open(path)
    try:
        # Pages of 64 KiB: most answers then fit in one page (a lookup reads no overflow chain).
        db.executescript("PRAGMA page_size=65536;" + SCHEMA)
        jobs_iter = ((s.symbol, part_lines(s.file, s.offset, 0, s.size)) for s in sources)
        count = 0
        workers = max(1, jobs or os.cpu_count() or 1) if len(sources) > WINDOW else 1
        for made in _made(jobs_iter, shared_index(shared), base, workers):
            if stop is not None and stop.is_set():
                raise Stopped(f"{path}: the build stopped before its answers were written")
            count += _store(db, made)
        db.commit()
        return count
    finally:
        db.close()


def stage_in_child(reply: Connection, sources: Sequence[Source], shared: list[str], base: str,
                   path: Path, jobs: int | None, stop: EventType) -> None:  # fmt: skip
    """:func:`stage` in a process of its own (so that it takes no time from the build's
    main process while that writes ``dist/``): sends back the number written, or the error."""
    try:
        reply.send(("ok", stage(sources, shared, base, path, jobs=jobs, stop=stop)))
    except Exception as err:  # the build reports it, naming the answers
        reply.send(("error", f"{type(err).__name__}: {err}"))
    finally:
        reply.close()


class Stopped(Exception):
    """The staging was stopped before it finished."""


def _made(jobs_iter: Iterator[tuple[str, bytes]], shared: dict[bytes, bytes], base: str,
          workers: int) -> Iterator[Made]:  # fmt: skip
    """Each resolution's answers, in order: in this process for a small corpus (starting a
    process costs more than a few dozen resolutions), else in ``workers`` processes."""
    if workers == 1:
        _start(shared, base)
        yield from map(_answer, jobs_iter)
        return
    # Spawned, not forked: pyoxigraph's threads do not survive a fork.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start, initargs=(shared, base)
    ) as pool:
        while batch := list(itertools.islice(jobs_iter, WINDOW)):  # bounded: parts are big
            yield from pool.map(_answer, batch, chunksize=4)


def _store(db: sqlite3.Connection, made: Made) -> int:
    db.executemany("INSERT INTO answers VALUES (?,?,?,?,?,?,?,?)", made.answers)
    db.execute("INSERT INTO staged_list (json, csv) VALUES (?,?)", made.listed)
    db.executemany("INSERT INTO staged_cites (instrument, json, csv) VALUES (?,?,?)", made.cited)
    return len(made.answers)


def finish(path: Path, store: Store, dest: Path, *, base: str, build: str) -> int:
    """Add the instrument-wide answers (from the loaded ``store``) to the file staged at
    ``path``, then move it to ``dest`` in one ``os.replace``; the number of answers."""
    db = _open(path)
    try:
        library = load_library()
        for answer in instrument_answers(db, store, library, Ids(base)):
            db.execute("INSERT INTO answers VALUES (?,?,?,?,?,?,?,?)", answer)
        db.executemany("INSERT INTO meta VALUES (?,?)", [("version", VERSION), ("build", build)])
        db.commit()
        (count,) = db.execute("SELECT COUNT(*) FROM answers").fetchone()
    finally:
        db.close()
    _side(path).unlink(missing_ok=True)
    with open(path, "rb") as f:
        os.fsync(f.fileno())
    os.replace(path, dest)
    return int(count)


def bulk(store: Store, library: Library, name: str) -> list[dict[str, Value]]:
    """A library query run over the whole graph (its parameters left unbound)."""
    result = store.query(library[name].text, timeout=3600.0)
    table = collect(result, max_rows=BULK_ROWS)
    assert isinstance(table, Table)
    return table.records()


def instrument_answers(db: sqlite3.Connection, store: Store, library: Library,
                       ids: Ids) -> Iterator[Answer]:  # fmt: skip
    """``/resolutions``, ``/instruments`` (all, and by kind), each instrument, who cites it,
    each UNTS record and ILO code."""
    staged = db.execute("SELECT json, csv FROM staged_list ORDER BY seq").fetchall()
    header = to_csv([*shapes.RESOLUTION_LIST_ITEM], []).encode("utf-8")
    resolutions = Listed([j for j, _ in staged], [c for _, c in staged], header, header)
    yield resolutions.answer("/resolutions")
    groups = shapes.grouped(bulk(store, library, "instruments"), "id")
    yield from _instrument_lists(groups)
    details: dict[str, Answer] = {}
    cites = _cites(db)
    cite_header = to_csv(CITED_BY_COLUMNS, []).encode("utf-8")
    for rows in groups:
        key = str(rows[0]["id"])
        if not SAFE.fullmatch(key):
            continue
        data = shapes.instrument_record(ids, rows)
        flat = [shapes.flat_instrument(data)]
        details[key] = single(f"/instruments/{key}", data, list(flat[0]), flat)
        yield details[key]
        items, lines = cites.get(str(rows[0]["instrument"]), ([], []))
        yield Listed(items, lines, cite_header, cite_header).answer(f"/instruments/{key}/cited-by")
    for r in bulk(store, library, "ilo"):
        found = details.get(str(r["instrument"]))
        if found is not None and SAFE.fullmatch(str(r["code"])):
            yield (f"/ilo/{r['code']}", *found[1:])
    yield from _unts(bulk(store, library, "unts"))


def _cites(db: sqlite3.Connection) -> dict[str, tuple[list[bytes], list[bytes]]]:
    out: dict[str, tuple[list[bytes], list[bytes]]] = defaultdict(lambda: ([], []))
    for iri, item, line in db.execute(
        "SELECT instrument, json, csv FROM staged_cites ORDER BY seq"
    ):
        out[iri][0].append(item)
        out[iri][1].append(line)
    return out


def _instrument_lists(groups: list[list[Row]]) -> Iterator[Answer]:
    items = [shapes.list_item(g) for g in groups]
    columns = [*shapes.INSTRUMENT_LIST_ITEM]
    yield _instrument_list("/instruments", items, columns)
    kinds: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        kinds[str(item["kind_key"])].append(item)
    for kind, chosen in sorted(kinds.items()):
        if SAFE.fullmatch(kind):
            yield _instrument_list(f"/instruments?kind={kind}", chosen, columns)


def _instrument_list(key: str, items: list[dict[str, Any]], columns: list[str]) -> Answer:
    return listed(items, [shapes.flat_instrument(i) for i in items], columns, columns).answer(key)


def _unts(rows: list[dict[str, Value]]) -> Iterator[Answer]:
    records: dict[tuple[Value, Value], list[dict[str, Value]]] = {}
    for r in rows:
        records.setdefault((r["volume"], r["number"]), []).append(r)
    for (volume, number), group in records.items():
        if not isinstance(volume, int) or not isinstance(number, int) or volume < 1 or number < 1:
            continue
        instruments = [shapes.instrument_json(g) for g in shapes.grouped(group, "instrument")]
        data: dict[str, Any] = {
            "volume": volume, "number": number, "label": group[0].get("label"),
            "iri": str(group[0]["record"]), "instruments": instruments,
        }  # fmt: skip
        if group[0].get("page") is not None:
            data["page"] = group[0]["page"]
        flat = [shapes.flat_instrument(i) for i in instruments]
        yield single(f"/unts/{volume}/{number}", data, list(flat[0]), flat)


def _open(path: Path) -> sqlite3.Connection:
    """The staged file, with the lists being put together in a file beside it (dropped at
    the end, so the answers file needs no VACUUM: nothing was ever deleted from it)."""
    db = sqlite3.connect(path)
    db.execute("ATTACH DATABASE ? AS staged", (str(_side(path)),))
    db.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
        "PRAGMA staged.journal_mode=OFF; PRAGMA staged.synchronous=OFF;"
    )
    return db


def _side(path: Path) -> Path:
    return path.with_name(path.name + ".lists")


@contextlib.contextmanager
def staging(out_dir: Path) -> Iterator[Path]:
    """A path for the staged file beside ``out_dir`` (on its disk), in a scratch folder of its
    own: removed unless moved, and what a killed build left is removed by the next build."""
    with scratch_folder(out_dir, "answers-") as folder:
        yield folder / "answers.sqlite"
