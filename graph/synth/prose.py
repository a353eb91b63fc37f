"""The prose of a synthetic resolution: paragraph templates, citing and filler paragraphs, and
the drafts (text pieces with the citations planted in them)."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from treatygraph.model import symbol_slug
from treatygraph.reader.parse import NUMBER_WORDS
from treatygraph.synth.catalogue import INVENTED_SHARE, Catalogue, Citable, Family, Note, _day

# --- prose -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Template:
    """A citing paragraph: text before the list of instruments, and choices after it."""

    intent: str  # what the extractor's intent rules read from the opening words
    before: str
    after: tuple[str, ...] = ("",)
    treaties: bool = False  # cite only instruments open to ratification
    most: int = 3


PREAMBLE_CITING = (
    Template("recalling", "Recalling", ("", ", as well as relevant resolutions of the General "
             "Assembly and the Human Rights Council on {topic}")),
    Template("recalling", "Recalling also"),
    Template("reaffirming", "Reaffirming the importance of", ("", " for {goal}")),
    Template("reaffirming", "Reaffirming the obligations of States parties under", treaties=True),
    Template("welcoming", "Welcoming the entry into force of", treaties=True, most=2),
    Template("welcoming", "Welcoming", ("", ", and encouraging {actors} to {action}")),
    Template("taking-note", "Taking note of", ("", " and of the efforts made to {action}")),
    Template("bearing-in-mind", "Bearing in mind"),
    Template("bearing-in-mind", "Guided by", treaties=True),
)  # fmt: skip
OPERATIVE_CITING = (
    Template("urges-ratification", "Urges Member States that have not yet done so to consider "
             "ratifying or acceding to{priority}", ("", ", and urges States parties to those "
             "instruments to implement them fully and effectively"), treaties=True, most=6),
    Template("urges-ratification", "Urges States to consider signing and ratifying, and States "
             "parties to implement,", treaties=True, most=5),
    Template("invites-states-parties", "Invites States parties to", (" to include information "
             "on {topic} in their national reports to the respective committees, as applicable",),
             treaties=True, most=4),
    Template("calls-upon", "Calls upon States parties to", (" to implement fully their "
             "obligations thereunder",), treaties=True),
    Template("calls-upon", "Calls upon Member States to take into account", (" in their "
             "national policies on {topic}",)),
    Template("welcoming", "Welcomes", ("", " and encourages {actors} to {action}")),
    Template("taking-note", "Takes note with appreciation of"),
    Template("reaffirming", "Reaffirms the importance of", (" for {goal}",)),
)  # fmt: skip
PREAMBLE_FILLER = (
    "Concerned that {problem} remains a serious challenge",
    "Deeply concerned about {problem}",
    "Recognizing the importance of {approach} for {goal}",
    "Stressing the need for {approach} in order to {action}",
    "Noting with concern {problem}",
    "Emphasizing the importance of {approach}",
    "Convinced of the contribution of {approach} to {goal}",
    "Acknowledging the efforts of {actors} to {action}",
    "Mindful of the need to {action}",
    "Expressing its appreciation to {actors} for their efforts to {action}",
)
OPERATIVE_FILLER = (
    "Encourages Governments to {action}",
    "Also encourages {actors} to {action}",
    "Calls upon Governments to {action} and to {action}",
    "Urges Governments to {action}",
    "Invites {actors} to {action}",
    "Stresses the importance of {approach} for {goal}",
    "Requests the Secretary-General to submit to the General Assembly at its {ordinal} session "
    "a report on the implementation of the present resolution",
)
CLOSING = "Decides to continue its consideration of the question at its {ordinal} session"
# Clauses that lengthen a paragraph to the few lines real ones run to: either part, the
# preamble's participles, the operative part's verbs.
EXTENSIONS = (
    ", including through {approach}",
    ", in particular with regard to {group}",
    ", taking into account the specific needs of {group}",
    ", in accordance with their obligations under international law",
    ", within their existing mandates and resources",
    ", in cooperation with {actors}",
)
PREAMBLE_EXTENSIONS = (
    ", and recognizing the importance of {approach} for {goal}",
    ", and expressing concern about {problem}",
    ", and noting in this regard the efforts of {actors} to {action}",
)
OPERATIVE_EXTENSIONS = (
    ", and encourages {actors} to {action}",
    ", and stresses the importance of {approach}",
    ", and invites {actors} to {action}",
)
WORDS: dict[str, tuple[str, ...]] = {
    "problem": (
        "the persistence of discrimination and violence against {group}",
        "the lack of reliable data disaggregated by sex, age and other relevant factors",
        "the heightened vulnerability of {group} in humanitarian crisis situations",
        "the misuse of information and communications technologies for purposes of "
        "exploitation",
        "the impact of poverty, inequality and unemployment on {group}",
        "the obstacles that {group} face in gaining access to justice",
    ),
    "group": (
        "women and girls", "children", "migrant workers and members of their families",
        "persons with disabilities", "older persons", "refugees and internally displaced "
        "persons", "indigenous women and girls",
    ),
    "approach": (
        "a comprehensive, coordinated and human rights-based approach",
        "international cooperation and technical assistance",
        "the exchange of information and best practices",
        "capacity-building and the sharing of expertise among Member States",
        "partnerships with civil society and the private sector",
        "gender- and age-responsive policies and programmes",
        "the systematic collection of data disaggregated by sex and age",
    ),
    "action": (
        "strengthen national legislation and policies",
        "improve the collection and analysis of data",
        "ensure access to justice and effective remedies for victims",
        "provide adequate protection and assistance to victims",
        "raise public awareness of the risks involved",
        "strengthen cooperation at the regional and international levels",
        "provide training for law enforcement and other relevant officials",
        "promote the participation of {group} in decision-making processes",
        "allocate adequate resources to prevention and protection programmes",
        "address the root causes of vulnerability",
        "prevent revictimization and ensure the well-being of survivors",
    ),
    "goal": (
        "the full enjoyment of all human rights and fundamental freedoms",
        "the achievement of sustainable development",
        "the prevention of abuse and exploitation",
        "the effective protection of victims",
        "the empowerment of {group}",
    ),
    "actors": (
        "Member States", "United Nations entities", "regional and subregional organizations",
        "national human rights institutions", "non-governmental organizations",
        "the private sector and civil society",
    ),
    "priority": ("", ", as a matter of priority,"),
}  # fmt: skip
TITLES = (
    ("Trafficking in women and girls", "trafficking in women and girls"),
    ("Rights of the child", "the rights of the child"),
    ("Protection of migrants", "the protection of migrants"),
    ("Violence against women migrant workers", "violence against women migrant workers"),
    ("Child, early and forced marriage", "child, early and forced marriage"),
    ("Elimination of all forms of violence against women", "violence against women"),
    ("Improvement of the situation of women and girls in rural areas", "rural women and girls"),
    ("Protection of and assistance to internally displaced persons", "internal displacement"),
    ("Promotion and protection of the rights of children", "the rights of children"),
    ("Strengthening the crime prevention and criminal justice programme", "crime prevention"),
    ("Eradicating rural poverty", "rural poverty"),
    ("Policies and programmes involving youth", "youth"),
)
ORDINALS = (
    "first second third fourth fifth sixth seventh eighth ninth".split(),
    {6: "sixtieth", 7: "seventieth", 8: "eightieth"},
    {6: "sixty", 7: "seventy", 8: "eighty"},
)


def ordinal_words(n: int) -> str:
    """
    >>> ordinal_words(60), ordinal_words(78)
    ('sixtieth', 'seventy-eighth')
    """
    units, exact, tens = ORDINALS
    return exact[n // 10] if n % 10 == 0 else f"{tens[n // 10]}-{units[n % 10 - 1]}"


def fill(pattern: str, rng: random.Random, **given: str) -> str:
    """Fill ``{slot}`` placeholders from the word lists, recursively."""

    def one(m: re.Match[str]) -> str:
        key = m.group(1)
        return given[key] if key in given else fill(rng.choice(WORDS[key]), rng, **given)

    return re.sub(r"\{(\w+)\}", one, pattern)


# --- one resolution: paragraphs, citations, footnotes -----------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of prose, and the footnote whose marker follows it."""

    text: str
    note: int | None = None


