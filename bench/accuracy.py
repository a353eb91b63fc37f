"""Precision and recall of the reader against hand-made gold: ``python -m bench.accuracy``.

Each gold file (``tests/golden/real/*.yaml``, format in its README) names a real resolution
and what each of its paragraphs cites. The scorer reads the document with
:func:`treatygraph.read`, matches the extracted citations to the gold ones paragraph by
paragraph and counts, per tier (A treaties, B other instruments, C UN documents and
resolutions), the citations found (true positives), missed (false negatives) and invented
(false positives). A document the reader cannot read counts every gold citation as missed,
and its error is reported.

Matching, in order: a shared UNTS pair, the same ILO code, the same document symbol (spaces,
case, a volume or part qualifier, a resolution's part letter and one half of a joint symbol
tolerated), else the same title once case, punctuation, articles, parenthesised short names
and a trailing date or place of adoption are set aside. Several extracted records that match
one gold citation count once (reported as duplicates).
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import treatygraph
from treatygraph.model import Extraction, ParagraphKind

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = ROOT / "tests" / "golden" / "real"
DEFAULT_DOCS = ROOT.parent / "shared" / "realdocs"
TIERS = ("A", "B", "C")
PARAGRAPH_ID = re.compile(r"(pp|op)([1-9]\d*)")
GOLD_FIELDS = {"symbol", "source", "subject", "paragraphs", "footnotes", "instruments", "cites"}
ITEM_FIELDS = {"title", "tier", "unts", "ilo", "symbol", "aliases"}
ARTICLES = {"the", "a", "an"}
SYMBOL_NAMES = (
    ("A/RES/", "General Assembly resolution"),
    ("A/DEC/", "General Assembly decision"),
    ("S/RES/", "Security Council resolution"),
)
# the kinds of extracted records that are treaties (tier A) or UN documents (tier C)
TREATY_KINDS = re.compile(r"convention|protocol|treaty|covenant|statute|charter|agreement", re.I)
DOCUMENT_KINDS = re.compile(r"resolution|decision|report|document", re.I)


class GoldError(ValueError):
    """A gold file that cannot be used, named by file and key."""


# --- the nouns ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cited:
    """One instrument or document as the scorer compares it: a gold citation or an extracted
    record, reduced to its tier and what identifies it."""

    title: str
    tier: str
    unts: tuple[tuple[int, int | None], ...] = ()
    ilo: str | None = None
    symbols: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class GoldDocument:
    name: str
    symbol: str
    source: str
    subject: str
    preambular: int
    operative: int
    footnotes: int
    cites: dict[str, tuple[Cited, ...]]


@dataclass(frozen=True, slots=True)
class Miss:
    """A gold citation not found, or an extracted one the gold does not have."""

    paragraph: str
    tier: str
    title: str


@dataclass(frozen=True, slots=True)
class Structure:
    preambular: int
    operative: int
    footnotes: int

    def __str__(self) -> str:
        return f"{self.preambular}/{self.operative}/{self.footnotes}"


@dataclass(frozen=True, slots=True)
class Score:
    """One document's (or a total's) counts per tier."""

    found: Counter[str] = field(default_factory=Counter)  # true positives
    missed: tuple[Miss, ...] = ()  # false negatives
    invented: tuple[Miss, ...] = ()  # false positives
    duplicates: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.found + other.found,
            self.missed + other.missed,
            self.invented + other.invented,
            self.duplicates + other.duplicates,
        )

    def counts(self, tier: str | None = None) -> tuple[int, int, int]:
        """(true positives, false positives, false negatives), for one tier or all."""
        tp = sum(n for t, n in self.found.items() if tier in (None, t))
        fp = sum(1 for m in self.invented if tier in (None, m.tier))
        fn = sum(1 for m in self.missed if tier in (None, m.tier))
        return tp, fp, fn

    def precision(self, tier: str | None = None) -> float | None:
        tp, fp, _ = self.counts(tier)
        return tp / (tp + fp) if tp + fp else None

    def recall(self, tier: str | None = None) -> float | None:
        tp, _, fn = self.counts(tier)
        return tp / (tp + fn) if tp + fn else None

    def f1(self, tier: str | None = None) -> float | None:
        p, r = self.precision(tier), self.recall(tier)
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class Result:
    gold: GoldDocument
    path: Path  # the file read: the gold's source, or a conversion of it
    score: Score
    structure: Structure | None = None  # None when the document could not be read
    error: str | None = None

    @property
    def form(self) -> str:
        """The source's form, and the form read when that differs: ``.pdf as .txt``."""
        source = Path(self.gold.source).suffix
        return source if self.path.suffix == source else f"{source} as {self.path.suffix}"


