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
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from stockwise import schema as S
from stockwise.cells import read_own_csv
from stockwise.data.holes import describe_holes
from stockwise.data.read_options import NO_OPTIONS, ReadOptions
from stockwise.errors import InputError
from stockwise.inventory.budget import left_out
from stockwise.inventory.money import by_supplier, currencies, totals
from stockwise.inventory.plan import sort_alerts, sort_plan
from stockwise.report.charts import (
    TOP_PRODUCTS,
    Chart,
    fmt_date,
    fmt_num,
    fmt_num2,
    fmt_pct,
    leaderboard_chart,
    plotly_div,
    plotly_js,
    product_charts,
    save_png,
    sector_charts,
)
from stockwise.report.settings_view import read_settings, settings_sheet
from stockwise.words import (
    CODES,
    SENTENCES,
    check_language,
    day,
    localise,
    say,
    tr,
    tr_map,
)

log = logging.getLogger(__name__)
PNG_DIR = "charts"
SUMMARY_FILE = "validation_summary.csv"
TABLES = ("sales", "inventory", "batches")
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
KPI_LABELS = {
    "stockout_risk": ("products at stockout risk", "with a stockout_risk alert"),
    "orders_now": ("orders to place now", "urgency 'order now'"),
    "orders_now_value": ("value of the orders now", "order quantity × unit cost"),
    "overstock_value": ("overstock value", "stock above need, at unit cost"),
    "expiry_value": ("expiry value", "units expected to expire unsold, at unit cost"),
}
MONEY_KPIS = ("orders_now_value", "overstock_value", "expiry_value")
"""The KPIs in money: their label carries the plan's currency code."""


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


# --- reading files ------------------------------------------------------------------------


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
        options.update(reading.kwargs())
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


# --- numbers ------------------------------------------------------------------------------


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


def holes_note(holes: pd.DataFrame, shown: int = 10) -> str:
    """The warning about long holes in the sales, and the longest of them."""
    said = describe_holes(holes) if not holes.empty else None
    if said is None:
        return ""
    longest = holes.sort_values("days", ascending=False, kind="stable").head(shown)
    return f'<p class="note warning">Warning: {html.escape(said)}.</p>' + html_table(
        longest,
        {
            S.UNIQUE_ID: "series",
            "start": "missing from",
            "end": "to",
            "days": "days",
            "trailing": "to the end",
        },
    )


