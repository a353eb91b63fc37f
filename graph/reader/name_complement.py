"""The complement of an instrument name: what follows its head ("on the Rights of the Child",
", 1961", ", adopted at Rome on 17 July 1998"), read token by token with
:class:`~treatygraph.reader.name_words.Reader`."""

from __future__ import annotations

from treatygraph.reader.name_words import MONTHS, ROMAN, YEAR, Reader, is_capitalised


def without_bare_head(r: Reader, after: int, last: int) -> int:
    """ "the Bangkok Treaty on the Protocol to that Treaty": a complement that ends on a bare
    head ("the Protocol") names another instrument by a short form; the name ends before."""
    k = last
    while k >= after and is_capitalised(r.word(k)) and r.word(k) in r.w.generic:
        k -= 1
    if k == last or not any(r.word(t) in r.w.heads_words for t in range(k + 1, last + 1)):
        return last if not _dangling_year(r, last) else last - 2
    if r.word(k) not in r.w.connectors:
        return last
    while k >= after and r.word(k) in r.w.connectors:
        k -= 1
    return k if k >= after else after - 1


def _dangling_year(r: Reader, last: int) -> bool:
    """ "Declaration of the 1980": a year after "the" begins a name of its own."""
    return bool(YEAR.fullmatch(r.word(last))) and r.word(last - 1) == "the"


def complement(
    r: Reader, k: int
) -> tuple[int, tuple[int, int] | None, str | None, tuple[str, int] | None]:
    """Read the complement from token ``k``: the index of its last token (``k - 1`` when
    empty), a parenthesised short name, and an adoption place and date."""
    last, alias, between = k - 1, None, False
    place: str | None = None
    date: tuple[str, int] | None = None
    if r.word(k) in r.w.connectors and r.word(k) not in r.w.openers:
        return last, alias, place, date  # "the Treaty in New York": no complement
    while k < len(r.tokens):
        word = r.word(k)
        if word in {"and", "or"}:
            nxt = r.word(k + 1)
            if nxt == "the" and (between or _alias_follows(r, k + 2)):
                between = False
            elif nxt in r.w.openers and is_capitalised(r.word(k + 2)):
                pass  # "... Chemical Weapons and on Their Destruction"
            elif nxt == "relating":
                pass
            elif not (nxt[:1].isupper() and nxt not in r.w.not_modifier) or _phrase_follows(
                r, k + 1
            ):
                break
            k += 1
            continue
        if word == "of" and (d := r.date_end(k + 1)) is not None:
            last, k = d, d + 1
            continue
        if word in {"–", "-"} and YEAR.fullmatch(r.word(k - 1)) and YEAR.fullmatch(r.word(k + 1)):
            last, k = k + 1, k + 2
            continue
        if word in r.w.continuation and r.word(k - 1) == ",":
            k += 1
            continue
        if word in r.w.adoption:
            qualifier = _adoption(r, k)
            if qualifier is not None:
                place, date = qualifier[0], (qualifier[1], qualifier[2])
            break
        if word in {"that", "which"} and _relative_clause(r, k, last):
            k += 1  # "... on Substances that Deplete the Ozone Layer"
            continue
        if word == "/" and is_capitalised(r.word(k - 1)) and is_capitalised(r.word(k + 1)):
            k += 1  # "HIV/AIDS"
            continue
        if word in r.w.weak and (r.word(k + 1) == "the" or r.word(k + 1) in r.w.not_modifier):
            break
        if word in r.w.connectors:
            between = between or word == "between"
            k += 1
            continue
        if word == "(":
            close = r.paren_end(k)
            if close is None:
                break
            inner = r.word(k + 1)
            numbered = inner.isdigit() or (ROMAN.fullmatch(inner) and r.word(k + 2) == ")")
            if not inner.startswith(("No", "Revised")) and not numbered:
                alias = (k, close) if alias is None else alias
            last, k = close, close + 1
            continue
        if word == ",":
            step = _after_comma(r, k)
            if step is None:
                qualifier = _adoption(r, k + 1)
                if qualifier is not None:
                    place, date = qualifier[0], (qualifier[1], qualifier[2])
                break
            last, k = step, step + 1
            continue
        numbered = word.isdigit() and r.word(k - 1) in {"Agenda", "No"}
        if not (is_capitalised(word) or ROMAN.fullmatch(word) or numbered):
            break
        last, k = k, k + 1
    return last, alias, place, date


