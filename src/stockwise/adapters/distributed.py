"""Dask distributed as an executor, and the one place that turns an engine name into one.

:class:`DaskExecutor` maps a function over items on a Dask cluster: a ``LocalCluster``
it starts itself (``scheduler=None``), or an existing cluster at ``tcp://HOST:8786``
(``scheduler=``, else ``$STOCKWISE_DASK_SCHEDULER``). Every worker must have the same
stockwise version installed as the caller — the chunks name stockwise's functions, not
their code — which is checked on connecting. Dask is imported on entry only, so the rest
of stockwise runs without it (``pip install 'stockwise[dask]'``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from stockwise import __version__
from stockwise.errors import OptionError
from stockwise.ports.executors import (
    IN_FLIGHT_PER_WORKER,
    Executor,
    InProcessExecutor,
    LocalProcessExecutor,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
C = TypeVar("C")
R = TypeVar("R")
SCHEDULER_ENV = "STOCKWISE_DASK_SCHEDULER"
ENGINES = ("local", "process", "dask")
CONNECT_TIMEOUT_S = 20
DEFAULT_DASK_WORKERS = 2


class DaskExecutor:
    """Runs items as Dask tasks; yields results as they complete.

    ``n_workers`` (one thread each) sizes the local cluster; with a ``scheduler`` the
    cluster's own workers run the tasks. The config is sent with each task as the one
    frozen object it is.
    """

    runs_here = False

    def __init__(self, scheduler: str | None = None, n_workers: int = DEFAULT_DASK_WORKERS) -> None:
        self.scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
        self.n_workers = max(int(n_workers), 1)
        self._client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise OptionError(
                "the dask engine needs dask and distributed installed",
                hint="pip install 'stockwise[dask]'",
            ) from exc
        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as exc:
                raise OptionError(
                    f"no Dask scheduler answers at {self.scheduler} ({exc})",
                    hint=f"Check --scheduler / ${SCHEDULER_ENV}.",
                ) from exc
        else:
            self._cluster = LocalCluster(
                n_workers=self.n_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self._client = Client(self._cluster)
        try:
            _check_versions(self._client)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    @property
    def shares_files(self) -> bool:
        """A local cluster runs on this machine; a remote one may not see its files."""
        return not self.scheduler

    @property
    def workers(self) -> int:
        """Threads across the cluster's workers (what runs at once)."""
        if self._client is None:
            return self.n_workers
        threads = self._client.nthreads()
        return max(sum(threads.values()), 1)

    def map(self, fn: Callable[[T, C], R], items: Iterable[T], config: C) -> Iterator[R]:
        if self._client is None:
            raise RuntimeError("use the executor in a with-block: the client connects there")
        from distributed import as_completed

        client, source = self._client, iter(items)
        limit = IN_FLIGHT_PER_WORKER * self.workers
        running = as_completed()
        inputs: dict[Any, Any] = {}  # task → its scattered item

        def submit() -> bool:
            item = next(source, _END)
            if item is _END:
                return False
            # the item goes to a worker directly, not through the task graph
            data = client.scatter(item, hash=False)
            future = client.submit(fn, data, config, pure=False)
            inputs[future] = data
            running.add(future)
            return True

        try:
            while len(inputs) < limit and submit():
                pass
            for future in running:
                data = inputs.pop(future)
                result = future.result()
                future.release()
                data.release()
                submit()
                yield result
        finally:
            if inputs:
                client.cancel([*inputs, *inputs.values()])


_END = object()


def _check_versions(client: Any) -> None:
    """Every worker runs this stockwise version (it unpickles our functions by name)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = client.run(version, "stockwise")
    except PackageNotFoundError as exc:
        raise OptionError(
            "a Dask worker does not have stockwise installed",
            hint=f"Install stockwise {__version__} on every worker.",
        ) from exc
    other = {worker: v for worker, v in found.items() if v != __version__}
    if other:
        raise OptionError(
            f"Dask workers run another stockwise version than this one ({__version__}): {other}",
            hint=f"Install stockwise {__version__} on every worker.",
        )


def open_executor(
    engine: str = "local", *, workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor named by ``engine`` (use it in a with-block).

    ``local``: in this process; ``process``: a pool of ``workers`` processes (default one
    per CPU); ``dask``: a Dask cluster — ``scheduler`` (or ``$STOCKWISE_DASK_SCHEDULER``),
    else a local cluster of ``workers`` processes (default 2).
    """
    if engine == "local":
        return InProcessExecutor()
    if engine == "process":
        return LocalProcessExecutor(workers)
    if engine == "dask":
        return DaskExecutor(scheduler, n_workers=workers or DEFAULT_DASK_WORKERS)
    raise OptionError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
