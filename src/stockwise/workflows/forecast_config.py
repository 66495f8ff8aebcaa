"""The options of a forecast, as one frozen object: :class:`ForecastConfig`.

:func:`stockwise.forecast`, :func:`~stockwise.workflows.forecast.run_forecast` and
:func:`stockwise.backtest` take a config, keyword options (:class:`ForecastOptions`, the
same names), or both: the keywords then override the config's fields. Per sector runs
hold one in a :class:`SectorRunConfig`, which the command line and the API build the
same way (:meth:`SectorRunConfig.from_request`). A config holds options only, never
data frames. Its form is checked when it is built (types, ranges, choices, the
calendar), so such a mistake is said before any model runs; model names are checked when
a run resolves them. It is hashable and picklable, so it travels to a worker process as it is.
Importing this module is cheap (the models load on first use).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from stockwise.errors import OptionError

if TYPE_CHECKING:
    from stockwise.models.base import Forecaster
    from stockwise.models.cold_start import ColdStart

    ModelSpec = str | Forecaster | Sequence[str | Forecaster]

ENSEMBLES = ("mean", "median")
EMPTY_MODELS = "models is empty: give model names, forecasters or 'auto'"


class _ModelOptions(TypedDict, total=False):
    season_length: int | None
    models: ModelSpec
    levels: Sequence[int]
    level: Sequence[int] | None
    """``levels`` as statsforecast and mlforecast spell it (give one of the two)."""
    n_windows: int
    exog: Sequence[str] | None
    max_gap_days: int | None


class BacktestOptions(_ModelOptions, total=False):
    """The keyword options of :func:`stockwise.backtest` (fields of :class:`ForecastConfig`)."""

    step: int | None


class ForecastOptions(_ModelOptions, total=False):
    """The keyword options of :func:`stockwise.forecast` (fields of :class:`ForecastConfig`)."""

    metric: str
    ensemble_k: int
    ensemble: str
    restrict_to: Sequence[str] | None
    calibrate: bool
    quality: str
    cold_start: ColdStart | int | bool | None


class SectorRunOptions(ForecastOptions, total=False):
    """The keyword options of a per-sector run (fields of :class:`SectorRunConfig` and
    of its :class:`ForecastConfig`)."""

    freq: str | None
    horizon: int | None
    sector: str | None
    extra_dirs: Sequence[str | Path]


def option_names(options: type) -> tuple[str, ...]:
    """The keys of an options ``TypedDict`` (its own and its bases'), sorted."""
    return tuple(sorted(options.__optional_keys__ | options.__required_keys__))  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ForecastConfig:
    """Every option of a forecast (or backtest) run; the data frames stay arguments.

    ``freq``: the frequency to forecast at (None: inferred). ``season_length``: periods
    in one season (None or 0: the frequency's). ``models``: "auto", one model (name or
    forecaster) or several, held as a tuple. ``levels``: interval levels in percent.
    ``n_windows``: backtest windows behind the choice per series; ``step``: periods
    between the origins of :func:`stockwise.backtest` (None: the horizon). ``metric``,
    ``ensemble_k`` and ``ensemble`` ("median" or "mean"): how the candidates are scored
    and combined.
    ``restrict_to``: the models "auto" may try. ``calibrate``: correct the bands by
    their backtest coverage. ``exog``: known-ahead columns of the sales (None: those of
    the future frame). ``quality``: the preset of "auto". ``max_gap_days``: longer runs
    of missing periods are holes, not zero sales (None: the default, a sector's profile's
    in a sector run). ``cold_start``: see :class:`~stockwise.models.cold_start.ColdStart`.
    """

    freq: str | None = None
    season_length: int | None = None
    models: ModelSpec = "auto"
    levels: tuple[int, ...] = ()
    n_windows: int = 2
    metric: str = "mase"
    ensemble_k: int = 3
    ensemble: str = "median"
    restrict_to: tuple[str, ...] | None = None
    calibrate: bool = True
    exog: tuple[str, ...] | None = None
    quality: str = "fast"
    max_gap_days: int | None = None
    cold_start: ColdStart | int | bool | None = None
    step: int | None = None

    def __post_init__(self) -> None:
        _check_choice("ensemble", self.ensemble, ENSEMBLES)
        from stockwise.evaluation.metrics import DEFAULT_METRICS
        from stockwise.model_catalogue import QUALITIES

        _check_choice("quality", self.quality, QUALITIES)
        _check_choice("metric", self.metric, DEFAULT_METRICS)
        for name in ("n_windows", "ensemble_k"):
            _set(self, name, _whole(name, getattr(self, name), least=1))
        for name in ("max_gap_days", "step"):
            value = getattr(self, name)
            _set(self, name, None if value is None else _whole(name, value, least=1))
        season = self.season_length
        _set(self, "season_length", _whole("season_length", season, 1) if season else None)
        if self.freq is not None and not isinstance(self.freq, str):
            raise OptionError(f"freq must be a frequency such as 'D' or 'W', not {self.freq!r}")
        if self.freq is not None:
            from stockwise import calendar_facts

            calendar_facts.code_of(self.freq)  # a sentence for a calendar it does not know
        _set(self, "models", _models(self.models))
        _set(self, "levels", _levels(self.levels))
        _set(self, "calibrate", bool(self.calibrate))
        for name in ("exog", "restrict_to"):
            value = getattr(self, name)
            _set(self, name, None if value is None else _names(value))
        from stockwise.models.cold_start import ColdStart

        ColdStart.of(self.cold_start)  # says what is wrong with a value it cannot read

    @classmethod
    def of(
        cls,
        config: ForecastConfig | None,
        options: Mapping[str, Any],
        allowed: Sequence[str] | None = None,
    ) -> ForecastConfig:
        """``config`` (None: the defaults) with the keyword ``options`` of a call over it.

        ``level`` is taken as ``levels``; a key that is not an option (or not one of
        ``allowed``, the options the calling function reads) is refused, naming the
        closest option, so a misspelt option never passes unnoticed."""
        given = dict(options)
        if "level" in given:
            level = given.pop("level")
            if level is not None:
                if given.get("levels"):
                    raise OptionError("give the interval levels once: levels= or level=, not both")
                given["levels"] = level
        known = [f.name for f in fields(cls)] if allowed is None else list(allowed)
        _refuse_unknown(given, known, "option")
        base = config if config is not None else cls()
        if not isinstance(base, ForecastConfig):
            raise OptionError(f"config must be a ForecastConfig, not {type(base).__name__}")
        return replace(base, **given) if given else base


@dataclass(frozen=True)
class SectorRunConfig:
    """A forecast or backtest of every sector of a sales table, each under its profile.

    ``forecast``: the options of each sector's run; there, the unset ones (``freq``,
    ``season_length``, ``levels``, ``restrict_to``, ``max_gap_days``, ``cold_start``)
    are the sector profile's, and ``models`` "auto" in a backtest means the profile's
    candidate models. ``horizon``: periods ahead (None: each profile's). ``sector``:
    only this sector, with its profile. ``extra_dirs``: folders of the user's own
    profiles. ``force``: forecast a horizon longer than the longest history anyway.
    """

    forecast: ForecastConfig = field(default_factory=ForecastConfig)
    horizon: int | None = None
    sector: str | None = None
    extra_dirs: tuple[str | Path, ...] = ()
    force: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.forecast, ForecastConfig):
            raise OptionError(
                f"forecast must be a ForecastConfig, not {type(self.forecast).__name__}"
            )
        if self.horizon is not None:
            _set(self, "horizon", _whole("horizon", self.horizon, least=1))
        _set(self, "sector", None if self.sector is None else str(self.sector))
        _set(self, "extra_dirs", tuple(self.extra_dirs or ()))
        _set(self, "force", bool(self.force))

    @classmethod
    def of(cls, config: SectorRunConfig | None, options: Mapping[str, Any]) -> SectorRunConfig:
        """``config`` (None: the defaults) with the keyword ``options`` of a call over it:
        the run's own fields here, the others those of its :class:`ForecastConfig`."""
        base = config if config is not None else cls()
        own = {f.name for f in fields(cls)} - {"forecast"}
        mine = {k: v for k, v in options.items() if k in own}
        rest = {k: v for k, v in options.items() if k not in own}
        _refuse_unknown(rest, [*own, "level", *(f.name for f in fields(ForecastConfig))], "option")
        if not mine and not rest:
            return base
        return replace(base, forecast=ForecastConfig.of(base.forecast, rest), **mine)

    @classmethod
    def from_request(cls, request: Mapping[str, Any], **fixed: Any) -> SectorRunConfig:
        """A config from the options a person gave, the same way for the command line and
        an API request: of ``request``, the keys that name an option (others belong to
        the caller: files, engine, or the options of another kind of run), then ``fixed``.

        Each value is taken as a person writes it: None for "not given"; ``models``
        "auto", names separated by commas or a list; ``levels`` "80,95" or a list;
        ``exog`` (or ``drivers``, its name on the command line and in the API; ``exog``
        wins when both are given) a list or names separated by commas, each once."""
        known = {f.name for f in fields(cls)} | {f.name for f in fields(ForecastConfig)}
        given = {k: v for k, v in {**request, **fixed}.items() if k in known | {"drivers"}}
        given = {k: v for k, v in given.items() if v is not None}
        given.pop("forecast", None)
        if "models" in given:
            given["models"] = text_names(given["models"]) or "auto"
            if given["models"] == ("auto",):
                given["models"] = "auto"
        if "levels" in given:
            given["levels"] = _text_levels(given["levels"])
        drivers = given.pop("drivers", None)  # the word people type for exog
        names = given.get("exog", drivers)
        if names is not None:
            given["exog"] = text_names(names)
        return cls.of(None, given)

    def tracked(self, kind: str) -> dict[str, object]:
        """The options a tracked ``kind`` run ("forecast" or "backtest") records, as the
        person gave them (None: the profile's)."""
        options = self.forecast
        out: dict[str, object] = {
            "horizon": self.horizon,
            "freq": options.freq,
            "sector": self.sector,
            "models": None if kind == "backtest" and options.models == "auto" else options.models,
            "levels": options.levels or None,
            "n_windows": options.n_windows,
            "season_length": options.season_length,
        }
        if kind == "forecast":
            out.update(quality=options.quality, cold_start=options.cold_start)
        return out


