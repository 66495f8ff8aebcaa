"""The forecaster contract every stockwise model honours (scikit-learn style).

- The constructor only stores its parameters (``get_params`` reads them back from the
  signature, so ``clone`` can rebuild an unfitted twin).
- ``fit(df, X_df=None)`` learns from a long frame ``unique_id, ds, y`` and returns self;
  fitted state lives in attributes ending in ``_``.
- ``predict(h, X_df=None, levels=())`` returns a long frame ``unique_id, ds, <name>`` plus
  ``<name>-lo-L`` / ``<name>-hi-L`` per level; values are never negative (demand).
- Capabilities are class flags, so workflows can choose models without trying them.

Intervals come from the model when it has them (``native_intervals``); otherwise the base
class adds split-conformal intervals from rolling-origin errors on the training data.
Series a model cannot fit are reported in ``failures_`` (id → reason) instead of
stopping the run; :class:`~stockwise.models.fallback.FallbackChain` hands them on.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.frequency import dominant_frequency, infer_frequencies
from stockwise.errors import FrameError, OptionError, StockwiseError


class NotFittedError(StockwiseError, ValueError):
    """``predict`` was called before ``fit``."""


class Forecaster:
    """Base class: parameters, cloning, the fitted check, interval and clipping glue."""

    is_global: ClassVar[bool] = False
    """True when one model learns across all series (gradient boosting, LSTM)."""
    supports_exog: ClassVar[bool] = False
    """True when known-ahead inputs (``X_df``) are used."""
    native_intervals: ClassVar[bool] = False
    """True when the model computes its own prediction intervals."""
    min_history: ClassVar[int] = 1
    """Fewest observations a series needs; shorter series are reported as failures."""

    alias: str | None = None

    # -- parameters ---------------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, read back from attributes of the same name.

        ``deep`` is accepted as scikit-learn passes it (``clone``, search tools); a
        forecaster holds no nested estimators, so deep and shallow are the same."""
        names = [
            p
            for p in inspect.signature(type(self).__init__).parameters
            if p not in ("self", "args", "kwargs")
        ]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> Forecaster:
        valid = self.get_params()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter '{key}'")
            setattr(self, key, value)
        return self

    def clone(self) -> Forecaster:
        """An unfitted copy with the same parameters (nested forecasters cloned too)."""
        params = {k: _clone_param(v) for k, v in self.get_params().items()}
        return type(self)(**params)

    @property
    def conformal_refits(self) -> int:
        """How many earlier windows its bands refit on (0: the model brings its own)."""
        if self.native_intervals:
            return 0
        from stockwise.models.conformal import DEFAULT_WINDOWS

        return int(getattr(self, "conformal_windows", DEFAULT_WINDOWS))

    @property
    def name(self) -> str:
        """Column name of the forecasts: the alias, else the class name."""
        return self.alias or type(self).__name__

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    # -- the contract -------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None = None) -> Forecaster:
        """Learn from ``df`` (``unique_id, ds, y``); returns self."""
        frame = check_training_frame(df, type(self).__name__)
        self.freq_ = getattr(self, "freq", None) or infer_freq(frame)
        self.train_ = frame
        self.failures_: dict[str, str] = {}
        lengths = series_lengths(frame)
        for uid, length in lengths[lengths < self.min_history].items():
            self.failures_[str(uid)] = (
                f"needs at least {self.min_history} observations, has {int(length)}"
            )
        usable = frame[~frame[S.UNIQUE_ID].isin(list(self.failures_))]
        if not usable.empty:
            self._fit(usable, X_df)
        self.fitted_ids_ = sorted(set(usable[S.UNIQUE_ID]) - set(self.failures_))
        return self

    def predict(
        self, h: int, X_df: pd.DataFrame | None = None, levels: tuple[int, ...] | list[int] = ()
    ) -> pd.DataFrame:
        """Forecast ``h`` periods for every fitted series; never negative."""
        self.check_is_fitted()
        h = check_horizon(h)
        levels = normalise_levels(levels)
        if not self.fitted_ids_:
            return empty_forecast(self.name, levels)
        if levels and self.native_intervals:
            out = self._predict(h, X_df, levels)
        else:
            out = self._predict(h, X_df, ())
            if levels:
                from stockwise.models.conformal import add_conformal_intervals

                out = add_conformal_intervals(self, out, h, levels, X_df)
        out = self._drop_failed_rows(out)
        return clip_forecast(out, self.name)

    def check_is_fitted(self) -> None:
        if not hasattr(self, "fitted_ids_"):
            raise NotFittedError(f"{self.name} is not fitted yet: call fit(df) before predict(h)")

    # -- for subclasses -----------------------------------------------------------------
    def _fit(self, df: pd.DataFrame, X_df: pd.DataFrame | None) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def _predict(self, h: int, X_df: pd.DataFrame | None, levels: tuple[int, ...]) -> pd.DataFrame:
        raise NotImplementedError  # pragma: no cover - abstract

    def _drop_failed_rows(self, out: pd.DataFrame) -> pd.DataFrame:
        """A series whose point forecast is NaN/inf failed at predict time: report it."""
        bad = ~np.isfinite(out[self.name].to_numpy(dtype=float))
        if bad.any():
            for uid in out.loc[bad, S.UNIQUE_ID].unique():
                self.failures_.setdefault(str(uid), "the model produced non-finite forecasts")
            out = out[~out[S.UNIQUE_ID].isin(list(self.failures_))]
            self.fitted_ids_ = [u for u in self.fitted_ids_ if u not in self.failures_]
        return out.reset_index(drop=True)


