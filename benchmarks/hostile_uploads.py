"""What hostile uploads cost the server: time, CPU, peak memory and answer size per file.

Each case runs in a fresh process (so its peak memory is its own) against the API app
in-process, on a temporary SQLite database, with the default settings, and posts one
file to ``POST /api/v1/uploads/sales``:

- ``bad-rows-5mb``: a 5 MB CSV of one good row and 333,000 rows with a bad date and a
  bad number (an answer listing every issue would be 85 MB);
- ``xlsx-200kb``: an ordinary ~200 KB workbook (about 12,000 rows) — read in full;
- ``xlsx-bomb-200kb``: a workbook that unpacks to 250 times its size (as 500,000 repeated
  rows packed into 200 KB) — refused from its zip directory;
- ``wide-1m-columns``: a CSV whose header declares a million columns — refused from its
  first line;
- ``wide-500-columns``: 200 rows of 500 mostly empty columns (the column limit) — read.

Prints one line per case and a Markdown table for docs/benchmarks/hostile_inputs.md.
``--smoke`` runs
the same cases on files about 20 times smaller (for the test suite).

    nice -n 5 .venv/bin/python -m benchmarks.hostile_uploads
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import tempfile
import time
import zipfile
from pathlib import Path

from benchmarks.common import run_module

CASES = ["bad-rows-5mb", "xlsx-200kb", "xlsx-bomb-200kb", "wide-1m-columns", "wide-500-columns"]


def make_file(case: str, scale: float) -> tuple[str, bytes]:
    """The file of ``case`` (``scale`` < 1 for the smoke run)."""
    if case == "bad-rows-5mb":
        line = "A,not a date,x\n"
        return "bad.csv", (
            "unique_id,ds,y\nB,2024-01-01,1\n" + line * int(5_000_000 * scale / len(line))
        ).encode()
    if case == "xlsx-200kb":
        return "sales.xlsx", _workbook(int(12_000 * scale))
    if case == "xlsx-bomb-200kb":
        packed = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(_workbook(10)), "r") as source,
            zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for entry in source.infolist():
                out.writestr(entry, source.read(entry))
            out.writestr("xl/worksheets/padding.xml", b" " * int(50_000_000 * scale))
        return "bomb.xlsx", packed.getvalue()
    if case == "wide-1m-columns":
        header = ",".join(f"c{i}" for i in range(int(1_000_000 * scale)))
        return "wide.csv", ("unique_id,ds,y," + header + "\nA,2024-01-01,1\n").encode()
    if case == "wide-500-columns":
        header = ",".join(["unique_id", "ds", "y"] + [f"c{i}" for i in range(497)])
        rows = "".join(f"A,2024-01-{1 + i % 28:02d},1" + "," * 497 + "\n" for i in range(200))
        return "wide.csv", (header + "\n" + rows).encode()
    raise ValueError(case)


def _workbook(n_rows: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["unique_id", "ds", "y", "sector"])
    for i in range(n_rows):
        sheet.append(
            [f"P{i % 300:04d}", f"2024-{1 + i // 28 % 12:02d}-{1 + i % 28:02d}", i % 17, "retail"]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_case(case: str, scale: float) -> dict:
    """Post the case's file once; what it cost this (fresh) process."""
    from fastapi.testclient import TestClient

    from stockwise.adapters.storage.keys import create_key
    from stockwise.api.app import create_app
    from stockwise.api.settings import Settings

    name, content = make_file(case, scale)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(Settings(database_url=f"sqlite:///{folder}/db.sqlite"))
        with TestClient(app, raise_server_exceptions=False) as client:
            with app.state.storage.transaction() as session:
                write = {"X-API-Key": create_key(session, "writer", "write")}
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            start, cpu = time.perf_counter(), time.process_time()
            answer = client.post(
                "/api/v1/uploads/sales", headers=write, files={"file": (name, content)}
            )
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "case": case,
        "file_bytes": len(content),
        "status": answer.status_code,
        "answer_bytes": len(answer.content),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "peak_rss_mb": round(peak / 1024),
        "peak_growth_mb": round((peak - before) / 1024),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="files about 20x smaller")
    parser.add_argument("--case", choices=CASES, help="run one case in this process")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    scale = 0.05 if args.smoke else 1.0
    if args.case:
        print(json.dumps(run_case(args.case, scale)))
        return
    results = []
    for case in CASES:
        done = run_module(
            "benchmarks.hostile_uploads",
            "--case",
            case,
            *(["--smoke"] if args.smoke else []),
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        print(
            f"{case:18s} {result['file_bytes']:>10,d} B  -> {result['status']}  "
            f"answer {result['answer_bytes']:>8,d} B  wall {result['wall_s']:6.2f} s  "
            f"cpu {result['cpu_s']:6.2f} s  peak +{result['peak_growth_mb']} MB"
        )
    print("\n| file | bytes sent | answer | answer bytes | wall s | CPU s | peak memory growth |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['case']} | {r['file_bytes']:,} | {r['status']} | {r['answer_bytes']:,} "
            f"| {r['wall_s']} | {r['cpu_s']} | {r['peak_growth_mb']} MB |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
