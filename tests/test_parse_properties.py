"""Property tests: whatever the text, the reader returns a document whose offsets are
inside the text and whose quotes equal the text at those offsets, or our own error; through
``treatygraph.reader.parse``, through ``graph.read`` on files (text and metadata), and through
``treatygraph extract``.

``TREATYGRAPH_PROPERTY_EXAMPLES`` sets the examples per test (60 by default; ``make
reliability`` runs many more).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import treatygraph as graph
from tests.reliability.harness import record
from treatygraph.cli.main import main as cli
from treatygraph.errors import TreatygraphError
from treatygraph.model import Extraction, FootnoteMarker, ResolutionMeta
from treatygraph.reader import clean, find, numbers
from treatygraph.reader.authority import Alias, default_authority
from treatygraph.reader.find import FOLD, TOKEN, TitleIndex, Tokens, _longest_first, title_index
from treatygraph.reader.parse import MARKER_SENTINEL, _Writer
from treatygraph.reader.text_records import _token_start

SEED = (Path(__file__).resolve().parents[1] / "corpus/A-RES-77-194.txt").read_text("utf-8")
SEED_LINES = SEED.split("\n")
META = ResolutionMeta(symbol="A/RES/77/194", title="Trafficking in women and girls")
ODD = ["\u200f", "\u200b", "\x00", "\u0301", "\ufeff", "\u2028", "\r", "\t", "\f", "\ue000"]
# Right-to-left marks and overrides, zero-width characters, NUL, combining marks, a BOM,
# line and paragraph separators, a private-use character (the reader's own sentinel), NEL.
UNICODE = [*ODD, "\u202e", "\u2066", "\u200d", "\u0300\u0301\u0302", "\u2029", "\x85"]
EXAMPLES = int(os.environ.get("TREATYGRAPH_PROPERTY_EXAMPLES", "60"))
OUTCOMES: Counter[str] = Counter()  # documents, own errors: the figures of a long run


@pytest.fixture(scope="module", autouse=True)
def figures() -> Iterator[None]:
    started = time.monotonic()
    yield
    record(
        "bad input",
        "reader, files and CLI under hypothesis",
        whole_file=True,
        inputs=sum(OUTCOMES.values()),
        documents=OUTCOMES["document"],
        own_errors=OUTCOMES["error"],
        other_exceptions=0,
        seconds=round(time.monotonic() - started, 1),
    )


def check(text: str) -> None:
    try:
        x = graph.extract(graph.parse(text, meta=META))
    except TreatygraphError as err:
        assert str(err)
        OUTCOMES["error"] += 1
        return
    assert_consistent(x)
    OUTCOMES["document"] += 1


def assert_consistent(x: Extraction) -> None:
    text = x.document.text
    for p in x.document.paragraphs:
        assert 0 <= p.span.start <= p.span.end <= len(text)
        assert p.span.slice(text) == p.text
        for m in p.markers:
            assert p.span.start <= m.offset <= p.span.end
    for f in x.document.footnotes:
        assert f.span.slice(text) == f.text
        for r in f.references:
            assert f.span.contains(r.span)
    for c in x.citations:
        assert 0 <= c.span.start <= c.span.end <= len(text)
        assert c.span.slice(text) == c.quote


FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@FAST
@given(st.text(max_size=2000))
def test_arbitrary_text(text: str) -> None:
    check(text)


@FAST
@given(st.lists(st.sampled_from(SEED_LINES), max_size=300))
def test_shuffled_lines_of_the_seed(lines: list[str]) -> None:
    check("\n".join(lines))


@FAST
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)))
def test_truncated_seed(start: int, length: int) -> None:
    check(SEED[start : start + length])


@FAST
@given(
    st.lists(
        st.tuples(st.integers(0, len(SEED) - 1), st.sampled_from(ODD)), min_size=1, max_size=40
    )
)
def test_seed_with_odd_characters(insertions: list[tuple[int, str]]) -> None:
    text = SEED
    for at, ch in sorted(insertions, reverse=True):
        text = text[:at] + ch + text[at:]
    check(text)


@FAST
@given(st.lists(st.integers(1, 40), max_size=12), st.text(max_size=200))
def test_random_footnote_blocks(numbers: list[int], body: str) -> None:
    block = "\n".join(f" {n}  Ibid., vol. {n * 7}, No. {n * 13}." for n in numbers)
    check(f"The General Assembly,\n Recalling {body},1\n____\n{block}\n 1. Decides {body}.\n")


def test_huge_paragraph() -> None:
    words = " ".join(["the Convention on the Rights of the Child"] * 5000)
    check(f"The General Assembly,\n\n Recalling {words},\n\n 1. Decides.\n")


@FAST
@given(st.text(st.characters(codec=None, categories=None), max_size=2000))
def test_arbitrary_unicode_even_lone_surrogates(text: str) -> None:
    check(text)


@FAST
@given(
    st.lists(st.tuples(st.integers(0, len(SEED) - 1), st.sampled_from(UNICODE)), max_size=60),
    st.permutations(range(12)),
)
def test_unicode_marks_in_shuffled_paragraphs(
    insertions: list[tuple[int, str]], order: list[int]
) -> None:
    head, _, body = SEED.partition("\n 1. ")
    paragraphs = ("\n 1. " + body).split("\n\n")
    chunks = [paragraphs[i] for i in order if i < len(paragraphs)] + paragraphs[12:]
    text = head + "\n\n".join(chunks)
    for at, ch in sorted(insertions, reverse=True):
        at = at % (len(text) + 1)
        text = text[:at] + ch + text[at:]
    check(text)


REFERENCE = st.sampled_from(
    [
        "United Nations, Treaty Series, vol. {n}, No. {m}.",
        "Ibid., vol. {n}, No. {m}.",
        "Ibid.",
        "Resolution {n}/{m}, annex.",
        "A/RES/{n}/{m}",
        "International Labour Organization, Convention No. {n}.",
        "See E/CN.{n}/{m}/L.{n}, para. {m}.",
        "{n} {m} {n}",
        "",
    ]
)


@FAST
@given(
    st.lists(
        st.tuples(st.integers(0, 999), REFERENCE, st.integers(0, 99999), st.integers(0, 99999)),
        max_size=30,
    ),
    st.lists(st.integers(0, 999), max_size=30),
)
def test_random_footnote_blocks_and_markers(
    notes: list[tuple[int, str, int, int]], markers: list[int]
) -> None:
    called = " ".join(f"Recalling the Convention{m}," for m in markers)
    block = "\n".join(f" {n}  {ref.format(n=a, m=b)}" for n, ref, a, b in notes)
    check(f"The General Assembly,\n\n {called}\n\n 1. Decides.\n_______\n{block}\n")


@pytest.mark.parametrize(
    "body",
    [
        "a" * 300_000,  # one word, no space
        " ".join(f"Convention{n % 999}" for n in range(40_000)),  # markers glued everywhere
        "(" * 50_000 + ")" * 50_000,
        "Recalling " + "the Protocol thereto, " * 20_000,  # anaphora after anaphora
        "\u200f" * 100_000 + " Recalling the Convention on the Rights of the Child,",
    ],
    ids=["one-word", "glued-markers", "parentheses", "anaphora", "rtl-marks"],
)
def test_huge_paragraph_shapes(body: str) -> None:
    started = time.monotonic()
    check(f"The General Assembly,\n\n {body}\n\n 1. Decides.\n")
    assert time.monotonic() - started < 60  # linear enough: no regex blows up


# --- through files: graph.read and `treatygraph extract` -----------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        ["2020-02-30", "2020-13-01", "2022-12-14", "2020-01-01T10:00:00", ".inf", ".nan",
         "A/RES/77/194", "'", '"', "&anchor", "*anchor", "!!binary AAAA", "!!python/none",
         "[", "{", "- x", "? x", "%YAML 1.1", "\\x00", "1e400", "0x1F", "077"]
    ),
)  # fmt: skip
FIELDS = st.sampled_from(
    ["symbol", "title", "body", "session", "adoption_date", "agenda_item", "synthetic", "x"]
)


@st.composite
def meta_yaml(draw: st.DrawFn) -> str:
    """A metadata file: fields with odd values, sometimes raw YAML of any shape."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.text(max_size=300))
    fields = {"symbol": "A/RES/99/1", "title": "Made-up resolution"}
    for key, value in draw(st.lists(st.tuples(FIELDS, SCALARS), max_size=6)):
        fields[key] = value
    lines = []
    for key, value in fields.items():
        raw = value if isinstance(value, str) and draw(st.booleans()) else json.dumps(value)
        lines.append(f"{key}: {raw}")
    return "\n".join(lines) + "\n"


