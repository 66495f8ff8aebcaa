"""``stockwise plan``: sales + stock in; the order list, alerts and projections out.

The series are planned in chunks (``--chunk-size``) on an engine: ``local`` (this
process, the default), ``process`` (a pool of ``--workers`` processes) or ``dask`` (a
local Dask cluster, or the one at ``--scheduler`` / ``$STOCKWISE_DASK_SCHEDULER``); a
progress bar on stderr says the step and counts the chunks (hidden with ``-q``;
:mod:`stockwise.cli.progress_bar`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from stockwise import schema as S
from stockwise.cli.console import handle_errors
from stockwise.cli.data_commands import BoundsOption
from stockwise.cli.forecast_commands import (
    ClosedDaysOption,
    ColdStartOption,
    DriversOption,
    FreqOption,
    LangOption,
    OutFolderOption,
    PlannedOption,
    QualityOption,
    SeasonOption,
    SectorsDirOption,
)
from stockwise.cli.hierarchy_options import PlanLevelOption
from stockwise.cli.plan_render import (
    SHOWN,
    render_plan,
    render_run,
    render_settings,
    render_unplanned,
)
from stockwise.cli.progress_bar import step_bar
from stockwise.cli.reading import (
    READING_OPTIONS,
    BatchesMapOption,
    DateFormatOption,
    DecimalOption,
    EncodingOption,
    InventoryMapOption,
    MapOption,
    SepOption,
    SheetOption,
    SkipRowsOption,
    read_options,
)
from stockwise.cli.runs_command import TrackOption, tracking
from stockwise.workflows.plan_config import DEFAULT_CHUNK_SIZE

if TYPE_CHECKING:
    from stockwise.workflows.plan_validation import PlanSources

__all__ = [
    "SHOWN",
    "plan",
    "plan_sources",
    "register",
    "render_plan",
    "render_settings",
    "render_unplanned",
]


def register(app: typer.Typer) -> None:
    app.command("plan")(handle_errors(plan))


def plan(
    sales: Annotated[Path, typer.Argument(help="Sales history file.")],
    inventory: Annotated[Path, typer.Option(help="Inventory snapshot (on hand, lead times…).")],
    batches: Annotated[Path | None, typer.Option(help="Batches with expiry dates.")] = None,
    sector: Annotated[
        str | None,
        typer.Option(
            help="Only this sector, with its profile; for sales without a sector column, the "
            "profile to plan every series under (retail, pharmacy, luxury or your own)."
        ),
    ] = None,
    policy: Annotated[str, typer.Option(help="RS (order-up-to), sS or sQ.")] = S.POLICY_RS,
    target: Annotated[
        str, typer.Option(help="cycle-service-level, fill-rate, or cost (critical ratio).")
    ] = ("cycle-service-level"),
    models: Annotated[str, typer.Option(help="'auto' or model names.")] = "auto",
    quality: QualityOption = "fast",
    freq: FreqOption = None,
    season_length: SeasonOption = None,
    windows: Annotated[int, typer.Option(min=1, help="Backtest windows for selection.")] = 2,
    correct_censoring: Annotated[
        bool, typer.Option(help="Correct demand on stocked-out days before forecasting.")
    ] = True,
    calibrate_service: Annotated[
        bool,
        typer.Option(
            help="Order at the quantile level that served the target share of past protection "
            "intervals in the forecasts' backtest (else at the target quantile)."
        ),
    ] = True,
    column_map: MapOption = None,
    inventory_map: InventoryMapOption = None,
    batches_map: BatchesMapOption = None,
    sectors_dir: SectorsDirOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the demand sample paths.")] = 0,
    planned: PlannedOption = None,
    drivers: DriversOption = None,
    out: OutFolderOption = Path("stockwise-output/plan"),
    track: TrackOption = True,
    engine: Annotated[
        str,
        typer.Option(
            help="Where the chunks run: local (this process), process (a process pool) or dask."
        ),
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes of the pool (default: one per CPU) or of the local Dask "
            "cluster (default 2).",
        ),
    ] = None,
    bounds: BoundsOption = None,
    chunk_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="Series per chunk. Calibration and model-selection segments pool per "
            "chunk: keep it large.",
        ),
    ] = DEFAULT_CHUNK_SIZE,
    scheduler: Annotated[
        str | None,
        typer.Option(
            envvar="STOCKWISE_DASK_SCHEDULER",
            help="Dask scheduler address, e.g. tcp://HOST:8786 (engine dask; default: a local "
            "cluster).",
        ),
    ] = None,
    currency: Annotated[
        str | None,
        typer.Option(
            help="ISO 4217 code of the unit costs and prices, e.g. EUR (default: the sector "
            "profile's)."
        ),
    ] = None,
    budget: Annotated[
        float | None,
        typer.Option(
            help="Most the order list may cost: lines that save the most lost sales per unit "
            "of money are kept first; the rest are cut down or left out, and said."
        ),
    ] = None,
    closed_days: ClosedDaysOption = None,
    cold_start: ColdStartOption = None,
    lang: LangOption = None,
    csv_format: Annotated[
        str,
        typer.Option(
            help="CSV files written: input (like the sales file: ';', decimal comma and a BOM "
            "for a French export, which French Excel opens in columns), standard (',' and "
            "'.') or excel-fr."
        ),
    ] = "input",
    sep: SepOption = None,
    encoding: EncodingOption = None,
    decimal: DecimalOption = None,
    sheet: SheetOption = None,
    date_format: DateFormatOption = None,
    skip_rows: SkipRowsOption = None,
    plan_level: PlanLevelOption = None,
) -> None:
    """Forecast, project stock and propose orders; write CSV + a formatted Excel workbook."""
    options = dict(locals())  # first: the command's options by name, and nothing else
    from stockwise.adapters.distributed import open_executor
    from stockwise.workflows.chunked_plan import RunHooks, plan_sources_in_chunks
    from stockwise.workflows.plan_config import PlanConfig

    config = PlanConfig.from_request(options, n_windows=windows, extra_dirs=sectors_dir)
    sources = plan_sources(options, out)
    with (
        tracking(track, out) as tracker,
        open_executor(engine, workers=workers, scheduler=scheduler) as executor,
        step_bar() as bar,
    ):
        hooks = RunHooks(executor=executor, tracker=tracker, steps=bar)
        run, validation = plan_sources_in_chunks(sources, out, config, hooks)
    render_run(run, validation)


def plan_sources(options: dict[str, Any], out: Path) -> PlanSources:
    """The files of ``stockwise plan`` and how to read them, from its options; with
    ``--plan-level``, the sales summed at that level first (e.g. a distribution centre's:
    its stores' sales), which need no column mapping any more."""
    from stockwise.data.bounds import load_bounds
    from stockwise.data.mapping import parse_map_option
    from stockwise.workflows.plan_validation import PlanSources

    reading = read_options(*(options[k] for k in READING_OPTIONS))
    bounds = load_bounds(options["bounds"])  # a bad bounds file stops the run before it starts
    sales, column_map = options["sales"], parse_map_option(options["column_map"])
    if options["plan_level"]:
        from stockwise.cli.hierarchy_options import sales_at_plan_level

        sales = sales_at_plan_level(
            sales,
            options["plan_level"],
            out,
            sector=options["sector"],
            column_map=column_map,
            reading=reading,
            bounds=bounds,
        )
        column_map = {}
    return PlanSources(
        sales,
        options["inventory"],
        options["batches"],
        options["planned"],
        column_map=column_map,
        inventory_map=parse_map_option(options["inventory_map"]),
        batches_map=parse_map_option(options["batches_map"]),
        bounds=bounds,
        reading=reading,
    )
