"""Loopback load test of the plan read: latency of ``GET /api/v1/plan/{product_id}``.

Bounded and self-contained: generates demo-style data, starts ``uvicorn`` as a
subprocess on a free port over a temporary SQLite database, uploads the files and runs a
plan through the API (cheap models: the read path does not depend on them), then lets
``--clients`` concurrent clients (threads, each with its own ``httpx.Client``) send
``--requests`` reads of random products, after a warm-up. Latency is measured by the
client, per request, from sending to the last byte of the body. Prints p50 / p95 / p99
and a Markdown block for docs/benchmarks/api_load.md, with the CPU time server and client spent
per request (unlike latency, that hardly depends on how busy the machine is).
``--baseline`` also measures ``GET /api/v1/me`` (key check + framework, no data): the
floor of any endpoint. ``--client raw`` swaps httpx for a minimal HTTP/1.1 client, to
see how much of the latency is the load generator's own.

    nice -n 5 .venv/bin/python -m benchmarks.api_load --products 60 --days 730 \
        --requests 2000 --warmup 200 --baseline
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import queue
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import numpy as np

from benchmarks.common import REPO, cpu_model, log


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_key(url: str) -> str:
    """A write key in a freshly migrated database (what `stockwise keys create` does)."""
    from stockwise.adapters.storage import Storage
    from stockwise.adapters.storage.keys import create_key

    storage = Storage(url)
    storage.upgrade()
    with storage.transaction() as session:
        key = create_key(session, "load-test", "write")
    storage.dispose()
    return key


def start_server(url: str, port: int, workers: int, log_file: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        STOCKWISE_DATABASE_URL=url,
        PYTHONPATH=os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
    )
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "stockwise.api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--workers",
        str(workers),
    ]
    return subprocess.Popen(command, env=env, stdout=log_file.open("w"), stderr=subprocess.STDOUT)


def wait_healthy(base: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not become healthy in time")


def prepare_run(base: str, key: str, data_dir: Path, models: str) -> list[str]:
    """Upload sales + inventory + batches, run a plan, return the planned product ids."""
    headers = {"X-API-Key": key}
    with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
        for table in ("sales", "inventory", "batches"):
            path = data_dir / f"{table}.csv"
            with path.open("rb") as handle:
                answer = client.post(
                    f"/api/v1/uploads/{table}", files={"file": (path.name, handle, "text/csv")}
                )
            answer.raise_for_status()
            body = answer.json()
            log(f"uploaded {table}: {body['rows_read']} read, {body['accepted']} accepted")
        answer = client.post(
            "/api/v1/runs", json={"kind": "plan", "models": [models], "n_windows": 1}
        )
        answer.raise_for_status()
        run_id = answer.json()["id"]
        while True:
            run = client.get(f"/api/v1/runs/{run_id}").json()
            if run["status"] in ("succeeded", "failed"):
                break
            time.sleep(1)
        if run["status"] != "succeeded":
            raise SystemExit(f"the plan run failed: {run['message']}")
        log(f"plan run {run_id} succeeded: {run['summary']}")
        ids, page = [], 1
        while True:
            lines = client.get("/api/v1/plan", params={"page": page, "page_size": 1000}).json()
            ids += [line["product_id"] for line in lines["items"]]
            if len(ids) >= lines["total"] or not lines["items"]:
                return ids
            page += 1


def hammer(
    base: str, key: str, paths: list[str], clients: int, requests: int, seed: int
) -> tuple[list[float], int, float]:
    """``requests`` GETs of random ``paths`` from ``clients`` concurrent clients (ms).

    Each client is a thread with its own ``httpx.Client`` (one keep-alive connection),
    taking the next request from a shared queue as soon as its previous answer is read.
    Synchronous httpx costs about a third of the CPU of ``httpx.AsyncClient`` per request
    (measured: 1.3 vs 3.0 ms here), and the load generator shares the machine's two cores
    with the server, so the cheaper client disturbs the measurement less.
    """
    rng = random.Random(seed)
    todo: queue.SimpleQueue[str] = queue.SimpleQueue()
    for _ in range(requests):
        todo.put(rng.choice(paths))
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def client() -> None:
        nonlocal errors
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as http:
            while True:
                try:
                    path = todo.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                try:
                    status = http.get(path).status_code
                except httpx.HTTPError:  # counted, not timed: the table says how many
                    with lock:
                        errors += 1
                    continue
                took = (time.perf_counter() - began) * 1000
                with lock:
                    latencies.append(took)
                    errors += status != 200

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - began


async def hammer_raw(
    base: str, key: str, paths: list[str], clients: int, requests: int, seed: int
) -> tuple[list[float], int, float]:
    """Like :func:`hammer`, with a minimal HTTP/1.1 keep-alive client on asyncio streams.

    A diagnostic, not the reference: httpx costs a few ms of CPU per request, which on a
    busy two-core machine competes with the server; this client costs a tenth of that, so
    the difference shows how much of the latency is the load generator's own.
    """
    rng = random.Random(seed)
    todo = [rng.choice(paths) for _ in range(requests)]
    latencies: list[float] = []
    errors = 0
    host, port = base.removeprefix("http://").split(":")

    async def worker() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while todo:
                path = todo.pop()
                began = time.perf_counter()
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-API-Key: {key}\r\n\r\n".encode()
                )
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(
                    int(line.split(b":")[1])
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length:")
                )
                await reader.readexactly(length)
                latencies.append((time.perf_counter() - began) * 1000)
                if not head.startswith(b"HTTP/1.1 200"):
                    errors += 1
        finally:
            writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies, errors, time.perf_counter() - began


def _measured(args: tuple) -> tuple[list[float], int, float, float]:
    """One client process's share of a run, with the CPU time it used (seconds)."""
    began = time.process_time()
    latencies, errors, elapsed = hammer(*args)
    return latencies, errors, elapsed, time.process_time() - began