# -- helpers shared by models -------------------------------------------------------------
MAX_HORIZON = 10_000
"""The most periods one forecast may ask for: 27 years of days. Far beyond any plan, and
a bound on the work (rows × series) one call can demand."""


def check_horizon(h: object, most: int = MAX_HORIZON) -> int:
    """``h`` as a whole number of periods from 1 to ``most``, else a ValueError that says
    what was expected (numpy and pandas would fail later with a message about arrays)."""
    if isinstance(h, bool) or not isinstance(h, int | np.integer):
        if isinstance(h, float | np.floating) and float(h).is_integer():
            h = int(h)
        else:
            raise OptionError(f"h must be a whole number of periods, got {h!r}")
    if not 1 <= int(h) <= most:
        raise OptionError(f"h must be from 1 to {most:,} periods, got {int(h):,}")
    return int(h)


def check_training_frame(df: pd.DataFrame, who: str) -> pd.DataFrame:
    """Columns present, ds as datetime, y numeric and finite, sorted by series and date.

    Refused rather than guessed: two rows for one series and date (summing or keeping
    either would be a silent choice about the user's data), and ids that differ only in
    type (``1`` and ``"1"`` would merge when read as text). Time-zone-aware dates keep
    their local calendar day (sales are counted by the shop's day, not by UTC).
    """
    missing = [c for c in (S.UNIQUE_ID, S.DS, S.Y) if c not in df.columns]
    if missing:
        raise FrameError(f"{who}.fit needs columns {missing}; got {list(df.columns)}")
    if df.empty:
        raise FrameError(f"{who}.fit got an empty frame")
    frame = df.copy()
    ids = frame[S.UNIQUE_ID]
    if not (ids.dtype == object and pd.api.types.infer_dtype(ids, skipna=False) == "string"):
        _check_ids_stay_distinct(ids, who)
        frame[S.UNIQUE_ID] = ids.astype(str)
    if isinstance(frame[S.DS].dtype, pd.DatetimeTZDtype):
        frame[S.DS] = frame[S.DS].dt.tz_localize(None)
    elif not pd.api.types.is_datetime64_dtype(frame[S.DS]):
        frame[S.DS] = _naive_dates(frame[S.DS], who)
    if frame[S.Y].dtype != np.float64:
        frame[S.Y] = pd.to_numeric(frame[S.Y], errors="coerce").astype(float)
    if not np.isfinite(frame[S.Y].to_numpy()).all():
        raise FrameError(
            f"{who}.fit: y has NaN or infinite values; prepare the series "
            "first (stockwise.data.prepare_sales fills gaps with zeros)"
        )
    if not _is_sorted(frame[S.UNIQUE_ID].to_numpy(), frame[S.DS].to_numpy()):
        frame = frame.sort_values([S.UNIQUE_ID, S.DS], kind="stable")
    frame = frame.reset_index(drop=True)
    _check_one_row_per_date(frame, who)
    return frame


