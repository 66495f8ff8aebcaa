"""The pieces of the report page that do not depend on the plan's sections: the page
shell with its style sheet, tables, the money section and the settings and holes notes.
Every value is escaped where it enters the page.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

import pandas as pd

from stockwise import schema as S
from stockwise.data.holes import describe_holes
from stockwise.inventory.budget import left_out
from stockwise.inventory.money import by_supplier, totals
from stockwise.report.charts import (
    fmt_date,
    fmt_num,
    fmt_num2,
    fmt_pct,
    plotly_js,
)
from stockwise.report.settings_view import settings_sheet
from stockwise.words import (
    CODES,
    SENTENCES,
    day,
    localise,
    say,
    tr,
    tr_map,
)


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
