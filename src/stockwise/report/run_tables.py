"""Read what a run left in its folder into the tables the report shows: the plan, the
forecasts, the leaderboard and the data-quality summary, each checked against its
contract so a report never shows a file it cannot trust.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.cells import read_own_csv
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.errors import InputError
from stockwise.report.settings_view import read_settings

# The report's logger: log settings that name it keep covering the tables it reads.
log = logging.getLogger("stockwise.report.html")


SUMMARY_FILE = "validation_summary.csv"


TABLES = ("sales", "inventory", "batches")


KPI_LABELS = {
    "stockout_risk": ("products at stockout risk", "with a stockout_risk alert"),
    "orders_now": ("orders to place now", "urgency 'order now'"),
    "orders_now_value": ("value of the orders now", "order quantity × unit cost"),
    "overstock_value": ("overstock value", "stock above need, at unit cost"),
    "expiry_value": ("expiry value", "units expected to expire unsold, at unit cost"),
}


MONEY_KPIS = ("orders_now_value", "overstock_value", "expiry_value")
"""The KPIs in money: their label carries the plan's currency code."""


@dataclass(frozen=True)
class SalesSource:
    """Where the report finds the sales history and how to read it: the file (None: the
    demo layout's ``../data/sales.csv`` when it exists), its column names and its format.
    The three travel together because they only mean something for the same file."""

    path: str | Path | None = None
    column_map: dict[str, str] | None = None
    reading: ReadOptions = NO_OPTIONS

    @classmethod
    def of(cls, given: SalesSource | str | Path | None) -> SalesSource:
        """``given`` as a source: a bare path (or None) is read with the default options."""
        return given if isinstance(given, SalesSource) else cls(given)


@dataclass
class RunTables:
    """The tables of one run, as read from its files (empty frames when absent)."""

    run_dir: Path
    plan: pd.DataFrame
    alerts: pd.DataFrame
    projection: pd.DataFrame
    forecasts: pd.DataFrame
    selection: pd.DataFrame
    metrics: pd.DataFrame
    sales: pd.DataFrame | None = None
    quality: pd.DataFrame = field(default_factory=pd.DataFrame)
    sources: dict[str, Path] = field(default_factory=dict)
    holes: pd.DataFrame = field(default_factory=pd.DataFrame)
    """The long holes the plan found (``holes.csv``), else those of the sales file."""
    settings: dict | None = None
    """The run's settings (``settings.json``), None for a folder without them."""

    @property
    def today(self) -> pd.Timestamp | None:
        """The first projected day of the plan."""
        return None if self.projection.empty else pd.Timestamp(self.projection[S.DS].min())


def read_run(
    run_dir: str | Path,
    sales_path: str | Path | None = None,
    *,
    column_map: dict[str, str] | None = None,
    reading: ReadOptions = NO_OPTIONS,
) -> RunTables:
    """Read a run folder written by ``write_plan`` (+ the sales file and validation files).

    Without ``sales_path``, ``../data/sales.csv`` (the demo's layout) is used when it exists.
    ``reading``: how to read the sales file and the stock files beside it.
    """
    run = Path(run_dir)
    if not (run / "plan.csv").is_file():
        raise InputError(
            "no plan.csv here; expected a folder written by 'stockwise plan'",
            source=str(run),
            hint="Pass the --out folder of a plan run.",
        )
    dates = {
        "plan": ["order_date", "arrival_date", "stockout_date", S.ON_ORDER_DUE],
        "projection": [S.DS],
        "forecasts": [S.DS],
    }
    frames = {
        name: _csv(run / f"{name}.csv", dates.get(name, []))
        for name in ("plan", "alerts", "projection", "forecasts", "selection", "backtest_metrics")
    }
    tables = RunTables(
        run,
        frames["plan"],
        frames["alerts"],
        frames["projection"],
        frames["forecasts"],
        frames["selection"],
        frames["backtest_metrics"],
    )
    sales = Path(sales_path) if sales_path else _first([run.parent / "data" / "sales.csv"])
    sources = {"sales": sales} if sales is not None else {}
    if sales is not None:  # the inventory and batch files usually sit beside the sales file
        sources.update(
            {
                name: p
                for name in ("inventory", "batches")
                if (
                    p := _first(
                        [sales.parent / f"{name}{ext}" for ext in (".csv", ".parquet", ".xlsx")]
                    )
                )
            }
        )
    tables.sources = sources
    tables.settings = read_settings(run)
    validated = _validate(
        sources, column_map, tables.today, strict=sales_path is not None, reading=reading
    )
    if "sales" in validated:
        tables.sales = validated["sales"].data
    folder = _first([run / "validation", run.parent / "validation"], is_dir=True)
    tables.quality = data_quality(folder, {k: v.report for k, v in validated.items()}, tables.plan)
    tables.holes = _csv(run / "holes.csv", ["start", "end"])
    if tables.holes.empty and "sales" in validated:
        tables.holes = validated["sales"].report.holes
    return tables


def _csv(path: Path, dates: Sequence[str]) -> pd.DataFrame:
    try:
        frame = read_own_csv(path, dtype={S.UNIQUE_ID: str})
    except (FileNotFoundError, pd.errors.EmptyDataError):
        return pd.DataFrame()
    for column in dates:
        if column in frame:
            frame[column] = pd.to_datetime(frame[column], errors="coerce")
    return frame