# --- normalising and matching -------------------------------------------------------------


def normal_title(title: str) -> str:
    """A title as compared: case, punctuation, quotes, dashes and articles set aside.

    >>> normal_title("The Treaty on the Non-Proliferation of Nuclear Weapons")
    'treaty on non proliferation of nuclear weapons'
    >>> normal_title("“Transforming our world: the 2030 Agenda”")
    'transforming our world 2030 agenda'
    """
    text = unicodedata.normalize("NFKC", title).casefold()
    words = re.sub(r"[^\w]+", " ", text).split()
    return " ".join(w for w in words if w not in ARTICLES)


_DATED = re.compile(r"\s+of\s+(?:\d{1,2}\s+[A-Za-z]+\s+)?\d{4}$")  # "… of 12 August 1949"
_SIGNED = re.compile(r",?\s+(?:signed|adopted|done|concluded)\s+(?:at|in|on)\s.*$")


def title_forms(title: str) -> set[str]:
    """The title; without its parenthesised parts ("… Zone (Bangkok Treaty)"); without the
    date or place of its adoption that a text may add ("… Weapons of 1972", "…, signed in
    Kuala Lumpur on 27 November 1971").

    >>> sorted(title_forms("Treaty on the Zone (Bangkok Treaty)"))
    ['treaty on zone', 'treaty on zone bangkok treaty']
    >>> sorted(title_forms("Convention on Toxin Weapons of 1972"))
    ['convention on toxin weapons', 'convention on toxin weapons of 1972']
    >>> sorted(title_forms("Protocol of 2014 to the Forced Labour Convention, 1930"))
    ['protocol of 2014 to forced labour convention 1930']
    """
    bare = re.sub(r"\([^)]*\)", " ", title).strip()
    undated = _SIGNED.sub("", _DATED.sub("", bare))
    return {f for f in (normal_title(t) for t in (title, bare, undated)) if f}


def normal_symbol(symbol: str) -> str:
    """A document symbol as compared: upper case, no spaces, one kind of dash.

    >>> normal_symbol("A/RES/2453 A (XXIII)")
    'A/RES/2453A(XXIII)'
    """
    text = unicodedata.normalize("NFKC", symbol).upper()
    return re.sub(r"\s+", "", re.sub(r"[‐-―−]", "-", text))


_QUALIFIER = re.compile(r"\((?:VOL|PART)\.?[^)]*\)$")
_JOINT = re.compile(r"-(?=[A-Z]+/)")  # A/79/552-S/2024/767: a document of two organs
_PART_LETTER = re.compile(r"^(A/RES/(?:\d+/)?\d+)[A-Z](\([IVXL]+\))?$")


def symbol_reductions(symbol: str) -> set[str]:
    """Shorter forms a citation may give of the same document: without a volume or part
    qualifier, without a resolution's part letter, or one symbol of a joint one.

    >>> sorted(symbol_reductions("A/RES/54/237 C"))
    ['A/RES/54/237']
    >>> sorted(symbol_reductions("A/RES/2453 A (XXIII)"))
    ['A/RES/2453(XXIII)']
    >>> sorted(symbol_reductions("NPT/CONF.2010/50 (Vol. I)"))
    ['NPT/CONF.2010/50']
    >>> sorted(symbol_reductions("A/79/552-S/2024/767"))
    ['A/79/552', 'S/2024/767']
    """
    full = normal_symbol(symbol)
    out = {_QUALIFIER.sub("", full), *_JOINT.split(full)}
    if m := _PART_LETTER.match(full):
        out.add(m.group(1) + (m.group(2) or ""))
    return out - {full}


def same_symbol(a: str, b: str) -> bool:
    """Equal, or one the other with a qualifier or a part letter left off (never two
    different part letters).

    >>> same_symbol("A/RES/54/237C", "A/RES/54/237 C"), same_symbol("A/RES/54/237", "A/RES/54/237C")
    (True, True)
    >>> same_symbol("A/RES/54/237 B", "A/RES/54/237 C")
    False
    """
    na, nb = normal_symbol(a), normal_symbol(b)
    return na == nb or na in symbol_reductions(b) or nb in symbol_reductions(a)


def normal_ilo(code: str) -> str:
    """
    >>> normal_ilo("c29"), normal_ilo("C029")
    ('C029', 'C029')
    """
    m = re.fullmatch(r"([CPR])0*(\d+)", code.strip().upper())
    return f"{m.group(1)}{int(m.group(2)):03d}" if m else code.strip().upper()


