"""What the LSTM sees: scaled sales, scaled known-ahead inputs, calendar and series level.

The network is global (one set of weights for every series), so every input has to be on
a scale that means the same thing across series:

* sales are divided by the series' mean from its first sale on (location 0, so zero demand
  stays zero and the network's non-negative outputs map back to non-negative units);
* a known-ahead input that is a 0/1 flag (promotion, event, SNAP) is used as is; any
  other non-negative input (price) becomes its ratio to the series' own mean, minus one
  (a 20 % discount reads -0.2 on a $1 item as on a $50 one); an input with negative
  values is standardised per series. Both are clipped, so a rare spike cannot saturate
  the network. A missing value reads 0: the series' usual level, or "no flag";
* a text input (event name, holiday type) becomes one 0/1 channel per value learnt at fit
  time when it has at most ``MAX_ONE_HOT`` values, else one "a value is present" channel
  (an event name: is there an event that day). Values never seen in training, and
  missing ones, switch every channel off;
* calendar columns are the feature layer's cyclic encoding (sine/cosine pairs of the day
  of week for daily data, the week or month of the year otherwise:
  :func:`stockwise.features.calendar.cyclic_calendar_features`), always known ahead;
* the series' level (log of its scale, standardised over the series) is a constant
  channel, so the shared weights can still tell a slow mover from a fast one.

Everything a forecast needs later is kept in :class:`InputScaling` (plain numbers, saved
as Parquet/JSON by :mod:`stockwise.models.lstm_io`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.errors import InputError
from stockwise.features.calendar import cyclic_calendar_features
from stockwise.features.drivers import NOT_DRIVERS as FEATURE_NOT_DRIVERS

LEVEL = "_level"
SCALED = "_y_scaled"
CALENDAR_PREFIX = "_cal_"
FLAG, RELATIVE, STANDARD, TEXT = "flag", "relative", "standard", "text"
MAX_ONE_HOT = 8
CLIP = {RELATIVE: 3.0, STANDARD: 5.0}
NOT_DRIVERS = FEATURE_NOT_DRIVERS | {"cutoff"}
"""Columns never taken as known-ahead inputs by ``exog=None``: the feature layer's
(:data:`stockwise.features.drivers.NOT_DRIVERS`), and a backtest's cutoff."""


def detect_exog(df: pd.DataFrame, exog: Sequence[str] | None) -> list[str]:
    """The known-ahead input columns: the ones asked for, or every other extra column."""
    if exog is not None:
        missing = [c for c in exog if c not in df.columns]
        if missing:
            raise InputError(
                f"the training frame has no column {missing[0]!r} (asked for as "
                f"a known-ahead input); it has {list(df.columns)}",
                column=missing[0],
            )
        return list(exog)
    return [c for c in df.columns if c not in NOT_DRIVERS]


def calendar_channels(ds: pd.Series, freq: str) -> pd.DataFrame:
    """The calendar channels of each date: the feature layer's cyclic encoding, under the
    LSTM's own prefix (the channel names a saved model lists)."""
    return pd.DataFrame(cyclic_calendar_features(ds, freq, CALENDAR_PREFIX), index=ds.index)


