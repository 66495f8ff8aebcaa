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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockwise import calendar_facts
from stockwise import schema as S
from stockwise.optional import optional_import
from stockwise.words import day, localise, say, tr

PALETTE = (
    "#1f6feb",
    "#d9480f",
    "#2f9e44",
    "#9c36b5",
    "#e67700",
    "#0c8599",
    "#c2255c",
    "#5c7cfa",
    "#868e96",
    "#66a80f",
)
GREY = "#868e96"
RED = "#c92a2a"
TOP_PRODUCTS = 12
HISTORY_DAYS = 180
PERIOD = calendar_facts.UNITS
PRODUCT_TITLE = (
    "#{rank} {id} ({sector}) · {urgency}: {chance} chance of running out before "
    "an order placed today arrives, order {qty}"
)


@dataclass
class Line:
    """A line (``dash`` for forecasts and reference levels)."""

    name: str
    x: Sequence[Any]
    y: Sequence[float] | np.ndarray
    color: str = PALETTE[0]
    dash: bool = False
    width: float = 1.6


@dataclass
class Band:
    """A shaded interval between ``lower`` and ``upper``."""

    name: str
    x: Sequence[Any]
    lower: Sequence[float]
    upper: Sequence[float]
    color: str = PALETTE[0]
    opacity: float = 0.18


@dataclass
class Bars:
    """Bars over categories (or numbers); several Bars in one panel are grouped."""

    name: str
    x: Sequence[Any]
    y: Sequence[float]
    color: str = PALETTE[0]
    horizontal: bool = False


@dataclass
class Heatmap:
    """Values ``z[row][column]`` with row and column labels."""

    name: str
    columns: Sequence[str]
    rows: Sequence[str]
    z: Sequence[Sequence[float]]


@dataclass
class Marker:
    """A vertical line at a date, labelled (e.g. the stockout date)."""

    label: str
    x: Any
    color: str = RED


@dataclass
class Panel:
    """One plotting area."""

    traces: Sequence[Line | Band | Bars | Heatmap] = field(default_factory=list)
    title: str = ""
    y_label: str = ""
    markers: list[Marker] = field(default_factory=list)


@dataclass
class Chart:
    """A chart: ``key`` names its PNG file and its HTML element."""

    key: str
    title: str
    panels: list[Panel]
    height: int = 380
    shared_x: bool = True


def color(i: int) -> str:
    """The i-th colour of the palette (cycling)."""
    return PALETTE[i % len(PALETTE)]


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


def fmt_num(value: Any, digits: int = 0) -> str:
    if value is None or pd.isna(value):
        return "—"
    number = float(value)
    return "∞" if np.isinf(number) else f"{number:,.{digits}f}"


def fmt_num2(value: Any) -> str:
    return fmt_num(value, 2)


def fmt_pct(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.0%}"


def fmt_date(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)[:10]


def slug(text: object) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "x"


# --- Plotly (interactive, for the HTML pages) ----------------------------------------------


