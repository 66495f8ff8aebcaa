"""One frozen, picklable description of a planning run: :class:`PlanConfig`.

The CLI and the API build the same object; it is what travels to a worker process or a
Dask worker with each chunk, so it holds only plain values (strings, numbers, tuples),
checked once when it is built rather than deep inside a worker. Importing it is cheap
(the planning code loads on first use), so command-line options can use its defaults.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import InitVar, asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from stockwise import schema as S
from stockwise.errors import OptionError, StockwiseError
from stockwise.workflows.forecast_config import text_names

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from stockwise.cells import CsvFormat
    from stockwise.data.partition import PartedSales
    from stockwise.data.read_options import ReadOptions
    from stockwise.data.readers import CsvDialect
    from stockwise.progress import Report
    from stockwise.workflows.plan import PlanRun
    from stockwise.workflows.stages import StageTime

TARGETS = ("cycle_service_level", "fill_rate", "cost")
DEFAULT_CHUNK_SIZE = 2_000
"""Series per chunk. Large on purpose: service-level calibration and the demand-class
segments of model selection are pooled per chunk, and big pools keep them as steady as
planning the whole panel at once."""


@dataclass(frozen=True)
class PlanConfig:
    """Every option of :func:`~stockwise.workflows.plan.plan_inventory`, plus ``chunk_size``.

    ``models``: "auto" or a tuple of model names; ``quality``: the preset of "auto"
    ("fast" or "best", :data:`stockwise.workflows.forecast.QUALITIES`). ``today``: the
    first planned day as an ISO date (None: the day after the last sale of the table).
    ``chunk_size``: the most series one chunk holds (see :mod:`stockwise.workflows.chunked_plan`).
    ``currency``: the ISO 4217 code money is shown in (None: each sector profile's).
    ``budget``: the most the order list may cost (None: no cap), applied to the whole
    order list once the chunks are joined (:mod:`stockwise.inventory.budget`).
    ``exog``: the known-ahead input columns (planned drivers: promo, price, ...) the
    forecasts use; their future values come with the run's tables (``X_df``).
    ``drivers``: the former name of ``exog``, still read (with a FutureWarning) for
    one release so that configs built by hand keep working; it is not stored.
    """

    sector: str | None = None
    models: str | tuple[str, ...] = "auto"
    n_windows: int = 2
    policy: str = S.POLICY_RS
    target: str = "cycle_service_level"
    correct_censoring: bool = True
    extra_dirs: tuple[str | Path, ...] = ()
    today: str | None = None
    seed: int = 0
    calibrate_service: bool = True
    exog: tuple[str, ...] = ()
    quality: str = "fast"
    chunk_size: int = DEFAULT_CHUNK_SIZE
    csv_format: str = "input"
    """The CSV files written: "input" (like the sales file: ``;``, decimal comma and a BOM
    for a French export), "standard" or "excel-fr" (:class:`stockwise.cells.CsvFormat`)."""
    closed_days: str | None = None
    lang: str | None = None
    """The language of what a buyer reads ("en" or "fr"): sentences of the files, the
    workbook, the terminal. None: the sector profiles' ``language`` (:meth:`with_language`)."""
    """A calendar of days known closed (a file: ``ds``, optionally ``store``), forecast 0."""
    currency: str | None = None
    budget: float | None = None
    freq: str | None = None
    """The frequency to forecast at (None: each sector's, :mod:`.plan_grain`)."""
    season_length: int | None = None
    """Periods in one season (None: the profile's, else the frequency's)."""
    cold_start: int | None = None
    """Series with fewer periods since their first sale are forecast from their peers (0:
    none; None: each profile's ``cold_start_periods``, else the frequency's default)."""
    reading: ReadOptions | None = None
    """How to read the closed-days file, as the sales (None: everything detected)."""
    drivers: InitVar[tuple[str, ...] | None] = None

    def __post_init__(self, drivers: tuple[str, ...] | None) -> None:
        if drivers is not None:
            _take_old_drivers(self, drivers)
        from stockwise.inventory.parameters import POLICIES

        models = self.models if isinstance(self.models, str) else tuple(str(m) for m in self.models)
        if not models:
            raise OptionError("models: name at least one model, or 'auto'")
        if self.policy not in POLICIES:
            raise OptionError(f"unknown policy {self.policy!r}; use one of {', '.join(POLICIES)}")
        if self.target not in TARGETS:
            raise OptionError(f"unknown target {self.target!r}; use one of {', '.join(TARGETS)}")
        from stockwise.workflows.forecast import QUALITIES

        if self.quality not in QUALITIES:
            raise OptionError(
                f"unknown quality {self.quality!r}; use one of {', '.join(QUALITIES)}"
            )
        if int(self.n_windows) < 1:
            raise OptionError(f"n_windows must be at least 1, not {self.n_windows}")
        from stockwise.cells import CsvFormat

        try:
            CsvFormat.named(self.csv_format)
        except ValueError as exc:
            raise OptionError(str(exc)) from exc
        from stockwise.words import check_language

        if self.lang is not None:
            object.__setattr__(self, "lang", check_language(self.lang))
        if int(self.chunk_size) < 1:
            raise OptionError(f"chunk_size must be at least 1 series, not {self.chunk_size}")
        from stockwise import calendar_facts

        if self.freq is not None:
            object.__setattr__(self, "freq", calendar_facts.code_of(self.freq))
        if self.season_length is not None:
            object.__setattr__(
                self,
                "season_length",
                calendar_facts.season_length(self.freq or "D", self.season_length),
            )
        normal = {
            "models": models,
            "n_windows": int(self.n_windows),
            "chunk_size": int(self.chunk_size),
            "seed": int(self.seed),
            "extra_dirs": tuple(str(d) for d in self.extra_dirs),
            "exog": tuple(str(d) for d in self.exog),
            "today": _iso_day(self.today),
            "currency": _currency(self.currency),
            "budget": _budget(self.budget),
            "closed_days": None if self.closed_days is None else str(self.closed_days),
        }
        for name, value in normal.items():
            object.__setattr__(self, name, value)

    def plan_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``plan_inventory`` for one chunk: all but
        ``chunk_size`` and ``budget`` (a budget caps the joined order list, not a chunk)."""
        out = asdict(self)
        out.pop("chunk_size")
        out.pop("budget")
        out.pop("csv_format")
        out.pop("lang")
        from stockwise.data.read_options import NO_OPTIONS

        out["reading"] = self.reading or NO_OPTIONS  # (asdict made it a dict)
        return out

    def output_format(self, sales_dialect: CsvDialect | None) -> CsvFormat:
        """The CSV format of the run's files, for a sales file read with ``sales_dialect``."""
        from stockwise.cells import CsvFormat

        return CsvFormat.named(
            self.csv_format,
            *((sales_dialect.separator, sales_dialect.decimal) if sales_dialect else ()),
        )

    def with_today(self, sales: pd.DataFrame | PartedSales) -> PlanConfig:
        """This config with ``today`` fixed from the whole sales table when unset, so
        every chunk plans from the same day whatever its own series' last date."""
        import pandas as pd

        if self.today is not None:
            return self
        last = (
            sales["ds"].max()
            if isinstance(sales, pd.DataFrame) and not sales.empty
            else getattr(sales, "max_ds", None)
        )
        if last is None or pd.isna(last):
            return self
        if isinstance(sales, pd.DataFrame):  # a quarter's row stands for its whole quarter
            from stockwise.workflows.plan_grain import data_grain, last_day

            last = last_day(sales, data_grain(sales)) or last
        return replace(self, today=(pd.Timestamp(last) + pd.Timedelta(days=1)).date().isoformat())

    def with_language(self, sectors: Iterable[object]) -> PlanConfig:
        """This config with ``lang`` fixed when unset: the ``language`` of the profiles of
        ``sectors`` (``sector`` when given) when they agree, else English."""
        if self.lang is not None:
            return self
        from stockwise.sectors import load_profile

        names = (
            {self.sector} if self.sector else {str(s) for s in sectors if s is not None and s == s}
        )
        try:
            found = {load_profile(n, self.extra_dirs).language for n in names}
        except (OSError, ValueError, StockwiseError):  # no profile: the run will say so
            found = set()
        return replace(self, lang=found.pop() if len(found) == 1 else "en")

    @classmethod
    def from_request(cls, request: Mapping[str, Any], **fixed: Any) -> PlanConfig:
        """A config from the options a person gave, the same way for the command line and
        an API request: of ``request``, the keys that name a field (others belong to the
        caller: files, engine, or the options of another kind of run), then ``fixed``.

        Each value is taken as a person writes it: ``models`` "auto", names separated by
        commas or a list; ``target`` with dashes or underscores; ``drivers`` (the word of
        the command line and the API for ``exog``) a list or names separated by commas,
        each once; paths as text; None for ``extra_dirs`` or ``drivers``: none."""
        known = {f.name for f in fields(cls)}
        given = {k: v for k, v in request.items() if k in known} | fixed
        if "models" in given:
            given["models"] = as_model_names(given["models"])
        if "target" in given:
            given["target"] = str(given["target"]).replace("-", "_")
        words = {**request, **fixed}
        given.pop("drivers", None)
        given["exog"] = text_names(words.get("exog") or words.get("drivers") or ())
        given["extra_dirs"] = tuple(given.get("extra_dirs") or ())
        if given.get("closed_days") is not None:
            given["closed_days"] = str(given["closed_days"])
        return cls.from_options(given)

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> PlanConfig:
        """A config from a dict of options, naming the unknown ones (``drivers``, the
        former name of ``exog``, is still read for one release)."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known - {"drivers"})
        if unknown:
            raise OptionError(f"unknown plan option(s) {unknown}; known: {sorted(known)}")
        return cls(**options)


def plan_inventory_with(
    sales: pd.DataFrame,
    inventory: pd.DataFrame,
    config: PlanConfig,
    *,
    batches: pd.DataFrame | None = None,
    X_df: pd.DataFrame | None = None,
    timings: dict[str, StageTime] | None = None,
    progress: Report | None = None,
) -> PlanRun:
    """:func:`~stockwise.workflows.plan.plan_inventory` with the options of ``config``,
    for one chunk: without the budget, which caps the joined order list. ``X_df``: the
    future values of ``config.exog``."""
    from stockwise.workflows.plan import PlanTables, plan_with_config

    tables = PlanTables(batches=batches, X_df=X_df, timings=timings, progress=progress)
    return plan_with_config(sales, inventory, replace(config, budget=None), tables)


def _take_old_drivers(config: PlanConfig, drivers: Sequence[str]) -> None:
    """Read ``drivers=``, the former name of ``exog``, with a warning (one release)."""
    warnings.warn(
        "PlanConfig(drivers=...) is deprecated: the known-ahead input columns are "
        "named exog=... (they will stop being read as drivers in the next release)",
        FutureWarning,
        stacklevel=4,
    )
    names = tuple(str(d) for d in drivers)
    if config.exog and tuple(str(d) for d in config.exog) != names:
        raise OptionError(f"exog {list(config.exog)} and drivers {list(names)}: give one")
    object.__setattr__(config, "exog", names)


def _iso_day(value: str | pd.Timestamp | None) -> str | None:
    import pandas as pd

    if value is None:
        return None
    try:
        return pd.Timestamp(value).isoformat()
    except (TypeError, ValueError) as exc:
        raise OptionError(f"today: {value!r} is not a date (use YYYY-MM-DD)") from exc


def _currency(value: str | None) -> str | None:
    from stockwise.sectors.profile import currency_code

    if value is None:
        return None
    code = currency_code(value)
    if code is None:
        raise OptionError(
            f"currency: {value!r} is not a three-letter ISO 4217 code (e.g. EUR, USD, GBP)"
        )
    return code


def _budget(value: float | None) -> float | None:
    if value is None:
        return None
    from stockwise.inventory.budget import check_budget

    return check_budget(value)


def as_model_names(models: str | Sequence[str]) -> str | tuple[str, ...]:
    """ "auto", a comma-separated text or a list of names → what ``PlanConfig`` holds."""
    names = [
        m.strip()
        for m in (models.split(",") if isinstance(models, str) else models)
        if m and m.strip()
    ]
    return "auto" if names in (["auto"], []) else tuple(names)
