"""One frozen, picklable description of a planning run: :class:`PlanConfig`.

The CLI and the API build the same object; it is what travels to a worker process or a
Dask worker with each chunk, so it holds only plain values (strings, numbers, tuples),
checked once when it is built rather than deep inside a worker. Importing it is cheap
(the planning code loads on first use), so command-line options can use its defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from stockwise.errors import OptionError

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from stockwise.cells import CsvFormat
    from stockwise.data.partition import PartedSales
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
    """

    sector: str | None = None
    models: str | tuple[str, ...] = "auto"
    n_windows: int = 2
    policy: str = "RS"
    target: str = "cycle_service_level"
    correct_censoring: bool = True
    extra_dirs: tuple[str | Path, ...] = ()
    today: str | None = None
    seed: int = 0
    calibrate_service: bool = True
    drivers: tuple[str, ...] = ()
    quality: str = "fast"
    chunk_size: int = DEFAULT_CHUNK_SIZE
    csv_format: str = "input"
    """The CSV files written: "input" (like the sales file: ``;``, decimal comma and a BOM
    for a French export), "standard" or "excel-fr" (:class:`stockwise.cells.CsvFormat`)."""
    closed_days: str | None = None
    lang: str = "en"
    """The language of the workbook's sheet names and headers: "en" or "fr"."""
    """A calendar of days known closed (a file: ``ds``, optionally ``store``), forecast 0."""
    currency: str | None = None
    budget: float | None = None

    def __post_init__(self) -> None:
        from stockwise.inventory.parameters import POLICIES

        models = self.models if isinstance(self.models, str) else tuple(
            str(m) for m in self.models)
        if not models:
            raise OptionError("models: name at least one model, or 'auto'")
        if self.policy not in POLICIES:
            raise OptionError(f"unknown policy {self.policy!r}; use one of "
                              f"{', '.join(POLICIES)}")
        if self.target not in TARGETS:
            raise OptionError(f"unknown target {self.target!r}; use one of "
                              f"{', '.join(TARGETS)}")
        from stockwise.workflows.forecast import QUALITIES

        if self.quality not in QUALITIES:
            raise OptionError(f"unknown quality {self.quality!r}; use one of "
                              f"{', '.join(QUALITIES)}")
        if int(self.n_windows) < 1:
            raise OptionError(f"n_windows must be at least 1, not {self.n_windows}")
        from stockwise.cells import CsvFormat

        try:
            CsvFormat.named(self.csv_format)
        except ValueError as exc:
            raise OptionError(str(exc)) from exc
        from stockwise.report.words import check_language

        object.__setattr__(self, "lang", check_language(self.lang))
        if int(self.chunk_size) < 1:
            raise OptionError(f"chunk_size must be at least 1 series, not {self.chunk_size}")
        normal = {"models": models, "n_windows": int(self.n_windows),
                  "chunk_size": int(self.chunk_size), "seed": int(self.seed),
                  "extra_dirs": tuple(str(d) for d in self.extra_dirs),
                  "drivers": tuple(str(d) for d in self.drivers),
                  "today": _iso_day(self.today), "currency": _currency(self.currency),
                  "budget": _budget(self.budget),
                  "closed_days": None if self.closed_days is None else str(self.closed_days)}
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
        return out

    def output_format(self, sales_dialect: CsvDialect | None) -> CsvFormat:
        """The CSV format of the run's files, for a sales file read with ``sales_dialect``."""
        from stockwise.cells import CsvFormat

        return CsvFormat.named(self.csv_format, *(
            (sales_dialect.separator, sales_dialect.decimal) if sales_dialect else ()))

    def with_today(self, sales: pd.DataFrame | PartedSales) -> PlanConfig:
        """This config with ``today`` fixed from the whole sales table when unset, so
        every chunk plans from the same day whatever its own series' last date."""
        import pandas as pd

        if self.today is not None:
            return self
        last = sales["ds"].max() if isinstance(sales, pd.DataFrame) and not sales.empty \
            else getattr(sales, "max_ds", None)
        if last is None or pd.isna(last):
            return self
        return replace(self, today=(pd.Timestamp(last) + pd.Timedelta(days=1)).date()
                       .isoformat())

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> PlanConfig:
        """A config from a dict of options, naming the unknown ones."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise OptionError(f"unknown plan option(s) {unknown}; known: {sorted(known)}")
        return cls(**options)


def plan_inventory_with(sales: pd.DataFrame, inventory: pd.DataFrame, config: PlanConfig, *,
                        batches: pd.DataFrame | None = None,
                        planned: pd.DataFrame | None = None,
                        timings: dict[str, StageTime] | None = None,
                        progress: Report | None = None) -> PlanRun:
    """:func:`~stockwise.workflows.plan.plan_inventory` with the options of ``config``."""
    from stockwise.workflows.plan import plan_inventory

    return plan_inventory(sales, inventory, batches=batches, planned=planned, timings=timings,
                          progress=progress, **config.plan_kwargs())


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
        raise OptionError(f"currency: {value!r} is not a three-letter ISO 4217 code "
                          "(e.g. EUR, USD, GBP)")
    return code


def _budget(value: float | None) -> float | None:
    if value is None:
        return None
    from stockwise.inventory.budget import check_budget

    return check_budget(value)


def as_model_names(models: str | Sequence[str]) -> str | tuple[str, ...]:
    """"auto", a comma-separated text or a list of names → what ``PlanConfig`` holds."""
    names = [m.strip() for m in (models.split(",") if isinstance(models, str) else models)
             if m and m.strip()]
    return "auto" if names in (["auto"], []) else tuple(names)