@dataclass(frozen=True, slots=True)
class Draft:
    """One paragraph before layout."""

    operative: bool
    pieces: tuple[Piece, ...]
    cites: tuple[str, ...] = ()
    intent: str | None = None
    links: tuple[str, ...] = ()  # resolutions the prose names, for link lines


@dataclass(frozen=True, slots=True)
class Context:
    """What every paragraph of one resolution draws on."""

    rng: random.Random
    catalogue: Catalogue
    session: int
    topic: str


@dataclass
class _Notes:
    """The footnotes of one resolution, numbered in text order, and what each has cited."""

    rng: random.Random
    notes: list[Note] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # keys already given their footnote

    @property
    def next(self) -> int:
        return len(self.notes) + 1

    def add(self, note: Note) -> int:
        self.notes.append(note)
        return len(self.notes)

    def maybe(self, key: str, note: Note | None, *, needed: bool = False) -> int | None:
        """A footnote at an instrument's first mention, rarely again; always if ``needed``."""
        if note is None:
            return None
        chance = 0.9 if key not in self.done else 0.05
        if needed or self.rng.random() < chance:
            self.done.add(key)
            return self.add(note)
        return None


def _item(cit: Citable, notes: _Notes) -> tuple[list[Piece], list[str]]:
    """One instrument in a list, with its protocols reached by anaphora now and then."""
    rng = notes.rng
    name = rng.choice(cit.names)
    number = notes.maybe(cit.id, cit.note, needed=cit.needs_note) if name.notable else None
    pieces, ids = [Piece(name.phrase, number)], [cit.id]
    if cit.family is not None and (cit.family.needs_note or rng.random() < 0.5):
        piece, kids = _protocols(cit.id, cit.family, notes)
        pieces.append(piece)
        ids += kids
    return pieces, ids