def _check_ids_stay_distinct(ids: pd.Series, who: str) -> None:
    """Ids of mixed types must not collide once read as text (``1`` and ``"1"``)."""
    if pd.api.types.infer_dtype(ids, skipna=False) not in ("mixed", "mixed-integer"):
        return
    as_text = ids.astype(str)
    kinds = ids.map(lambda v: type(v).__name__).groupby(as_text, sort=False).unique()
    mixed = kinds[kinds.map(len) > 1]
    if len(mixed):
        value, names = mixed.index[0], sorted(mixed.iloc[0])
        raise FrameError(
            f"{who}.fit: unique_id {value!r} appears as {' and '.join(names)}; "
            "ids that read the same as text would merge: give every id as text"
        )


def _naive_dates(ds: pd.Series, who: str) -> pd.Series:
    """Dates parsed; text with UTC offsets keeps each row's local day."""
    try:
        parsed = pd.to_datetime(ds)
    except (TypeError, ValueError) as exc:
        if "tz" not in str(exc).lower() and "offset" not in str(exc).lower():
            raise FrameError(f"{who}.fit: ds holds values that are not dates ({exc})") from exc
        parsed = ds.map(lambda v: pd.Timestamp(v).tz_localize(None) if pd.notna(v) else pd.NaT)
        return pd.to_datetime(parsed)
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        return parsed.dt.tz_localize(None)
    return parsed


def _check_one_row_per_date(frame: pd.DataFrame, who: str) -> None:
    """Sorted ``frame``: no series may have two rows on one date."""
    ids = frame[S.UNIQUE_ID].to_numpy()
    ds = frame[S.DS].to_numpy()
    if len(ids) < 2:
        return
    twice = (ids[1:] == ids[:-1]) & (ds[1:] == ds[:-1])
    if twice.any():
        count = int(twice.sum())
        first = int(np.flatnonzero(twice)[0]) + 1
        raise FrameError(
            f"{who}.fit: {count} row(s) repeat a (unique_id, ds) pair, e.g. "
            f"{ids[first]!r} on {pd.Timestamp(ds[first]).date()}; give one row per series and "
            "date (if they are parts of one day's sales, sum them first: "
            "stockwise.data.sum_duplicates(df))"
        )


def _is_sorted(ids: np.ndarray, ds: np.ndarray) -> bool:
    """Whether rows are already ordered by series then date (sorting again costs more)."""
    if len(ids) < 2:
        return True
    later = ids[1:] > ids[:-1]
    same = ids[1:] == ids[:-1]
    return bool(np.all(later | (same & (ds[1:] > ds[:-1]))))


def infer_freq(frame: pd.DataFrame) -> str:
    """stockwise frequency of the panel (a code of :mod:`stockwise.calendar_facts`).

    A panel sorted by series and date whose every step is one day is daily without the
    full inference (the common case of prepared daily data, where it costs the most).
    """
    ids, ds = frame[S.UNIQUE_ID].to_numpy(), frame[S.DS].to_numpy()
    if len(ids) > 1 and np.issubdtype(ds.dtype, np.datetime64):
        same = ids[1:] == ids[:-1]
        if same.any() and np.all(~same | (np.diff(ds) == np.timedelta64(1, "D"))):
            return "D"
    freqs, _ = infer_frequencies(frame[[S.UNIQUE_ID, S.DS]])
    return dominant_frequency(freqs)


def pandas_freq(freq: str, ds: pd.Series) -> str:
    """Pandas alias for future dates: weeks keep the data's weekday, months its anchor."""
    if freq == "D":
        return "D"
    if freq == "W":
        weekday = pd.Timestamp(ds.iloc[0]).day_name()[:3].upper()
        return f"W-{weekday}"
    if freq == "M":
        return "MS" if (pd.to_datetime(ds).dt.day == 1).all() else "ME"
    if freq in ("h", "Q", "Y"):
        return calendar_facts.pandas_alias(freq, pd.to_datetime(ds))
    raise ValueError(f"unknown frequency {freq!r}; expected {', '.join(calendar_facts.CODES)}")


