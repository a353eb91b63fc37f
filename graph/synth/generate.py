"""Synthetic resolutions for scale tests and benchmarks: ``treatygraph synth``.

Each resolution is made from the seed and its index alone, in the layout of the seed corpus
(text extracted from a PDF: blank lines between lines, paragraph starts indented, footnote
markers spaced or glued, footnote blocks that break sentences, link lines, page furniture,
words hyphenated across lines), together with the truth planted in it: which paragraph cites
which instrument. Instruments are drawn with a Zipf-like spread from the authority data, plus
invented treaties known only by an invented UNTS volume and number, which the extractor makes
into text-only ``unts-<volume>-<number>`` records.

Every phrasing is one the extractor is meant to read. Where a layout would trip one of its
heuristics (see :func:`_may_break`, :func:`_indent`, :func:`_links_needed` and
:func:`_numbers_read_as_markers`), the
generator keeps clear of it, so any disagreement with the planted truth is a regression.

>>> one = generate(0, seed=1)
>>> one.name, one.planted.symbol
('A-RES-60-301', 'A/RES/60/301')
>>> "synthetic: true" in one.meta and one.text == generate(0, seed=1).text
True
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from treatygraph.errors import TreatygraphError
from treatygraph.model import Instrument, Unts, symbol_slug
from treatygraph.reader.authority import Authority, default_authority
from treatygraph.reader.parse import NUMBER_WORDS, preamble_openers

GENERATOR = "treatygraph synth 1"
SESSIONS = range(60, 80)
FIRST_NUMBER = 301  # above every number the real corpus holds: A/RES/77/194 is never made
ZIPF = 1.1
INVENTED_SHARE = 0.12  # of the instruments a paragraph cites
INVENTED_TREATIES = 48
SMALL_WORDS = frozenset("of on the and for against in to by from with a an at".split())

# --- what can be cited, and how -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """What one footnote cites: UNTS volumes under one registration number, or a text."""

    unts: tuple[Unts, ...] = ()
    text: str = ""
    link: str | None = None  # a document symbol, for the undocs.org link line

    def render(self, previous: Note | None) -> str:
        """The footnote's text; ``previous`` is the footnote before it, for "Ibid."

        >>> n = Note(unts=(Unts(2171, 27531), Unts(2173, 27531)))
        >>> n.render(None)
        'United Nations, Treaty Series, vols. 2171 and 2173, No. 27531.'
        >>> Note(unts=(Unts(96, 1342),)).render(n), n.render(n)
        ('Ibid., vol. 96, No. 1342.', 'Ibid.')
        """
        if previous == self:
            return "Ibid."
        if not self.unts:
            return self.text
        lead = (
            "Ibid., "
            if previous is not None and previous.unts
            else "United Nations, Treaty Series, "
        )
        volumes = [str(u.volume) for u in self.unts]
        listed = (
            volumes[0] if len(volumes) == 1 else ", ".join(volumes[:-1]) + " and " + volumes[-1]
        )
        return f"{lead}vol{'s' if len(volumes) > 1 else ''}. {listed}, No. {self.unts[0].number}."


@dataclass(frozen=True, slots=True)
class Name:
    """A phrase that names an instrument in the prose."""

    phrase: str
    notable: bool = True  # may carry the instrument's footnote


@dataclass(frozen=True, slots=True)
class Family:
    """The protocols a parent's anaphor reaches: "and the Optional Protocols thereto"."""

    noun: str  # "Optional Protocol" or "Protocol"
    kids: tuple[str, ...]
    unts: tuple[Unts, ...] = ()  # one per kid, all under one registration number, or none
    qualifiers: tuple[str, ...] = ()  # per kid: "on the sale of children, ...", or none
    needs_note: bool = False  # invented protocols are known only through their footnote

    def phrase(self, count: int) -> str:
        return f"the {self.noun}{'s' if count > 1 else ''} thereto"


@dataclass(frozen=True, slots=True)
class Citable:
    """One instrument as the generator cites it."""

    id: str
    names: tuple[Name, ...]
    note: Note | None = None
    needs_note: bool = False  # a report or an invented treaty: cited through its footnote
    treaty: bool = False  # open to ratification
    family: Family | None = None
    title: str | None = None  # an invented treaty's title (the extractor makes the record)