def to_plotly(chart: Chart) -> Any:
    """The Plotly figure of ``chart``."""
    go = optional_import("plotly.graph_objects", "The HTML charts")
    make_subplots = optional_import("plotly.subplots", "The HTML charts").make_subplots

    n = len(chart.panels)
    fig = make_subplots(
        rows=n,
        cols=1,
        shared_xaxes=chart.shared_x,
        vertical_spacing=0.12 if n > 1 else 0,
        subplot_titles=[p.title for p in chart.panels] if n > 1 else None,
    )
    seen: set[str] = set()
    for row, panel in enumerate(chart.panels, start=1):
        for trace in panel.traces:
            for item in _plotly_traces(go, trace, trace.name not in seen):
                fig.add_trace(item, row=row, col=1)
            seen.add(trace.name)
        suffix = "" if row == 1 else str(row)
        for k, marker in enumerate(panel.markers):
            x = pd.Timestamp(marker.x).isoformat() if _is_date(marker.x) else marker.x
            fig.add_shape(
                type="line",
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
                line={"color": marker.color, "dash": "dot", "width": 1.5},
            )
            fig.add_annotation(
                x=x,
                y=0.98 - 0.12 * k,
                xref=f"x{suffix}",
                yref=f"y{suffix} domain",
                text=marker.label,
                showarrow=False,
                xanchor="left",
                yanchor="top",
                bgcolor="rgba(255,255,255,0.7)",
                font={"size": 11, "color": marker.color},
            )
        fig.update_yaxes(title_text=panel.y_label, row=row, col=1)
        if any(
            isinstance(t, Heatmap) or (isinstance(t, Bars) and t.horizontal) for t in panel.traces
        ):  # first category on top, as in the PNG
            fig.update_yaxes(autorange="reversed", row=row, col=1)
    fig.update_layout(
        title={"text": chart.title, "x": 0.01, "font": {"size": 15}},
        height=chart.height,
        template="plotly_white",
        margin={"l": 60, "r": 20, "t": 60, "b": 40},
        legend={"orientation": "h", "y": -0.12},
        barmode="group",
        hovermode="x unified"
        if not any(isinstance(t, Heatmap | Bars) for p in chart.panels for t in p.traces)
        else "closest",
    )
    return fig


def _plotly_traces(go: Any, trace: Line | Band | Bars | Heatmap, legend: bool) -> list[Any]:
    if isinstance(trace, Line):
        return [
            go.Scatter(
                x=list(trace.x),
                y=list(trace.y),
                name=trace.name,
                mode="lines",
                legendgroup=trace.name,
                showlegend=legend,
                line={
                    "color": trace.color,
                    "width": trace.width,
                    "dash": "dash" if trace.dash else "solid",
                },
            )
        ]
    if isinstance(trace, Band):
        fill = _rgba(trace.color, trace.opacity)
        edge = {"width": 0, "color": fill}
        return [
            go.Scatter(
                x=list(trace.x),
                y=list(trace.upper),
                mode="lines",
                line=edge,
                legendgroup=trace.name,
                showlegend=False,
                hoverinfo="skip",
            ),
            go.Scatter(
                x=list(trace.x),
                y=list(trace.lower),
                mode="lines",
                line=edge,
                fill="tonexty",
                fillcolor=fill,
                name=trace.name,
                legendgroup=trace.name,
                showlegend=legend,
                hoverinfo="skip",
            ),
        ]
    if isinstance(trace, Bars):
        x, y = (trace.y, trace.x) if trace.horizontal else (trace.x, trace.y)
        return [
            go.Bar(
                x=list(x),
                y=list(y),
                name=trace.name,
                marker_color=trace.color,
                orientation="h" if trace.horizontal else "v",
                showlegend=legend,
            )
        ]
    return [
        go.Heatmap(
            x=list(trace.columns),
            y=list(trace.rows),
            z=np.asarray(trace.z),
            colorscale="Blues",
            name=trace.name,
            hovertemplate="%{y} · %{x}: %{z:.2f}<extra></extra>",
        )
    ]


def plotly_div(chart: Chart) -> str:
    """The chart as an HTML ``<div>`` for a page that embeds plotly.js once, in its head."""
    fig = to_plotly(chart)
    return fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{chart.key}",
        config={"displaylogo": False, "responsive": True},
    )


