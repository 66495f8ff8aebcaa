"""Sector by sector: each sector's settings from its profile and the explicit options, and
the forecast and backtest of every sector of a sales table (the files' side is
:mod:`stockwise.workflows.sector_forecast`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Unpack

import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.data.holes import DEFAULT_MAX_GAP_DAYS
from stockwise.errors import OptionError, ProfileError
from stockwise.evaluation.metrics import summarise
from stockwise.models.base import Forecaster, infer_freq
from stockwise.models.registry import available_models
from stockwise.progress import Report, shares, within
from stockwise.sectors import SectorProfile, list_profiles, load_profile
from stockwise.workflows.forecast import backtest, run_forecast
from stockwise.workflows.forecast_config import ForecastConfig, SectorRunConfig, SectorRunOptions

log = logging.getLogger(__name__)
GENERIC = "all"
DEFAULT_BACKTEST_MODELS = ("Naive", "SeasonalNaive", "AutoETS", "AutoTheta", "CrostonSBA", "TSB")


@dataclass(frozen=True)
class Settings:
    """The resolved settings of one sector's run (profile defaults + overrides)."""

    sector: str
    horizon: int
    freq: str | None
    season_length: int | None
    levels: tuple[int, ...]
    restrict_to: tuple[str, ...] | None
    max_gap_days: int = DEFAULT_MAX_GAP_DAYS
    """Longer runs of missing periods are holes (:mod:`stockwise.data.holes`)."""
    cold_start_periods: int | None = None
    """Younger series are forecast from their peers (None: the frequency's default)."""


@dataclass
class SectorForecasts:
    """Forecasts of every sector, what was chosen, and the backtest scores behind it."""

    forecasts: pd.DataFrame
    selection: pd.DataFrame
    metrics: pd.DataFrame
    settings: list[Settings] = field(default_factory=list)
    models: dict[str, dict[str, Forecaster]] = field(default_factory=dict)
    """Per sector, the final fits by model label (what tracking logs)."""
    backtest: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The chosen models' backtest forecasts (``ForecastRun.backtest``) with sector, freq."""


def forecast_sectors(
    sales: pd.DataFrame,
    config: SectorRunConfig | None = None,
    *,
    X_df: pd.DataFrame | None = None,
    closed_calendar: pd.DataFrame | None = None,
    progress: Report | None = None,
    **options: Unpack[SectorRunOptions],
) -> SectorForecasts:
    """Run :func:`~stockwise.workflows.forecast.run_forecast` per sector.

    The options come from ``config`` (:class:`SectorRunConfig`) and the keyword
    ``options`` over it; each sector's unset ones are its profile's (``freq``,
    ``season_length``, ``levels``, the candidate models, ``max_gap_days``,
    ``cold_start``: series with fewer periods since their first sale are forecast from
    their peers, 0: none).

    ``X_df`` (:func:`stockwise.data.planned.read_planned`) holds the planned values of
    known-ahead inputs — columns of ``sales`` too, e.g. ``promo`` and ``price`` — for
    the forecast periods; models that take inputs (the gradient-boosted ones) learn from
    them and forecast with them. The config's ``exog`` picks among its columns (default:
    all). ``closed_calendar`` (:func:`stockwise.data.closed_calendar.read_closed_days`):
    days known closed, forecast 0.
    ``progress`` hears each sector's stages (:mod:`stockwise.progress`), each sector's
    share of the bar its share of the series.
    """
    config = SectorRunConfig.of(config, options)
    base = config.forecast
    forecasts, selections, metrics, settings, past = [], [], [], [], []
    fitted: dict[str, dict[str, Forecaster]] = {}
    exog = _known_ahead(sales, X_df, base.exog or ())
    for rows, setting, part in _parts(progress, _groups(sales, config)):
        log.info(
            "forecasting sector %s: %d series, h=%d",
            setting.sector,
            rows[S.UNIQUE_ID].nunique(),
            setting.horizon,
        )
        future = None
        if exog:
            assert X_df is not None
            ids = rows[S.UNIQUE_ID].astype(str).unique()
            future = X_df[X_df[S.UNIQUE_ID].astype(str).isin(ids)][[S.UNIQUE_ID, S.DS, *exog]]
        run = run_forecast(
            rows,
            setting.horizon,
            config=_sector_config(base, setting, exog=exog or None),
            X_df=future,
            closed_calendar=closed_calendar,
            progress=part,
        )
        forecasts.append(run.forecasts.assign(**{S.SECTOR: setting.sector, "freq": run.freq}))
        selections.append(run.selection.assign(**{S.SECTOR: setting.sector}))
        if not run.metrics.empty:
            metrics.append(run.metrics.assign(**{S.SECTOR: setting.sector}))
        if not run.backtest.empty:
            past.append(run.backtest.assign(**{S.SECTOR: setting.sector, "freq": run.freq}))
        settings.append(setting)
        fitted[setting.sector] = run.models
    return SectorForecasts(
        _concat(forecasts), _concat(selections), _concat(metrics), settings, fitted, _concat(past)
    )


