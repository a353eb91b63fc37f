"""A small PDF writer for tests: text at given places and sizes, in Helvetica; enough for
PDFium to read it as it reads a UN resolution (positions, font sizes, raised calls)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 612, 792


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    size: float
    text: str


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


RULE = "__________________"


def _stream(items: Sequence[Text], drawn_rule: bool) -> bytes:
    ops = []
    for t in items:
        if drawn_rule and t.text == RULE:  # a rule drawn as a line, not typed
            ops.append(f"0.5 w {t.x:g} {t.y:g} m {t.x + 72:g} {t.y:g} l S")
        else:
            ops.append(f"BT /F1 {t.size:g} Tf {t.x:g} {t.y:g} Td ({_escape(t.text)}) Tj ET")
    return "\n".join(ops).encode("latin-1")


def make_pdf(
    pages: Sequence[Sequence[Text]], *, encrypt: bool = False, drawn_rule: bool = False
) -> bytes:
    """A PDF of the given pages; ``encrypt`` adds a standard security handler whose user
    password is not empty, as a password-protected PDF has; ``drawn_rule`` draws the
    footnote rule as a line instead of typing it."""
    objects: list[bytes] = []
    kids = []
    font_id = 3 + 2 * len(pages)
    for i, items in enumerate(pages):
        page_id, content_id = 3 + 2 * i, 4 + 2 * i
        kids.append(f"{page_id} 0 R")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {content_id} 0 R >>".encode()
        )
        body = _stream(items, drawn_rule)
        objects.append(b"<< /Length %d >>\nstream\n" % len(body) + body + b"\nendstream")
    catalog = b"<< /Type /Catalog /Pages 2 0 R >>"
    tree = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(pages)} >>".encode()
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    every = [catalog, tree, *objects, font]
    trailer_extra = ""
    if encrypt:
        every.append(
            b"<< /Filter /Standard /V 1 /R 2 /P -44 /O <"
            + b"ab" * 32
            + b"> /U <"
            + b"cd" * 32
            + b"> >>"
        )
        trailer_extra = (
            f" /Encrypt {len(every)} 0 R /ID [<0123456789abcdef0123456789abcdef>"
            " <0123456789abcdef0123456789abcdef>]"
        )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(every, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(every) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(every) + 1} /Root 1 0 R{trailer_extra} >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def resolution_pages() -> list[list[Text]]:
    """A made-up two-page resolution in the UN's layout: header, body in 10 pt with raised
    calls in 6.5 pt, footnotes in 8.5 pt under a rule, furniture in the margins, a footnote
    and a list of resolutions running over the page break."""
    one = [
        Text(72, 734, 10, "United Nations"), Text(470, 734, 14, "A/RES/99/7"),
        Text(72, 705, 10, "General Assembly"), Text(400, 705, 10, "Distr.: General"),
        Text(72, 570, 10, "Ninety-ninth session"), Text(72, 558, 10, "Agenda item 12"),
        Text(90, 526, 14, "Resolution adopted by the General Assembly on"),
        Text(90, 511, 14, "3 March 2044"),
        Text(90, 461, 12, "99/7. Made-up resolution on treaties and the"),
        Text(90, 448, 12, "furniture of pages"),
        Text(110, 410, 10, "The General Assembly,"),
        Text(110, 392, 10, "Recalling the Convention on the Rights of the Child,"),
        Text(340, 395, 6.5, "1"), Text(345, 392, 10, "and its resolutions"),
        Text(90, 380, 10, "47/19 of 24 November 1992, 48/16 of 3 November 1993 and"),
        Text(90, 102, 8, RULE),
        Text(96, 88, 5.5, "1"), Text(104, 85, 8.5, "United Nations, Treaty Series, vol. 1577,"),
        Text(72, 44, 10, "44-00001 (E) 030344"), Text(72, 30, 12, "*4400001*"),
    ]  # fmt: skip
    two = [
        Text(72, 733, 8.5, "A/RES/99/7"),
        Text(300, 743, 8.5, "Made-up resolution on treaties and the furniture of pages"),
        Text(90, 710, 10, "72/4 of 1 November 2017,"),
        Text(110, 692, 10, "1. Urges States to implement the Paris Agreement;"),
        Text(330, 695, 6.5, "2"),
        Text(110, 680, 10, "2. Decides to remain seized of the matter."),
        Text(90, 102, 8, RULE),
        Text(104, 88, 8.5, "No. 27531."),
        Text(96, 77, 5.5, "2"),
        Text(104, 74, 8.5, "See FCCC/CP/2015/10/Add.1, decision 1/CP.21, annex."),
        Text(72, 37, 8.5, "2/2"), Text(500, 37, 7, "44-00001"),
    ]  # fmt: skip
    return [one, two]