def _protocols(parent: str, fam: Family, notes: _Notes) -> tuple[Piece, list[str]]:
    """ "and the Optional Protocols thereto", its footnote listing the volumes it means."""
    rng, key = notes.rng, parent + "/protocols"
    if fam.qualifiers and rng.random() < 0.3:
        i = rng.randrange(len(fam.kids))  # "the Optional Protocol thereto on the sale of ..."
        note = Note(unts=(fam.unts[i],)) if fam.unts else None
        marker = notes.maybe(f"{key}/{i}", note)
        return Piece(f"and {fam.phrase(1)} {fam.qualifiers[i]}", marker), [fam.kids[i]]
    chosen = list(range(len(fam.kids)))
    if fam.unts and len(chosen) > 2 and rng.random() < 0.3:
        chosen = sorted(rng.sample(chosen, rng.randint(2, len(chosen) - 1)))
    note = Note(unts=tuple(fam.unts[i] for i in chosen)) if fam.unts else None
    marker = notes.maybe(key, note, needed=fam.needs_note)
    kids = [fam.kids[i] for i in (chosen if marker is not None else range(len(fam.kids)))]
    return Piece("and " + fam.phrase(len(fam.kids)), marker), kids


def _numbers_read_as_markers(phrase: str) -> frozenset[int]:
    """Numbers in a name that the marker reader takes for a marker when that footnote is
    due: "Alliance 8.7", and "(No. 29)" too, as the word it checks is "(No." not "No.".

    >>> sorted(_numbers_read_as_markers("Alliance 8.7"))
    [8]
    >>> sorted(_numbers_read_as_markers("Forced Labour Convention, 1930 (No. 29)"))
    [29]
    >>> _numbers_read_as_markers("its resolution 64/293 of 30 July 2010")
    frozenset()
    """
    found = re.finditer(r"(\S+) (\d{1,3})(?=[,;:.)]|$)", phrase)
    return frozenset(int(m.group(2)) for m in found if m.group(1).lower() not in NUMBER_WORDS)


def _pick(
    rng: random.Random, cat: Catalogue, accept: Callable[[Citable], bool], taken: set[str], due: int
) -> Citable | None:
    for _ in range(30):
        if rng.random() < INVENTED_SHARE:
            cit = rng.choices(cat.invented, cum_weights=cat.invented_weights)[0]
        else:
            cit = rng.choices(cat.known, cum_weights=cat.known_weights)[0]
        risky = any(
            due <= n <= due + 3 for x in cit.names for n in _numbers_read_as_markers(x.phrase)
        )
        if accept(cit) and cit.id not in taken and not risky:
            return cit
    return None


def _list(items: list[list[Piece]], rng: random.Random) -> list[Piece]:
    """ "A, B and C"; a comma before the last "and" when an item holds an "and" itself."""
    serial = any(len(i) > 1 for i in items) or rng.random() < 0.3
    out: list[Piece] = []
    for i, item in enumerate(items):
        if i and i == len(items) - 1:
            item = [replace(item[0], text="and " + item[0].text), *item[1:]]
        if i < len(items) - 2 or (i == len(items) - 2 and serial):
            item = [*item[:-1], replace(item[-1], text=item[-1].text + ",")]
        out += item
    return out


def _then(pieces: list[Piece], text: str) -> list[Piece]:
    """Append prose; leading punctuation goes before the last marker, as UN texts place it."""
    if text[:1] in (",", ";", ".", ":") and pieces:
        last = pieces[-1]
        pieces = [*pieces[:-1], replace(last, text=last.text + text[0])]
        text = text[1:]
    return [*pieces, Piece(text.strip())] if text.strip() else pieces


def _accepts(template: Template, qualified: bool) -> Callable[[Citable], bool]:
    return lambda c: (c.treaty or not template.treaties) and not (qualified and c.needs_note)