def _set(config: object, name: str, value: object) -> None:
    object.__setattr__(config, name, value)


def _check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        raise OptionError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def _whole(name: str, value: Any, least: int) -> int:
    """``value`` as a whole number at least ``least``; a sentence naming it otherwise."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if isinstance(value, bool) or number is None or number != value or number < least:
        raise OptionError(f"{name} must be a whole number of at least {least}, not {value!r}")
    return number


def _models(models: object) -> object:
    """ "auto" (also for None), one model, or a tuple of them (a list is held as a tuple)."""
    if models is None:
        return "auto"
    if isinstance(models, str):
        if not models.strip():
            raise OptionError(EMPTY_MODELS)
        return models
    if isinstance(models, Sequence):
        if not models:
            raise OptionError(EMPTY_MODELS)
        return tuple(models)
    return models  # a forecaster


def _levels(levels: Any) -> tuple[int, ...]:
    from stockwise.models.base import normalise_levels

    values = tuple(levels or ())
    try:
        normalise_levels(values)
    except (TypeError, ValueError) as exc:
        raise OptionError(f"levels must be percentages between 0 and 100, not {levels!r}") from exc
    return values


def _names(names: object) -> tuple[str, ...]:
    """Column or model names: one name, or a sequence of them, as a tuple."""
    if isinstance(names, str):
        return (names,)
    if not isinstance(names, Sequence):
        raise OptionError(f"expected a list of names, not {names!r}")
    return tuple(str(n) for n in names)


def text_names(names: Any) -> tuple[str, ...]:
    """Names separated by commas, or a list of them: each once, blanks dropped (how a
    person gives names on the command line or in a request)."""
    items = names.split(",") if isinstance(names, str) else list(names)
    return tuple(dict.fromkeys(str(n).strip() for n in items if n and str(n).strip()))


def _text_levels(levels: Any) -> tuple[int, ...]:
    items = levels.split(",") if isinstance(levels, str) else list(levels)
    try:
        return tuple(int(v) for v in items if str(v).strip())
    except ValueError as exc:
        raise OptionError(f"levels must be whole numbers like 80,95, not {levels!r}") from exc


def _refuse_unknown(given: Mapping[str, object], known: Sequence[str], what: str) -> None:
    unknown = sorted(set(given) - set(known))
    if not unknown:
        return
    name = unknown[0]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise OptionError(
        f"unknown {what} {name!r}{hint}; the {what}s are {', '.join(sorted(set(known)))}"
    )