def _relative_clause(r: Reader, k: int, last: int) -> bool:
    """ "Substances that Deplete the Ozone Layer": "that" right after the name's last word,
    then a capitalised verb (not a head, not "States"); "to that Treaty" is no such clause."""
    nxt = r.word(k + 1)
    return (
        k == last + 1
        and nxt[:1].isupper()
        and nxt not in r.w.not_modifier
        and r.head_at(k + 1) is None
    )


def _phrase_follows(r: Reader, k: int) -> bool:
    """ "... and IAEA safeguards": capitalised words that a lowercase noun follows begin a
    phrase of their own, not the rest of the name."""
    while is_capitalised(r.word(k)):
        k += 1
    nxt = r.word(k)
    return nxt[:1].islower() and nxt not in r.w.connectors


def _alias_follows(r: Reader, k: int) -> bool:
    """ "... in Latin America and the Caribbean (Treaty of Tlatelolco)": capitalised words
    without a head, then the name's parenthesised short name."""
    while is_capitalised(r.word(k)) and r.head_at(k) is None:
        k += 1
    close = r.paren_end(k) if r.word(k) == "(" else None
    return close is not None and not is_capitalised(r.word(close + 1))


def _alias_or_end(r: Reader, k: int) -> bool:
    """Capitalised words without a head (joined by "and") that end the sentence's phrase."""
    start = k
    while (is_capitalised(r.word(k)) and r.head_at(k) is None) or (
        r.word(k) == "and" and is_capitalised(r.word(k + 1))
    ):
        k += 1
    return k > start and not r.word(k)[:1].isalpha()


def _inserted_phrase(r: Reader, k: int) -> int | None:
    """ "..., in a Timely and Reliable Manner, Illicit Small Arms": a phrase set off by commas
    inside a name (a connector, capitalised words, a comma, a capitalised word); the index of
    its closing comma."""
    j = k + 1
    if r.word(j) not in r.w.openers | {"in"}:
        return None
    j += 1 + (r.word(j + 1) in {"a", "the"})
    start = j
    while r.word(j)[:1].isupper() or (r.word(j) in {"and", "or"} and r.word(j + 1)[:1].isupper()):
        j += 1
    if j > start and r.word(j) == "," and r.word(j + 1)[:1].isupper() and r.head_at(j + 1) is None:
        return j
    return None


def _after_comma(r: Reader, k: int) -> int | None:
    """Where a name goes on after the comma at ``k``: ", 1961" (and "(No. 97)"), ", Social
    and Cultural Rights" (a list inside the name), ", supplementing the ..."; None where the
    comma starts a new item."""
    nxt = r.word(k + 1)
    if nxt == "of" and (date := r.date_end(k + 2)) is not None:
        return date  # "..., of 12 August 1949"
    if YEAR.fullmatch(nxt):
        close = r.paren_end(k + 2) if r.word(k + 3) == "No" else None
        return close if close is not None else k + 1
    if nxt in r.w.continuation or (nxt == "and" and r.word(k + 2) == "relating"):
        return k  # the words after are read as the complement
    if nxt == "including" and r.word(k + 2) == "the" and _alias_or_end(r, k + 3):
        return k + 2  # "..., including the Moon and Other Celestial Bodies"
    inserted = _inserted_phrase(r, k)
    if inserted is not None:
        return inserted
    j = k + 1
    while is_capitalised(r.word(j)) and r.head_at(j) is None and r.word(j) not in MONTHS:
        j += 1
    if j > k + 1 and r.word(j) in {"and", "or", ","} and is_capitalised(r.word(j + 1)):
        return j - 1
    return None


def _adoption(r: Reader, k: int) -> tuple[str | None, str, int] | None:
    """ "adopted at Rome on 17 July 1998", "done at Vienna on 23 May 1969": place, date and
    the date's last token."""
    if r.word(k) not in r.w.adoption:
        return None
    j = k + 1
    while r.word(j) in {"for", "signature"}:
        j += 1
    place = None
    if r.word(j) in {"at", "in"} and is_capitalised(r.word(j + 1)):
        place, j = r.word(j + 1), j + 2
    if r.word(j) != "on":
        return None
    end = r.date_end(j + 1)
    if end is None or end == j + 1:
        return None
    date = " ".join(r.word(t) for t in range(j + 1, end + 1))
    return place, date, end
