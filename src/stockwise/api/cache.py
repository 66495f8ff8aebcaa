"""Caches for the hot read path: the latest succeeded run, and finished answers.

A succeeded run's results never change, so the encoded answer of a read about it (e.g.
``GET /plan/{product_id}``) can be kept and served again as bytes, with no database
work and no re-validation; only "which run is the latest" can change, when a run
finishes. The run manager invalidates that entry in this process; a short time-to-live
covers runs finished by another server process on the same database.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

LATEST_TTL_SECONDS = 5.0
MAX_ANSWERS = 4096


class ReadCache:
    """Thread-safe: latest run id per kind (with TTL) + an LRU of encoded answers."""

    def __init__(self, max_answers: int = MAX_ANSWERS, ttl: float = LATEST_TTL_SECONDS) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str | None, tuple[str | None, float]] = {}
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self.max_answers = max_answers
        self.ttl = ttl

    def latest_run(self, kind: str | None, lookup: Callable[[], str | None]) -> str | None:
        """The cached latest run id of ``kind``, else ``lookup()`` (and remember it)."""
        now = time.monotonic()
        with self._lock:
            hit = self._latest.get(kind)
        if hit is not None and hit[1] > now:
            return hit[0]
        found = lookup()
        with self._lock:
            self._latest[kind] = (found, now + self.ttl)
        return found

    def run_finished(self) -> None:
        """Forget the latest-run ids (a run just succeeded or failed)."""
        with self._lock:
            self._latest.clear()

    def answer(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def keep(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._answers[key] = body
            self._answers.move_to_end(key)
            while len(self._answers) > self.max_answers:
                self._answers.popitem(last=False)
