"""What a synthetic resolution can cite, and how: authority instruments drawn with a Zipf-like
spread, invented treaties known only by a UNTS reference, their names, notes and families."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from treatygraph.model import Instrument, Unts
from treatygraph.reader.authority import Authority, default_authority

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