def plotly_js() -> str:
    """The plotly.js bundle, to inline in a page (no CDN: the page opens offline)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


# --- matplotlib (static PNG files) --------------------------------------------------------


def save_png(chart: Chart, path: str | Path, dpi: int = 110) -> Path:
    """Draw ``chart`` with matplotlib (no pyplot, no display) into a PNG file."""
    from matplotlib.figure import Figure

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(chart.panels)
    height = max(chart.height / 100, 2.8 * n)
    fig = Figure(figsize=(10, height))
    axes = fig.subplots(n, 1, sharex=chart.shared_x, squeeze=False)[:, 0]
    labels_below = any(
        isinstance(t, Bars) and not t.horizontal for p in chart.panels for t in p.traces
    )
    legends = any(sum(not isinstance(t, Heatmap) for t in p.traces) > 1 for p in chart.panels)
    fig.subplots_adjust(
        left=0.12,
        right=0.8 if legends else 0.97,
        top=1 - 0.55 / height,
        bottom=(1.1 if labels_below else 0.55) / height,
        hspace=0.45,
    )
    fig.suptitle(chart.title, x=0.01, y=1 - 0.1 / height, ha="left", va="top", fontsize=12)
    for ax, panel in zip(axes, chart.panels, strict=True):
        _draw_panel(fig, ax, panel)
    fig.savefig(path, dpi=dpi)
    return path


def _draw_panel(fig: Any, ax: Any, panel: Panel) -> None:
    bars = [t for t in panel.traces if isinstance(t, Bars)]
    for trace in panel.traces:
        if isinstance(trace, Line):
            ax.plot(
                _mpl_x(trace.x),
                np.asarray(trace.y, dtype=float),
                label=trace.name,
                color=trace.color,
                lw=trace.width,
                ls="--" if trace.dash else "-",
            )
        elif isinstance(trace, Band):
            ax.fill_between(
                _mpl_x(trace.x),
                np.asarray(trace.lower, dtype=float),
                np.asarray(trace.upper, dtype=float),
                color=trace.color,
                alpha=trace.opacity,
                lw=0,
                label=trace.name,
            )
        elif isinstance(trace, Heatmap):
            image = ax.imshow(np.asarray(trace.z, dtype=float), cmap="Blues", aspect="auto")
            ax.set_xticks(range(len(trace.columns)), list(trace.columns))
            ax.set_yticks(range(len(trace.rows)), list(trace.rows))
            fig.colorbar(image, ax=ax)
    if bars:
        _draw_bars(ax, bars)
    for k, marker in enumerate(panel.markers):
        x = _mpl_x([marker.x])[0]
        ax.axvline(x, color=marker.color, ls=":", lw=1.4)
        ax.annotate(
            f" {marker.label}",
            (x, 0.97 - 0.1 * k),
            xycoords=("data", "axes fraction"),
            color=marker.color,
            fontsize=8,
            ha="left",
            va="top",
        )
    ax.set_title(panel.title, loc="left", fontsize=10)
    ax.set_ylabel(panel.y_label)
    ax.grid(alpha=0.3)
    labelled = [t for t in panel.traces if not isinstance(t, Heatmap)]
    if len(labelled) > 1:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    if any(isinstance(t, Line | Band) and _mpl_x(t.x).dtype.kind == "M" for t in labelled):
        from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def _draw_bars(ax: Any, bars: list[Bars]) -> None:
    categories = list(dict.fromkeys(c for b in bars for c in b.x))
    position = {c: i for i, c in enumerate(categories)}
    width = 0.8 / len(bars)
    for k, b in enumerate(bars):
        where = np.array([position[c] for c in b.x], dtype=float) - 0.4 + width * (k + 0.5)
        draw = ax.barh if b.horizontal else ax.bar
        draw(where, np.asarray(b.y, dtype=float), width, color=b.color, label=b.name)
    ticks = ax.set_yticks if bars[0].horizontal else ax.set_xticks
    ticks(
        range(len(categories)),
        [str(c) for c in categories],
        **({} if bars[0].horizontal else {"rotation": 45, "ha": "right"}),
    )
    if bars[0].horizontal:
        ax.invert_yaxis()


def _mpl_x(values: Sequence[Any]) -> np.ndarray:
    array = np.asarray(list(values))
    if array.size and _is_date(array[0]):
        return pd.to_datetime(array).to_numpy()
    return array


def _is_date(value: Any) -> bool:
    return isinstance(value, pd.Timestamp | np.datetime64) or hasattr(value, "isoformat")


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"