def _citing(template: Template, notes: _Notes, ctx: Context, operative: bool) -> Draft:
    rng = ctx.rng
    items: list[list[Piece]] = []
    cites: list[str] = []
    for _ in range(rng.randint(1, template.most)):
        # A qualified anaphor ("thereto on the sale of ...") claims a marker with no name of
        # its own after it, so instruments known only by their footnote do not follow one.
        qualified = any(" thereto on " in p.text for item in items for p in item)
        accept = _accepts(template, qualified)
        cit = _pick(rng, ctx.catalogue, accept, set(cites), notes.next)
        if cit is None:
            break
        pieces, ids = _item(cit, notes)
        items.append(pieces)
        cites += ids
    pieces = [Piece(fill(template.before, rng)), *_list(items, rng)]
    after = rng.choice(template.after) + _extensions(rng, rng.choice((0, 0, 1, 2)), operative)
    pieces = _then(pieces, fill(after, rng, topic=ctx.topic))
    return Draft(operative, tuple(pieces), tuple(dict.fromkeys(cites)), template.intent)


def _extensions(rng: random.Random, count: int, operative: bool) -> str:
    own = OPERATIVE_EXTENSIONS if operative else PREAMBLE_EXTENSIONS
    return "".join(rng.sample(EXTENSIONS + own, count))


def _own_resolutions(ctx: Context) -> Draft:
    """ "Recalling its resolution 75/158 of 16 December 2020 and all its previous
    resolutions on ...": text-only records the extractor names by symbol."""
    rng, session = ctx.rng, ctx.session
    symbols: list[str] = []
    count = rng.randint(1, 3)
    while len(symbols) < count:
        sym = f"A/RES/{rng.randint(max(50, session - 8), session - 1)}/{rng.randint(100, 299)}"
        if sym not in ctx.catalogue.symbols and sym not in symbols:
            symbols.append(sym)
    symbols.sort(key=_symbol_order)
    numbers = [s[6:] for s in symbols]
    if len(numbers) == 1:
        day = date(1945 + int(numbers[0].split("/")[0]), 12, rng.randint(10, 22))
        text = f"Recalling its resolution {numbers[0]} of {_day(day)} and all its previous "
        text += f"resolutions on {ctx.topic}"
    else:
        text = f"Recalling its resolutions {', '.join(numbers[:-1])} and {numbers[-1]}"
    ids = tuple(symbol_slug(s).lower() for s in symbols)
    return Draft(False, (Piece(text),), ids, "recalling", tuple(symbols))


def _symbol_order(symbol: str) -> tuple[int, ...]:
    return tuple(int(p) for p in symbol[6:].split("/"))


def _filler(pattern: str, rng: random.Random, operative: bool, session: int) -> Draft:
    closing = pattern == CLOSING
    count = 0 if closing else rng.choice((1, 2, 2, 3, 3, 4))
    text = fill(pattern + _extensions(rng, count, operative), rng,
                ordinal=ordinal_words(session + rng.randint(1, 3)))  # fmt: skip
    return Draft(operative, (Piece(text),))


def _end(draft: Draft, mark: str) -> Draft:
    return replace(draft, pieces=tuple(_then(list(draft.pieces), mark)))


def paragraphs(ctx: Context) -> tuple[list[Draft], list[Note]]:
    notes = _Notes(ctx.rng)
    preamble = _preamble(ctx, notes, ctx.rng.randint(3, 12))
    operative = _operative(ctx, notes, ctx.rng.randint(3, 20))
    return [_end(d, ",") for d in preamble] + operative, notes.notes


def _preamble(ctx: Context, notes: _Notes, count: int) -> list[Draft]:
    rng = ctx.rng
    drafts = [_own_resolutions(ctx)] if rng.random() < 0.6 else []
    fillers = _shuffled(rng, PREAMBLE_FILLER)
    while len(drafts) < count:
        if rng.random() < 0.45:
            drafts.append(_citing(rng.choice(PREAMBLE_CITING), notes, ctx, False))
        else:
            drafts.append(_filler(next(fillers), rng, False, ctx.session))
    return drafts


def _operative(ctx: Context, notes: _Notes, count: int) -> list[Draft]:
    rng = ctx.rng
    fillers = _shuffled(rng, OPERATIVE_FILLER)
    drafts = []
    for n in range(1, count + 1):
        if n == count:
            draft = _filler(CLOSING, rng, True, ctx.session)
        elif rng.random() < 0.3:
            draft = _citing(rng.choice(OPERATIVE_CITING), notes, ctx, True)
        else:
            draft = _filler(next(fillers), rng, True, ctx.session)
        drafts.append(_end(draft, "." if n == count else ";"))
    return drafts


def _shuffled(rng: random.Random, patterns: Sequence[str]) -> Iterator[str]:
    """Patterns in a new order each round: no paragraph repeats the one before it."""
    while True:
        yield from rng.sample(patterns, len(patterns))
