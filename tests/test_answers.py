"""The build's answers of the lookups (treatygraph.build.answers, treatygraph.api.answers):
every answer the build wrote is, byte for byte and header for header, what the route gives
from the store with the answers off; only exact, canonical requests are served from them."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, OxigraphServer
from treatygraph.api.answers import Answers
from treatygraph.api.app import create_app
from treatygraph.api.settings import Settings
from treatygraph.build.answers import FILE, csv_rows
from treatygraph.build.pipeline import run_build
from treatygraph.named_queries.library import Value
from treatygraph.named_queries.output import to_csv

IGNORED = {"etag", "date", "server"}  # the answers add an ETag; the rest is the transport's


def _build(corpus: Path, tmp: Path) -> Path:
    run_build(corpus, out_dir=tmp / "dist", store=str(tmp / "store"), jobs=1, progress=False)
    return tmp / "store"


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(ROOT / "corpus", tmp_path_factory.mktemp("answers-seed"))


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("answers-synth")
    command = [sys.executable, "-m", "treatygraph", "synth", "--resolutions", "30", "--seed", "3"]
    subprocess.run([*command, str(tmp / "corpus")], check=True, capture_output=True)
    return _build(tmp / "corpus", tmp)


class Apps:
    """The service on one store twice: with its answers (as shipped) and without."""

    def __init__(self, store: Path) -> None:
        self.on = create_app(Settings(store=str(store), cache=False, answers="on"))
        self.off = create_app(Settings(store=str(store), cache=False, answers="off"))

    def get(self, *paths: str, headers: dict[str, str] | None = None,
            on: bool = True) -> list[httpx.Response]:  # fmt: skip
        async def fetch() -> list[httpx.Response]:
            transport = httpx.ASGITransport(app=self.on if on else self.off)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return [await c.get(p, headers=headers) for p in paths]

        return asyncio.run(fetch())


def _keys(store: Path) -> list[tuple[str, int]]:
    with sqlite3.connect(f"file:{store / FILE}?mode=ro", uri=True) as db:
        return [(k, p) for k, p in db.execute("SELECT key, paged FROM answers ORDER BY key")]


def _variants(key: str, paged: int) -> Iterator[str]:
    joiner = "&" if "?" in key else "?"
    yield key
    yield f"{key}{joiner}format=csv"
    if paged:
        yield f"{key}{joiner}limit=2&offset=1"
        yield f"{key}{joiner}format=csv&limit=1&offset=1"
        yield f"{key}{joiner}offset=100000"
        yield f"{key}{joiner}limit=1&format=json&offset=2"  # links keep the order asked


def _same(store: Path, keys: list[tuple[str, int]]) -> None:
    apps = Apps(store)
    paths = [v for key, paged in keys for v in _variants(key, paged)]
    for path, on, off in zip(paths, apps.get(*paths), apps.get(*paths, on=False), strict=True):
        assert "etag" in on.headers and "etag" not in off.headers, path  # served from the file
        assert (on.status_code, on.content) == (off.status_code, off.content), path
        mine = [(k, v) for k, v in on.headers.multi_items() if k not in IGNORED]
        theirs = [(k, v) for k, v in off.headers.multi_items() if k not in IGNORED]
        assert mine == theirs, path


def test_the_seed_has_every_kind_of_answer(seed_store: Path) -> None:
    keys = _keys(seed_store)
    expected = {
        "/resolutions", "/instruments", "/instruments?kind=convention", "/instruments/crc",
        "/instruments/crc/cited-by", "/unts/1577/27531", "/ilo/C029", "/resolutions/A-RES-77-194",
        "/resolutions/A-RES-77-194/paragraphs/op5",
        "/resolutions/A-RES-77-194/paragraphs/op5/citations",
    }  # fmt: skip
    assert expected <= {k for k, _ in keys}
    _same(seed_store, [k for k in keys if k[0] in expected])


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_every_answer_of_the_seed_is_the_routes(seed_store: Path) -> None:
    _same(seed_store, _keys(seed_store))


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_every_answer_of_a_synthetic_corpus_is_the_routes(synth_store: Path) -> None:
    _same(synth_store, _keys(synth_store))


def test_a_sample_of_a_synthetic_corpus_is_the_routes(synth_store: Path) -> None:
    keys = _keys(synth_store)
    _same(synth_store, keys[:: max(1, len(keys) // 25)])


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [{"id": "a", "n": 1}],
        [{"id": "a, b", "n": None}, {"id": 'say "x"', "n": True}, {"id": "line\nbreak"}],
        [{"id": "é", "n": 2.5}, {"n": False}],
    ],
)
def test_each_csv_row_is_its_line_of_the_whole_csv(rows: list[dict[str, Value]]) -> None:
    columns = ["id", "n"]
    whole = to_csv(columns, rows).encode("utf-8")
    header = to_csv(columns, []).encode("utf-8")
    assert header + b"".join(csv_rows(columns, rows)) == whole
    assert len(csv_rows(columns, rows)) == len(rows)


# --- only exact, canonical requests -----------------------------------------------------------

CITATIONS = "/resolutions/A-RES-77-194/paragraphs/op5/citations"


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/resolutions/A-RES-77-194/paragraphs/5/citations", {}),  # a spelling, not the key
        ("/resolutions/A%2DRES-77-194/paragraphs/op5/citations", {}),  # percent-encoded
        (CITATIONS + "?limit=05", {}),
        (CITATIONS + "?limit=0", {}),
        (CITATIONS + "?limit=1001", {}),
        (CITATIONS + "?offset=-1", {}),
        (CITATIONS + "?limit=5&limit=6", {}),
        (CITATIONS + "?colour=red", {}),
        (CITATIONS + "?format=pdf", {}),
        (CITATIONS + "?format=html", {}),
        (CITATIONS + "?kind=convention", {}),
        (CITATIONS, {"Accept": "text/html"}),
        (CITATIONS, {"Accept": "image/png"}),
        ("/resolutions/A-RES-77-194?limit=5", {}),
        ("/instruments?kind=nope", {}),
        ("/instruments/crc/", {}),
    ],
)
def test_anything_else_goes_to_the_routes(seed_store: Path, path: str,
                                          headers: dict[str, str]) -> None:  # fmt: skip
    apps = Apps(seed_store)
    (on,) = apps.get(path, headers=headers)
    (off,) = apps.get(path, headers=headers, on=False)
    assert "etag" not in on.headers
    assert (on.status_code, on.content) == (off.status_code, off.content)


def test_etags_and_not_modified(seed_store: Path) -> None:
    apps = Apps(seed_store)
    first, csv = apps.get(CITATIONS, CITATIONS + "?format=csv")
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag != csv.headers["etag"]
    (again,) = apps.get(CITATIONS, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    (other,) = apps.get(CITATIONS, headers={"If-None-Match": csv.headers["etag"]})
    assert other.status_code == 200 and other.content == first.content
    (weak,) = apps.get(CITATIONS, headers={"If-None-Match": f'"x", W/{etag}'})
    assert weak.status_code == 304


def test_the_answers_are_swapped_in_with_the_store(tmp_path: Path) -> None:
    """A rebuild into the same store moves the link to a generation holding its own answers;
    the previous generation's file is never written again."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("A-RES-77-194.txt", "A-RES-77-194.meta.yaml"):
        (corpus / name).write_bytes((ROOT / "corpus" / name).read_bytes())
    store = _build(corpus, tmp_path)
    first = os.readlink(store)
    before = (store / FILE).stat()
    _build(corpus, tmp_path)
    assert os.readlink(store) != first and (store / FILE).is_file()
    assert (tmp_path / first / FILE).stat().st_mtime_ns == before.st_mtime_ns
    assert not list(tmp_path.glob(".*answers*"))  # nothing staged left behind