@dataclass(frozen=True, slots=True)
class Catalogue:
    """What the generator cites: authority instruments and invented treaties, each list in
    rank order, with cumulative Zipf weights."""

    known: tuple[Citable, ...]
    known_weights: tuple[float, ...]
    invented: tuple[Citable, ...]
    invented_weights: tuple[float, ...]
    symbols: frozenset[str]  # symbols the authority knows: invented resolutions avoid them
    titles: dict[str, str]  # invented record id → its true title


def zipf_weights(count: int) -> tuple[float, ...]:
    """Cumulative weights, rank r drawn in proportion to 1 / r ** ZIPF.

    >>> [round(w, 2) for w in zipf_weights(3)]
    [1.0, 1.47, 1.77]
    """
    total, out = 0.0, []
    for rank in range(1, count + 1):
        total += 1 / rank**ZIPF
        out.append(total)
    return tuple(out)


@cache
def catalogue(seed: int) -> Catalogue:
    authority = default_authority()
    known = known_citables(authority)
    invented = invented_citables(random.Random(f"{GENERATOR}:{seed}:catalogue"))
    return Catalogue(
        known,
        zipf_weights(len(known)),
        invented,
        zipf_weights(len(invented)),
        frozenset(authority.by_symbol),
        _titles(invented),
    )


def _titles(invented: tuple[Citable, ...]) -> dict[str, str]:
    """True titles of invented records; a protocol's is one the text never gives (it says
    "the Protocol thereto"), kept for completeness."""
    out: dict[str, str] = {}
    for c in invented:
        out[c.id] = c.title or c.id
        for kid in c.family.kids if c.family else ():
            out[kid] = f"Protocol to the {c.title}"
    return out


def known_citables(authority: Authority) -> tuple[Citable, ...]:
    """Every authority instrument the prose can cite, the likeliest first: treaties, then
    protocols and ILO conventions, then documents with a symbol, then the rest."""
    ranked = sorted(authority.instruments.values(), key=_rank)  # stable: CSV order within
    made = (_citable(inst, authority) for inst in ranked)
    return tuple(c for c in made if c is not None)


def _rank(inst: Instrument) -> int:
    if inst.unts and not inst.parent and not inst.ilo_code:
        return 0
    return 1 if inst.unts else 2 if inst.symbol else 3


def _citable(inst: Instrument, authority: Authority) -> Citable | None:
    note = _note(inst, authority)
    names = _names(inst, authority)
    if inst.kind.startswith("report") and inst.symbol:
        # "the report of the Secretary-General,17" with "A/77/292.": found by its footnote.
        return Citable(inst.id, (Name(_descriptor(inst.title)),), note, needs_note=True)
    if not names:
        return None
    family = _family(inst, authority)
    return Citable(inst.id, names, note, treaty=bool(inst.unts), family=family)


def _names(inst: Instrument, authority: Authority) -> tuple[Name, ...]:
    aliases = [a.text for a in authority.aliases if a.instrument == inst.id and _usable(a.text)]
    if inst.ilo_code and inst.ilo_code[0] in "CR":  # conventions go by their number too
        aliases = [a for a in aliases if "(No. " in a]
    names = [Name(_with_article(text, inst.kind)) for text in aliases]
    symbol = inst.symbol or ""
    if inst.kind == "GA resolution" and symbol.startswith("A/RES/") and inst.adoption_date:
        # "its resolution 64/293 of 30 July 2010": the number is the reference, no footnote.
        names.append(Name(f"its resolution {symbol[6:]} of {_day(inst.adoption_date)}", False))
    return tuple(names)


def _usable(alias: str) -> bool:
    """Aliases prose would use: several words, no acronym glued to a number, and no
    parenthesis ("Palermo (TIP) Protocol", "... (A/77/170)") unless an ILO title's.

    >>> _usable("Migrant Workers (Supplementary Provisions) Convention, 1975 (No. 143)")
    True
    >>> _usable("Palermo (TIP) Protocol"), _usable("CSW66 agreed conclusions"), _usable("CRC")
    (False, False, False)
    """
    if len(alias.split()) < 2 or re.search(r"[A-Za-z]\d|\d/\d", alias):
        return False
    return "(" not in alias or re.search(r"\(No\. \d+\)$", alias) is not None


