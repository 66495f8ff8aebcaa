"""Draw a chart spec: as a Plotly figure for the HTML page, or as a PNG with matplotlib
for documents and mail. Each library is imported
only when its output is asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from stockwise.optional import optional_import
from stockwise.report.chart_specs import Band, Bars, Chart, Heatmap, Line, Panel


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
