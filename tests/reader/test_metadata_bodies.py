"""Metadata of every body and era: the symbol tells the body and the session; a session
numbered apart ("ES-11") is a string; RDF IRIs stay deterministic for every kind."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import treatygraph
from treatygraph.errors import TreatygraphError
from treatygraph.model import ResolutionMeta
from treatygraph.rdf.iris import Ids
from treatygraph.reader.bodies import body_of, parse_session, session_of

SYMBOLS = [
    # symbol, body, session, resolution IRI path
    ("A/RES/77/194", "General Assembly", 77, "A-RES-77-194"),
    ("A/RES/ES-11/1", "General Assembly", "ES-11", "A-RES-ES-11-1"),
    ("A/RES/S-30/1", "General Assembly", "S-30", "A-RES-S-30-1"),
    ("A/RES/2200(XXI)", "General Assembly", 21, "A-RES-2200(XXI)"),
    ("A/RES/2200 A (XXI)", "General Assembly", 21, "A-RES-2200A(XXI)"),
    ("S/RES/2728 (2024)", "Security Council", None, "S-RES-2728(2024)"),
    ("A/HRC/RES/50/33", "Human Rights Council", 50, "A-HRC-RES-50-33"),
    ("E/RES/2004/35", "Economic and Social Council", None, "E-RES-2004-35"),
]


@pytest.mark.parametrize(("symbol", "body", "session", "slug"), SYMBOLS)
def test_symbol_tells_body_session_and_iri(
    symbol: str, body: str, session: int | str | None, slug: str
) -> None:
    assert (body_of(symbol), session_of(symbol)) == (body, session)
    assert Ids().resolution(symbol) == f"https://w3id.org/treatygraph/id/resolution/{slug}"


@pytest.mark.parametrize(
    ("value", "session"),
    [(77, 77), ("77", 77), ("ES-11", "ES-11"), ("es-11", "ES-11"), ("S-30", "S-30")],
)
def test_session_values(value: object, session: int | str) -> None:
    assert parse_session(value) == session


@pytest.mark.parametrize("value", ["ES-", "eleven", 0, -3, 2.5, True, "ES-0"])
def test_bad_session_values(value: object) -> None:
    with pytest.raises(ValueError, match="session must be"):
        parse_session(value)


BODY = "\n\n Recalling the Charter of the United Nations,\n\n 1. Decides to act.\n"


def write(tmp_path: Path, meta: str, enacting: str = "The General Assembly,") -> Path:
    path = tmp_path / "r.txt"
    path.write_text(enacting + BODY, encoding="utf-8")
    (tmp_path / "r.meta.yaml").write_text(meta, encoding="utf-8")
    return path


def test_emergency_special_session_in_metadata(tmp_path: Path) -> None:
    path = write(tmp_path, "symbol: A/RES/ES-11/1\ntitle: Aggression\nsession: ES-11\n")
    meta = treatygraph.read(path).document.meta
    assert (meta.session, meta.body) == ("ES-11", "General Assembly")


def test_security_council_from_its_symbol(tmp_path: Path) -> None:
    path = write(tmp_path, "symbol: S/RES/2728 (2024)\ntitle: Resolution 2728 (2024)\n",
                 enacting="The Security Council,")  # fmt: skip
    extraction = treatygraph.read(path)
    meta = extraction.document.meta
    assert (meta.body, meta.session) == ("Security Council", None)
    assert [p.id for p in extraction.document.paragraphs] == ["pp1", "op1"]


def test_security_council_header(tmp_path: Path) -> None:
    path = tmp_path / "sc.txt"
    path.write_text(
        "United Nations S/RES/2728 (2024)\nSecurity Council Distr.: General\n"
        "Resolution 2728 (2024)\nAdopted by the Security Council at its 9586th meeting, "
        "on 25 March 2024\nThe Security Council," + BODY,
        encoding="utf-8",
    )
    meta = treatygraph.read(path).document.meta
    assert (meta.symbol, meta.title, meta.body, meta.session, meta.adoption_date) == (
        "S/RES/2728 (2024)", "Resolution 2728 (2024)", "Security Council", None,
        date(2024, 3, 25),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("header", "symbol", "title", "session", "body"),
    [
        (
            "A/RES/2200(XXI)\n2200 (XXI). International Covenants on Human Rights",
            "A/RES/2200(XXI)",
            "International Covenants on Human Rights",
            21,
            "General Assembly",
        ),
        (
            "A/HRC/RES/50/33\nResolution adopted by the Human Rights Council on 7 July 2022\n"
            "50/33. Made-up title",
            "A/HRC/RES/50/33",
            "Made-up title",
            50,
            "Human Rights Council",
        ),
        (
            "E/RES/2004/35\nResolution adopted by the Economic and Social Council on 21 July 2004"
            "\n2004/35. Made-up title",
            "E/RES/2004/35",
            "Made-up title",
            None,
            "Economic and Social Council",
        ),
    ],
)
def test_header_of_every_body(
    tmp_path: Path, header: str, symbol: str, title: str, session: int | None, body: str
) -> None:
    path = tmp_path / "r.txt"
    enacting = f"The {body},"
    path.write_text(f"United Nations {header}\n\n{enacting}{BODY}", encoding="utf-8")
    meta = treatygraph.read(path).document.meta
    assert (meta.symbol, meta.title, meta.session, meta.body) == (symbol, title, session, body)


def test_bad_session_in_metadata_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "symbol: A/RES/1/1\ntitle: T\nsession: eleventh\n")
    with pytest.raises(TreatygraphError, match=r"r\.meta\.yaml: error: bad metadata value"):
        treatygraph.read(path)


@pytest.mark.parametrize(("symbol", "body", "session", "slug"), SYMBOLS)
def test_rdf_of_every_kind_of_symbol(
    symbol: str, body: str, session: int | str | None, slug: str
) -> None:
    from treatygraph.rdf.parts import resolution_part

    meta = ResolutionMeta(symbol, "Made-up", body=body, session=session)
    text = "The General Assembly," + BODY
    from treatygraph.reader.extract import extract
    from treatygraph.reader.parse import parse

    extraction = extract(parse(text, meta=meta))
    _part, data = resolution_part(extraction, base="https://example.org/id/")
    again = resolution_part(extraction, base="https://example.org/id/")[1]
    lines = data.decode() if isinstance(data, bytes) else str(data)
    assert data == again  # deterministic
    assert f"<https://example.org/id/resolution/{slug}>" in lines
    has_session = "ontology#session>" in lines
    assert has_session is isinstance(session, int)
