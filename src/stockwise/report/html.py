"""The HTML report of a plan run: sector overview, urgent products, alerts, models, data
quality.

Everything comes from the files a run writes (``write_plan``: plan.csv, alerts.csv,
projection.csv, forecasts.csv, selection.csv; backtest_metrics.csv when present), the
validation folder inside the run or beside it, and the sales file for the history. Three
layers: :func:`read_run` reads files, plain functions turn tables into numbers and chart
descriptions (:mod:`stockwise.report.charts`), and :func:`render_report` writes HTML. The
page embeds plotly.js once, so it opens offline; the main charts are also saved as PNGs.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from stockwise.inventory.money import currencies
from stockwise.inventory.plan import sort_alerts, sort_plan
from stockwise.report.charts import (
    TOP_PRODUCTS,
    Chart,
    fmt_num,
    leaderboard_chart,
    plotly_div,
    product_charts,
    save_png,
    sector_charts,
)
from stockwise.report.page import (
    CSS,
    LEFT_OUT_SENTENCE,
    MONEY_NOTE,
    SUBTITLE,
    _details_after_action,
    holes_note,
    html_table,
    money_html,
    render_page,
    settings_section,
)
from stockwise.report.run_tables import (
    KPI_LABELS,
    MONEY_KPIS,
    SUMMARY_FILE,
    TABLES,
    RunTables,
    SalesSource,
    data_quality,
    kpis,
    leaderboard,
    read_run,
    sector_kpis,
)
from stockwise.words import (
    check_language,
    day,
    localise,
    tr,
    tr_map,
)

PNG_DIR = "charts"
SECTIONS = {
    "overview": "Sector overview",
    "products": "Most urgent products",
    "alerts": "Alerts",
    "models": "Model leaderboard",
    "quality": "Data quality",
}
URGENT_COLUMNS = {
    "unique_id": "product",
    "sector": "sector",
    "urgency": "urgency",
    "order_date": "order on",
    "order_qty": "qty",
    "order_value": "value",
    "on_order": "on order",
    "on_order_due": "on order due",
    "stockout_date": "runs out if nothing is ordered",
    "stockout_probability": "P(stockout before an order placed today arrives)",
    "value_at_stake": "value at stake",
    "days_of_cover": "days of cover",
    "alert": "alerts",
    "severity": "severity",
}
ALERT_COLUMNS = {
    "severity": "severity",
    "type": "alert",
    "unique_id": "product",
    "sector": "sector",
    "value_at_stake": "value at stake",
    "action": "action",
    "message": "details",
}
SHOWN_ALERTS = 30
URGENT_SENTENCE = (
    "The {shown} most urgent of {total} planned products, worst first: critical stockouts "
    "(by sales at stake), then orders to place now (by risk × value), at risk, order "
    "soon, the rest. “Runs out” assumes nothing more is ordered; the chance is of running "
    "out before an order placed today can arrive."
)
ALERTS_SENTENCE = (
    "The {shown} most urgent of {total} alerts (most severe first, then by "
    "value at stake); all of them are in alerts.csv."
)
SETTINGS_HEADING = "Settings"


# --- reading files ------------------------------------------------------------------------


# --- numbers ------------------------------------------------------------------------------


# --- HTML ---------------------------------------------------------------------------------


def render_report(
    tables: RunTables, title: str, top: int = TOP_PRODUCTS, lang: str = "en"
) -> tuple[str, list[Chart]]:
    """The page, and the charts worth a PNG (sector overview and top products); headings,
    headers and sentences in ``lang`` (:mod:`stockwise.words`)."""
    plan, alerts = sort_plan(tables.plan), sort_alerts(tables.alerts)
    sectors = sector_charts(tables.forecasts, tables.sales, tables.today, lang)
    products = product_charts(plan, tables.forecasts, tables.projection, tables.sales, top, lang)
    board = leaderboard(tables.selection, tables.metrics)
    numbers = kpis(plan, alerts)
    found = currencies(plan)
    code = f" ({found[0]})" if len(found) == 1 and found[0] else ""
    cards = "".join(
        f'<div class="card"><div class="value" data-kpi="{key}">'
        f"{localise(fmt_num(numbers[key]), lang)}</div>"
        f'<div class="label">{tr(label, lang)}{html.escape(code) if key in MONEY_KPIS else ""}'
        f'</div><div class="hint">{tr(hint, lang)}</div></div>'
        for key, (label, hint) in KPI_LABELS.items()
    )
    history = (
        ""
        if tables.sales is not None
        else '<p class="note">No sales file found: charts show forecasts only (use --sales).</p>'
    )
    overview = (
        f'<div class="cards">{cards}</div>{history}'
        + html_table(
            sector_kpis(plan, alerts),
            tr_map(
                {"sector": "sector", "products": "products planned"}
                | {k: v[0] for k, v in KPI_LABELS.items()},
                lang,
            ),
            lang,
        )
        + money_html(plan, lang)
        + "".join(plotly_div(c) for c in sectors)
    )
    urgent = (
        "<p>"
        + html.escape(tr(URGENT_SENTENCE, lang, shown=min(top, len(plan)), total=len(plan)))
        + "</p>"
        + html_table(plan.head(top), tr_map(URGENT_COLUMNS, lang), lang)
        + "".join(plotly_div(c) for c in products)
    )
    shown = _details_after_action(alerts.head(SHOWN_ALERTS))
    alert_rows = (
        (
            "<p>"
            + html.escape(tr(ALERTS_SENTENCE, lang, shown=len(shown), total=len(alerts)))
            + "</p>"
            + html_table(shown, tr_map(ALERT_COLUMNS, lang), lang)
        )
        if not alerts.empty
        else f'<p class="note">{tr("No alerts.", lang)}</p>'
    )

    chart = leaderboard_chart(board, lang)
    models = (
        '<p class="note">No model selection in this run.</p>'
        if board.empty
        else html_table(
            board,
            tr_map(
                {
                    "model": "model",
                    "series_won": "series won",
                    "share_won": "share won",
                    "mase": "mean MASE",
                    "rmsse": "mean RMSSE",
                    "wape": "mean WAPE",
                    "n_series": "series backtested",
                    "mean_score_won": "mean MASE where chosen",
                },
                lang,
            ),
            lang,
        )
    )
    models += plotly_div(chart) if chart else ""
    quality = (
        '<p class="note">No validation files found next to this run.</p>'
        if tables.quality.empty
        else html_table(
            tables.quality,
            tr_map(
                {
                    "table": "table",
                    "n_read": "rows read",
                    "n_accepted": "accepted",
                    "n_quarantined": "quarantined",
                    "errors": "errors",
                    "warnings": "warnings",
                    "top_rules": "most frequent rules",
                    "basis": "counted from",
                },
                lang,
            ),
            lang,
        )
    )
    quality += holes_note(tables.holes)
    today = day(tables.today, lang) if tables.today is not None else "—"
    subtitle = tr(
        SUBTITLE,
        lang,
        folder=tables.run_dir,
        today=today,
        count=len(plan),
        now=f"{day(datetime.now(), lang)} {datetime.now():%H:%M}",
    )
    sections = [
        (key, tr(SECTIONS[key], lang), body)
        for key, body in zip(SECTIONS, (overview, urgent, alert_rows, models, quality), strict=True)
    ]
    sections.insert(1, ("settings", tr(SETTINGS_HEADING, lang), settings_section(tables.settings)))
    return render_page(title, subtitle, sections, lang), sectors + products


def write_pngs(charts: Sequence[Chart], out_dir: str | Path) -> list[Path]:
    """Each chart as ``<out_dir>/<key>.png`` (old PNGs of the folder are replaced)."""
    folder = Path(out_dir)
    for old in folder.glob("*.png") if folder.is_dir() else []:
        old.unlink()
    return [save_png(chart, folder / f"{chart.key}.png") for chart in charts]


def build_report(
    run_dir: str | Path,
    out_path: str | Path | None = None,
    sales_path: SalesSource | str | Path | None = None,
    title: str = "stockwise inventory report",
    *,
    top: int = TOP_PRODUCTS,
    png: bool = True,
    lang: str | None = None,
) -> Path:
    """Write the report of a run (default ``<run_dir>/report.html``) and its PNGs.

    PNGs of the sector overview and the top products go to ``<run_dir>/charts/``.
    ``sales_path``: the sales file, or a :class:`SalesSource` when its columns or format
    need telling. ``lang``: "en" or "fr" (:mod:`stockwise.words`); None: the language the
    run was planned in (its settings.json), else English.
    """
    sales = SalesSource.of(sales_path)
    tables = read_run(run_dir, sales.path, column_map=sales.column_map, reading=sales.reading)
    planned_in = ((tables.settings or {}).get("run") or {}).get("lang")
    lang = check_language(lang or planned_in or "en")
    page, charts = render_report(tables, title, top, lang)
    out = Path(out_path) if out_path else tables.run_dir / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    if png:
        write_pngs(charts, tables.run_dir / PNG_DIR)
    return out


__all__ = [
    "ALERTS_SENTENCE",
    "ALERT_COLUMNS",
    "CSS",
    "KPI_LABELS",
    "LEFT_OUT_SENTENCE",
    "MONEY_KPIS",
    "MONEY_NOTE",
    "PNG_DIR",
    "SECTIONS",
    "SETTINGS_HEADING",
    "SHOWN_ALERTS",
    "SUBTITLE",
    "SUMMARY_FILE",
    "TABLES",
    "URGENT_COLUMNS",
    "URGENT_SENTENCE",
    "RunTables",
    "SalesSource",
    "build_report",
    "data_quality",
    "holes_note",
    "html_table",
    "kpis",
    "leaderboard",
    "money_html",
    "read_run",
    "render_page",
    "render_report",
    "sector_kpis",
    "settings_section",
    "write_pngs",
]
