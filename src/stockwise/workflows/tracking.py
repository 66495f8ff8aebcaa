"""Experiment tracking as the workflows see it: what a run logs, through a ``Tracker``.

Workflows receive a tracker and never import MLflow: the protocol and
:class:`NullTracker`, which does nothing, live in :mod:`stockwise.ports.tracking`;
``stockwise.adapters.tracking.MlflowTracker`` records runs in MLflow. What a run
logs is decided here, in plain pandas, so every tracker records the same things:

- params: the run's options (sector, horizon, models, levels, n_windows, policy …) and a
  fingerprint of the input data (sha256 of the canonical sales table sorted by
  ``unique_id, ds``), so two runs on the same data can be recognised;
- metrics: per sector and model, the mean backtest scores (``retail.AutoETS.mase``), the
  champion's (``retail.champion.mase``) and, after a selection, the chosen models'
  (``retail.selected.mase``);
- artifacts: the files the run wrote, its ``run.log`` and a report when there is one;
- models: per sector, the champion (the model that won the most series) as a reloadable
  model, registered with the alias "champion".

:func:`run_log` writes a run's log next to its outputs, each line with the run id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import __version__
from stockwise import schema as S
from stockwise.data.fingerprint import data_fingerprint
from stockwise.data.partition import PartedSales
from stockwise.models.base import Forecaster
from stockwise.ports.tracking import (  # noqa: F401 - as the workflows' callers import them
    NullTracker,
    Tracker,
    metric_key,
    model_artifact_name,
    safe_name,
)
from stockwise.schema import ENSEMBLE, MODEL

log = logging.getLogger(__name__)
SCORES = ("mase", "rmsse", "wape", "smape")
RUN_LOG = "run.log"
LOG_FORMAT = "%(asctime)s %(levelname)s [run %(run_id)s] %(name)s: %(message)s"


# -- what a run logs --------------------------------------------------------------------
def option_params(options: Mapping[str, object]) -> dict[str, str]:
    """Options as MLflow-friendly text: lists joined by commas, None as "default"."""
    out = {}
    for key, value in options.items():
        if value is None:
            text = "default"
        elif isinstance(value, pd.DataFrame):  # e.g. a calendar: its size, not its rows
            text = f"table of {len(value)} rows"
        elif isinstance(value, str | Path):
            text = str(value)
        elif isinstance(value, Sequence):
            text = ",".join(str(v) for v in value) or "none"
        else:
            text = str(value)
        out[key] = text
    return out


def score_metrics(metrics: pd.DataFrame) -> dict[str, float]:
    """``<sector>.<model>.<score>``: mean backtest MASE/RMSSE/WAPE/sMAPE/coverage."""
    if metrics.empty or MODEL not in metrics:
        return {}
    columns = [c for c in metrics.columns if c in SCORES or c.startswith("coverage")]
    out: dict[str, float] = {}
    for sector, rows in _by_sector(metrics):
        means = rows.groupby(MODEL)[columns].mean(numeric_only=True)
        for model, row in means.iterrows():
            for column, value in row.items():
                if np.isfinite(value):
                    out[metric_key(sector, str(model), str(column))] = float(value)
    return out


def champions(metrics: pd.DataFrame, selection: pd.DataFrame | None = None) -> dict[str, str]:
    """Per sector, the single model that won the most series (ties: alphabetical).

    Winners come from the selection when there is one (an ensemble's series count for
    none of its members, unless the ensemble won everything: then the most used member
    of the backtests wins), else from the backtest scores (lowest MASE, MAE where MASE is
    undefined).
    """
    winners = selection if selection is not None and not selection.empty else (_winners(metrics))
    if winners.empty:
        return {}
    out = {}
    for sector, rows in _by_sector(winners):
        counts = rows[MODEL].astype(str).value_counts()
        counts = counts[counts.index != ENSEMBLE]
        if counts.empty and not metrics.empty:
            sector_metrics = dict(_by_sector(metrics)).get(sector, metrics)
            counts = _winners(sector_metrics[sector_metrics[MODEL] != ENSEMBLE])[MODEL]
            counts = counts.value_counts()
        if not counts.empty:
            out[sector] = str(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0][0])
    return out


def champion_metrics(
    metrics: pd.DataFrame, chosen: Mapping[str, str], selection: pd.DataFrame | None = None
) -> dict[str, float]:
    """``<sector>.champion.<score>`` and, after a selection, ``<sector>.selected.<score>``."""
    if metrics.empty:
        return {}
    scores = [c for c in metrics.columns if c in SCORES]
    out: dict[str, float] = {}
    by_sector = dict(_by_sector(metrics))
    for sector, model in chosen.items():
        rows = by_sector.get(sector)
        if rows is None:
            continue
        mine = rows[rows[MODEL] == model][scores].mean(numeric_only=True)
        out.update(
            {metric_key(sector, "champion", k): float(v) for k, v in mine.items() if np.isfinite(v)}
        )
    if selection is not None and not selection.empty:
        keys = [c for c in (S.SECTOR, S.UNIQUE_ID, MODEL) if c in selection and c in metrics]
        picked = metrics.merge(selection[keys], on=keys, how="inner")
        for sector, rows in _by_sector(picked):
            means = rows[scores].mean(numeric_only=True)
            out.update(
                {
                    metric_key(sector, "selected", k): float(v)
                    for k, v in means.items()
                    if np.isfinite(v)
                }
            )
    return out


def model_input_sample(model: Forecaster, horizon: int, n_series: int = 2) -> pd.DataFrame:
    """A request for a logged model: the first series of the model and the horizon."""
    ids = list(getattr(model, "fitted_ids_", []))[:n_series]
    return pd.DataFrame({S.UNIQUE_ID: ids, "h": [int(horizon)] * len(ids)})


@dataclass(frozen=True)
class SectorChoice:
    """What a run chose per sector and the fits behind it, as the tracker logs them.

    ``selection``: the model each series was given (None: the metrics decide).
    ``models`` (sector → model label → fitted forecaster) are the run's final fits; each
    sector's champion among them is logged as a model and registered with the alias
    "champion". ``horizons`` and ``levels`` (per sector) set its sample request and bands.
    """

    selection: pd.DataFrame | None = None
    models: Mapping[str, Mapping[str, Forecaster]] = field(default_factory=dict)
    horizons: Mapping[str, int] = field(default_factory=dict)
    levels: Mapping[str, Sequence[int]] = field(default_factory=dict)


NO_CHOICE = SectorChoice()


def track_run(
    tracker: Tracker,
    kind: str,
    *,
    sales: pd.DataFrame | PartedSales,
    options: Mapping[str, object],
    metrics: pd.DataFrame,
    out_dir: str | Path,
    files: Mapping[str, Path] | None = None,
    chosen: SectorChoice = NO_CHOICE,
) -> dict[str, str]:
    """Log one finished run (inside ``tracker.start_run``); returns the sector champions.

    ``chosen``: the run's per-series selection and final fits (:class:`SectorChoice`);
    without them the champions come from the metrics and no model is logged.
    """
    selection = chosen.selection
    sectors = _sectors(
        selection if selection is not None and not selection.empty else metrics
    ) or _sectors(sales.series if isinstance(sales, PartedSales) else sales)
    params = option_params({k: v for k, v in options.items() if k != "extra_dirs"})
    if isinstance(sales, PartedSales):  # held in parts: never read whole
        fingerprint, n_series, n_rows = (
            sales.fingerprint(),
            len(sales.series),
            sales.report.n_accepted,
        )
    else:
        fingerprint, n_series, n_rows = (
            data_fingerprint(sales),
            sales[S.UNIQUE_ID].nunique(),
            len(sales),
        )
    params.update(
        {
            "kind": kind,
            "data_fingerprint": fingerprint,
            "n_series": str(n_series),
            "n_rows": str(n_rows),
            "sectors": ",".join(sectors) or "none",
            "stockwise_version": __version__,
        }
    )
    tracker.log_params(params)
    best = champions(metrics, selection)
    tracker.log_metrics({**score_metrics(metrics), **champion_metrics(metrics, best, selection)})
    tracker.set_tags(
        {
            "stockwise.kind": kind,
            "stockwise.sectors": ",".join(sectors),
            **{f"stockwise.champion.{s}": m for s, m in best.items()},
        }
    )
    _log_files(tracker, Path(out_dir), files or {})
    for sector, label in best.items():
        fitted = chosen.models.get(sector, {}).get(label)
        if fitted is None or tracker.run_id is None:
            continue
        horizon = chosen.horizons.get(sector, 1)
        sample = model_input_sample(fitted, horizon)
        uri = tracker.log_model(
            model_artifact_name(sector, label),
            fitted,
            sample,
            levels=tuple(chosen.levels.get(sector, ())),
        )
        if uri is not None:
            tracker.register_best(sector, label, tracker.run_id)
    return best


def track_forecasts(
    tracker: Tracker,
    kind: str,
    *,
    sales: pd.DataFrame | PartedSales,
    options: Mapping[str, object],
    result: object,
    out_dir: str | Path,
    files: Mapping[str, Path] | None = None,
) -> dict[str, str]:
    """:func:`track_run` for a per-sector forecast result (``SectorForecasts``)."""
    settings = list(getattr(result, "settings", []))
    return track_run(
        tracker,
        kind,
        sales=sales,
        options=options,
        out_dir=out_dir,
        files=files,
        metrics=getattr(result, "metrics", pd.DataFrame()),
        chosen=SectorChoice(
            selection=getattr(result, "selection", None),
            models=getattr(result, "models", None) or {},
            horizons={s.sector: s.horizon for s in settings},
            levels={s.sector: tuple(s.levels) for s in settings},
        ),
    )


def _log_files(tracker: Tracker, out: Path, files: Mapping[str, Path]) -> None:
    seen = set()
    for path in [*files.values(), out / RUN_LOG, *sorted(out.glob("report*.*"))]:
        path = Path(path)
        if path.is_file() and path not in seen:
            seen.add(path)
            tracker.log_artifact(path)


def _sectors(frame: pd.DataFrame) -> list[str]:
    """The sectors a run covered (none when the table has no sector column)."""
    if S.SECTOR not in frame.columns:
        return []
    return sorted(frame[S.SECTOR].dropna().astype(str).unique())


def _by_sector(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    if S.SECTOR not in frame.columns:
        return [("all", frame)]
    return [
        (str(s), rows)
        for s, rows in frame.groupby(frame[S.SECTOR].fillna("all").astype(str), sort=True)
    ]


def _winners(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per series (and sector), the model with the lowest MASE (MAE where MASE is NaN)."""
    if metrics.empty or "mase" not in metrics:
        return pd.DataFrame(columns=[S.UNIQUE_ID, MODEL])
    key = metrics["mase"].where(np.isfinite(metrics["mase"]))
    if "mae" in metrics:
        key = key.fillna(metrics["mae"] * 1e6)
    ranked = metrics.assign(_key=key).dropna(subset=["_key"])
    ids = [c for c in (S.SECTOR, S.UNIQUE_ID) if c in ranked]
    ranked = ranked.sort_values([*ids, "_key", MODEL], kind="stable")
    return ranked.drop_duplicates(ids)[[*ids, MODEL]]