def _first(paths: Sequence[Path], is_dir: bool = False) -> Path | None:
    return next((p for p in paths if (p.is_dir() if is_dir else p.is_file())), None)


def _validate(
    sources: dict[str, Path],
    column_map: dict[str, str] | None,
    today: pd.Timestamp | None,
    strict: bool,
    reading: ReadOptions = NO_OPTIONS,
) -> dict:
    """Validate the source files again; only a sales file the user named must succeed."""
    from stockwise.data.intake import load_table

    out = {}
    for name, path in sources.items():
        options: dict[str, object] = {"column_map": column_map} if name == "sales" else {}
        options["read"] = reading
        if name == "sales" and today is not None:
            options["as_of"] = today
        try:
            out[name] = load_table(path, name, **options)  # type: ignore[arg-type]
        except InputError:
            if strict and name == "sales":
                raise
            log.warning("%s file %s could not be read again; left out of the report", name, path)
    return out


def data_quality(validation_dir: Path | None, reports: dict, plan: pd.DataFrame) -> pd.DataFrame:
    """Rows read / accepted / quarantined and issues per table, with where each came from.

    Exact counts come from ``validation_summary.csv`` or from validating the source file
    again; otherwise the quarantine file gives the quarantined rows and, for inventory,
    the planned products give the accepted ones; read = accepted + quarantined.
    """
    folder = validation_dir
    summary = _csv(folder / SUMMARY_FILE, []) if folder else pd.DataFrame()
    rows = []
    for name in TABLES:
        quarantine = folder / f"{name}_quarantine.csv" if folder else None
        issues = _csv(folder / f"{name}_issues.csv", []) if folder else pd.DataFrame()
        known = summary[summary["table"] == name] if not summary.empty else summary
        report = reports.get(name)
        n_q = len(_csv(quarantine, [])) if quarantine and quarantine.is_file() else None
        read = accepted = None
        if not known.empty:
            read, accepted = int(known["n_read"].iloc[0]), int(known["n_accepted"].iloc[0])
            n_q, basis = int(known["n_quarantined"].iloc[0]), "validation summary"
        elif report is not None:
            read, basis = report.n_read, "source file"
            n_q = report.n_quarantined if n_q is None else n_q
            accepted = read - n_q
            if issues.empty:
                issues = report.issues
        elif n_q is not None and name == "inventory" and not plan.empty:
            accepted, basis = len(plan), "quarantine file; accepted = planned products"
            read = accepted + n_q
        elif n_q is not None:
            basis = "quarantine file only"
        else:
            continue
        severity = issues["severity"] if "severity" in issues else pd.Series(dtype=str)
        top = (
            issues.groupby("rule", observed=True).size().sort_values(ascending=False).head(3)
            if "rule" in issues
            else pd.Series(dtype=int)
        )
        rows.append(
            {
                "table": name,
                "n_read": read,
                "n_accepted": accepted,
                "n_quarantined": n_q,
                "errors": int((severity == "error").sum()),
                "warnings": int((severity == "warning").sum()),
                "top_rules": ", ".join(f"{r} ({n})" for r, n in top.items()),
                "basis": basis,
            }
        )
    return pd.DataFrame(rows)


def kpis(plan: pd.DataFrame, alerts: pd.DataFrame) -> dict[str, float]:
    """The headline numbers of a plan (definitions in ``KPI_LABELS``)."""
    if plan.empty:
        return dict.fromkeys(KPI_LABELS, 0.0)
    orders = plan[(plan["order_qty"] > 0) & (plan["urgency"] == "order now")]
    at_risk = (
        alerts.loc[alerts["type"] == "stockout_risk", S.UNIQUE_ID].nunique()
        if not alerts.empty
        else 0
    )
    return {
        "stockout_risk": float(at_risk),
        "orders_now": float(len(orders)),
        "orders_now_value": float(orders["order_value"].sum()),
        "overstock_value": float(plan["excess_value"].fillna(0).sum()),
        "expiry_value": float(plan["expected_waste_value"].fillna(0).sum()),
    }


def sector_kpis(plan: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    """:func:`kpis` per sector, with the number of planned products."""
    rows = []
    for sector, lines in plan.groupby(S.SECTOR, sort=True):
        sector_alerts = alerts[alerts[S.SECTOR] == sector] if not alerts.empty else alerts
        rows.append({S.SECTOR: sector, "products": len(lines), **kpis(lines, sector_alerts)})
    return pd.DataFrame(rows)


def leaderboard(selection: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Per model: series won, and mean backtest MASE / RMSSE / WAPE when metrics exist."""
    if selection.empty:
        return pd.DataFrame()
    won = selection.groupby("model").agg(
        series_won=(S.UNIQUE_ID, "size"), mean_score_won=("score", "mean")
    )
    won["share_won"] = won["series_won"] / len(selection)
    if not metrics.empty and "model" in metrics:
        from stockwise.evaluation.metrics import summarise

        scores = summarise(metrics.drop(columns=[S.SECTOR], errors="ignore")).set_index("model")
        keep = [c for c in ("mase", "rmsse", "wape", "n_series") if c in scores]
        won = won.join(scores[keep], how="outer")
    board = won.reset_index().rename(columns={"index": "model"})
    board["series_won"] = board["series_won"].fillna(0).astype(int)
    key = "mase" if "mase" in board else "mean_score_won"
    return board.sort_values(
        [key, "series_won"], ascending=[True, False], na_position="last", ignore_index=True
    )