def settings_section(settings: dict | None) -> str:
    """The settings that produced the plan (one column per sector), or a note saying
    the folder does not record them."""
    if settings is None:
        return (
            '<p class="note">This run folder has no settings.json (written by plan '
            "runs of this version): the settings behind these numbers are unknown.</p>"
        )
    sheet = settings_sheet(settings)  # all text: no number formats apply
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in sheet.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in sheet.itertuples(index=False)
    )
    return (
        "<p>The profile, service target, lead times, models and calibration behind "
        "every number of this report.</p>"
        f'<div class="table"><table id="settings-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _details_after_action(alerts: pd.DataFrame) -> pd.DataFrame:
    """The alerts with their message less the action it starts with (shown beside it)."""
    if "action" not in alerts.columns or alerts.empty:
        return alerts
    details = [
        message[len(action) + 2 :]
        if isinstance(action, str)
        and isinstance(message, str)
        and message.startswith(f"{action}: ")
        else message
        for action, message in zip(alerts["action"], alerts["message"], strict=True)
    ]
    return alerts.assign(message=details)


SUBTITLE = "run folder {folder} · plan from {today} · {count} products · generated {now}"
MONEY_NOTE = (
    "Order value: lines with an order quantity, at unit cost. Lost sales at stake: "
    "expected lost sales within the lead time, at the selling price (unit cost "
    "without one). Values in different currencies are never added."
)
LEFT_OUT_SENTENCE = (
    "{count} line(s) cut or cut down: {value} left out, ~{risk} of expected "
    "lost sales left at risk."
)


def money_html(plan: pd.DataFrame, lang: str = "en") -> str:
    """The order list in money: totals per currency (what each sums), the order list per
    supplier when the inventory names suppliers, and the lines a budget cut."""
    if plan.empty:
        return ""
    parts = [
        f"<h3>{tr('The order list in money', lang)}</h3>",
        html_table(
            totals(plan),
            tr_map(
                {
                    "currency": "currency",
                    "order_lines": "order lines",
                    "order_units": "units",
                    "order_value": "order value",
                    "lost_value_at_stake": "lost sales at stake",
                    "excess_value": "excess value",
                    "waste_value": "expected waste value",
                },
                lang,
            ),
            lang,
        ),
        f'<p class="note">{html.escape(tr(MONEY_NOTE, lang))}</p>',
    ]
    suppliers = by_supplier(plan)
    if not suppliers.empty:
        parts += [
            f"<h3>{tr('By supplier', lang)}</h3>",
            html_table(
                suppliers,
                tr_map(
                    {
                        "supplier": "supplier",
                        "currency": "currency",
                        "order_lines": "order lines",
                        "order_units": "units",
                        "order_value": "order value",
                        "lost_value_avoided": "lost sales the orders avoid",
                    },
                    lang,
                ),
                lang,
            ),
        ]
    cut = left_out(plan)
    if not cut.empty:
        said = tr(
            LEFT_OUT_SENTENCE,
            lang,
            count=len(cut),
            value=localise(fmt_num2(cut["value_left_out"].sum()), lang),
            risk=localise(fmt_num2(cut["risk_left"].sum()), lang),
        )
        parts += [
            f"<h3>{tr('Left out by the budget', lang)}</h3>",
            f"<p>{html.escape(said)}</p>",
            html_table(
                cut,
                tr_map(
                    {
                        "unique_id": "product",
                        "supplier": "supplier",
                        "urgency": "urgency",
                        "proposed_units": "proposed",
                        "kept_units": "kept",
                        "value_left_out": "value left out",
                        "risk_left": "lost sales left at risk",
                        "currency": "currency",
                    },
                    lang,
                ),
                lang,
            ),
        ]
    return "".join(parts)


def render_page(
    title: str, subtitle: str, sections: Sequence[tuple[str, str, str]], lang: str = "en"
) -> str:
    """A standalone page: plotly.js inline (offline), a table of contents, the sections."""
    toc = "".join(f'<li><a href="#{key}">{html.escape(head)}</a></li>' for key, head, _ in sections)
    parts = "".join(
        f'<section id="{key}"><h2>{html.escape(head)}</h2>{body}</section>'
        for key, head, body in sections
    )
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style>"
        f'<script type="text/javascript">{plotly_js()}</script></head><body>'
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>"
        f"<nav><strong>{tr('Contents', lang)}</strong><ol>{toc}</ol></nav><main>{parts}</main>"
        f"<footer>{tr('stockwise report · self-contained, opens offline', lang)}</footer>"
        "</body></html>"
    )


def html_table(frame: pd.DataFrame, columns: dict[str, str], lang: str = "en") -> str:
    """``frame`` as a formatted table of the given columns (in order, if present); numbers,
    dates, codes and sentences as ``lang`` writes them (:mod:`stockwise.words`)."""
    keep = [c for c in columns if c in frame.columns]
    if frame.empty or not keep:
        return '<p class="note">Nothing to show.</p>'
    head = "".join(f"<th>{html.escape(columns[c])}</th>" for c in keep)
    numeric = {
        c: pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in keep
    }
    body = "".join(
        "<tr>" + "".join(_cell(c, row[c], numeric[c], lang) for c in keep) + "</tr>"
        for _, row in frame.iterrows()
    )
    return (
        f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>'
        f"</table></div>"
    )