def same_identifier(gold: Cited, found: Cited) -> bool:
    """The two share a UNTS pair, an ILO code or a document symbol."""
    for volume, number in gold.unts:
        for v, n in found.unts:
            if v == volume and (n == number or n is None or number is None):
                return True
    if gold.ilo and found.ilo and normal_ilo(gold.ilo) == normal_ilo(found.ilo):
        return True
    return any(same_symbol(g, f) for g in gold.symbols for f in found.symbols)


def same_title(gold: Cited, found: Cited) -> bool:
    gold_forms = set().union(*(title_forms(t) for t in (gold.title, *gold.aliases)))
    found_forms = set().union(*(title_forms(t) for t in (found.title, *found.aliases)))
    return bool(gold_forms & found_forms)


def same(gold: Cited, found: Cited) -> bool:
    return same_identifier(gold, found) or same_title(gold, found)


def score_paragraph(pid: str, gold: Sequence[Cited], found: Sequence[Cited]) -> Score:
    """Match one paragraph's extracted citations to its gold ones: identifiers first, then
    titles; each gold citation is matched once, later matches of it are duplicates."""
    matched: dict[int, Cited] = {}
    left: list[Cited] = list(found)
    for rule in (same_identifier, same_title):
        still: list[Cited] = []
        for f in left:
            hit = next((i for i, g in enumerate(gold) if i not in matched and rule(g, f)), None)
            if hit is None:
                still.append(f)
            else:
                matched[hit] = f
        left = still
    duplicates = [f for f in left if any(same(gold[i], f) for i in matched)]
    invented = tuple(Miss(pid, f.tier, f.title) for f in left if f not in duplicates)
    missed = tuple(Miss(pid, g.tier, g.title) for i, g in enumerate(gold) if i not in matched)
    return Score(Counter(gold[i].tier for i in matched), missed, invented, len(duplicates))


def score_document(
    gold: dict[str, tuple[Cited, ...]], found: dict[str, tuple[Cited, ...]]
) -> Score:
    """Every paragraph either side names, scored and summed."""
    total = Score()
    for pid in sorted(set(gold) | set(found), key=_paragraph_order):
        total += score_paragraph(pid, gold.get(pid, ()), found.get(pid, ()))
    return total


def _paragraph_order(pid: str) -> tuple[int, int, str]:
    m = PARAGRAPH_ID.fullmatch(pid)
    return (0 if pid.startswith("pp") else 1, int(m.group(2)) if m else 0, pid)


# --- what the reader found ----------------------------------------------------------------


def tier_of(kind: str, *, has_unts: bool = False, symbol: str | None = None) -> str:
    """The tier of an extracted record, from its kind (for false positives).

    >>> tier_of("ILO convention"), tier_of("declaration"), tier_of("UN resolution")
    ('A', 'B', 'C')
    >>> tier_of("ILO recommendation"), tier_of("other", symbol="A/77/170")
    ('B', 'C')
    """
    if has_unts or (TREATY_KINDS.search(kind) and "recommendation" not in kind.lower()):
        return "A"
    if DOCUMENT_KINDS.search(kind) or symbol:
        return "C"
    return "B"


def found_in(extraction: Extraction) -> dict[str, tuple[Cited, ...]]:
    """The extraction's citations per paragraph, one per instrument record."""
    out: dict[str, dict[str, Cited]] = {}
    for c in extraction.citations:
        inst = c.instrument
        cited = Cited(
            title=inst.title,
            tier=tier_of(inst.kind, has_unts=bool(inst.unts), symbol=inst.symbol),
            unts=tuple((u.volume, u.number) for u in inst.unts),
            ilo=inst.ilo_code,
            symbols=(inst.symbol,) if inst.symbol else (),
            aliases=(inst.short_title,) if inst.short_title else (),
        )
        out.setdefault(c.paragraph, {}).setdefault(inst.id, cited)
    return {pid: tuple(by_id.values()) for pid, by_id in out.items()}


def structure_of(extraction: Extraction) -> Structure:
    kinds = [p.kind for p in extraction.document.paragraphs]
    return Structure(
        kinds.count(ParagraphKind.PREAMBULAR),
        kinds.count(ParagraphKind.OPERATIVE),
        len(extraction.document.footnotes),
    )


# --- gold files ---------------------------------------------------------------------------


