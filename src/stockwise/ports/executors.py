"""Where the chunks of a job run: here, or in a pool of local worker processes.

Every executor has one method, ``map(fn, items, config)``: it calls ``fn(item, config)``
for each item and yields the results **as they complete** (not in item order; results
carry their own index), so the caller can write each one out and drop it. Items are
taken lazily and only a few are in flight at a time (twice the workers), so neither the
inputs nor the results of the whole job need to sit in memory at once.

Executors are context managers (``with LocalProcessExecutor(2) as executor: ...``): the
pool starts on entry and stops on exit. The Dask executor lives with the adapters
(:mod:`stockwise.adapters.distributed`) so that the core never imports Dask.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Any, Protocol, TypeVar

from stockwise.errors import StockwiseError

log = logging.getLogger(__name__)
T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")
IN_FLIGHT_PER_WORKER = 2
"""Items submitted ahead per worker: one running, one waiting, so no worker idles."""
PRELOAD = ("stockwise.workflows.chunked_plan",)
"""Modules the process pool's fork server imports once, so each worker starts warm."""


class Executor(Protocol):
    """Maps ``fn(item, config)`` over items, yielding results as they complete.

    ``shares_files``: whether ``fn`` sees this machine's files (then a chunk can write its
    own outputs where the caller reads them, instead of sending them back).
    ``runs_here``: whether ``fn`` runs in the caller's thread (then it may call back into
    the caller, e.g. to report its progress, and anything it raises stops the job).
    """

    @property
    def shares_files(self) -> bool: ...  # read-only: a class attribute or a property

    @property
    def runs_here(self) -> bool: ...

    def map(self, fn: Callable[[T, C], R], items: Iterable[T], config: C) -> Iterator[R]: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...


class InProcessExecutor:
    """Runs every item here, one after the other (the default; nothing to start)."""

    workers = 1
    shares_files = True
    runs_here = True

    def map(self, fn: Callable[[T, C], R], items: Iterable[T], config: C) -> Iterator[R]:
        for item in items:
            yield fn(item, config)

    def __enter__(self) -> InProcessExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class LocalProcessExecutor:
    """A pool of ``workers`` processes on this machine (default: one per CPU).

    The workers start from a fork server (``spawn`` where there is none), not by forking
    this process: the caller may hold threads (a progress bar's refresh thread, the API's
    run threads, BLAS pools) and a fork copies their locks in whatever state they are.
    ``fn``, the items, the config and the results must be picklable; ``fn`` must be a
    module-level function.
    """

    shares_files = True
    runs_here = False

    def __init__(self, workers: int | None = None, preload: tuple[str, ...] = PRELOAD) -> None:
        self.workers = max(int(workers or os.cpu_count() or 1), 1)
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalProcessExecutor:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if context.get_start_method() == "forkserver":
            context.set_forkserver_preload(list(self.preload))
        self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(self, fn: Callable[[T, C], R], items: Iterable[T], config: C) -> Iterator[R]:
        if self._pool is None:
            raise RuntimeError("use the executor in a with-block: the pool starts there")
        pool = self._pool
        source = iter(items)
        pending: set[Future[Any]] = set()

        def refill() -> None:
            room = IN_FLIGHT_PER_WORKER * self.workers - len(pending)
            for item in islice(source, max(room, 0)):
                pending.add(pool.submit(fn, item, config))

        try:
            refill()
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    pending.discard(future)
                    yield _result(future)
                refill()
        finally:
            for future in pending:
                future.cancel()


def _result(future: Future[R]) -> R:
    try:
        return future.result()
    except BrokenProcessPool as exc:
        raise StockwiseError(
            "a worker process stopped abruptly (often: out of memory)",
            hint="Try fewer workers (--workers) or smaller chunks (--chunk-size).",
        ) from exc
