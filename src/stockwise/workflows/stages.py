"""Wall and CPU time per stage of a job, for benchmarks and the per-chunk timings table.

CPU time is the process's (``time.process_time``): all its threads, so a stage that
runs numpy or a model on several threads counts all of them. A worker process of a pool
or of Dask measures itself; the figures travel back with its results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

PLAN_STAGES = ("prepare", "censoring", "forecast", "plan")
"""The stages of planning one set of series, in the order they run."""


@dataclass(frozen=True)
class StageTime:
    """Seconds spent in one stage: wall clock and CPU."""

    wall_s: float
    cpu_s: float

    def __add__(self, other: StageTime) -> StageTime:
        return StageTime(self.wall_s + other.wall_s, self.cpu_s + other.cpu_s)


class StageClock:
    """Laps of a job: ``lap("prepare")`` books the time since the previous lap.

    With ``times=None`` it records nothing, so a function can take an optional timings
    dict without branching around every stage. A stage lapped twice adds up.
    """

    def __init__(self, times: dict[str, StageTime] | None) -> None:
        self.times = times
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def lap(self, stage: str) -> None:
        if self.times is None:
            return
        wall, cpu = time.perf_counter(), time.process_time()
        spent = StageTime(wall - self._wall, cpu - self._cpu)
        self.times[stage] = self.times[stage] + spent if stage in self.times else spent
        self._wall, self._cpu = wall, cpu