FILE_TEXT = st.one_of(
    st.binary(max_size=2000),
    st.sampled_from(SEED_LINES).map(str.encode),
    st.lists(st.sampled_from(SEED_LINES), max_size=200).map(lambda ls: "\r\n".join(ls).encode()),
    st.just(SEED.encode("utf-8-sig")),
    st.just(SEED.encode("utf-16")),
    st.just(SEED.encode("latin-1", "replace")),
    st.integers(0, len(SEED)).map(lambda n: SEED.encode()[:n]),  # cut mid-character too
)


def read_check(path: Path) -> None:
    try:
        x = graph.read(path)
    except TreatygraphError as err:
        assert path.stem in str(err)  # names the file (or its metadata file)
        OUTCOMES["error"] += 1
        return
    assert_consistent(x)
    OUTCOMES["document"] += 1


@FAST
@given(FILE_TEXT, st.one_of(st.none(), meta_yaml()))
def test_read_files(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, meta: str | None
) -> None:
    folder = tmp_path_factory.mktemp("read")
    path = folder / "A-RES-99-1.txt"
    path.write_bytes(data)
    if meta is not None:
        path.with_name("A-RES-99-1.meta.yaml").write_text(meta, encoding="utf-8")
    read_check(path)


@FAST
@given(meta_yaml())
def test_read_the_seed_with_odd_metadata(
    tmp_path_factory: pytest.TempPathFactory, meta: str
) -> None:
    folder = tmp_path_factory.mktemp("meta")
    path = folder / "A-RES-77-194.txt"
    path.write_text(SEED, encoding="utf-8")
    path.with_name("A-RES-77-194.meta.yaml").write_text(meta, encoding="utf-8")
    read_check(path)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(list(args))
    return code, out.getvalue(), err.getvalue()


