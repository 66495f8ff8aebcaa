"""Routing young series of a forecast run to their peers (:mod:`stockwise.models.cold_start`).

The run forecasts every series as usual; the young ones then have their rows replaced by
the peer forecast, with the same columns and bands, ``model`` :data:`MODEL_NAME` and a
note saying on what it rests, so the plan and the report read them like any other. A
young series without usable peers keeps its own-history forecast, and its note says so.
Only "auto" routes: a model the caller named is the caller's choice.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from stockwise import schema as S
from stockwise.errors import InputError
from stockwise.models.cold_start import (
    DEFAULT_PEER_COLUMNS,
    MODEL_NAME,
    ColdStart,
    peer_forecast,
    young_series,
)

NOTE = "note"
BASIS = "basis"


def peer_groups(df: pd.DataFrame, columns: Sequence[str] | None) -> pd.DataFrame | None:
    """One row per series with its peer columns (the first value each series has).

    Named columns must exist; unnamed, those of :data:`DEFAULT_PEER_COLUMNS` present.
    """
    if columns is None:
        columns = [c for c in DEFAULT_PEER_COLUMNS if c in df.columns]
    for column in columns:
        if column not in df.columns:
            raise InputError(
                f"cold-start peer column '{column}' is not a column of the sales "
                f"table (columns: {list(df.columns)})",
                column=column,
            )
    if not columns:
        return None
    rows = df[[S.UNIQUE_ID, *columns]].dropna().drop_duplicates(S.UNIQUE_ID)
    return rows.assign(**{S.UNIQUE_ID: rows[S.UNIQUE_ID].astype(str)}).set_index(S.UNIQUE_ID)


def route_young(
    out: pd.DataFrame,
    chosen: pd.DataFrame,
    frame: pd.DataFrame,
    df: pd.DataFrame,
    levels: Sequence[int],
    season_length: int,
    freq: str,
    options: ColdStart,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``out`` and ``chosen`` with the young series' forecasts from their peers.

    ``frame``: the prepared sales the run fitted on; ``df``: the caller's table (for the
    peer columns); ``out``: the run's forecasts, whose dates ahead the peers' are made on.
    """
    if not options.enabled:
        return out, chosen
    threshold = options.threshold(freq, season_length)
    young = young_series(frame, threshold)
    if young.empty:
        return out, chosen
    future = out.loc[out[S.UNIQUE_ID].isin(young.index), [S.UNIQUE_ID, S.DS]]
    result = peer_forecast(
        frame,
        future,
        peer_groups(df, options.peers),
        levels,
        season_length,
        threshold,
        options.min_peers,
    )
    notes: dict[str, str] = {}
    for uid, how in result.basis.items():
        notes[uid] = (
            f"young series ({young[uid]} of {threshold} periods since its first "
            f"sale): forecast from {how}"
        )
    for uid, why in result.without_peers.items():
        notes[uid] = (
            f"young series ({young[uid]} of {threshold} periods since its first "
            f"sale), own history kept: {why}"
        )
    if result.basis:
        served = out[S.UNIQUE_ID].isin(list(result.basis))
        peers = result.forecasts.assign(**{S.MODEL: MODEL_NAME, NOTE: ""})
        out = pd.concat([out[~served], peers[out.columns]], ignore_index=True)
        out = out.sort_values([S.UNIQUE_ID, S.DS], kind="stable").reset_index(drop=True)
    out[NOTE] = _joined(out[NOTE], out[S.UNIQUE_ID].map(notes))
    chosen = chosen.copy()
    routed = chosen[S.UNIQUE_ID].isin(list(result.basis))
    chosen.loc[routed, S.MODEL] = MODEL_NAME
    if BASIS in chosen.columns:  # the routed ones: a series left as it was keeps its basis
        routed_notes = chosen[S.UNIQUE_ID].map({u: notes[u] for u in result.basis})
        chosen[BASIS] = _joined(chosen[BASIS].astype(object), routed_notes)
    return out, chosen


def _joined(first: pd.Series, second: pd.Series) -> pd.Series:
    """Row-wise ``first; second``, either alone when the other is empty."""
    pairs = zip(first.fillna("").astype(str), second.fillna("").astype(str), strict=True)
    return pd.Series(["; ".join(p for p in pair if p) for pair in pairs], index=first.index)


__all__ = ["peer_groups", "route_young"]