def _with_article(title: str, kind: str) -> str:
    """The title as a noun phrase: "the Convention ...", "the basic principles on ...",
    "the resolution entitled “Transforming our world: ...”", "Alliance 8.7".

    >>> _with_article("Basic principles on the right to an effective remedy", "other")
    'the basic principles on the right to an effective remedy'
    >>> _with_article("Alliance 8.7", "other (global partnership)")
    'Alliance 8.7'
    >>> _with_article("Global Plan of Action", "GA resolution")
    'the Global Plan of Action'
    """
    quoted = ":" in title or title.split()[0].endswith("ing") or _sentence_case(title)
    if "resolution" in kind and quoted:  # a resolution's title reads as a phrase, not a name
        return f"the resolution entitled “{title}”"
    if re.match(r"[A-Z]\w* \d", title):
        return title
    return "the " + (title[0].lower() + title[1:] if _sentence_case(title) else title)


def _sentence_case(title: str) -> bool:
    words = title.split()
    content = [w for w in words[1:] if w.lower() not in SMALL_WORDS]
    return words[0].istitle() and bool(content) and content[0][0].islower()


def _descriptor(title: str) -> str:
    """A report named as prose names it.

    >>> _descriptor("Trafficking in women and girls: report of the Secretary-General (A/77/292)")
    'the report of the Secretary-General'
    """
    bare = re.sub(r"\s*\([^()]*\)$", "", title).rsplit(": ", 1)[-1]
    return "the " + bare[0].lower() + bare[1:]


def _note(inst: Instrument, authority: Authority) -> Note | None:
    if inst.unts and inst.unts[0].number is not None:
        return Note(unts=(Unts(inst.unts[0].volume, inst.unts[0].number),))
    annex = ", annex" if "annex" in inst.kind or inst.kind == "declaration" else ""
    if inst.symbol and inst.symbol.startswith("A/RES/"):
        return Note(text=f"Resolution {inst.symbol[6:]}{annex}.", link=inst.symbol)
    if inst.symbol:
        lead = "See " if annex else ""  # "A/77/292." but "See A/69/269, annex."
        return Note(text=f"{lead}{inst.symbol}{annex}.", link=inst.symbol)
    sales = [s for s, i in authority.by_sales_number.items() if i == inst.id]
    return Note(text=f"United Nations publication, Sales No. {sales[0]}.") if sales else None


def _family(inst: Instrument, authority: Authority) -> Family | None:
    kids = [authority.get(k) for k in authority.children.get(inst.id, ())]
    kids = [k for k in kids if "protocol" in k.kind]
    if not kids:
        return None
    optional = all(k.kind == "optional protocol" for k in kids)
    unts = tuple(Unts(k.unts[0].volume, k.unts[0].number) for k in kids if k.unts)
    if len(unts) != len(kids) or len({u.number for u in unts}) != 1:
        unts = ()  # one footnote lists the kids' volumes only under one number
    # What a kid's title adds to its parent's: "... Child on the sale of children, ...".
    tails = [k.title.partition(inst.title + " ")[2] for k in kids]
    qualifiers = tuple(t for t in tails if t.startswith("on "))
    return Family(
        "Optional Protocol" if optional else "Protocol",
        tuple(k.id for k in kids),
        unts,
        qualifiers if len(qualifiers) == len(kids) > 1 else (),
    )


