"""The benchmark table: rows of (section, item, value, unit, note), rendered as text, Markdown or JSON.

Every figure the suite measures becomes one row, so the console, RESULTS.md and CI logs agree.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from tabulate import tabulate

COLUMNS = ("section", "item", "value", "unit", "note")


@dataclass
class Row:
    section: str
    item: str
    value: float | int | str | None
    unit: str = ""
    note: str = ""


def format_value(value) -> str:
    """Numbers with 3 significant digits (thousands separated), None as "n/a", text unchanged."""
    if value is None:
        return "n/a"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, int) or (abs(value) >= 1000 and float(value).is_integer()):
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _cells(rows: list[Row]) -> list[tuple[str, ...]]:
    return [(row.section, row.item, format_value(row.value), row.unit, row.note) for row in rows]


def render_text(rows: list[Row]) -> str:
    """An aligned plain-text table for the console."""
    return tabulate(_cells(rows), headers=COLUMNS, disable_numparse=True)


def render_markdown(rows: list[Row]) -> str:
    """A GitHub Markdown table."""
    cells = [[cell.replace("|", "/") for cell in line] for line in _cells(rows)]
    return tabulate(cells, headers=COLUMNS, tablefmt="github", disable_numparse=True)


def write_tables(rows: list[Row], out_dir: str | Path, meta: dict) -> list[Path]:
    """results.json (rows + run metadata) and results.md under `out_dir`; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    as_json = out_dir / "results.json"
    as_json.write_text(json.dumps({"meta": meta, "rows": [asdict(row) for row in rows]}, indent=1))
    as_markdown = out_dir / "results.md"
    header = "\n".join(f"- {key}: {value}" for key, value in meta.items())
    as_markdown.write_text(f"{header}\n\n{render_markdown(rows)}\n")
    return [as_json, as_markdown]
