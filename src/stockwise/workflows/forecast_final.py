"""The forecasts that are kept: the chosen models refitted on all the data, their bands
calibrated on the backtest, one output row per series and period (used by
:mod:`stockwise.workflows.forecast`).
"""

from __future__ import annotations

import logging

import pandas as pd

from stockwise import schema as S
from stockwise.evaluation.backtest import bands_from_earlier_windows
from stockwise.evaluation.calibration import (
    apply_corrections,
    apply_floors,
    band_scores,
    corrections,
    open_floors,
    series_scale,
)
from stockwise.evaluation.selection import ENSEMBLE, MODEL
from stockwise.models.base import (
    Forecaster,
    interval_columns,
)
from stockwise.models.registry import with_fallback
from stockwise.models.splits import CUTOFF
from stockwise.progress import Report
from stockwise.progress import step as report_step
from stockwise.schema import FORECAST
from stockwise.workflows.closed_days import ClosedDays
from stockwise.workflows.forecast_choice import FIT_SPAN, RunSettings, _label, _scored

log = logging.getLogger(__name__)

NOTE = "note"


def _calibrate(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    chosen_cv: pd.DataFrame,
    levels: tuple[int, ...],
    season_length: int,
    segments: pd.Series,
    closed: ClosedDays | None = None,
    holes: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Correct the final bands (and the backtest's, alike) by the chosen forecasts'
    coverage in the backtest, on its open and observed days: a closure (or an estimated
    period of a hole) counted as a covered point would make the open days' bands too
    narrow."""
    scale = series_scale(frame, season_length)
    scored = chosen_cv[_scored(chosen_cv, closed, holes)]
    table = corrections(band_scores(scored, levels, scale), segments, levels)
    floors = open_floors(scored, levels)  # series that sold on every open day
    return (
        apply_floors(apply_corrections(out, table, segments, scale, levels), floors, levels),
        table,
        apply_floors(apply_corrections(chosen_cv, table, segments, scale, levels), floors, levels),
    )


def _final_forecasts(
    frame: pd.DataFrame,
    chosen: pd.DataFrame,
    candidates: dict[str, list[str | Forecaster]],
    settings: RunSettings,
    members: dict[str, list[str]],
    future: pd.DataFrame | None = None,
    backtest: pd.DataFrame | None = None,
    progress: Report | None = None,
) -> tuple[pd.DataFrame, dict[str, Forecaster]]:
    """Refit the chosen models on all the data; combine members for ensemble series.

    A global model is refit on every series it was a candidate for (as in its backtest:
    it learns from the whole panel), and serves the series that chose it. A model whose
    bands are conformal takes them from its errors in the last windows of ``backtest``
    when it has as many as the refits would make: those windows are the refits.
    """
    h, levels, season_length, freq = (
        settings.h,
        settings.levels,
        settings.season_length,
        settings.freq,
    )
    how, n_windows = settings.ensemble, settings.n_windows
    specs = {_label(s): s for specs in candidates.values() for s in specs}
    candidate_ids: dict[str, set[str]] = {}
    for uid, labels in candidates.items():
        for spec in labels:
            candidate_ids.setdefault(_label(spec), set()).add(uid)
    needs: dict[str, set[str]] = {}
    for uid, label in zip(chosen[S.UNIQUE_ID], chosen[MODEL], strict=True):
        for name in members.get(uid, []) if label == ENSEMBLE else [label]:
            needs.setdefault(name, set()).add(uid)
    forecasts: dict[str, pd.DataFrame] = {}
    fitted: dict[str, Forecaster] = {}
    used: dict[tuple[str, str], str] = {}
    notes: dict[tuple[str, str], str] = {}
    for done, (label, ids) in enumerate(sorted(needs.items())):
        report_step(progress, "fitting chosen model", done, len(needs), item=label, span=FIT_SPAN)
        model = with_fallback(specs.get(label, label), season_length, freq, h)
        fit_ids = ids | candidate_ids.get(label, set()) if model.is_global else ids
        model.fit(frame[frame[S.UNIQUE_ID].isin(fit_ids)])
        refits = model.conformal_refits
        reuse = (
            bool(levels)
            and backtest is not None
            and label in backtest.columns
            and 0 < refits <= n_windows
        )
        result = model.predict(h, X_df=future, levels=() if reuse else levels)
        if reuse:
            assert backtest is not None
            result = _bands_from_backtest(
                result, backtest, label, model.name, refits, frame, levels
            )
        fitted[label] = model
        forecasts[label] = _as_output(result, model.name)
        for uid in ids:
            used[(label, uid)] = model.used_.get(uid, label)
            if uid in model.failures_:
                notes[(label, uid)] = model.failures_[uid]
    out = _assemble(chosen, members, forecasts, used, notes, how)
    ordered = [S.UNIQUE_ID, S.DS, FORECAST, *interval_columns(FORECAST, levels), MODEL, NOTE]
    out = out[ordered].sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    return out, fitted


def _bands_from_backtest(
    point: pd.DataFrame,
    backtest: pd.DataFrame,
    label: str,
    name: str,
    windows: int,
    frame: pd.DataFrame,
    levels: tuple[int, ...],
) -> pd.DataFrame:
    """Conformal bands for a final forecast from the model's last ``windows`` backtest
    windows (a horizon apart, so the same errors its conformal refits would make)."""
    past = backtest.loc[backtest[label].notna(), [S.UNIQUE_ID, S.DS, CUTOFF, S.Y, label]]
    past = past.rename(columns={label: name})
    rank = past.groupby(S.UNIQUE_ID, sort=False)[CUTOFF].rank(method="dense", ascending=False)
    last = frame.groupby(S.UNIQUE_ID, sort=True)[S.DS].max()
    window = point.assign(**{CUTOFF: point[S.UNIQUE_ID].map(last)})
    out = bands_from_earlier_windows(window, past[rank <= windows], frame, name, levels)
    return out.drop(columns=CUTOFF)


def _assemble(
    chosen: pd.DataFrame,
    members: dict[str, list[str]],
    forecasts: dict[str, pd.DataFrame],
    used: dict[tuple[str, str], str],
    notes: dict[tuple[str, str], str],
    how: str,
) -> pd.DataFrame:
    """Each series' rows from its chosen model, or its members' combination, with the
    model that served it and the notes of the models that failed on it."""
    label = chosen.set_index(S.UNIQUE_ID)[MODEL]
    parts = []
    for name, frame in forecasts.items():
        single = frame[frame[S.UNIQUE_ID].map(label).eq(name)]
        if not single.empty:
            parts.append(single)
    combined: dict[str, set[str]] = {}
    for uid in label.index[label.eq(ENSEMBLE)]:
        for name in members.get(uid, ()):
            combined.setdefault(name, set()).add(uid)
    stacked = [
        frame[frame[S.UNIQUE_ID].isin(combined[name])]
        for name, frame in forecasts.items()
        if name in combined
    ]
    if stacked:
        parts.append(_combine(stacked, how))
    out = pd.concat(parts, ignore_index=True)
    served, noted = {}, {}
    for uid, name in label.items():
        names = members.get(uid, []) if name == ENSEMBLE else [name]
        models = [used[(n, uid)] for n in names]
        served[uid] = f"Ensemble[{how}: {'+'.join(models)}]" if name == ENSEMBLE else models[0]
        noted[uid] = "; ".join(notes[(n, uid)] for n in names if (n, uid) in notes)
    out[MODEL] = out[S.UNIQUE_ID].map(served)
    out[NOTE] = out[S.UNIQUE_ID].map(noted)
    return out


def _as_output(result: pd.DataFrame, name: str) -> pd.DataFrame:
    return result.rename(
        columns={
            c: FORECAST + c[len(name) :]
            for c in result.columns
            if c == name or c.startswith(f"{name}-")
        }
    )


def _combine(parts: list[pd.DataFrame], how: str) -> pd.DataFrame:
    """Mean or median of the members' points and of each band (quantile averaging)."""
    stacked = pd.concat(parts, ignore_index=True)
    value_columns = [c for c in stacked.columns if c.startswith(FORECAST)]
    grouped = stacked.groupby([S.UNIQUE_ID, S.DS], as_index=False)[value_columns]
    return grouped.median() if how == "median" else grouped.mean()