def _sector_config(
    base: ForecastConfig, setting: Settings, exog: tuple[str, ...] | None
) -> ForecastConfig:
    """One sector's options: those given, the sector's settings where they are unset."""
    return replace(
        base,
        freq=setting.freq,
        season_length=setting.season_length,
        levels=setting.levels,
        restrict_to=setting.restrict_to if base.restrict_to is None else base.restrict_to,
        exog=exog,
        max_gap_days=setting.max_gap_days if base.max_gap_days is None else base.max_gap_days,
        cold_start=setting.cold_start_periods if base.cold_start is None else base.cold_start,
    )


def _known_ahead(
    sales: pd.DataFrame, X_df: pd.DataFrame | None, exog: Sequence[str]
) -> tuple[str, ...]:
    """The known-ahead columns to use: those of ``exog``, or every column of the
    planned values (``X_df``) besides the keys."""
    if X_df is None:
        if exog:
            raise OptionError(
                f"known-ahead inputs {list(exog)} need their planned values for the "
                "forecast periods: give a planned-inputs table"
            )
        return ()
    keys = (S.UNIQUE_ID, S.DS, S.SECTOR)
    names = tuple(exog) or tuple(c for c in X_df.columns if c not in keys)
    missing = [c for c in names if c not in sales.columns]
    if missing:
        raise OptionError(
            f"the sales table has no column {missing} to learn the planned "
            f"driver(s) from; it has {list(sales.columns)}"
        )
    empty = [c for c in names if sales[c].isna().all()]
    if empty:  # e.g. a stored table whose rows never carried the driver
        raise OptionError(
            f"the sales table's column(s) {empty} have no values to learn the "
            "planned driver(s) from: give sales history with them"
        )
    absent = [c for c in names if c not in X_df.columns]
    if absent:
        raise OptionError(f"the planned-inputs table has no column {absent}")
    return names


