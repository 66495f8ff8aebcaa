"""The use case behind ``stockwise replay``: replay several policies, forecast sources
and service levels over one sales history, with the sector profile's defaults, and write
the comparison.

Options are given as a person says them, in days (:class:`PolicyComparison`); the
replay counts in the periods of the history, so weekly or monthly data has each day
option divided by the days of its period (a review every 7 days of weekly data: every
week). The CLI and any other caller build the same object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from stockwise import schema as S
from stockwise.calendar_facts import DAYS_PER_PERIOD, SEASON
from stockwise.cells import write_csv
from stockwise.progress import Report
from stockwise.replay.config import BASELINE_WINDOW
from stockwise.replay.loop import BASELINE
from stockwise.replay.metrics import equal_fill_rate
from stockwise.replay.simulation import ReplayResult, replay_policies
from stockwise.sectors import SectorProfile, load_profile

DEFAULT_DAYS = 180
"""Days replayed when no first date is given."""


@dataclass(frozen=True)
class PolicyComparison:
    """What to compare and how, in days. Unset values take the sector profile's
    (``sector``), else generic defaults: service level 0.95, review every 7 days, lead
    time 7 days. ``start`` (a date) or ``days`` (the last N days) says what is replayed.
    """

    policies: tuple[str, ...] = (S.POLICY_RS,)
    forecasts: tuple[str, ...] = ("SeasonalNaive",)
    service_levels: tuple[float, ...] = ()
    target: str = "cycle_service_level"
    sector: str | None = None
    extra_dirs: tuple[str | Path, ...] = ()
    start: str | None = None
    days: int | None = None
    review_period: int | None = None
    lead_time: float | None = None
    backorders: bool = False
    refit_every: int = 1
    train_window: int | None = None
    calibrate_service: bool = True
    exog: tuple[str, ...] = ()
    n_paths: int = 500
    seed: int = 0

    @classmethod
    def from_request(cls, request: Mapping[str, Any], **fixed: Any) -> PolicyComparison:
        """A comparison from the options a person gave: of ``request``, the keys that name
        a field, then ``fixed``; ``target`` with dashes or underscores, ``drivers`` (the
        person's word for ``exog``) a list or names separated by commas, None for a list:
        none."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in request.items() if k in known} | fixed
        for name in ("policies", "forecasts", "service_levels", "extra_dirs"):
            if name in given:
                given[name] = tuple(given[name] or ())
        if "target" in given:
            given["target"] = str(given["target"]).replace("-", "_")
        words = {**request, **fixed}
        exog = words.get("exog") or words.get("drivers") or ()
        names = exog.split(",") if isinstance(exog, str) else exog
        given["exog"] = tuple(n.strip() for n in names if n and n.strip())
        return cls(**given)

    def profile(self) -> SectorProfile | None:
        """The sector profile the defaults come from (None: no sector named)."""
        return load_profile(self.sector, tuple(self.extra_dirs)) if self.sector else None

    def configurations(self, levels: list[float]) -> list[dict[str, object]]:
        """One replay per policy, forecast source and service level (the baseline has
        its own forecast)."""
        grid = [
            {"policy": p, "forecast": m, "service_level": s}
            for p in self.policies
            for m in (["-"] if p == BASELINE else self.forecasts)
            for s in levels
        ]
        return [{k: v for k, v in c.items() if v != "-"} for c in grid]


@dataclass(frozen=True)
class ReplayedHistory:
    """The history a comparison replays: the sector's rows, its profile, its frequency
    and the first replayed date."""

    history: pd.DataFrame
    profile: SectorProfile | None
    freq: str
    first: pd.Timestamp


def replayed_history(history: pd.DataFrame, comparison: PolicyComparison) -> ReplayedHistory:
    """The rows of ``comparison.sector`` (all without one, or without a sector column),
    and the first replayed date: ``start``, else the last ``days`` (at least one period
    of history kept before it)."""
    if comparison.sector is not None and S.SECTOR in history.columns:
        history = history[history[S.SECTOR] == comparison.sector]
    profile = comparison.profile()
    freq = history_frequency(history[S.DS])
    if comparison.start:
        first = pd.Timestamp(comparison.start)
    else:
        dates = pd.DatetimeIndex(sorted(pd.to_datetime(history[S.DS]).unique()))
        periods = round((comparison.days or DEFAULT_DAYS) / DAYS_PER_PERIOD[freq])
        first = dates[max(len(dates) - periods, 1)]
    return ReplayedHistory(history, profile, freq, first)


def compare_policies(
    replayed: ReplayedHistory,
    comparison: PolicyComparison,
    inventory: pd.DataFrame | None = None,
    progress: Report | None = None,
) -> list[ReplayResult]:
    """Replay the history under every configuration of ``comparison``; ``inventory``
    may set per-product lead times, costs and pack rules."""
    profile, freq = replayed.profile, replayed.freq
    scale = DAYS_PER_PERIOD[freq]
    season = profile.season_length if profile and profile.frequency == freq else SEASON[freq]
    review = comparison.review_period or (profile.review_period_days if profile else 7)
    lead = comparison.lead_time
    if lead is None:
        lead = profile.lead_time_days.mid if profile else 7.0
    levels = list(comparison.service_levels) or [profile.service_level if profile else 0.95]
    window = comparison.train_window
    return replay_policies(
        replayed.history,
        comparison.configurations(levels),
        start=replayed.first,
        review_period_days=max(round(review / scale), 1),
        lead_time_days=lead / scale,
        lost_sales=not comparison.backorders,
        refit_every=comparison.refit_every,
        train_window=max(round(window / scale), 1) if window else None,
        calibrate_service=comparison.calibrate_service,
        exog=comparison.exog,
        target=comparison.target,
        n_paths=comparison.n_paths,
        seed=comparison.seed,
        season_length=season,
        baseline_window=max(round(BASELINE_WINDOW / scale), 8),
        inventory=inventory,
        progress=progress,
    )


def history_frequency(ds: pd.Series) -> str:
    """The frequency of a history from the median gap between its dates."""
    dates = pd.DatetimeIndex(sorted(pd.to_datetime(ds).unique()))
    step = (dates[1:] - dates[:-1]).days.to_series().median() if len(dates) > 1 else 1
    return (
        "D" if step < 4 else "W" if step < 20 else "M" if step < 60 else "Q" if step < 200 else "Y"
    )


def comparison_summary(results: list[ReplayResult]) -> pd.DataFrame:
    """One row per replay: its configuration and realised service, stock and waste."""
    return pd.DataFrame([r.summary for r in results])


def write_comparison(results: list[ReplayResult], out: Path) -> dict[str, Path]:
    """The summary, the per-product figures and the stock each policy needs at equal fill
    rate, as CSV files in ``out``."""
    summary = comparison_summary(results)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "summary": out / "simulation_summary.csv",
        "products": out / "simulation_products.csv",
        "equal fill rate": out / "simulation_equal_fill_rate.csv",
    }
    write_csv(summary, files["summary"])
    write_csv(
        pd.concat(
            [r.products.assign(label=r.summary["label"]) for r in results], ignore_index=True
        ),
        files["products"],
    )
    write_csv(equal_fill_rate(summary), files["equal fill rate"])
    return files
