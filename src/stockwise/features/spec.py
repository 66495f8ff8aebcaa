"""The features of the machine-learning forecasters, declared as data.

A :class:`FeatureSpec` says *which* features a global model sees — lags, rolling and
expanding statistics of the (transformed) target, calendar fields, public holidays of a
country, and the known-ahead drivers (prices, promotions, events) — and the target
transforms. It is plain data: it prints, compares, and saves as JSON next to a model, so a
saved model states exactly what it was trained on. :func:`default_spec` picks lags and
windows from the season (a week of daily lags plus whole weeks, 13/26/52 weeks, 3/6/12
months). Column names are generated from the spec (:meth:`FeatureSpec.feature_names`)
and explain themselves: ``lag_7``, ``rolling_mean_28``, ``holiday_days_to``,
``sell_price_rel28``, ``promo_sum7``.

No leakage, by construction: every target-derived feature of period t uses values up to
t-1 only (see :mod:`stockwise.features.lags`); drivers are known ahead by definition,
so their value at t (and before) may be used.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

CALENDAR_BY_FREQ: dict[str, tuple[str, ...]] = {
    "D": ("dayofweek", "dayofmonth", "weekofyear", "month", "month_end", "payday"),
    "W": ("weekofyear", "month"),
    "M": ("month",),
}
"""Calendar fields that make sense at each frequency (a monthly series has no weekday)."""
CALENDAR_FIELDS = (
    "dayofweek",
    "dayofmonth",
    "weekofyear",
    "month",
    "month_end",
    "payday",
    "dayofyear",
)
TRANSFORMS = ("log1p", "scale", "diff")
ROLLING_STATS = ("mean", "std", "min", "max", "zeros")
"""``zeros`` is the share of zero values in the window (how intermittent lately)."""
STRATEGIES = ("recursive", "direct")
EXPANDING_STATS = ("mean",)


@dataclass(frozen=True)
class FeatureSpec:
    """What a global forecaster computes from the history, the calendar and the drivers."""

    lags: tuple[int, ...] = (1, 2, 3, 4, 5, 6, 7, 14, 21, 28)
    """Target lags in periods (``lag_k`` = value k periods before)."""
    rolling_windows: tuple[int, ...] = (7, 28)
    """Windows of the rolling statistics over the periods before t."""
    rolling_stats: tuple[str, ...] = ("mean", "std")
    expanding_stats: tuple[str, ...] = ("mean",)
    """Statistics over the whole history before t (the series' level)."""
    history_offset: int = 1
    """The most recent target value a feature of period t may read is t - offset (lags
    below it are not allowed; rolling and expanding statistics end there). With an
    offset >= h a forecast reads only observed values — no recursion on its own
    forecasts, which matters for intermittent counts, where fed-back means (0.3) look
    like nothing the trees saw in training (0 or 1)."""
    calendar: tuple[str, ...] = CALENDAR_BY_FREQ["D"]
    paydays: tuple[int, ...] = (1, 15)
    """Days of the month that are paydays (the last day of the month always is)."""
    country: str | None = None
    """ISO code for public holidays (``holidays`` package); None = no holiday features."""
    holiday_cap: int = 30
    """Days to / since the nearest holiday are capped here (beyond, it does not matter)."""
    price: tuple[str, ...] = ()
    """Known-ahead price columns: level, relative to the recent level, change."""
    price_window: int = 28
    promo: tuple[str, ...] = ()
    """Known-ahead promotion columns: the flag (or depth) and its recent count."""
    promo_window: int = 7
    events: tuple[str, ...] = ()
    """Other known-ahead columns (events, SNAP, holidays given as data, store open):
    numbers are used as they are, text is coded by a vocabulary learnt in fit."""
    target_transforms: tuple[str, ...] = ()
    """Applied in order before fitting and inverted after forecasting: ``log1p``,
    ``scale`` (divide by the series' mean), ``diff`` / ``diff_<k>`` (k-period difference)."""
    recency_cap: int = 0
    """If > 0, adds ``periods_since_nonzero``: periods since the last non-zero value,
    capped here (also when there is none in the history): dead items look dead."""
    strategy: str = "recursive"
    """``recursive``: one model for the next period, fed its own forecasts (or, with an
    offset >= h, reading observed values only). ``direct``: one model for steps
    1..``direct_horizon`` from an origin (:mod:`stockwise.features.origin`): the target
    features are those of the origin (the last observed period, offset 1), plus ``step``
    and the calendar / drivers of the target period; nothing is fed back."""
    direct_horizon: int = 28
    """Steps the direct model learns; a forecast further out reuses the last step."""
    origin_stride: int = 7
    """Training origins of the direct model: every ``origin_stride`` periods counted back
    from each series' last one (so they share its weekday with a stride of 7 days)."""
    seasonal_lag: int = 364
    """Direct model only: ``seasonal_mean_<w>`` is the mean over ``w`` periods centred
    ``seasonal_lag`` periods before the target period (the same weeks last year)."""
    seasonal_windows: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for name in ("lags", "rolling_windows", "seasonal_windows"):
            values = getattr(self, name)
            if any(int(v) < 1 for v in values):
                raise ValueError(f"FeatureSpec.{name} must be positive integers, got {values}")
        if int(self.history_offset) < 1 or any(int(k) < self.history_offset for k in self.lags):
            raise ValueError(
                f"FeatureSpec: history_offset must be >= 1 and <= every lag, got "
                f"{self.history_offset} with lags {self.lags}"
            )
        _check_subset("rolling_stats", self.rolling_stats, ROLLING_STATS)
        self._check_direct()
        _check_subset("expanding_stats", self.expanding_stats, EXPANDING_STATS)
        _check_subset("calendar", self.calendar, CALENDAR_FIELDS)
        for transform in self.target_transforms:
            base, _, lag = transform.partition("_")
            if base not in TRANSFORMS or (lag and not (base == "diff" and lag.isdigit())):
                raise ValueError(
                    f"unknown target transform {transform!r}; expected log1p, "
                    "scale, diff or diff_<k>"
                )
        overlap = (
            set(self.price) & set(self.promo)
            | set(self.price) & set(self.events)
            | set(self.promo) & set(self.events)
        )
        if overlap:
            raise ValueError(f"columns {sorted(overlap)} are given more than one role")

    def _check_direct(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ValueError(
                f"FeatureSpec.strategy must be one of {STRATEGIES}, not {self.strategy!r}"
            )
        if int(self.recency_cap) < 0:
            raise ValueError(f"FeatureSpec.recency_cap must be >= 0, got {self.recency_cap}")
        if self.strategy != "direct":
            if self.seasonal_windows:
                raise ValueError("FeatureSpec.seasonal_windows need strategy='direct'")
            return
        if self.history_offset != 1:
            raise ValueError(
                "FeatureSpec: the direct strategy reads the history up to the "
                f"origin itself (history_offset=1), got {self.history_offset}"
            )
        if int(self.direct_horizon) < 1 or int(self.origin_stride) < 1:
            raise ValueError(
                "FeatureSpec: direct_horizon and origin_stride must be >= 1, got "
                f"{self.direct_horizon} and {self.origin_stride}"
            )
        for w in self.seasonal_windows:
            if int(w) < 1 or self.seasonal_lag - int(w) // 2 < self.direct_horizon:
                raise ValueError(
                    f"FeatureSpec: seasonal window {w} around lag {self.seasonal_lag} would "
                    f"read past the origin at step {self.direct_horizon}; use a longer lag or "
                    "a shorter window"
                )

    @property
    def direct(self) -> bool:
        return self.strategy == "direct"

    # -- names --------------------------------------------------------------------------
    def history_names(self) -> list[str]:
        """Target-derived columns, recomputed at every step of a recursive forecast
        (of the origin, for the direct strategy)."""
        names = [f"lag_{k}" for k in self.lags]
        names += [
            f"rolling_{stat}_{w}" for w in self.rolling_windows for stat in self.rolling_stats
        ]
        names += [f"expanding_{stat}" for stat in self.expanding_stats]
        if self.recency_cap:
            names.append("periods_since_nonzero")
        return names

    def direct_names(self) -> list[str]:
        """Columns of the direct strategy only: the step and last season's level."""
        if not self.direct:
            return []
        return ["step", *(f"seasonal_mean_{w}" for w in self.seasonal_windows)]

    def calendar_names(self) -> list[str]:
        names = [f"cal_{name}" for name in self.calendar]
        if self.country:
            names += ["holiday", "holiday_days_to", "holiday_days_since"]
        return names

    def driver_names(self) -> list[str]:
        names: list[str] = []
        for col in self.price:
            names += [col, f"{col}_rel{self.price_window}", f"{col}_chg1"]
        for col in self.promo:
            names += [col, f"{col}_sum{self.promo_window}"]
        names += list(self.events)
        return names

    def feature_names(self) -> list[str]:
        """Every column of the model's input matrix, in order."""
        return [
            *self.history_names(),
            *self.direct_names(),
            *self.calendar_names(),
            *self.driver_names(),
        ]

    @property
    def drivers(self) -> tuple[str, ...]:
        """The known-ahead input columns the spec reads (what X_df must hold)."""
        return (*self.price, *self.promo, *self.events)

    @property
    def history_length(self) -> int:
        """How many past values per series the recursion keeps (longest lag or window)."""
        seasonal = [self.seasonal_lag + w // 2 for w in self.seasonal_windows]
        return max(
            [
                *self.lags,
                *(w + self.history_offset - 1 for w in self.rolling_windows),
                self.history_offset,
                self.recency_cap + self.history_offset - 1,
                *seasonal,
                1,
            ]
        )

    @property
    def driver_history(self) -> int:
        """Past driver rows needed to compute driver features of the next periods."""
        return max(self.price_window if self.price else 1, self.promo_window if self.promo else 1)

    # -- data in and out ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            key: list(value) if isinstance(value, tuple) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSpec:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown FeatureSpec keys {unknown}; known: {sorted(known)}")
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in data.items()
        }
        return cls(**values)

    def without_drivers(self) -> FeatureSpec:
        """The same spec without prices, promotions, events and holidays (an ablation)."""
        return replace(self, price=(), promo=(), events=(), country=None)


INTERMITTENT_OFFSET = {"D": 28, "W": 4}
"""History offset of the default spec for intermittent counts: forecasts up to four weeks
ahead read observed values only (see ``FeatureSpec.history_offset``)."""


DIRECT_BY_FREQ: dict[str, tuple[int, int]] = {"D": (28, 7), "W": (8, 1), "M": (6, 1)}
"""(direct_horizon, origin_stride) of the default direct spec at each frequency."""


def direct_steps(h: int, freq: str | None) -> int:
    """Steps a direct model should learn for forecasts ``h`` periods ahead: ``h``, up to
    twice the frequency's default (56 days). Training rows grow with the steps (about
    4 per day and series at 28 steps), so beyond that the last step is reused; learning
    every step of the horizon matters for the gain of the direct strategy
    (docs/decisions/0005-direct-strategy-for-daily-gbms.md)."""
    default = DIRECT_BY_FREQ.get(freq or "D", (6, 1))[0]
    return max(1, min(int(h), 2 * default))


def default_spec(
    freq: str = "D",
    season_length: int = 7,
    *,
    country: str | None = None,
    exog: Iterable[str] = (),
    transforms: Iterable[str] = (),
    intermittent: bool = False,
    strategy: str = "recursive",
) -> FeatureSpec:
    """Lags and windows by season: the last season of lags plus multiples of it.

    ``intermittent`` (count objectives): on daily and weekly data, target features start
    four weeks back, so a forecast up to four weeks ahead never feeds its own means back
    as if they were observed counts (docs/benchmarks/lstm_and_gbm.md).

    ``strategy="direct"``: target features of the origin (offset 1) with one more
    rolling window, the share of zero periods per window and the periods since the last
    sale for intermittent counts, and steps up to four weeks / eight weeks / six months
    (:mod:`stockwise.features.origin`). The gradient-boosted models use it by default
    with a squared-error objective on daily data (:meth:`GlobalModel._strategy`;
    docs/decisions/0005-direct-strategy-for-daily-gbms.md).

    ``exog`` (the known-ahead input columns) are given roles by name: a column whose name
    contains "price" is a price, one containing "promo" a promotion, any other an event /
    known-ahead flag.
    """
    season = max(int(season_length), 1)
    if freq == "D":
        lags = (
            (*range(1, min(season, 7) + 1), 14, 21, 28)
            if season == 7
            else (*range(1, 8), season, 2 * season)
        )
        windows: tuple[int, ...] = (7, 28)
    elif freq == "W":
        lags, windows = (1, 2, 3, 4, 8, 13, 26, season), (4, 13)
    else:
        lags, windows = (1, 2, 3, 6, season), (3, season)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
    direct = strategy == "direct"
    offset = INTERMITTENT_OFFSET.get(freq, 1) if intermittent and not direct else 1
    if direct:
        windows = (7, 14, 28, 56, 112) if freq == "D" else (*windows, 2 * windows[-1])
    if offset > 1:
        lags = (
            (offset, offset + 7, offset + 14, offset + 21, offset + 28)
            if freq == "D"
            else (offset, offset + 1, offset + 2, offset + 4, 13, 26, max(season, 30))
        )
        windows = (7, 28, 56) if freq == "D" else (4, 13)
    lags = tuple(sorted({int(k) for k in lags if k >= offset}))
    price, promo, events = assign_roles(exog)
    extra: dict[str, Any] = {}
    if direct:
        horizon, stride = DIRECT_BY_FREQ.get(freq, (6, 1))
        extra = {"strategy": "direct", "direct_horizon": horizon, "origin_stride": stride}
        if intermittent:
            extra.update(
                rolling_stats=("mean", "std", "zeros"),
                recency_cap=365 if freq == "D" else 52 if freq == "W" else 12,
            )
    return FeatureSpec(
        lags=lags,
        rolling_windows=tuple(sorted(set(windows))),
        history_offset=offset,
        **extra,
        calendar=CALENDAR_BY_FREQ.get(freq, ()),
        country=country,
        price=price,
        promo=promo,
        events=events,
        target_transforms=tuple(transforms),
    )


def assign_roles(
    columns: Iterable[str],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """(prices, promotions, events) by column name."""
    cols = list(dict.fromkeys(columns))
    price = tuple(c for c in cols if "price" in c.lower())
    promo = tuple(c for c in cols if "promo" in c.lower() and c not in price)
    events = tuple(c for c in cols if c not in price and c not in promo)
    return price, promo, events


def _check_subset(name: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"FeatureSpec.{name}: unknown {bad}; expected some of {allowed}")


__all__ = ["FeatureSpec", "assign_roles", "default_spec", "direct_steps"]