def _day(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


INVENTED_FORMS = (
    "Convention on the {} of {}",
    "Treaty on the {} of {}",
    "Agreement on the {} of {}",
    "International Convention for the {} of {}",
    "Regional Convention on the {} of {}",
)
INVENTED_SUBJECTS = (
    "Conservation", "Protection", "Sustainable Management", "Prevention of Pollution",
    "Joint Monitoring", "Restoration", "Safe Use", "Shared Stewardship",
)  # fmt: skip
INVENTED_OBJECTS = (
    "Coastal Wetlands", "Mountain Ecosystems", "Transboundary Aquifers", "Mangrove Forests",
    "Migratory Freshwater Fish", "Polar Research Stations", "Desert Locust Habitats",
    "Inland Waterways", "Coral Reef Fisheries", "Geothermal Resources", "Pollinator Habitats",
    "Alpine Pastures", "Tropical Peatlands", "Volcanic Island Ecosystems", "Seagrass Meadows",
    "Karst Landscapes",
)  # fmt: skip


def invented_citables(rng: random.Random) -> tuple[Citable, ...]:
    """Treaties the authority data lacks, each with an invented UNTS volume (3000s) and
    registration number (60000s), one in four with a protocol under the same number."""
    titles = [
        form.format(s, o)
        for form in INVENTED_FORMS
        for s in INVENTED_SUBJECTS
        for o in INVENTED_OBJECTS
    ]
    numbers = rng.sample(range(60000, 70000), INVENTED_TREATIES)
    out = []
    for title, number in zip(rng.sample(titles, INVENTED_TREATIES), numbers, strict=True):
        volume = rng.randrange(3000, 3400)
        family = None
        if rng.random() < 0.25:
            kid = Unts(volume + rng.randrange(5, 100), number)
            family = Family("Protocol", (_unts_id(kid),), (kid,), needs_note=True)
        unts = Unts(volume, number)
        name = Name("the " + title)
        out.append(Citable(_unts_id(unts), (name,), Note(unts=(unts,)), True, True, family, title))
    return tuple(out)


def _unts_id(unts: Unts) -> str:
    """The id the extractor gives a treaty it knows only by its UNTS record."""
    return f"unts-{unts.volume}-{unts.number}"


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


def _paragraphs(ctx: Context) -> tuple[list[Draft], list[Note]]:
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


# --- layout ------------------------------------------------------------------------------

LINE_ENDING_MARKER = re.compile(r"(?<=[,;:.”)])\s*\d{1,3}\s*$")
CAPITALISED_ING = re.compile(r"[A-Z][a-z]+ing")
COMPOUND = re.compile(r"[A-Za-z]+-[A-Za-z]+[,;.]?")
Unit = tuple[str, int | None]  # a word, and the footnote whose marker is glued to it


@dataclass(frozen=True, slots=True)
class Line:
    """One body line as laid out, before indentation."""

    text: str
    notes: tuple[int, ...] = ()
    links: tuple[str, ...] = ()
    starts: bool = False  # a paragraph's first line
    ends: bool = False  # its last
    glued: bool = False  # ends in a compound broken at its hyphen: no space after it


def _marker(word: str, number: int, rng: random.Random) -> str:
    """A footnote marker after ``word``: spaced ("Crime 1  and") or glued ("thereto19")."""
    if word[-1].isdigit() or rng.random() < 0.5:
        return f"{word} {number} "
    return f"{word}{number}"


def _units(draft: Draft, rng: random.Random) -> list[Unit]:
    units: list[Unit] = []
    for piece in draft.pieces:
        *words, last = piece.text.split()
        units += [(w, None) for w in words]
        marked = last if piece.note is None else _marker(last, piece.note, rng)
        units.append((marked, piece.note))
    return units


def _closes(line: str) -> bool:
    """Whether the reader takes ``line`` to end a paragraph (a trailing marker aside)."""
    return LINE_ENDING_MARKER.sub("", line.rstrip()).endswith((",", ";", ":", "."))


def _may_break(line: str, word: str, preamble: bool) -> bool:
    """Whether a line may end before ``word``. The reader takes a line that starts with a
    number for a footnote or an operative paragraph, and in the preamble a line that starts
    with an opener word ("Trafficking", "Further") after a closing line for a new paragraph."""
    if word[:1].isdigit():
        return False
    first = word.rstrip(",;:.")
    opener = first in preamble_openers() or CAPITALISED_ING.fullmatch(first) is not None
    return not (preamble and opener and _closes(line))


def _wrap(
    units: list[Unit], width: int, preamble: bool, rng: random.Random
) -> list[tuple[list[Unit], bool]]:
    """Greedy wrapping; now and then a compound breaks at its hyphen ("capacity-" then
    "building"), a line the reader glues to the next (the flag)."""
    lines: list[tuple[list[Unit], bool]] = [([], False)]
    text = ""  # the current line so far
    for word, note in units:
        line = lines[-1][0]
        if not line or len(text) + 1 + len(word) <= width or not _may_break(text, word, preamble):
            line.append((word, note))
            text = f"{text} {word}" if text else word
            continue
        head, _, tail = word.partition("-")
        split = note is None and COMPOUND.fullmatch(word) is not None and rng.random() < 0.5
        if split and len(text) + len(head) + 2 <= width and _may_break(text, tail, preamble):
            line.append((head + "-", None))
            lines[-1] = (line, True)
            word = tail
        lines.append(([(word, note)], False))
        text = word
    return lines


def _lines(draft: Draft, number: int, width: int, rng: random.Random) -> list[Line]:
    units = _units(draft, rng)
    if draft.operative:
        units.insert(0, (f"{number}.", None))
    wrapped = _wrap(units, width, not draft.operative, rng)
    out = []
    for i, (line, glued) in enumerate(wrapped):
        text = " ".join(w for w, _ in line)
        notes = tuple(n for _, n in line if n is not None)
        links = tuple(s for s in draft.links if s[6:] in text)
        out.append(Line(text, notes, links, i == 0, i == len(wrapped) - 1, glued))
    return out


@dataclass(frozen=True, slots=True)
class Page:
    lines: tuple[Line, ...]
    notes: tuple[int, ...]  # the footnotes its lines call, printed at its foot


def _pages(lines: list[Line], rng: random.Random) -> list[Page]:
    pages: list[Page] = []
    current: list[Line] = []
    notes: list[int] = []
    budget = rng.randint(24, 34)  # lines on a page, footnotes included
    for line in lines:
        current.append(line)
        notes += line.notes
        if len(current) + len(notes) + (2 if notes else 0) >= budget:
            pages.append(Page(tuple(current), tuple(notes)))
            current, notes = [], []
            budget = rng.randint(24, 34)
    if current:
        pages.append(Page(tuple(current), tuple(notes)))
    return pages


@dataclass(frozen=True, slots=True)
class Furniture:
    """Page furniture: the running header and the job number and barcode of page one."""

    symbol: str
    title: str
    job: str
    barcode: str


def _indent(line: Line, previous: Line | None, after_break: bool, rng: random.Random) -> str:
    """One space (now and then two) before a paragraph's first line. A line that goes on
    with a paragraph on a new page is indented too, as PDF extraction leaves it, unless the
    line before it closes: the reader would take it for a new paragraph."""
    if line.starts:
        return "  " if rng.random() < 0.1 else " "
    if after_break and previous is not None and not _closes(previous.text):
        return " "
    return ""


def _render(pages: list[Page], notes: list[Note], furniture: Furniture, rng: random.Random) -> str:
    out = [f"   {furniture.title} \n \n\n \n\n The General Assembly, \n\n"]
    previous: Line | None = None
    for k, page in enumerate(pages, start=1):
        for i, line in enumerate(page.lines):
            indent = _indent(line, previous, i == 0 and k > 1, rng)
            end = "" if line.glued else "  " if line.ends else " "  # as PDF extraction leaves
            out.append(f"{indent}{line.text}{end}\n\n")
            previous = line
        out.append(_foot(page, notes, furniture, (k, len(pages)), rng))
    return "".join(out).rstrip("\n") + "\n"


def _foot(
    page: Page, notes: list[Note], furniture: Furniture, where: tuple[int, int], rng: random.Random
) -> str:
    """A page's foot: the footnote block, link lines, page furniture."""
    out: list[str] = []
    if page.notes:
        texts = [
            f" {n}  {notes[n - 1].render(notes[n - 2] if n > 1 else None)} " for n in page.notes
        ]
        out.append("__________________ \n\n" + "\n\n".join(texts))
    symbols = [notes[n - 1].link for n in page.notes] + [s for ln in page.lines for s in ln.links]
    links = list(dict.fromkeys(s for s in symbols if s))
    if links and (rng.random() < 0.85 or _links_needed(page, notes)):
        out.append(
            ("\n\n" if page.notes else "") + "".join(f"https://undocs.org/en/{s}\n" for s in links)
        )
    elif page.notes:
        out.append("\n")
    k, total = where
    if k < total:
        out.append(_furniture(furniture, k, total, rng))
    return "".join(out)


def _links_needed(page: Page, notes: list[Note]) -> bool:
    """A block whose last footnote ends "annex." needs a line after it that is no body text:
    the cleaner reads "annex." as unfinished and would take the next body line into it."""
    return bool(page.notes) and notes[page.notes[-1] - 1].text.endswith("annex.")


def _furniture(f: Furniture, k: int, total: int, rng: random.Random) -> str:
    lines = [f.job, f.barcode] if k == 1 and rng.random() < 0.6 else []
    if rng.random() < 0.5:
        lines += [f"{f.symbol} {f.title}", f"{k + 1}/{total}"]
    return "".join(line + "\n" for line in lines)


# --- one resolution, whole ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    """The truth a synthetic resolution holds."""

    symbol: str
    cites: tuple[tuple[str, tuple[str, ...]], ...]  # every paragraph id → instrument ids
    intents: tuple[tuple[str, str], ...]  # citing paragraphs → the intent of their opening
    invented: tuple[tuple[str, str], ...]  # text-only treaty records → the title the text uses
    footnotes: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "generator": GENERATOR,
            "symbol": self.symbol,
            "cites": {pid: list(ids) for pid, ids in self.cites},
            "intents": dict(self.intents),
            "invented": dict(self.invented),
            "footnotes": self.footnotes,
        }