@dataclass
class InputScaling:
    """Per-series and per-column statistics learnt at fit time (no training rows)."""

    series: pd.DataFrame
    """Indexed by unique_id: ``y_scale``, ``level`` and ``<column>_loc`` / ``_scale``."""
    kinds: dict[str, str]
    """Known-ahead column -> flag / relative / standard / text."""
    freq: str
    calendar: bool
    vocab: dict[str, list[str]] = field(default_factory=dict)
    """Text column -> its values seen in training (one channel each), or [] for the
    single "present" channel of a column with more than ``MAX_ONE_HOT`` values."""

    @classmethod
    def fit(cls, frame: pd.DataFrame, exog: list[str], freq: str, calendar: bool) -> InputScaling:
        ids = frame[S.UNIQUE_ID]
        y = frame[S.Y].to_numpy(dtype=float)
        started = pd.Series(y > 0, index=frame.index).groupby(ids, sort=True).cummax()
        y_scale = (
            pd.Series(np.where(started, y, np.nan), index=frame.index)
            .groupby(ids, sort=True)
            .mean()
        )
        y_scale = y_scale.where(y_scale > 0, 1.0).fillna(1.0)
        series = pd.DataFrame({"y_scale": y_scale})
        log_scale = np.log(series["y_scale"])
        spread = float(log_scale.std(ddof=0)) if len(log_scale) > 1 else 0.0
        series["level"] = (log_scale - float(log_scale.mean())) / (spread if spread > 0 else 1.0)
        kinds: dict[str, str] = {}
        vocab: dict[str, list[str]] = {}
        for column in exog:
            if _is_text(frame[column]):
                kinds[column] = TEXT
                seen = sorted({str(v) for v in frame[column].dropna().unique()})
                vocab[column] = seen if len(seen) <= MAX_ONE_HOT else []
                continue
            values = _numeric(frame[column], column)
            finite = values[np.isfinite(values)]
            if finite.size and np.isin(finite, (0.0, 1.0)).all():
                kinds[column] = FLAG
                continue
            grouped = pd.Series(values, index=frame.index).groupby(ids, sort=True)
            loc = grouped.mean().reindex(series.index)
            if finite.size and (finite >= 0).all():
                kinds[column] = RELATIVE
                scale = loc.where(loc > 0, 1.0).fillna(1.0)
                loc = scale  # x / mean - 1 == (x - mean) / mean
            else:
                kinds[column] = STANDARD
                std = grouped.std(ddof=0).reindex(series.index)
                scale = std.where(std > 0, 1.0).fillna(1.0)
            series[f"{column}_loc"] = loc.fillna(0.0).to_numpy()
            series[f"{column}_scale"] = scale.to_numpy()
        series.index.name = S.UNIQUE_ID
        return cls(series, kinds, freq, calendar, vocab)

    # -- channels ---------------------------------------------------------------------------
    @property
    def exog(self) -> list[str]:
        return list(self.kinds)

    def future_channels(self) -> list[str]:
        calendar = (
            list(calendar_channels(pd.Series(pd.to_datetime(["2024-01-01"])), self.freq).columns)
            if self.calendar
            else []
        )
        inputs = []
        for column, kind in self.kinds.items():
            inputs += _text_channels(column, self.vocab[column]) if kind == TEXT else [column]
        return [*inputs, *calendar, LEVEL]

    def past_channels(self) -> list[str]:
        """Channel 0 (the scaled target) is added by the windows; these follow it."""
        return self.future_channels()

    # -- transforms -------------------------------------------------------------------------
    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``unique_id, ds, _y_scaled`` (when ``y`` is there) plus every input channel.

        Missing values of an input become 0 (the series' usual level, or "no flag").
        """
        ids = frame[S.UNIQUE_ID]
        out = pd.DataFrame(
            {S.UNIQUE_ID: ids.to_numpy(), S.DS: frame[S.DS].to_numpy()}, index=frame.index
        )
        stats = self.series.reindex(ids)
        if S.Y in frame.columns:
            out[SCALED] = frame[S.Y].to_numpy(dtype=float) / stats["y_scale"].to_numpy()
        for column, kind in self.kinds.items():
            if kind == TEXT:
                text = frame[column].astype(object)
                names = _text_channels(column, self.vocab[column])
                if not self.vocab[column]:
                    out[names[0]] = text.notna().to_numpy(dtype=float)
                for name, value in zip(names, self.vocab[column], strict=False):
                    out[name] = (text.notna() & text.astype(str).eq(value)).to_numpy(float)
                continue
            values = _numeric(frame[column], column)
            if kind != FLAG:
                loc = stats[f"{column}_loc"].to_numpy()
                scale = stats[f"{column}_scale"].to_numpy()
                values = np.clip((values - loc) / scale, -CLIP[kind], CLIP[kind])
            out[column] = np.nan_to_num(values, nan=0.0)
        if self.calendar:
            out = out.join(calendar_channels(frame[S.DS], self.freq))
        out[LEVEL] = stats["level"].to_numpy()
        return out


def _is_text(column: pd.Series) -> bool:
    return not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column))


def _text_channels(column: str, values: list[str]) -> list[str]:
    return [f"{column}={v}" for v in values] if values else [f"{column}:present"]


def _numeric(column: pd.Series, name: str) -> np.ndarray:
    try:
        return pd.to_numeric(column).to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        raise InputError(
            "a known-ahead input must be numeric, 0/1 or text; this one "
            "mixes numbers with other values",
            column=name,
        ) from None
