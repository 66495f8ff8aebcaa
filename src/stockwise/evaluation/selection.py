"""Choose a model per series from backtest scores, and build top-k ensembles.

Per series, the model with the lowest score wins (MASE by default; ties and series with a
zero MASE scale fall back to MAE, which ranks models identically within one series).
A series' own score rests on a couple of short backtest windows and is noisy, so it is
shrunk toward the mean score of the same model over the series' *segment* (empirical
Bayes: ``prior_points`` is how many backtest points the segment's evidence is worth).
On held-out data this beats both pure per-series and pure per-segment choice
(docs/decisions/0010-selection-shrunk-by-segment.md). Series with too few points to
trust at all (``min_points``) take the best model of their segment; a segment with no
scores takes the overall winner.
With a ``default`` (a robust combination), a series keeps it unless another model's
shrunk score beats it by ``margin``: a couple of windows rarely prove a single model
better than a combination that is known to be hard to beat, and choosing on noise loses
more than it wins (docs/benchmarks/accuracy_preset.md). Given the scores per backtest
window, the challenger must also beat the default by ``margin`` in every window it was
scored in: a model that wins on the mean through one lucky stretch (the weeks after a
seasonal peak, say) has not shown that it is better, only that it fitted that stretch.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.models.splits import CUTOFF
from stockwise.schema import ENSEMBLE, MODEL

BASIS = "basis"


def select_models(
    metrics: pd.DataFrame,
    metric: str = "mase",
    *,
    segments: pd.Series | None = None,
    min_points: int = 1,
    prior_points: float = 0.0,
    default: str | None = None,
    margin: float = 0.0,
    windows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per unique_id: the chosen ``model``, its ``score`` and the ``basis``.

    ``metrics`` is the long table of :func:`stockwise.evaluation.metrics.evaluate`
    (``unique_id, model, <metric>, mae, n_points``). ``basis`` is "series", "segment" or
    "overall" and says whose scores decided ("series, default" where ``default`` was kept
    for want of a model ``margin`` better, and with ``windows`` better in each window).
    ``windows`` (``unique_id, model, cutoff, mae``: one row per backtest window) holds the
    per-window errors; MAE ranks like the scaled metric within a series and window.
    """
    table = metrics.copy()
    table["_rank_key"] = table[metric].where(np.isfinite(table[metric]))
    # Within a series, MAE ranks like MASE; use it where MASE is undefined (zero scale).
    no_metric = table.groupby(S.UNIQUE_ID)["_rank_key"].transform("count") == 0
    table.loc[no_metric, "_rank_key"] = table.loc[no_metric, "mae"]
    table = table[np.isfinite(table["_rank_key"])]
    if prior_points > 0:
        group = (
            table[S.UNIQUE_ID].map(segments).fillna("_all")
            if segments is not None
            else pd.Series("_all", index=table.index)
        )
        prior = table.groupby([group, table[MODEL]])["_rank_key"].transform("mean")
        weight = table["n_points"] / (table["n_points"] + prior_points)
        table["_rank_key"] = weight * table["_rank_key"] + (1 - weight) * prior
    trusted = table[table["n_points"] >= min_points]
    best = (
        trusted.sort_values([S.UNIQUE_ID, "_rank_key", MODEL], kind="stable")
        .drop_duplicates(S.UNIQUE_ID)
        .set_index(S.UNIQUE_ID)
    )
    result = pd.DataFrame({MODEL: best[MODEL], "score": best[metric], BASIS: "series"})
    if default is not None:
        steady = _wins_every_window(result, windows, default, margin)
        result = _keep_default(
            result, best["_rank_key"], trusted, (default, margin), steady, metric
        )

    all_ids = pd.Index(metrics[S.UNIQUE_ID].unique(), name=S.UNIQUE_ID)
    missing = all_ids.difference(result.index)
    if len(missing):
        overall = _overall_winner(trusted if not trusted.empty else table, metric)
        fill = pd.DataFrame({MODEL: overall, "score": np.nan, BASIS: "overall"}, index=missing)
        if segments is not None:
            seg_best = _segment_winners(trusted, metric, segments)
            seg_of = segments.reindex(missing)
            chosen = seg_of.map(seg_best)
            has = chosen.notna().to_numpy()
            fill.loc[has, MODEL] = chosen[has].to_numpy()
            fill.loc[has, BASIS] = "segment"
        result = pd.concat([result, fill])
    result.index.name = S.UNIQUE_ID
    return result.reset_index()