# -- the run's log file -----------------------------------------------------------------
class RunIdFilter(logging.Filter):
    """Adds ``run_id`` to each record: the tracker's active run, or "-" outside one."""

    def __init__(self, tracker: Tracker | None = None) -> None:
        super().__init__()
        self.tracker = tracker

    def filter(self, record: logging.LogRecord) -> bool:
        run_id = self.tracker.run_id if self.tracker is not None else None
        record.run_id = run_id or "-"
        return True


@contextmanager
def run_log(
    out_dir: str | Path, tracker: Tracker | None = None, level: int = logging.INFO
) -> Iterator[Path]:
    """Write the run's log to ``<out_dir>/run.log``, each line carrying the run id.

    For the edges (CLI, API). The file gets ``level`` and above even when the console
    shows less: handlers that had no level of their own keep the root's former level.
    """
    path = Path(out_dir) / RUN_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setLevel(level)
    handler.addFilter(RunIdFilter(tracker))
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    saved_level = root.level
    quieted = []
    if root.level > level:
        for other in root.handlers:
            if other.level == logging.NOTSET:
                other.setLevel(saved_level)
                quieted.append(other)
        root.setLevel(level)
    root.addHandler(handler)
    try:
        yield path
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(saved_level)
        for other in quieted:
            other.setLevel(logging.NOTSET)
