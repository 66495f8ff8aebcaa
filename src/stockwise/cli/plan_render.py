"""What ``stockwise plan`` prints: the most urgent lines worst first, the alerts, the
settings behind the bill and the products left out, in the run's language."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rich.markup import escape

from stockwise.cli.console import console, err_console
from stockwise.cli.tables import Column, print_fitted
from stockwise.words import number, percent, say, tr

if TYPE_CHECKING:
    from stockwise.workflows.chunked_plan import ChunkedPlanRun
    from stockwise.workflows.validate import ValidationRun

SHOWN = 15
URGENT_COLUMNS = (
    Column("product", "key"),
    Column("urgency"),
    Column("order", justify="right"),
    Column("on order", justify="right"),
    Column("runs out if\nnothing is\nordered"),
    Column("P(out before\nan order\nplaced today\narrives)", justify="right"),
    Column("at stake", justify="right"),
    Column("cover", justify="right"),
    Column("alerts", "text"),
)
"""The urgent table's columns: the two stockout columns say which is which — the date
assumes nothing more is ordered; the chance is of running out before any order placed
today could arrive. Dates are short (day and month); the files hold them in full. Too
narrow a terminal moves the last columns to a second table (:mod:`stockwise.cli.tables`)."""
SHOWN_ALERTS = 10


URGENT_TITLE = "Most urgent of {count} products (worst first)"
URGENT_CAPTION = (
    "Critical stockouts first (by sales at stake), then orders to place now (by "
    "risk × value), at risk, order soon, the rest."
)
ALERT_LINE = "  {severity} {type} {id} ({value} at stake): {message}"
UNPLANNED_LINE = (
    "Warning: {count} products not planned: {reason} (e.g. {ids}); listed in unplanned.csv"
)


def render_plan(plan, alerts, lang: str = "en") -> None:
    """The most urgent lines, worst first (:func:`stockwise.inventory.plan.sort_plan`),
    the alert counts, and the actions of the most urgent alerts; words, numbers and dates
    in ``lang`` (:mod:`stockwise.words`)."""
    from stockwise.inventory.decision import DAYS_OF_COVER_CAP
    from stockwise.inventory.plan import sort_alerts, sort_plan

    plan = sort_plan(plan)
    rows = []
    for row in plan.head(SHOWN).to_dict("records"):
        severity = say(row.get("severity") or "", lang)
        alert = say(row.get("alert") or "", lang)
        alert = alert.replace("_risk", "") if lang == "en" else alert
        rows.append(
            [
                escape(str(row["unique_id"])),
                say(row["urgency"], lang),
                _order(row, lang),
                _on_order(row, lang),
                _day(row["stockout_date"], lang),
                percent(row["stockout_probability"], lang),
                _money(row.get("value_at_stake"), lang),
                tr("10y+", lang)
                if row["days_of_cover"] >= DAYS_OF_COVER_CAP
                else tr("{days}d", lang, days=number(row["days_of_cover"], lang)),
                f"{alert} ({severity})" if alert and severity else alert,
            ]
        )
    columns = [replace(c, header=tr(c.header, lang)) for c in URGENT_COLUMNS]
    print_fitted(
        console,
        columns,
        rows,
        title=tr(URGENT_TITLE, lang, count=len(plan)),
        caption=tr(URGENT_CAPTION, lang),
        lang=lang,
    )
    if not alerts.empty:
        counts = alerts.groupby(["type", "severity"]).size()
        console.print(
            tr(
                "alerts: {counts}",
                lang,
                counts=", ".join(
                    f"{say(t, lang)} {say(s, lang)} {n}" for (t, s), n in counts.items()
                ),
            ),
            highlight=False,
        )
        for alert in sort_alerts(alerts).head(SHOWN_ALERTS).to_dict("records"):
            console.print(
                tr(
                    ALERT_LINE,
                    lang,
                    severity=say(alert["severity"], lang),
                    type=say(alert["type"], lang),
                    id=alert["unique_id"],
                    value=_money(alert["value_at_stake"], lang),
                    message=say(alert["message"], lang),
                ),
                highlight=False,
                soft_wrap=True,
            )


def render_unplanned(unplanned, lang: str = "en") -> None:
    """The inventory products no line could be made for, each reason with examples."""
    if unplanned.empty:
        return
    for reason, rows in unplanned.groupby("reason", sort=False):
        ids = ", ".join(rows["unique_id"].astype(str).head(3))
        err_console.print(
            tr(UNPLANNED_LINE, lang, count=len(rows), reason=say(reason, lang), ids=ids),
            highlight=False,
            soft_wrap=True,
        )


def _order(row: dict, lang: str = "en") -> str:
    quantity = row.get("order_qty") or 0
    if not quantity or quantity != quantity:
        return ""
    if row.get("urgency") == "order now":
        return tr("{qty} now", lang, qty=number(quantity, lang))
    return tr(
        "{qty} by {date}", lang, qty=number(quantity, lang), date=_day(row.get("order_date"), lang)
    )


def _on_order(row: dict, lang: str = "en") -> str:
    quantity = row.get("on_order") or 0
    if not quantity or quantity != quantity:
        return ""
    due = _day(row.get("on_order_due"), lang)
    if due:
        return tr("{qty} due {date}", lang, qty=number(quantity, lang), date=due)
    return tr("{qty} (no date)", lang, qty=number(quantity, lang))


def _money(value: object, lang: str = "en") -> str:
    try:
        number_ = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    return number(number_, lang) if number_ == number_ and number_ > 0 else ""


def _day(value: object, lang: str = "en") -> str:
    """A date as "05 Aug" / "05/08" (empty when there is none)."""
    if value is None or value != value:
        return ""
    return format(value, "%d %b") if lang == "en" else format(value, "%d/%m")


def render_settings(settings: dict) -> None:
    """The settings behind this bill, a few lines (all of them: settings.json)."""
    from stockwise.report.settings_view import settings_lines

    console.print(
        "Settings of this plan (all of them: settings.json, the workbook's Settings sheet):",
        highlight=False,
    )
    for line in settings_lines(settings):
        console.print(f"  {line}", highlight=False, soft_wrap=True)


def _date(value: object) -> str:
    return "" if value is None or value != value else str(value)[:10]


def render_run(run: ChunkedPlanRun, validation: ValidationRun) -> None:
    """Everything the command prints after a run: each table's validation summary, the
    holes of the sales, the urgent lines, the money, the settings, the products left
    out, and the files written."""
    from stockwise.cli.money_render import render_money
    from stockwise.data.holes import describe_holes

    for table in validation.tables.values():
        warned = table.report.warnings["rule"].value_counts()
        said = (
            "; warnings: " + ", ".join(f"{r} {n}" for r, n in warned.items()) if len(warned) else ""
        )  # e.g. weekly dates moved to one weekday
        console.print(
            say(f"{table.report.table}: {table.report.summary}{said}", run.lang), highlight=False
        )
    holes = describe_holes(run.holes)
    if holes:
        console.print(f"[yellow]warning:[/] {holes}", highlight=False)
    render_plan(run.plan, run.alerts, run.lang)
    render_money(console, run.plan, run.budget, run.lang)
    if run.settings is not None:
        render_settings(run.settings.to_dict())
    render_unplanned(run.unplanned, run.lang)
    for name, path in run.files.items():
        console.print(f"{name}: {path}", highlight=False, soft_wrap=True)