def _wins_every_window(
    result: pd.DataFrame, windows: pd.DataFrame | None, default: str, margin: float
) -> pd.Series:
    """Per series of ``result``: whether its winner's MAE is ``margin`` below ``default``'s
    in every backtest window where both were scored (True where ``windows`` is not given)."""
    if windows is None:
        return pd.Series(True, index=result.index)
    per_window = windows[[S.UNIQUE_ID, MODEL, CUTOFF, "mae"]]
    per_window = per_window[np.isfinite(per_window["mae"])]
    winner = per_window.merge(result[[MODEL]].reset_index(), on=[S.UNIQUE_ID, MODEL], how="inner")
    reference = per_window[per_window[MODEL] == default].rename(columns={"mae": "_reference"})
    both = winner.merge(reference[[S.UNIQUE_ID, CUTOFF, "_reference"]], on=[S.UNIQUE_ID, CUTOFF])
    wins = (both["mae"] < (1 - margin) * both["_reference"]).groupby(both[S.UNIQUE_ID]).all()
    return wins.reindex(result.index, fill_value=False).astype(bool)


def _keep_default(
    result: pd.DataFrame,
    key: pd.Series,
    trusted: pd.DataFrame,
    rule: tuple[str, float],
    steady: pd.Series,
    metric: str,
) -> pd.DataFrame:
    """Series whose winner is not ``margin`` better than ``default`` (``rule``; by the same
    shrunk score) or not better in every window (``steady`` False) take ``default``."""
    default, margin = rule
    own = trusted[trusted[MODEL] == default].drop_duplicates(S.UNIQUE_ID).set_index(S.UNIQUE_ID)
    reference = own["_rank_key"].reindex(result.index)
    beaten = (key < (1 - margin) * reference) & steady
    keep = (reference.notna() & (result[MODEL] != default) & ~beaten).to_numpy()
    out = result.copy()
    out.loc[keep, MODEL] = default
    out.loc[keep, "score"] = own[metric].reindex(result.index)[keep].to_numpy()
    out.loc[keep, BASIS] = "series, default"
    return out


def top_models(metrics: pd.DataFrame, k: int = 3, metric: str = "mase") -> list[str]:
    """The k models with the lowest mean score over series (NaN-skipping)."""
    means = metrics.groupby(MODEL)[metric].mean().replace([np.inf, -np.inf], np.nan).dropna()
    return list(means.sort_values(kind="stable").index[:k])


def combine(
    frame: pd.DataFrame,
    members: Sequence[str],
    how: str = "median",
    name: str = ENSEMBLE,
    levels: Sequence[int] = (),
) -> pd.DataFrame:
    """Add ``name`` (and its bands) as the mean or median of the members' columns.

    Bands are combined quantile by quantile (Vincentisation), which keeps lo <= hi.
    """
    if how not in ("mean", "median"):
        raise ValueError("how must be 'mean' or 'median'")
    out = frame.copy()
    suffixes = ["", *[f"-{side}-{level}" for level in levels for side in ("lo", "hi")]]
    for suffix in suffixes:
        columns = [f"{m}{suffix}" for m in members if f"{m}{suffix}" in out.columns]
        if not columns:
            continue
        values = out[columns]
        out[f"{name}{suffix}"] = values.median(axis=1) if how == "median" else values.mean(axis=1)
    return out


def _overall_winner(table: pd.DataFrame, metric: str) -> str:
    if table.empty:
        return "Naive"
    return (
        top_models(table, k=1, metric=metric)[0]
        if table[metric].notna().any()
        else str(table.sort_values("mae")[MODEL].iloc[0])
    )


def _segment_winners(table: pd.DataFrame, metric: str, segments: pd.Series) -> pd.Series:
    scored = table.assign(_segment=table[S.UNIQUE_ID].map(segments))
    scored = scored[scored["_segment"].notna() & np.isfinite(scored[metric])]
    if scored.empty:
        return pd.Series(dtype=object)
    means = scored.groupby(["_segment", MODEL])[metric].mean().reset_index()
    means = means.sort_values(["_segment", metric, MODEL], kind="stable")
    return means.drop_duplicates("_segment").set_index("_segment")[MODEL]


def window_count(cv: pd.DataFrame) -> pd.Series:
    """Number of backtest windows each series took part in."""
    return cv.groupby(S.UNIQUE_ID)[CUTOFF].nunique()
