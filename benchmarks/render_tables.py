"""Render a markdown table from a harness's JSON output.

Usage::

    python -m benchmarks.render_tables RESULT.json --records runs.0.stages
    python -m benchmarks.render_tables RESULT.json --records runs.0.stages --columns stage,cpu_s

``--records`` is a dotted path to a list of objects inside the JSON (numbers index lists;
empty: the document itself, when it is a list); each object is a row. ``--columns`` picks
and orders the keys (default: every key, in the order the first rows give them). Nested
values are written as JSON, numbers with thousands separators where they are integers.
This is how a table of ``docs/benchmarks/`` is made again from the JSON a run wrote
(``nightly.py --json``, ``overhead.py``, ``lstm_scale.py``, ``censored_demand.py --json``,
``generate_scale.py --json``, ``hostile_uploads.py --json``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def find(document: Any, path: str) -> Any:
    """The value at the dotted ``path`` (numbers index lists)."""
    value = document
    for part in [p for p in path.split(".") if p]:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def cell(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if value == value else ""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(", ", ": "))
    return str(value).replace("|", "\\|")


def markdown(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> str:
    """``rows`` as a markdown table (numbers right-aligned)."""
    if not columns:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    numeric = [
        all(
            isinstance(row.get(c), int | float) and not isinstance(row.get(c), bool)
            for row in rows
            if row.get(c) is not None
        )
        for c in columns
    ]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---:" if n else "---" for n in numeric) + "|",
    ]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("result", type=Path, help="a JSON file a harness wrote")
    parser.add_argument("--records", default="", help="dotted path to the list of rows")
    parser.add_argument("--columns", default="", help="comma-separated keys to show")
    args = parser.parse_args(argv)
    rows = find(json.loads(args.result.read_text()), args.records)
    if isinstance(rows, dict):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        parser.error(f"{args.records or 'the document'} is not a list of objects")
    print(markdown(rows, [c for c in args.columns.split(",") if c]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