def backtest_sectors(
    sales: pd.DataFrame,
    config: SectorRunConfig | None = None,
    *,
    progress: Report | None = None,
    **options: Unpack[SectorRunOptions],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Backtest models per sector: (per-window forecasts, metrics, summary per model).

    The options are read as by :func:`forecast_sectors`; ``models`` "auto" (the default)
    backtests each profile's candidates beside SeasonalNaive, else
    :data:`DEFAULT_BACKTEST_MODELS`. ``progress`` hears each sector's models as their
    backtests start."""
    config = SectorRunConfig.of(config, options)
    base = config.forecast
    windows, metrics, summaries = [], [], []
    for rows, setting, part in _parts(progress, _groups(sales, config)):
        own = _sector_config(base, setting, exog=base.exog)
        names = _backtest_models(own) if base.models == "auto" else base.models
        result = backtest(rows, setting.horizon, config=replace(own, models=names), progress=part)
        windows.append(result.forecasts.assign(**{S.SECTOR: setting.sector}))
        metrics.append(result.metrics.assign(**{S.SECTOR: setting.sector}))
        summaries.append(summarise(result.metrics).assign(**{S.SECTOR: setting.sector}))
    return _concat(windows), _concat(metrics), _concat(summaries)


def _parts(
    progress: Report | None, groups: Iterator[tuple[pd.DataFrame, Settings]]
) -> Iterator[tuple[pd.DataFrame, Settings, Report | None]]:
    """Each sector's rows and settings with the report of its part of the job: a share
    of the bar in proportion to its series, its steps named by the sector (when there
    are several)."""
    listed = list(groups)
    spans = shares([rows[S.UNIQUE_ID].nunique() for rows, _ in listed])
    for index, ((rows, setting), (start, end)) in enumerate(zip(listed, spans, strict=True)):
        label = f"sector {setting.sector} ({index + 1} of {len(listed)})" if len(listed) > 1 else ""
        yield rows, setting, within(progress, start, end, label)


def _backtest_models(config: ForecastConfig) -> list[str]:
    """The profile's (or the caller's) candidates beside SeasonalNaive, else the defaults."""
    if config.restrict_to:
        return [*dict.fromkeys(["SeasonalNaive", *config.restrict_to])]
    return list(DEFAULT_BACKTEST_MODELS)


def _groups(
    sales: pd.DataFrame, config: SectorRunConfig
) -> Iterator[tuple[pd.DataFrame, Settings]]:
    options = config.forecast
    season_length = options.season_length
    groups = _sector_groups(
        sales, config.sector, config.horizon, options.freq, options.levels, config.extra_dirs
    )
    for rows, setting in groups:
        yield (
            rows,
            (
                setting
                if season_length is None
                else replace(
                    setting,
                    season_length=calendar_facts.season_length(setting.freq or "D", season_length),
                )
            ),
        )


def _sector_groups(
    sales: pd.DataFrame,
    sector: str | None,
    horizon: int | None,
    freq: str | None,
    levels: Sequence[int] | None,
    extra_dirs: Sequence[str | Path],
) -> Iterator[tuple[pd.DataFrame, Settings]]:
    if sector is not None:
        profile = load_profile(sector, extra_dirs=extra_dirs)
        rows = sales
        if S.SECTOR in sales.columns:
            rows = sales[sales[S.SECTOR].astype(str) == profile.name]
            if rows.empty:
                found = sorted(sales[S.SECTOR].dropna().astype(str).unique())
                raise OptionError(f"no rows of sector '{profile.name}'; the table has {found}")
        yield rows, _settings(profile.name, profile, horizon, freq, levels, rows)
        return
    if S.SECTOR not in sales.columns or sales[S.SECTOR].isna().all():
        yield sales, _settings(GENERIC, None, horizon, freq, levels, sales)
        return
    known = list_profiles(extra_dirs=extra_dirs)
    for name, rows in sales.groupby(sales[S.SECTOR].fillna(GENERIC).astype(str), sort=True):
        usable: SectorProfile | None = None
        if name in known:
            try:
                usable = load_profile(name, extra_dirs=extra_dirs)
            except ProfileError as exc:
                log.warning("sector %s: profile unusable (%s); using defaults", name, exc)
        yield rows, _settings(name, usable, horizon, freq, levels, rows)


def _settings(
    name: str,
    profile: SectorProfile | None,
    horizon: int | None,
    freq: str | None,
    levels: Sequence[int] | None,
    rows: pd.DataFrame,
) -> Settings:
    if profile is None:
        h = horizon or _default_horizon(freq, rows)
        return Settings(name, h, freq, None, tuple(levels or (80, 95)), None)
    known = set(available_models())
    usable = tuple(m for m in profile.candidate_models if m in known)
    unknown = [m for m in profile.candidate_models if m not in known]
    if unknown:
        log.info("sector %s: models %s are not available yet; skipped", name, unknown)
    same = freq is None or calendar_facts.code_of(freq) == profile.frequency
    season = profile.season_length if same else None
    return Settings(
        name,
        horizon or profile.horizon,
        freq or profile.frequency,
        season,
        tuple(levels or profile.levels),
        usable or None,
        profile.max_gap_days,
        profile.cold_start_periods,
    )


def _default_horizon(freq: str | None, rows: pd.DataFrame) -> int:
    """Periods to forecast without a horizon or a profile: the frequency's
    (:data:`stockwise.calendar_facts.HORIZON`), the data's when none is asked for; a
    frame that says nothing readable keeps the daily default (its errors come later,
    from the forecast, with their file and row)."""
    if freq is None:
        try:
            freq = infer_freq(rows)
        except (KeyError, TypeError, ValueError):
            freq = "D"
    return calendar_facts.HORIZON.get(calendar_facts.code_of(freq), calendar_facts.HORIZON["D"])


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
