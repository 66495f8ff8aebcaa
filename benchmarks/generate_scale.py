"""Time the streaming synthetic generator at scale and report memory and output size.

Usage::

    .venv/bin/python -m benchmarks.generate_scale --products 100000 --days 730

Reports wall time, peak resident memory (this process plus any children), rows written
per table and bytes on disk. The output folder is a temporary one unless ``--out`` is
given (then it is kept).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq

from stockwise.synthetic import FileLayout, generate_to_files


def peak_rss_mib() -> float:
    """Peak resident set size of this process and its children, in MiB (Linux: KiB units)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return (own + children) / scale


def count_rows(path: Path) -> int:
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    with path.open("rb") as handle:
        return sum(1 for _ in handle) - 1


def run(args: argparse.Namespace, out_dir: Path) -> dict:
    started = time.perf_counter()
    paths = generate_to_files(
        out_dir,
        sectors=tuple(args.sectors),
        n_products=args.products,
        n_days=args.days,
        seed=args.seed,
        layout=FileLayout(args.fmt, args.chunk_size),
    )
    wall = time.perf_counter() - started
    return {
        "date": dt.date.today().isoformat(),
        "products": args.products,
        "days": args.days,
        "chunk_size": args.chunk_size,
        "format": args.fmt,
        "wall_s": round(wall, 1),
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "rows": {name: count_rows(path) for name, path in paths.items()},
        "bytes": {name: path.stat().st_size for name, path in paths.items()},
        "total_mib_on_disk": round(sum(p.stat().st_size for p in paths.values()) / 2**20, 1),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--chunk-size", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--fmt", choices=("parquet", "csv"), default="parquet")
    parser.add_argument("--sectors", nargs="+", default=["retail", "pharmacy", "luxury"])
    parser.add_argument("--out", type=Path, default=None, help="output folder (kept)")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    parser.add_argument(
        "--smoke", action="store_true", help="a few seconds: 30 products, 60 days, chunks of 10"
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.products, args.days, args.chunk_size = 30, 60, 10
    if args.out is not None:
        result = run(args, args.out)
    else:
        with tempfile.TemporaryDirectory(prefix="stockwise-synth-") as tmp:
            result = run(args, Path(tmp))
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