def load_gold(path: Path) -> GoldDocument:
    """One gold file, checked: unknown keys, tiers, identifiers and paragraph ids beyond the
    counts are errors naming the file and the key."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise GoldError(f"{path}: cannot read gold: {err}") from err
    if not isinstance(data, dict):
        raise GoldError(f"{path}: a gold file is a mapping")
    unknown = sorted(set(data) - GOLD_FIELDS)
    if unknown:
        raise GoldError(f"{path}: unknown keys: {', '.join(unknown)}")
    missing = sorted(GOLD_FIELDS - {"subject", "instruments"} - set(data))
    if missing:
        raise GoldError(f"{path}: missing keys: {', '.join(missing)}")
    counts = data["paragraphs"]
    if not isinstance(counts, dict) or set(counts) != {"preambular", "operative"}:
        raise GoldError(f"{path}: paragraphs: give {{preambular: N, operative: N}}")
    for key, value in (*counts.items(), ("footnotes", data["footnotes"])):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise GoldError(f"{path}: {key}: a count, not {value!r}")
    items = {
        str(key): _gold_item(path, str(key), raw)
        for key, raw in (data.get("instruments") or {}).items()
    }
    limits = {"pp": int(counts["preambular"]), "op": int(counts["operative"])}
    cites: dict[str, tuple[Cited, ...]] = {}
    for pid, entries in (data["cites"] or {}).items():
        _check_paragraph(path, str(pid), limits)
        if not isinstance(entries, list) or not entries:
            raise GoldError(f"{path}: cites.{pid}: a non-empty list")
        cited = [_entry(path, str(pid), str(e), items) for e in entries]
        if len({id(c) for c in cited}) != len(cited):
            raise GoldError(f"{path}: cites.{pid}: an entry is listed twice")
        cites[str(pid)] = tuple(cited)
    return GoldDocument(
        name=path.stem,
        symbol=str(data["symbol"]),
        source=str(data["source"]),
        subject=str(data.get("subject") or ""),
        preambular=limits["pp"],
        operative=limits["op"],
        footnotes=int(data["footnotes"]),
        cites=cites,
    )


def load_gold_dir(folder: Path) -> list[GoldDocument]:
    files = sorted(folder.glob("*.yaml"), key=_natural)
    if not files:
        raise GoldError(f"{folder}: no gold files (*.yaml)")
    return [load_gold(f) for f in files]


def _natural(path: Path) -> list[int | str]:
    """A-RES-80-2 before A-RES-80-16."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.stem)]


def _gold_item(path: Path, key: str, raw: object) -> Cited:
    where = f"{path}: instruments.{key}"
    if not isinstance(raw, dict):
        raise GoldError(f"{where}: a mapping of {', '.join(sorted(ITEM_FIELDS))}")
    unknown = sorted(set(raw) - ITEM_FIELDS)
    if unknown:
        raise GoldError(f"{where}: unknown keys: {', '.join(unknown)}")
    if not raw.get("title") or raw.get("tier") not in TIERS:
        raise GoldError(f"{where}: needs a title and a tier (A, B or C)")
    unts = raw.get("unts")
    if unts is not None and not (
        isinstance(unts, list) and len(unts) == 2 and all(isinstance(n, int) for n in unts)
    ):
        raise GoldError(f"{where}: unts is [volume, number]")
    symbols = raw.get("symbol") or []
    return Cited(
        title=str(raw["title"]),
        tier=str(raw["tier"]),
        unts=((unts[0], unts[1]),) if unts else (),
        ilo=str(raw["ilo"]) if raw.get("ilo") else None,
        symbols=tuple(str(s) for s in (symbols if isinstance(symbols, list) else [symbols])),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
    )


def _check_paragraph(path: Path, pid: str, limits: dict[str, int]) -> None:
    m = PARAGRAPH_ID.fullmatch(pid)
    if not m:
        raise GoldError(f"{path}: cites.{pid}: paragraph ids are pp1, pp2, … op1, op2, …")
    if int(m.group(2)) > limits[m.group(1)]:
        raise GoldError(f"{path}: cites.{pid}: beyond the {limits[m.group(1)]} counted")


def _entry(path: Path, pid: str, entry: str, items: dict[str, Cited]) -> Cited:
    """An instrument key, or a document symbol standing for a tier-C citation of itself."""
    if entry in items:
        return items[entry]
    if "/" not in entry:
        raise GoldError(f"{path}: cites.{pid}: {entry!r} is neither an instrument nor a symbol")
    items[entry] = Cited(title=symbol_title(entry), tier="C", symbols=(entry,))
    return items[entry]