def test_a_remote_store_gets_its_answers_beside_the_graph(
    tmp_path: Path, start_oxigraph: Callable[[Path], AbstractContextManager[OxigraphServer]]
) -> None:
    """Built into an Oxigraph server, the answers go to ``dist/answers.sqlite`` (moved in once
    the load succeeded); a service told where they are serves them, equal to the routes.
    (A server of its own: the build replaces what the shared one holds.)"""
    with start_oxigraph(tmp_path / "oxigraph") as oxigraph_server:
        _remote_answers(tmp_path, oxigraph_server)


def _remote_answers(tmp_path: Path, oxigraph_server: OxigraphServer) -> None:
    out = tmp_path / "dist"
    run_build(ROOT / "corpus", out_dir=out, store=oxigraph_server.spec, jobs=1, progress=False)
    assert (out / FILE).is_file() and not list(tmp_path.glob(".*answers*"))
    on = create_app(Settings(store=oxigraph_server.spec, cache=False, answers=str(out / FILE)))
    off = create_app(Settings(store=oxigraph_server.spec, cache=False, answers="off"))
    # Left "on", a service on a remote store has nowhere to look: the routes answer.
    assert Answers.for_settings(Settings(store=oxigraph_server.spec)) is None

    async def fetch(app: object, path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.get(path)

    for path in (CITATIONS, "/instruments/crc", "/unts/1577/27531"):
        mine, theirs = asyncio.run(fetch(on, path)), asyncio.run(fetch(off, path))
        assert "etag" in mine.headers and mine.content == theirs.content, path


def test_a_damaged_answers_file_leaves_the_routes_to_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("A-RES-77-194.txt", "A-RES-77-194.meta.yaml"):
        (corpus / name).write_bytes((ROOT / "corpus" / name).read_bytes())
    store = _build(corpus, tmp_path)
    target = store / FILE
    data = bytearray(target.read_bytes())
    data[len(data) // 2 :] = b"\xff" * (len(data) - len(data) // 2)  # the pages past the middle
    target.unlink()  # replaced, never written in place (as a build does)
    target.write_bytes(bytes(data))
    apps = Apps(store)
    paths = [CITATIONS, "/resolutions/A-RES-77-194", "/instruments/crc", "/resolutions"]
    for path, on, off in zip(paths, apps.get(*paths), apps.get(*paths, on=False), strict=True):
        assert on.status_code == off.status_code == 200, path
        assert on.content == off.content, path  # an intact page may still serve: the same bytes
