"""`treatygraph extract` as a user runs it: a real process, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
META = "symbol: A/RES/99/1\ntitle: Made-up resolution\nsession: 99\n"
GOOD = (
    "The General Assembly,\n\n Recalling the Convention on the Rights of the Child,1\n\n"
    " 1. Urges States to implement it.\n_________\n 1 United Nations, Treaty Series, vol. 1577,"
    " No. 27531.\n"
)


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "treatygraph", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def write(tmp_path: Path, name: str, content: str | bytes, meta: str | None = META) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    if meta is not None:
        path.with_name(path.stem + ".meta.yaml").write_text(meta, encoding="utf-8")
    return path


def test_seed_json_shape() -> None:
    done = run("extract", ROOT / "corpus/A-RES-77-194.txt")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["resolution"]["symbol"] == "A/RES/77/194"
    op5 = next(p for p in out["paragraphs"] if p["id"] == "op5")
    assert (op5["kind"], op5["number"]) == ("operative", 5)
    crc = next(c for c in op5["citations"] if c["instrument"]["id"] == "crc")
    assert crc["instrument"]["unts"] == [{"volume": 1577, "number": 27531}]
    assert set(crc) >= {"instrument", "via", "footnote", "span", "quote"}
    assert set(crc["instrument"]) >= {
        "id", "title", "short_title", "kind", "unts", "ilo_code", "symbol", "parent", "in_authority"
    }  # fmt: skip
    c029 = next(c for c in op5["citations"] if c["instrument"]["id"] == "c029")
    assert c029["instrument"]["ilo_code"] == "C029"
    p029 = next(c for c in op5["citations"] if c["instrument"]["id"] == "p029")
    assert p029["instrument"]["parent"] == "c029"
    fn34 = out["footnotes"][33]
    assert (fn34["number"], fn34["continues"], fn34["cited_by"]) == (34, 33, ["op50"])
    assert done.stderr == ""


@pytest.mark.parametrize(
    ("name", "content", "meta", "message"),
    [
        ("empty.txt", "", META, "empty.txt: error: empty file"),
        ("blank.txt", "\n   \n\n", META, "blank.txt: error: empty file"),
        ("binary.txt", b"\x7fELF\x02\x01\x01\x00\x00", META, "binary.txt: error: binary data"),
        ("latin1.txt", "Recalling the Convention,\n caf\xe9".encode("latin-1"), META,
         "latin1.txt: error: not UTF-8 text: byte 0xe9"),
        ("preamble-only.txt", "The General Assembly,\n\n Recalling the Convention,\n", META,
         "preamble-only.txt: error: no operative part"),
        ("no-meta.txt", GOOD, None, "no-meta.txt: error: no UN header"),
        ("bad-meta.txt", GOOD, "symbol: [unclosed",
         "bad-meta.meta.yaml: error: cannot read metadata"),
        ("meta-no-title.txt", GOOD, "symbol: A/RES/1/1\n",
         "error: metadata field 'title' is missing"),
        ("meta-typo.txt", GOOD, META + "titel: x\n", "error: unknown metadata fields: titel"),
    ],
)  # fmt: skip
def test_fatal_input_names_the_problem(
    tmp_path: Path, name: str, content: str | bytes, meta: str | None, message: str
) -> None:
    done = run("extract", write(tmp_path, name, content, meta))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


def test_missing_file(tmp_path: Path) -> None:
    done = run("extract", tmp_path / "nowhere.txt")
    assert done.returncode == 2
    assert "nowhere.txt: error: cannot read: No such file or directory" in done.stderr


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (GOOD.replace("Child,1", "Child,1 and the Convention,2"),
         ":3 (pp1): warning: footnote marker 2 has no footnote text"),
        (GOOD.replace("Child,1", "Child,"), ":7 (fn 1): warning: footnote 1 is never referenced"),
    ],
)  # fmt: skip
def test_warnings_name_the_place_and_still_extract(tmp_path: Path, text: str, warning: str) -> None:
    done = run("extract", write(tmp_path, "warn.txt", text))
    assert done.returncode == 0
    assert warning in done.stderr
    assert json.loads(done.stdout)["paragraphs"][0]["id"] == "pp1"