def symbol_title(symbol: str) -> str:
    """How a lawyer names a document known by its symbol.

    >>> symbol_title("A/RES/47/19"), symbol_title("A/DEC/77/512"), symbol_title("A/79/214")
    ('General Assembly resolution 47/19', 'General Assembly decision 77/512', 'A/79/214')
    >>> symbol_title("S/RES/1325(2000)")
    'Security Council resolution 1325(2000)'
    """
    for prefix, name in SYMBOL_NAMES:
        if symbol.startswith(prefix):
            return f"{name} {symbol.removeprefix(prefix)}"
    return symbol


# --- running ------------------------------------------------------------------------------


def evaluate(gold: GoldDocument, path: Path) -> Result:
    """Read one document and score it; an error reading it is reported, not raised."""
    try:
        extraction = treatygraph.read(path)
    except Exception as err:  # one unreadable document must not stop the run
        missed = tuple(Miss(pid, c.tier, c.title) for pid, cs in gold.cites.items() for c in cs)
        return Result(gold, path, Score(missed=missed), error=f"{type(err).__name__}: {err}")
    score = score_document(gold.cites, found_in(extraction))
    return Result(gold, path, score, structure_of(extraction))


def document_path(gold: GoldDocument, docs: Path, suffix: str | None) -> Path:
    path = docs / gold.source
    return path.with_suffix(suffix) if suffix else path


def run(golds: Iterable[GoldDocument], docs: Path, suffix: str | None = None) -> list[Result]:
    return [evaluate(g, document_path(g, docs, suffix)) for g in golds]


def total(results: Iterable[Result]) -> Score:
    out = Score()
    for r in results:
        out += r.score
    return out


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def tier_rows(score: Score) -> list[list[str]]:
    rows = []
    for tier in (*TIERS, None):
        tp, fp, fn = score.counts(tier)
        rows.append(
            [tier or "all", str(tp), str(fp), str(fn)]
            + [_pct(f(tier)) for f in (score.precision, score.recall, score.f1)]
        )
    return rows


def document_rows(results: Sequence[Result]) -> list[list[str]]:
    rows = []
    for r in results:
        g = r.gold
        expected = Structure(g.preambular, g.operative, g.footnotes)
        shape = f"{expected} → {r.structure}" if r.structure else f"{expected} → error"
        cells = [f"{_pct(r.score.precision(t))}/{_pct(r.score.recall(t))}" for t in TIERS]
        rows.append([g.symbol, r.form, shape, *cells, _pct(r.score.f1())])
    return rows


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


TIER_HEADER = ("tier", "found", "invented", "missed", "precision", "recall", "F1")
DOC_HEADER = ("document", "read", "pp/op/fn gold → read", "A P/R", "B P/R", "C P/R", "F1")


def markdown(results: Sequence[Result]) -> str:
    parts = [
        "Per tier, all gold documents:",
        "",
        table(TIER_HEADER, tier_rows(total(results))),
        "",
        "Per document (precision/recall; – where a tier has nothing to count):",
        "",
        table(DOC_HEADER, document_rows(results)),
    ]
    errors = [f"- {r.gold.symbol}: {r.error}" for r in results if r.error]
    if errors:
        parts += ["", "Documents the reader could not read:", "", *errors]
    return "\n".join(parts) + "\n"


def report(results: Sequence[Result], *, details: bool = True) -> str:
    """The tables, then (with ``details``) one line per miss, invention and duplicate."""
    lines = [markdown(results)]
    if details:
        for r in results:
            lines += [_line(r, "missed", m) for m in r.score.missed]
            lines += [_line(r, "invented", m) for m in r.score.invented]
            if r.score.duplicates:
                lines.append(f"{r.gold.symbol}: {r.score.duplicates} duplicate record(s)")
    return "\n".join(lines)


def _line(result: Result, label: str, miss: Miss) -> str:
    return f"{result.gold.symbol} {miss.paragraph} {label} [{miss.tier}] {miss.title}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__.split("\n")[0])
    p.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="folder of gold .yaml files")
    p.add_argument("--docs", type=Path, default=DEFAULT_DOCS, help="folder the sources are in")
    p.add_argument("--suffix", help="read each source with this suffix instead (e.g. .txt)")
    p.add_argument("--markdown", type=Path, help="also write the tables to this file")
    p.add_argument("--summary", action="store_true", help="tables only, no list of misses")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        golds = load_gold_dir(args.gold)
    except GoldError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    results = run(golds, args.docs, args.suffix)
    print(report(results, details=not args.summary))
    if args.markdown:
        args.markdown.write_text(markdown(results), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
