"""Reports as use cases: the HTML report of a plan run, and validate → prepare → explore.

``report_run`` writes ``report.html`` and the PNGs of a run folder. ``run_etl`` is the
data path before any forecast: validate a sales file (quarantine and issues written),
put the series on a regular calendar, write the prepared table and, with ``viz``, a
self-contained exploration page (sales per sector over time, distribution of daily
sales, zero and stockout days, top products, weekday profile) with PNGs of its charts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd

from stockwise import schema as S
from stockwise.cells import write_csv
from stockwise.data.bounds import DEFAULT_BOUNDS, Bounds
from stockwise.data.prepare import prepare_sales
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.report.charts import (
    Bars,
    Chart,
    Heatmap,
    Line,
    Panel,
    color,
    period_totals,
    plotly_div,
)
from stockwise.report.html import (
    PNG_DIR,
    SUMMARY_FILE,
    SalesSource,
    build_report,
    html_table,
    render_page,
    write_pngs,
)
from stockwise.workflows.validate import ColumnMaps, ValidationRun, validate_sources

MAX_PANELS = 6
TOP = 15
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HEADINGS = {
    "sales-over-time": "Sales over time",
    "distribution": "Distribution of sales",
    "zero-days": "Zero-sales and stockout days",
    "top-products": "Top products",
    "weekday-profile": "Weekday profile",
    "month-profile": "Seasonal profile",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass
class ReportResult:
    """The report page and its PNG charts."""

    html: Path
    pngs: list[Path] = field(default_factory=list)


@dataclass
class EtlResult:
    """What the ETL kept, and every file it wrote (by name)."""

    validation: ValidationRun
    prepared: pd.DataFrame
    files: dict[str, Path] = field(default_factory=dict)

    @property
    def pngs(self) -> list[Path]:
        return [path for name, path in self.files.items() if name.startswith("charts/")]


def report_run(
    run_dir: str | Path,
    *,
    out: str | Path | None = None,
    sales: SalesSource | str | Path | None = None,
    title: str = "stockwise inventory report",
    top: int = 12,
    png: bool = True,
    lang: str | None = None,
) -> ReportResult:
    """Write the report of a plan run folder (default ``<run_dir>/report.html``), in
    ``lang`` ("en" or "fr"; None: the run's own); ``sales``: the sales file, or a
    :class:`SalesSource` saying how to read it (and the stock files beside it)."""
    page = build_report(run_dir, out, sales, title, top=top, png=png, lang=lang)
    folder = Path(run_dir) / PNG_DIR
    return ReportResult(page, sorted(folder.glob("*.png")) if png and folder.is_dir() else [])


def write_validation_summary(run: ValidationRun, out_dir: str | Path) -> Path:
    """``validation_summary.csv``: rows read / accepted / quarantined and issues per table.

    The report reads it to give exact counts (the quarantine files alone cannot).
    """
    rows = [
        {
            "table": name,
            "source": t.report.source,
            "n_read": t.report.n_read,
            "n_accepted": t.report.n_accepted,
            "n_quarantined": t.report.n_quarantined,
            "errors": len(t.report.errors),
            "warnings": len(t.report.warnings),
        }
        for name, t in run.tables.items()
    ]
    path = Path(out_dir) / SUMMARY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(pd.DataFrame(rows), path)
    return path


def run_etl(
    sales: str | Path | pd.DataFrame,
    out_dir: str | Path,
    *,
    column_map: dict[str, str] | None = None,
    viz: bool = False,
    to: str | None = None,
    as_of: pd.Timestamp | str | None = None,
    reading: ReadOptions = NO_OPTIONS,
    bounds: Bounds = DEFAULT_BOUNDS,
) -> EtlResult:
    """Validate, prepare and write ``sales_prepared.csv`` (+ exploration page and PNGs);
    ``reading``: how to read the sales file."""
    out = Path(out_dir)
    validation = validate_sources(
        sales,
        maps=ColumnMaps(sales=column_map),
        out_dir=out / "validation",
        as_of=as_of,
        bounds=bounds,
        read=reading,
    )
    table = validation.tables["sales"].require_usable()
    files = {
        f"validation/sales_{kind}": path for kind, path in validation.files.get("sales", {}).items()
    }
    files["validation/summary"] = write_validation_summary(validation, out / "validation")
    prepared = prepare_sales(table.data, to=to)
    files["prepared"] = out / "sales_prepared.csv"
    write_csv(prepared, files["prepared"])
    result = EtlResult(validation, prepared, files)
    if viz:
        charts = exploration_charts(prepared)
        report = table.report
        quality = html_table(
            pd.DataFrame(
                [
                    {
                        "source": report.source,
                        "n_read": report.n_read,
                        "n_accepted": report.n_accepted,
                        "n_quarantined": report.n_quarantined,
                    }
                ]
            ),
            {
                "source": "file",
                "n_read": "rows read",
                "n_accepted": "accepted",
                "n_quarantined": "quarantined",
            },
        )
        sections = [("quality", "Data quality", quality)] + [
            (chart.key, HEADINGS.get(chart.key, chart.title), plotly_div(chart)) for chart in charts
        ]
        n_series = prepared[S.UNIQUE_ID].nunique()
        subtitle = (
            f"{report.source} · {n_series} series · {len(prepared)} rows from "
            f"{_day(prepared[S.DS].min())} to {_day(prepared[S.DS].max())}"
        )
        files["exploration"] = out / "exploration.html"
        files["exploration"].write_text(
            render_page("stockwise data exploration", subtitle, sections), encoding="utf-8"
        )
        for path in write_pngs(charts, out / PNG_DIR):
            files[f"charts/{path.stem}"] = path
    return result


def _day(value: object) -> str:
    return str(value)[:10]


# --- exploration charts (tables in, chart descriptions out) -------------------------------


def exploration_charts(prepared: pd.DataFrame) -> list[Chart]:
    """The exploration charts of a prepared sales table."""
    frame = prepared if S.SECTOR in prepared else prepared.assign(**{S.SECTOR: "all"})
    frame = frame.assign(**{S.SECTOR: frame[S.SECTOR].fillna("unknown").astype(str)})
    daily = _is_daily(frame)
    charts = [
        sales_over_time(frame, daily),
        sales_distribution(frame, daily),
        zero_and_stockout_days(frame),
        top_products(frame),
    ]
    charts.append(weekday_profile(frame) if daily else month_profile(frame))
    return charts


def sales_over_time(frame: pd.DataFrame, daily: bool) -> Chart:
    """Total units per sector, weekly when the data is daily (one panel per sector)."""
    volume = frame.groupby(S.SECTOR)[S.Y].sum().sort_values(ascending=False)
    panels = []
    for i, sector in enumerate(volume.index[:MAX_PANELS]):
        totals = frame[frame[S.SECTOR] == sector].groupby(S.DS)[S.Y].sum().sort_index()
        totals = period_totals(totals, "W") if daily else totals
        panels.append(
            Panel(
                [Line(str(sector), totals.index, totals.to_numpy(), color(i))], str(sector), "units"
            )
        )
    period = "week" if daily else "period"
    return Chart(
        "sales-over-time",
        f"Total sales per {period} and sector",
        panels,
        height=120 + 190 * len(panels),
    )


def sales_distribution(frame: pd.DataFrame, daily: bool = True) -> Chart:
    """Share of periods per sales band (0, 1, 2–4, 5–9, 10–19 …), per sector."""
    top = float(np.nanmax(frame[S.Y])) if frame[S.Y].notna().any() else 1.0
    edges = [0.0, 1.0, 2.0]
    while edges[-1] <= top:
        edges.append(edges[-1] * (2.5 if str(int(edges[-1]))[0] == "2" else 2))
    labels = ["0", "1"] + [f"{int(a)}–{int(b) - 1}" for a, b in pairwise(edges[2:])]
    traces = []
    for i, (sector, rows) in enumerate(frame.groupby(S.SECTOR, sort=True)):
        counts, _ = np.histogram(rows[S.Y].dropna().clip(lower=0), bins=edges)
        traces.append(Bars(str(sector), labels, counts / max(counts.sum(), 1), color(i)))
    unit = "day" if daily else "period"
    return Chart(
        "distribution",
        f"Distribution of sales per {unit} (share of {unit}s per sector)",
        [Panel(traces, y_label=f"share of {unit}s")],
        height=400,
    )


def zero_and_stockout_days(frame: pd.DataFrame) -> Chart:
    """The most intermittent products: share of zero-sales and of stocked-out periods."""
    shares = (
        frame.assign(zero=frame[S.Y].fillna(0) <= 0).groupby(S.UNIQUE_ID).agg(zero=("zero", "mean"))
    )
    if S.STOCKOUT in frame:
        shares["stockout"] = frame.groupby(S.UNIQUE_ID)[S.STOCKOUT].mean()
    shares = shares.sort_values("zero", ascending=False).head(25)
    names = shares.index.astype(str)
    traces = [Bars("zero-sales periods", names, shares["zero"], color(0), horizontal=True)]
    if "stockout" in shares:
        traces.append(
            Bars(
                "stocked-out periods",
                names,
                shares["stockout"].fillna(0),
                color(6),
                horizontal=True,
            )
        )
    return Chart(
        "zero-days",
        f"Share of zero-sales and stockout periods ({len(shares)} most intermittent products)",
        [Panel(traces, y_label="")],
        height=160 + 22 * len(shares),
    )


def top_products(frame: pd.DataFrame) -> Chart:
    """The products with the most units sold."""
    totals = frame.groupby([S.UNIQUE_ID, S.SECTOR])[S.Y].sum().sort_values(ascending=False)
    totals = totals.head(TOP)
    names = [f"{uid} ({sector})" for uid, sector in totals.index]
    return Chart(
        "top-products",
        f"Top {len(totals)} products by units sold",
        [Panel([Bars("units sold", names, totals.to_numpy(), color(2), True)])],
        height=160 + 24 * len(totals),
    )


def weekday_profile(frame: pd.DataFrame) -> Chart:
    """Mean daily sales per weekday relative to the sector's mean (1 = average day)."""
    return _profile(
        frame,
        frame[S.DS].dt.dayofweek,
        WEEKDAYS,
        "weekday",
        "Weekday profile: mean sales per weekday ÷ sector mean",
    )


def month_profile(frame: pd.DataFrame) -> Chart:
    """Mean sales per calendar month relative to the sector's mean."""
    return _profile(
        frame,
        frame[S.DS].dt.month - 1,
        MONTHS,
        "month",
        "Seasonal profile: mean sales per month ÷ sector mean",
    )


def _profile(
    frame: pd.DataFrame, slot: pd.Series, names: tuple[str, ...], key: str, title: str
) -> Chart:
    totals = frame.assign(_slot=slot).groupby([S.SECTOR, S.DS, "_slot"])[S.Y].sum()
    means = totals.groupby(level=[S.SECTOR, "_slot"]).mean().unstack("_slot")
    means = means.reindex(columns=range(len(names)))
    index = means.div(means.mean(axis=1), axis=0)
    z = index.round(3).to_numpy()
    return Chart(
        f"{key}-profile",
        title,
        [Panel([Heatmap("index", names, list(index.index.astype(str)), z)])],
        height=160 + 45 * len(index),
    )


def _is_daily(frame: pd.DataFrame) -> bool:
    days = frame.sort_values(S.DS).groupby(S.UNIQUE_ID)[S.DS].diff().dt.days.dropna()
    return days.empty or float(days.median()) <= 1