@settings(FAST, max_examples=max(10, EXAMPLES // 3))
@given(FILE_TEXT, st.one_of(st.none(), meta_yaml()))
def test_cli_extract(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, meta: str | None
) -> None:
    """Exit 0 with JSON, or 2 with JSON and its errors, or 2 with one message; no traceback."""
    folder = tmp_path_factory.mktemp("cli")
    path = folder / "A-RES-99-1.txt"
    path.write_bytes(data)
    if meta is not None:
        path.with_name("A-RES-99-1.meta.yaml").write_text(meta, encoding="utf-8")
    code, out, err = run_cli("extract", str(path))
    assert code in (0, 2) and "Traceback" not in err
    if out:
        text = json.loads(out)["paragraphs"]
        assert all(p["span"][0] <= p["span"][1] for p in text)
        OUTCOMES["document"] += 1
    else:
        assert code == 2 and err.startswith("treatygraph: ") and path.stem in err
        OUTCOMES["error"] += 1


# --- the reader's fast paths read what the plain code read -----------------------------------
# Each fast path of the reader (one tokenization a text, words folded in one call, prefilters,
# whole runs written at once, one vocabulary set a document) against the plain reading it
# replaced, written out here: the same result on any text, odd Unicode included (final sigma,
# dotted capital I, long s, Kelvin sign: the characters whose case mapping is special).

PIECES = [
    *"aAiIsSkKeE -.'’‘“”–—,;:()\n\t\u00a0\u2003ΣσςİıſKé0123/\ue000",
    "the ", "Protocols ", "thereto", "instruments", "INSTRUMENTS", "İnstruments", "inſtruments",
    "Convention on the Rights of the Child", " (No. 29)", "Forced Labour Convention, 1930 (No. 29)",
    "resolution 64/293", "Security Council resolution 1325 (2000)", "anti -trafficking",
    "Cooperat ion", "cooperation", "  ",
]  # fmt: skip
TRICKY = st.lists(st.one_of(st.sampled_from(PIECES), st.characters()), max_size=40).map("".join)


def _plain_tokens(text: str) -> list[tuple[str, int, int]]:
    return [(m.group().translate(FOLD), m.start(), m.end()) for m in TOKEN.finditer(text)]


@FAST
@given(TRICKY)
def test_tokens_fold_and_lower_as_each_token_would(text: str) -> None:
    plain = _plain_tokens(text)
    tokens = Tokens(text)
    assert tokens.words == [w for w, _, _ in plain]
    assert tokens.lower == [w.lower() for w, _, _ in plain]
    for i in range(len(plain)):
        assert tokens.span(i, i) == plain[i][1:]


@FAST
@given(TRICKY, st.lists(st.tuples(TRICKY, st.booleans()), max_size=4))
def test_title_index_finds_what_a_scan_token_by_token_finds(
    text: str, aliases: list[tuple[str, bool]]
) -> None:
    for index in (
        title_index(default_authority()),
        TitleIndex.build(tuple(Alias(t, f"x{i}", s) for i, (t, s) in enumerate(aliases))),
    ):
        tokens = _plain_tokens(text)
        found = []
        for i, (tok, _, _) in enumerate(tokens):
            for key, alias in index.by_first.get(tok.lower(), ()):
                window = tokens[i : i + len(key)]
                words = [w if alias.case_sensitive else w.lower() for w, _, _ in window]
                if len(window) == len(key) and tuple(words) == key:
                    found.append((window[0][1], window[-1][2], alias.instrument))
        expected = [(s + 3, e + 3, i) for s, e, i in _longest_first(found)]
        assert [(m.span.start, m.span.end, m.key) for m in index.find(text, 3)] == expected


@FAST
@given(TRICKY)
@example("both İnstruments")  # IGNORECASE matches what lower-casing the text does not give
@example("these inſtruments")
@example("the Protocols THERETO")
def test_prefilters_drop_no_mention(text: str) -> None:
    assert bool(find.find_ilo(text, 0)) == bool(find.ILO_TITLE.search(text))
    assert bool(find.find_anaphora(text, 0)) == bool(find.ANAPHORA.search(text))
    if numbers.GA_LIST.search(text):
        assert "resolution" in text or "decision" in text


def _plain_write(w: _Writer, piece: str, markers: list[int], placed: list[FootnoteMarker]) -> None:
    """``_Writer.write`` as it was: token by token."""
    queue = iter(markers)
    for token in re.split(r"(\s+|\ue000)", piece):
        if not token:
            continue
        if token == MARKER_SENTINEL:
            placed.append(FootnoteMarker(next(queue), w.length))
        elif token.isspace():
            w.pending_space = w.length > 0
        else:
            if w.pending_space and not w._at_paragraph_start():
                w._emit(" ")
            w.pending_space = False
            w._emit(token)


@FAST
@given(st.lists(st.one_of(st.integers(0, 2), TRICKY), max_size=6))
def test_writer_writes_runs_as_it_wrote_tokens(steps: list[int | str]) -> None:
    fast, plain = _Writer([]), _Writer([])
    placed_fast: list[FootnoteMarker] = []
    placed_plain: list[FootnoteMarker] = []
    for step in steps:
        if isinstance(step, int):
            fast.newline(step)
            plain.newline(step)
            continue
        numbers = list(range(step.count(MARKER_SENTINEL)))
        fast.write(step, numbers, placed_fast)
        _plain_write(plain, step, numbers, placed_plain)
        assert "".join(fast.out) == "".join(plain.out)
        assert (fast.length, fast.pending_space) == (plain.length, plain.pending_space)
        assert fast._at_paragraph_start() == plain._at_paragraph_start()
    assert placed_fast == placed_plain


@FAST
@given(st.lists(TRICKY, max_size=8), st.dictionaries(TRICKY, st.integers(-2, 3), max_size=4))
@example(["Cooperat ion in Europe", "the Cooperat ion, cooperation"], {})
@example(["anti -trafficking Cooperat ion", "Cooperat ions"], {"cooperation": 1, "ion": -1})
@example(["Cooperat ion", "Organiz ation"], {"cooperation": 1, "organization": 0})
def test_mending_a_document_mends_as_line_by_line(lines: list[str], known: dict[str, int]) -> None:
    def plain_join(m: re.Match[str], vocabulary: Counter[str]) -> str:
        left, right = m.group(1), m.group(2)
        whole = (left + right).lower()
        fragment_only_here = min(vocabulary[left.lower()], vocabulary[right.lower()]) <= 1
        if len(whole) >= 6 and vocabulary[whole] >= 1 and fragment_only_here:
            return left + right
        return m.group(0)

    def plain_mend(line: str, vocabulary: Counter[str]) -> str:
        line = clean.SPACE_BEFORE_HYPHEN.sub("-", line)
        if not vocabulary or not any(vocabulary[w.lower()] <= 1 for w in clean.WORD.findall(line)):
            return line
        return re.sub(r"\b([A-Za-z]{2,}) ([a-z]{2,})\b", lambda m: plain_join(m, vocabulary), line)

    plain_vocabulary = Counter(w.lower() for line in lines for w in clean.WORD.findall(line))
    assert clean.vocabulary_of(lines) == plain_vocabulary
    merged = plain_vocabulary + Counter(known)  # as clean() merged them
    for line in lines:
        assert clean.mend_spacing(line, merged) == plain_mend(line, merged)

    class PlainMender:
        def __init__(self, vocabulary: Counter[str]) -> None:
            pass

        def mend(self, line: str) -> str:
            return plain_mend(line, merged)

    fast = clean.clean(lines, known_words=Counter(known))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clean, "_Mender", PlainMender)
        assert clean.clean(lines, known_words=Counter(known)) == fast


@FAST
@given(TRICKY)
def test_furniture_in_one_pattern(line: str) -> None:
    plain = bool(clean.URL_LINE.match(line)) or any(p.match(line) for p in clean.FURNITURE)
    assert clean.is_furniture(line) == plain


@FAST
@given(TRICKY, st.data())
def test_token_start_is_where_the_token_begins(segment: str, data: st.DataObject) -> None:
    starts = [m.start() for m in re.finditer(r"\S+", segment)]
    if starts:
        k = data.draw(st.integers(0, len(starts) - 1))
        assert _token_start(segment, segment.split(), k) == starts[k]
