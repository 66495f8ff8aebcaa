"""CLI options for hierarchies: ``forecast --hierarchy`` and ``plan --plan-level``.

Kept apart from the forecast and plan commands, which only hand over to these functions
when the options are given.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from stockwise.cli.console import console
from stockwise.cli.tables import Column, print_fitted

HierarchyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--hierarchy",
        help="Levels to forecast and reconcile, as column paths from coarse to fine; repeat "
        "for crossed dimensions, e.g. --hierarchy sector/category/product --hierarchy "
        "store. Writes forecasts of every level that add up, and accuracy per level.",
    ),
]
MethodsOption = Annotated[
    str | None,
    typer.Option(
        "--reconcile",
        help="Reconciliation methods to choose from by backtest (default: all): bottom_up, "
        "top_down_history, top_down_forecast, ols, wls_struct, wls_var, mint_shrink. The "
        "choice: the most accurate total among those no worse than the base forecasts at "
        "the bottom level.",
    ),
]
PlanLevelOption = Annotated[
    str | None,
    typer.Option(
        "--plan-level",
        help="Plan for groups of series, e.g. store (a distribution centre ordering the sum "
        "of its stores' demand) or category*store; the inventory file is then keyed by "
        "the group (the store's name, or 'category|store').",
    ),
]


def forecast_hierarchy_command(
    sales: Path,
    hierarchy: list[str],
    out: Path,
    options: dict[str, Any],
    reading: Any,
    column_map: dict[str, str] | None,
    bounds: Any,
    progress: Any = None,
) -> None:
    """Run :func:`~stockwise.workflows.hierarchy_forecast.hierarchy_forecast_file` and
    print the accuracy per level."""
    from stockwise.errors import OptionError
    from stockwise.hierarchy.reconcile import methods
    from stockwise.workflows.hierarchy_forecast import HierarchyConfig, hierarchy_forecast_file

    if options.get("horizon") is None:
        raise OptionError("a hierarchy forecast needs its horizon", hint="Add --horizon N.")
    chosen = options.get("methods")
    config = HierarchyConfig(
        h=options["horizon"],
        freq=options.get("freq"),
        models=options.get("models", "auto"),
        levels=tuple(options.get("levels") or ()),
        n_windows=max(options.get("n_windows", 3), 3),
        quality=options.get("quality", "fast"),
        methods=methods([m.strip() for m in chosen.split(",")] if chosen else None),
    )
    done = hierarchy_forecast_file(
        sales,
        out,
        hierarchy,
        config,
        column_map=column_map,
        bounds=bounds,
        reading=reading,
        progress=progress,
    )
    console.print(done.validation.tables["sales"].report.summary, highlight=False)
    table = done.run.accuracy
    run = done.run
    rows = []
    for level, part in table.groupby("level", sort=False):
        mase = part.set_index("model")["mase"]
        rows.append(
            [
                escape(str(level)),
                str(int(part["n_series"].iloc[0])),
                f"{mase.get('base', float('nan')):.3f}",
                f"{mase.get(run.method, float('nan')):.3f}",
            ]
        )
    print_fitted(
        console,
        (
            Column("level", "key"),
            Column("series", justify="right"),
            Column("base MASE", justify="right"),
            Column(f"{run.method} MASE", justify="right"),
        ),
        rows,
        title=f"Backtest accuracy per level; reconciled with {run.method}",
    )
    for name, path in done.files.items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)


def sales_at_plan_level(
    sales: Path,
    level: str,
    out: Path,
    *,
    sector: str | None,
    column_map: dict[str, str] | None,
    reading: Any,
    bounds: Any,
):
    """The sales file validated (quarantine under ``out/validation``) and summed to
    ``level`` (:func:`stockwise.hierarchy.levels.sales_at_level`), for the plan."""
    from stockwise import schema as S
    from stockwise.hierarchy.levels import sales_at_level
    from stockwise.workflows.validate import ColumnMaps, validate_sources

    validation = validate_sources(
        sales,
        maps=ColumnMaps(sales=column_map),
        out_dir=out / "validation",
        bounds=bounds,
        read=reading,
    )
    frame = validation.tables["sales"].require_usable().data
    if sector and S.SECTOR in frame.columns:
        frame = frame[frame[S.SECTOR].astype(str) == sector]
    summed = sales_at_level(frame, level)
    console.print(
        f"planning at {level}: {frame[S.UNIQUE_ID].nunique()} series summed into "
        f"{summed[S.UNIQUE_ID].nunique()}",
        highlight=False,
    )
    return summed