def run_load(
    pool: ProcessPoolExecutor | None,
    processes: int,
    base: str,
    key: str,
    paths: list[str],
    clients: int,
    requests: int,
    seed: int,
    raw: bool,
) -> tuple[list[float], int, float, float]:
    """Latencies, errors, wall seconds and client CPU seconds of one measured run.

    With a pool, the clients are spread over its processes (threads of one Python
    process contend for its interpreter lock, which costs CPU of its own).
    """
    if raw:
        began = time.process_time()
        latencies, errors, elapsed = asyncio.run(
            hammer_raw(base, key, paths, clients, requests, seed)
        )
        return latencies, errors, elapsed, time.process_time() - began
    if pool is None:
        return _measured((base, key, paths, clients, requests, seed))
    n = processes
    shares = [
        (
            base,
            key,
            paths,
            clients // n + (i < clients % n),
            requests // n + (i < requests % n),
            seed + i,
        )
        for i in range(n)
    ]
    began = time.perf_counter()
    parts = list(pool.map(_measured, shares))
    return (
        [ms for part in parts for ms in part[0]],
        sum(p[1] for p in parts),
        time.perf_counter() - began,
        sum(p[3] for p in parts),
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn workers), Linux."""
    total = 0.0
    for proc in [pid, *_children(pid)]:
        fields = Path(f"/proc/{proc}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(c) for c in path.read_text().split()] if path.exists() else []


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--products",
        type=int,
        default=60,
        help="products in all, split over retail, pharmacy and luxury",
    )
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--models", default="Naive", help="model of the plan run")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--client",
        choices=("httpx", "raw"),
        default="httpx",
        help="load generator: httpx (the reference) or a minimal raw "
        "HTTP/1.1 client (diagnostic: less client CPU)",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=4,
        help="client processes the httpx clients are spread over",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also measure GET /api/v1/me (auth + framework only)",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="a few seconds: 3 products, 90 days, 2 clients, 40 requests",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.products, args.days, args.clients, args.processes = 3, 90, 2, 1
        args.requests, args.warmup = 40, 5

    from stockwise.synthetic import generate, write_synthetic

    with tempfile.TemporaryDirectory(prefix="stockwise-load-") as tmp:
        root = Path(tmp)
        data = generate(n_products=args.products, n_days=args.days, seed=args.seed)
        write_synthetic(data, root / "data", fmt="csv")
        url = f"sqlite:///{root / 'stockwise.db'}"
        key = write_key(url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_server(url, port, args.workers, root / "server.log")
        try:
            wait_healthy(base, server)
            ids = prepare_run(base, key, root / "data", args.models)
            log(f"{len(ids)} products planned; warm-up {args.warmup} requests")
            targets = {"GET /api/v1/plan/{product_id}": [f"/api/v1/plan/{i}" for i in ids]}
            if args.baseline:  # the floor: key check + framework, no data
                targets["GET /api/v1/me (baseline)"] = ["/api/v1/me"]
            rows, load_before = [], uptime()
            pool = ProcessPoolExecutor(args.processes) if args.processes > 1 else None
            raw = args.client == "raw"
            for name, paths in targets.items():
                run_load(
                    pool,
                    args.processes,
                    base,
                    key,
                    paths,
                    args.clients,
                    args.warmup,
                    args.seed,
                    raw,
                )
                cpu = cpu_seconds(server.pid)
                latencies, errors, elapsed, own = run_load(
                    pool,
                    args.processes,
                    base,
                    key,
                    paths,
                    args.clients,
                    args.requests,
                    args.seed + 1,
                    raw,
                )
                cpu = (cpu_seconds(server.pid) - cpu) / len(latencies) * 1000
                own = own / len(latencies) * 1000
                rows.append(_row(name, latencies, errors, elapsed, args.clients, cpu, own))
                log(rows[-1])
            if pool is not None:
                pool.shutdown()
            load_after = uptime()
        finally:
            server.terminate()
            server.wait(timeout=30)
        command = "nice -n 5 .venv/bin/python -m benchmarks.api_load " + " ".join(sys.argv[1:])
        table = "\n".join(rows)
        print(f"""
### Result ({time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())})

Command: `{command}`

Machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()};
{len(ids)} products planned; `uptime` before: `{load_before}`; after: `{load_after}`.

| request | clients | requests | errors | p50 | p95 | p99 | mean | max | req/s | CPU per request |
|---|---|---|---|---|---|---|---|---|---|---|
{table}
""")


def _row(
    name: str,
    latencies: list[float],
    errors: int,
    elapsed: float,
    clients: int,
    cpu_ms: float,
    client_ms: float,
) -> str:
    sample = np.asarray(latencies)
    p50, p95, p99 = np.percentile(sample, [50, 95, 99])
    return (
        f"| `{name}` | {clients} | {len(sample)} | {errors} | {p50:.1f} ms | {p95:.1f} ms "
        f"| {p99:.1f} ms | {statistics.fmean(sample):.1f} ms | {sample.max():.1f} ms "
        f"| {len(sample) / elapsed:.0f} | server {cpu_ms:.1f} ms, client {client_ms:.1f} ms |"
    )


if __name__ == "__main__":
    main()
