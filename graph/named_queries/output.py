"""Rows of a named query as text: CSV (RFC 4180) and a plain table for terminals."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence

from treatygraph.named_queries.library import (
    Table,
    Value,
)


def to_csv(columns: Sequence[str], records: Sequence[Mapping[str, Value]]) -> str:
    """CSV with a header row; booleans as true/false, missing values empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow([csv_cell(record.get(c)) for c in columns])
    return buffer.getvalue()


def csv_cell(v: Value) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def to_text(table: Table, *, width: int = 60) -> str:
    """A plain aligned table for a terminal; long cells are cut with an ellipsis."""
    cells = [[_clip(csv_cell(v), width) for v in row] for row in table.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(table.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    shown = f"rows {table.offset + 1}-{table.offset + len(table.rows)} of {table.total}"
    return "\n".join(line.rstrip() for line in lines) + f"\n({shown})\n"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