def future_dates(last: pd.Series, h: int, freq: str, ds: pd.Series) -> pd.DataFrame:
    """``unique_id, ds`` for the h periods after each series' last date."""
    dates = future_date_matrix(last.to_numpy(), h, freq, ds)
    return pd.DataFrame({S.UNIQUE_ID: np.repeat(last.index.to_numpy(), h), S.DS: dates.ravel()})


def future_date_matrix(last: np.ndarray, h: int, freq: str, sample: pd.Series) -> np.ndarray:
    """(series × h) datetime64 of the ``h`` periods after each ``last`` date, vectorised.

    Weeks keep each series' weekday (they step by 7 days); months keep the anchor of the
    data (first or last day of the month, :func:`pandas_freq`).
    """
    last = np.asarray(last, dtype="datetime64[ns]")
    steps = np.arange(1, h + 1)
    if freq in ("D", "W"):
        days = 1 if freq == "D" else 7
        return last[:, None] + (steps * days).astype("timedelta64[D]")[None, :]
    if freq == "h":
        return last[:, None] + steps.astype("timedelta64[h]")[None, :]
    anchor = pandas_freq(freq, sample)
    months = steps * calendar_facts.MONTHS_PER_PERIOD[freq]
    month = last.astype("datetime64[M]")[:, None] + months[None, :].astype("timedelta64[M]")
    if anchor.endswith("S"):
        return month.astype("datetime64[ns]")
    return (
        (month + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    ).astype("datetime64[ns]")


def series_lengths(frame: pd.DataFrame) -> pd.Series:
    return frame.groupby(S.UNIQUE_ID, sort=True).size()


def normalise_levels(levels: Sequence[int] | None) -> tuple[int, ...]:
    out = tuple(sorted({int(level) for level in (levels or ())}))
    for level in out:
        if not 0 < level < 100:
            raise ValueError(f"levels are percentages between 0 and 100, got {level}")
    return out


def interval_columns(name: str, levels: tuple[int, ...]) -> list[str]:
    return [f"{name}-{side}-{level}" for level in levels for side in ("lo", "hi")]


def empty_forecast(name: str, levels: tuple[int, ...]) -> pd.DataFrame:
    columns = [S.UNIQUE_ID, S.DS, name, *interval_columns(name, levels)]
    return pd.DataFrame(
        {c: pd.Series(dtype="datetime64[ns]" if c == S.DS else float) for c in columns}
    ).astype({S.UNIQUE_ID: str})


def clip_forecast(out: pd.DataFrame, name: str) -> pd.DataFrame:
    """Demand is never negative; bands contain the point and nest (95 % ⊇ 80 %).

    Some native intervals are simulated (Theta) and can fall a hair inside the point on
    trivial series; the contract promises ``lo <= point <= hi`` and nested levels.
    """
    value_columns = [c for c in out.columns if c == name or c.startswith(f"{name}-")]
    out[value_columns] = out[value_columns].clip(lower=0.0)
    levels = sorted({int(c.rsplit("-", 1)[1]) for c in value_columns if c != name})
    lo_bound = hi_bound = out[name]
    for level in levels:  # narrow to wide
        lo, hi = f"{name}-lo-{level}", f"{name}-hi-{level}"
        out[lo] = np.minimum(out[lo], lo_bound)
        out[hi] = np.maximum(out[hi], hi_bound)
        lo_bound, hi_bound = out[lo], out[hi]
    ordered = [S.UNIQUE_ID, S.DS, name, *interval_columns(name, tuple(levels))]
    return out[ordered + [c for c in out.columns if c not in ordered]]


def _clone_param(value: Any) -> Any:
    if isinstance(value, Forecaster):
        return value.clone()
    if isinstance(value, list | tuple) and any(isinstance(v, Forecaster) for v in value):
        return type(value)(_clone_param(v) for v in value)
    return value
