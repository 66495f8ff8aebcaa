"""Peak memory of validating a file made almost only of bad rows (the library path).

A 4-column sales CSV (``unique_id,ds,y,price``) of one good row and N rows each with a
bad date and a bad number (two issues per row): it is read, mapped and validated by
:func:`stockwise.load_table`, and its quarantine and issues files are written by
:func:`stockwise.data.write_quarantine`, as ``stockwise validate`` does. Each size runs in
a fresh process so that its peak resident memory (``ru_maxrss``) is its own; the file is
written before the clock and the memory count start, and its read is included.

Prints one line per size and a Markdown table for docs/benchmarks/hostile_inputs.md.
``--smoke`` runs
20,000 rows only (for the test suite).

    nice -n 5 .venv/bin/python -m benchmarks.bad_rows_memory --rows 200000 2000000
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from benchmarks.common import run_module

BAD_LINE = "A,not a date,x,-\n"


def write_file(path: Path, rows: int) -> int:
    """Write the CSV of one good row and ``rows`` bad ones; return its size in bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write("unique_id,ds,y,price\nB,2024-01-01,1,2.5\n")
        block = BAD_LINE * 10_000
        for _ in range(rows // 10_000):
            out.write(block)
        out.write(BAD_LINE * (rows % 10_000))
    return path.stat().st_size


def measure(rows: int) -> dict[str, object]:
    """Validate and write the quarantine of one file in this process; the numbers."""
    from stockwise.data import load_table, write_quarantine

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "bad.csv"
        size = write_file(source, rows)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        result = load_table(source, "sales", as_of="2025-01-01")
        validated = time.perf_counter() - start
        paths = write_quarantine(result, Path(tmp) / "out")
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report = result.report
        return {
            "rows": rows,
            "bytes": size,
            "accepted": report.n_accepted,
            "quarantined": report.n_quarantined,
            "issues": len(report.issues),
            "validate_s": round(validated, 2),
            "total_s": round(elapsed, 2),
            "peak_mb": round(peak / 1024),
            "before_mb": round(before / 1024),
            "quarantine_bytes": paths["quarantine"].stat().st_size,
        }


def run_case(rows: int) -> dict[str, object]:
    """``measure(rows)`` in a fresh process."""
    done = run_module("benchmarks.bad_rows_memory", "--one", str(rows), check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[200_000, 2_000_000])
    parser.add_argument("--smoke", action="store_true", help="20,000 rows only")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        print(json.dumps(measure(args.one)))
        return
    sizes = [20_000] if args.smoke else args.rows
    results = []
    for rows in sizes:
        result = run_case(rows)
        print(json.dumps(result), flush=True)
        results.append(result)
    print(
        "\n| bad rows | file bytes | issues | quarantined | validate s | validate + write s "
        "| peak memory |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['rows']:,} | {r['bytes']:,} | {r['issues']:,} | {r['quarantined']:,} "
            f"| {r['validate_s']} | {r['total_s']} | {r['peak_mb']:,} MB |"
        )


if __name__ == "__main__":
    main()