@dataclass(frozen=True, slots=True)
class Synthetic:
    """One generated resolution: its file stem, text, metadata file and planted truth."""

    name: str
    text: str
    meta: str
    planted: Planted


def symbol_of(index: int) -> tuple[int, int]:
    """Session and number of the ``index``-th resolution: unique for every index.

    >>> symbol_of(0), symbol_of(19), symbol_of(20)
    ((60, 301), (79, 301), (60, 302))
    """
    return SESSIONS[index % len(SESSIONS)], FIRST_NUMBER + index // len(SESSIONS)


def generate(index: int, *, seed: int) -> Synthetic:
    """The ``index``-th synthetic resolution of ``seed``: text, metadata and planted truth."""
    if index < 0:
        raise ValueError(f"index must be >= 0, not {index}")
    rng = random.Random(f"{GENERATOR}:{seed}:{index}")
    cat = catalogue(seed)
    session, number = symbol_of(index)
    symbol = f"A/RES/{session}/{number}"
    title, topic = rng.choice(TITLES)
    drafts, notes = _paragraphs(Context(rng, cat, session, topic))
    adopted = date(1945 + session, 12, rng.randint(10, 22))
    furniture = _furniture_of(symbol, title, adopted, rng)
    width = rng.randint(82, 92)
    lines: list[Line] = []
    operative = 0
    for d in drafts:
        operative += d.operative
        lines += _lines(d, operative, width, rng)
    text = _render(_pages(lines, rng), notes, furniture, rng)
    meta = _meta(symbol, title, session, adopted, rng)
    return Synthetic(symbol_slug(symbol), text, meta, _planted(symbol, drafts, notes, cat))