def _cell(column: str, value: object, numeric: bool, lang: str = "en") -> str:
    formats: dict[str, Callable[[object], str]] = {
        "probability": fmt_pct,
        "share": fmt_pct,
        "date": fmt_date,
        "_due": fmt_date,
        "mase": fmt_num2,
        "rmsse": fmt_num2,
        "wape": fmt_pct,
        "score": fmt_num2,
    }
    fmt = next((f for key, f in formats.items() if key in column), None)
    if fmt is None and numeric:
        fmt = fmt_num
    text = fmt(value) if fmt else ("" if pd.isna(value) else str(value))
    cls = ' class="num"' if fmt in (fmt_num, fmt_num2, fmt_pct) else ""
    if lang != "en" and text:
        if fmt is fmt_date:
            text = day(value, lang)
        elif cls:
            text = localise(text, lang)
        elif column in SENTENCES + CODES:
            text = str(say(text, lang))
    return f"<td{cls}>{html.escape(text)}</td>"


def write_pngs(charts: Sequence[Chart], out_dir: str | Path) -> list[Path]:
    """Each chart as ``<out_dir>/<key>.png`` (old PNGs of the folder are replaced)."""
    folder = Path(out_dir)
    for old in folder.glob("*.png") if folder.is_dir() else []:
        old.unlink()
    return [save_png(chart, folder / f"{chart.key}.png") for chart in charts]


def build_report(
    run_dir: str | Path,
    out_path: str | Path | None = None,
    sales_path: str | Path | None = None,
    title: str = "stockwise inventory report",
    *,
    column_map: dict[str, str] | None = None,
    top: int = TOP_PRODUCTS,
    png: bool = True,
    lang: str | None = None,
    reading: ReadOptions = NO_OPTIONS,
) -> Path:
    """Write the report of a run (default ``<run_dir>/report.html``) and its PNGs.

    PNGs of the sector overview and the top products go to ``<run_dir>/charts/``.
    ``lang``: "en" or "fr" (:mod:`stockwise.words`); None: the language the run was
    planned in (its settings.json), else English.
    """
    tables = read_run(run_dir, sales_path, column_map=column_map, reading=reading)
    planned_in = ((tables.settings or {}).get("run") or {}).get("lang")
    lang = check_language(lang or planned_in or "en")
    page, charts = render_report(tables, title, top, lang)
    out = Path(out_path) if out_path else tables.run_dir / "report.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    if png:
        write_pngs(charts, tables.run_dir / PNG_DIR)
    return out


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;
color:#212529;background:#f6f7f9;line-height:1.45}
header{background:#1f3b57;color:#fff;padding:18px 32px}header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;opacity:.8;font-size:13px}
nav{max-width:1200px;margin:16px auto 0;padding:0 32px;font-size:14px}
nav ol{display:inline;padding:0;margin:0 0 0 8px}nav li{display:inline;margin-right:16px}
main{max-width:1200px;margin:0 auto;padding:0 32px 32px}
section{background:#fff;border:1px solid #e3e6ea;border-radius:8px;padding:8px 24px 20px;
margin-top:18px}h2{font-size:19px;border-bottom:2px solid #1f6feb;padding-bottom:4px}
a{color:#1f6feb}.note{color:#6c757d;font-style:italic}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:12px;
margin:12px 0 18px}.card{border:1px solid #e3e6ea;border-radius:8px;padding:12px 14px;
background:#fbfcfd}.card .value{font-size:26px;font-weight:600;color:#1f3b57}
.card .label{font-size:14px}.card .hint{font-size:11px;color:#868e96}
.table{overflow-x:auto;margin:10px 0 16px}table{border-collapse:collapse;font-size:13px;
width:100%}th{background:#eef1f4;text-align:left;padding:6px 8px;white-space:nowrap}
td{padding:5px 8px;border-top:1px solid #eef1f4}tbody tr:nth-child(even){background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.plotly-graph-div{margin:14px 0}footer{text-align:center;color:#868e96;font-size:12px;
padding:12px}
"""
