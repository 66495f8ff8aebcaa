"""Charts as plain data, drawn two ways: Plotly for the HTML pages, matplotlib for PNGs.

A :class:`Chart` is one or more stacked :class:`Panel` objects; a panel holds lines, bands
(a shaded interval), bars, a heat map and date markers. The chart builders of a plan run
(sector overview, urgent products, leaderboard) turn tables into these descriptions and
never read files; the two renderers at the end are the only code that knows a plotting
library, so an interactive chart and its PNG show the same thing. PNGs use matplotlib (no
browser needed, fast, deterministic); Plotly's image export would need Chrome wherever a
report is written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.report.chart_render import plotly_div, plotly_js, save_png, to_plotly
from stockwise.report.chart_specs import (
    GREY,
    HISTORY_DAYS,
    PALETTE,
    PERIOD,
    PRODUCT_TITLE,
    RED,
    TOP_PRODUCTS,
    Band,
    Bars,
    Chart,
    Heatmap,
    Line,
    Marker,
    Panel,
    color,
    fmt_date,
    fmt_num,
    fmt_num2,
    fmt_pct,
    slug,
)
from stockwise.words import day, localise, say, tr

# --- charts of a plan run ---------------------------------------------------------------


def period_totals(values: pd.Series, freq: str) -> pd.Series:
    """Daily totals (indexed by date) summed to ``freq``; partial periods dropped.

    Totals already one per period, dated by its start (quarterly sales), are whole
    periods as they are.
    """
    if freq in ("h", "D") or values.empty:  # the plan's history is daily (hours summed)
        return values
    index = pd.DatetimeIndex(values.index)
    start = pd.DatetimeIndex(calendar_facts.period_start(pd.Series(index), freq))
    if (start == index).all() and start.is_unique:
        return values
    grouped = values.groupby(start)
    full = calendar_facts.days_in_period(grouped.size().index, freq)
    return grouped.sum()[grouped.size().to_numpy() == full]


def _daily(sales: pd.DataFrame | None, ids: Sequence[str]) -> pd.Series:
    if sales is None or sales.empty:
        return pd.Series(dtype=float)
    rows = sales[sales[S.UNIQUE_ID].astype(str).isin(set(ids))]
    return rows.groupby(S.DS)[S.Y].sum().sort_index()


def sector_charts(
    forecasts: pd.DataFrame,
    sales: pd.DataFrame | None,
    today: pd.Timestamp | None = None,
    lang: str = "en",
) -> list[Chart]:
    """Per sector: sales history and the summed mean forecast, at the sector's frequency
    (labels in ``lang``)."""
    if forecasts.empty:
        return []
    frame = forecasts if S.SECTOR in forecasts else forecasts.assign(**{S.SECTOR: "all"})
    charts = []
    for i, (sector, rows) in enumerate(frame.groupby(S.SECTOR, sort=True)):
        freq = str(rows["freq"].iloc[0]) if "freq" in rows else "D"
        history = period_totals(_daily(sales, rows[S.UNIQUE_ID].unique()), freq)
        if freq == "D" and not history.empty:
            history = history[history.index > history.index.max() - pd.Timedelta(days=365)]
        forecast = rows.groupby(S.DS)["forecast"].sum().sort_index()
        traces: list = (
            [Line(tr("sales", lang), history.index, history.to_numpy(), color(i))]
            if not history.empty
            else []
        )
        traces.append(
            Line(
                tr("forecast (mean)", lang),
                forecast.index,
                forecast.to_numpy(),
                color(i),
                dash=True,
            )
        )
        markers = [Marker(tr("today", lang), today, GREY)] if today is not None else []
        title = tr(
            "{sector}: units sold per {period}, history and forecast",
            lang,
            sector=sector,
            period=tr(PERIOD.get(freq, freq), lang),
        )
        charts.append(
            Chart(
                f"sector-{slug(sector)}",
                title,
                [Panel(traces, y_label=tr("units", lang), markers=markers)],
                height=340,
            )
        )
    return charts


def product_charts(
    plan: pd.DataFrame,
    forecasts: pd.DataFrame,
    projection: pd.DataFrame,
    sales: pd.DataFrame | None,
    top: int = TOP_PRODUCTS,
    lang: str = "en",
) -> list[Chart]:
    """The most urgent products: demand (history, forecast, bands) and projected stock
    (labels in ``lang``)."""
    charts = []
    by_id = dict(tuple(forecasts.groupby(S.UNIQUE_ID))) if not forecasts.empty else {}
    stock = dict(tuple(projection.groupby(S.UNIQUE_ID))) if not projection.empty else {}
    for rank, line in enumerate(plan.head(top).itertuples(index=False), start=1):
        uid = str(line.unique_id)
        rows = by_id[uid].sort_values(S.DS) if uid in by_id else None
        freq = str(rows["freq"].iloc[0]) if rows is not None and "freq" in rows else "D"
        daily = _daily(sales, [uid])
        shown = max(HISTORY_DAYS, 8 * calendar_facts.DAYS_PER_PERIOD.get(freq, 1))
        daily = (
            daily[daily.index > daily.index.max() - pd.Timedelta(days=shown)]
            if not daily.empty
            else daily
        )
        history = period_totals(daily, freq)
        demand: list = (
            [Line(tr("sales", lang), history.index, history.to_numpy(), color(0))]
            if not history.empty
            else []
        )
        if rows is not None:
            for level in _levels(rows)[:2]:
                demand.append(
                    Band(
                        tr("{level}% interval", lang, level=level),
                        rows[S.DS],
                        rows[f"forecast-lo-{level}"],
                        rows[f"forecast-hi-{level}"],
                        color(1),
                        0.12 if level >= 95 else 0.22,
                    )
                )
            demand.append(
                Line(tr("forecast", lang), rows[S.DS], rows["forecast"], color(1), dash=True)
            )
        panels = [
            Panel(
                demand,
                tr("demand (units per {period})", lang, period=tr(PERIOD.get(freq, freq), lang)),
                tr("units", lang),
            )
        ]
        if uid in stock:
            proj = stock[uid].sort_values(S.DS)
            markers = [
                Marker(f"{tr(label, lang)} {day(when, lang)}", when, hue)
                for label, when, hue in (
                    ("order", line.order_date, color(2)),
                    ("stockout", line.stockout_date, RED),
                )
                if not pd.isna(when)
            ]
            panels.append(
                Panel(
                    [
                        Line(
                            tr("expected on hand", lang),
                            proj[S.DS],
                            proj["expected_on_hand"],
                            color(2),
                        ),
                        Line(
                            tr("reorder point", lang),
                            proj[S.DS],
                            np.full(len(proj), line.reorder_point),
                            GREY,
                            dash=True,
                            width=1.2,
                        ),
                    ],
                    tr("projected stock (no new order)", lang),
                    tr("units", lang),
                    markers,
                )
            )
        title = tr(
            PRODUCT_TITLE,
            lang,
            rank=rank,
            id=uid,
            sector=line.sector,
            urgency=say(line.urgency, lang),
            chance=localise(fmt_pct(line.stockout_probability), lang),
            qty=localise(fmt_num(line.order_qty), lang),
        )
        charts.append(
            Chart(f"product-{rank:02d}-{slug(uid)}", title, panels, height=540, shared_x=False)
        )
    return charts


def leaderboard_chart(board: pd.DataFrame, lang: str = "en") -> Chart | None:
    """Series won and mean MASE per model (labels in ``lang``)."""
    if board.empty:
        return None
    models = board["model"].astype(str)
    panels = [
        Panel(
            [Bars(tr("series won", lang), models, board["series_won"], color(0), True)],
            tr("series where the model was chosen", lang),
        )
    ]
    if "mase" in board:
        panels.append(
            Panel(
                [Bars(tr("mean MASE", lang), models, board["mase"].fillna(0), color(3), True)],
                tr("mean backtest MASE (lower is better)", lang),
            )
        )
    height = 110 + len(panels) * (70 + 26 * len(board))
    return Chart("models", tr("Model leaderboard", lang), panels, height=height, shared_x=False)


def _levels(rows: pd.DataFrame) -> list[int]:
    found = sorted(
        {int(m.group(1)) for c in rows.columns if (m := re.fullmatch(r"forecast-lo-(\d+)", c))},
        reverse=True,
    )
    preferred: list[int] = [level for level in (95, 80) if level in found]
    return preferred or found


__all__ = [
    "GREY",
    "HISTORY_DAYS",
    "PALETTE",
    "PERIOD",
    "PRODUCT_TITLE",
    "RED",
    "TOP_PRODUCTS",
    "Band",
    "Bars",
    "Chart",
    "Heatmap",
    "Line",
    "Marker",
    "Panel",
    "color",
    "fmt_date",
    "fmt_num",
    "fmt_num2",
    "fmt_pct",
    "leaderboard_chart",
    "period_totals",
    "plotly_div",
    "plotly_js",
    "product_charts",
    "save_png",
    "sector_charts",
    "slug",
    "to_plotly",
]