def _furniture_of(symbol: str, title: str, adopted: date, rng: random.Random) -> Furniture:
    job = rng.randint(10000, 29999)
    issued = date.fromordinal(adopted.toordinal() + rng.randint(5, 30))
    yy = adopted.year % 100
    return Furniture(symbol, title, f"{yy:02d}-{job} (E) {issued:%d%m%y}", f"*{yy:02d}{job}*")


def _meta(symbol: str, title: str, session: int, adopted: date, rng: random.Random) -> str:
    item = f"{rng.randint(20, 140)}" + (" (a)" if rng.random() < 0.3 else "")
    return (
        f"# Synthetic resolution made by {GENERATOR}: not a United Nations text.\n"
        f"symbol: {symbol}\n"
        f"title: {json.dumps(title)}\n"
        "body: General Assembly\n"
        f"session: {session}\n"
        f"adoption_date: {adopted.isoformat()}\n"
        f"agenda_item: {json.dumps(item)}\n"
        "synthetic: true\n"
    )


def _planted(symbol: str, drafts: list[Draft], notes: list[Note], cat: Catalogue) -> Planted:
    ids: list[tuple[str, tuple[str, ...]]] = []
    counts = {False: 0, True: 0}
    for d in drafts:
        counts[d.operative] += 1
        ids.append((("op" if d.operative else "pp") + str(counts[d.operative]), d.cites))
    intents = tuple(
        (pid, d.intent) for (pid, c), d in zip(ids, drafts, strict=True) if c and d.intent
    )
    cited = dict.fromkeys(i for _, c in ids for i in c if i in cat.titles)
    invented = tuple((i, cat.titles[i]) for i in cited)
    return Planted(symbol, tuple(ids), intents, invented, len(notes))


# --- a corpus on disk --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SynthReport:
    """What :func:`synthesize` wrote."""

    out_dir: Path
    seed: int
    names: tuple[str, ...]
    paragraphs: int
    footnotes: int
    citations: int  # planted (paragraph, instrument) pairs
    instruments: int  # distinct instruments planted
    invented: int  # distinct text-only treaty records planted

    def __str__(self) -> str:
        return (
            f"{len(self.names)} synthetic resolutions (seed {self.seed}) in {self.out_dir}: "
            f"{self.paragraphs} paragraphs, {self.footnotes} footnotes, {self.citations} "
            f"citations of {self.instruments} distinct records ({self.invented} invented treaties)"
        )


def write(one: Synthetic, out_dir: Path) -> Path:
    """Write ``NAME.txt``, ``NAME.meta.yaml`` and ``NAME.planted.json``; the text's path."""
    path = out_dir / f"{one.name}.txt"
    path.write_text(one.text, encoding="utf-8", newline="\n")
    (out_dir / f"{one.name}.meta.yaml").write_text(one.meta, encoding="utf-8", newline="\n")
    planted = json.dumps(one.planted.as_dict(), indent=2, ensure_ascii=False) + "\n"
    (out_dir / f"{one.name}.planted.json").write_text(planted, encoding="utf-8", newline="\n")
    return path


def synthesize(n: int, *, seed: int, out_dir: Path) -> SynthReport:
    """Write ``n`` synthetic resolutions of ``seed`` into ``out_dir`` (created if need be)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    tally = _Tally()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            one = generate(i, seed=seed)
            write(one, out_dir)
            tally.add(one)
    except OSError as err:
        raise TreatygraphError(f"cannot write to {out_dir}: {err.strerror or err}") from err
    return tally.report(seed, out_dir)


@dataclass
class _Tally:
    """Counts over resolutions written one by one: a big corpus is never held in memory."""

    names: list[str] = field(default_factory=list)
    paragraphs: int = 0
    footnotes: int = 0
    citations: int = 0
    instruments: set[str] = field(default_factory=set)
    invented: set[str] = field(default_factory=set)

    def add(self, one: Synthetic) -> None:
        self.names.append(one.name)
        self.paragraphs += len(one.planted.cites)
        self.footnotes += one.planted.footnotes
        self.citations += sum(len(ids) for _, ids in one.planted.cites)
        self.instruments.update(i for _, ids in one.planted.cites for i in ids)
        self.invented.update(i for i, _ in one.planted.invented)

    def report(self, seed: int, out_dir: Path) -> SynthReport:
        counts = (self.paragraphs, self.footnotes, self.citations)
        distinct = (len(self.instruments), len(self.invented))
        return SynthReport(out_dir, seed, tuple(self.names), *counts, *distinct)


def read_planted(text_path: Path) -> dict[str, set[str]]:
    """The planted truth beside a synthetic text: paragraph id → instrument ids."""
    data = json.loads(text_path.with_name(text_path.stem + ".planted.json").read_text("utf-8"))
    return {pid: set(ids) for pid, ids in data["cites"].items()}


# --- the command -------------------------------------------------------------------------


def _count(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {n}")
    return n


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``treatygraph synth --resolutions N --seed S OUT_DIR``."""
    p = sub.add_parser("synth", help="write synthetic resolutions (marked synthetic) for tests")
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="directory to write into")
    p.add_argument("--resolutions", "-n", type=_count, default=100, metavar="N",
                   help="how many resolutions (default 100)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    report = synthesize(args.resolutions, seed=args.seed, out_dir=args.out_dir)
    seconds = time.perf_counter() - start
    rate = len(report.names) / seconds if seconds > 0 else 0.0
    print(f"{report} — {seconds:.2f} s, {rate:.0f} resolutions/s")
    return 0


__all__ = [
    "Planted",
    "SynthReport",
    "Synthetic",
    "generate",
    "read_planted",
    "register",
    "synthesize",
    "write",
]
