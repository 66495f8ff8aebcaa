"""`stockwise plan` and `stockwise report` list the worst first: every critical stockout in
the first ten lines of the urgent table, the open order and its due date shown, overdue
deliveries and dead stock alerted, and the report's alerts section."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from stockwise.cli.app import app, console

DAYS = 120
LAST = pd.Timestamp("2025-02-28")
TODAY = LAST + pd.Timedelta(days=1)
ROUTINE = [f"R{i:02d}" for i in range(14)]
CRITICAL = ["C1", "C2", "C3"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Fourteen routine orders (stock for ~12 days, lead 7), four empty shelves (one with
    a delivery due tomorrow), one overdue delivery, one product without a sale for 60
    days, one without any sale."""
    root = tmp_path_factory.mktemp("worst")
    rng = np.random.default_rng(5)
    dates = pd.date_range(end=LAST, periods=DAYS)
    rows = []
    for uid in [*ROUTINE, *CRITICAL, "SOON", "LATE", "DEAD"]:
        y = rng.poisson(10.0, DAYS).astype(float)
        if uid == "DEAD":
            y[-60:] = 0.0
        rows.append(pd.DataFrame({"unique_id": uid, "ds": dates, "y": y, "sector": "retail"}))
    sales = pd.concat(rows)
    # an ERP export lists sales, not days without one: the dead product's rows just stop
    sales = sales[~((sales["unique_id"] == "DEAD") & (sales["y"] == 0))]
    sales.to_csv(root / "sales.csv", index=False)
    stock = [
        {"unique_id": uid, "on_hand": 120.0, "unit_cost": 1.0 + i} for i, uid in enumerate(ROUTINE)
    ]
    stock += [{"unique_id": uid, "on_hand": 0.0, "unit_cost": 5.0} for uid in CRITICAL]
    # an empty shelf with a big delivery due tomorrow: nothing to order, expedite it
    stock += [
        {
            "unique_id": "SOON",
            "on_hand": 0.0,
            "unit_cost": 5.0,
            "on_order": 400.0,
            "on_order_due": (TODAY + pd.Timedelta(days=1)).date().isoformat(),
        }
    ]
    stock += [
        {
            "unique_id": "LATE",
            "on_hand": 15.0,
            "unit_cost": 3.0,
            "on_order": 300.0,
            "on_order_due": (TODAY - pd.Timedelta(days=4)).date().isoformat(),
        },
        {"unique_id": "DEAD", "on_hand": 40.0, "unit_cost": 2.0},
        {"unique_id": "NEVER", "on_hand": 7.0, "unit_cost": 2.0},
    ]
    inventory = pd.DataFrame(stock).assign(lead_time_days=7.0, sector="retail")
    orphan = {
        "unique_id": "ORPHAN",
        "on_hand": 9.0,
        "sector": "pharmacy",
        "lead_time_days": 7.0,
    }  # no sales of its sector at all: cannot be planned
    inventory = pd.concat([inventory, pd.DataFrame([orphan])], ignore_index=True)
    inventory.to_csv(root / "inventory.csv", index=False)
    width, console.width = console.width, 200  # (module scope: before the wide_console)
    try:
        result = CliRunner().invoke(
            app,
            [
                "plan",
                str(root / "sales.csv"),
                "--inventory",
                str(root / "inventory.csv"),
                "--models",
                "Naive",
                "--windows",
                "1",
                "--out",
                str(root / "plan"),
                "--no-track",
            ],
        )
    finally:
        console.width = width
    assert result.exit_code == 0, result.output
    return root / "plan", result.output


def _critical(plan_dir: Path) -> set[str]:
    alerts = pd.read_csv(plan_dir / "alerts.csv", dtype={"unique_id": str})
    stockouts = alerts[(alerts["type"] == "stockout_risk") & (alerts["severity"] == "critical")]
    return set(stockouts["unique_id"])


def _cli_rows(output: str) -> list[str]:
    """The product cells of the CLI's urgent table, top down."""
    table = output.split("Most urgent of", 1)[1]
    cells = [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]
    return [cell for cell in cells if cell]


def test_every_critical_stockout_is_in_the_first_ten_lines_of_the_cli_table(planned) -> None:
    plan_dir, output = planned
    critical = _critical(plan_dir)
    assert {*CRITICAL, "SOON", "LATE"} <= critical and len(critical) <= 10
    plan = pd.read_csv(plan_dir / "plan.csv", dtype={"unique_id": str})
    soon = plan.set_index("unique_id").loc["SOON"]
    assert soon["urgency"] != "order now" and soon["severity"] == "critical"
    routine = plan[plan["unique_id"].isin(ROUTINE)]
    assert (routine["urgency"] == "order now").sum() > 10  # enough to crowd them out
    assert critical <= set(_cli_rows(output)[:10])
    assert critical <= set(plan["unique_id"].head(10))  # the file's order is the same
    assert "expedite the delivery of 400 due 2025-03-02" in " ".join(output.split())


def test_cli_headers_say_which_stockout_column_is_which(planned) -> None:
    _, output = planned
    flat = " ".join(output.split())
    for words in ("runs out if", "nothing is", "P(out before", "placed today", "on order"):
        assert words in flat
    assert "300 due 25 Feb" in output  # the overdue order and its date
    assert "chase the delivery of 300 due 2025-02-25" in flat


def test_overdue_and_dead_stock_are_planned_and_alerted(planned) -> None:
    plan_dir, _ = planned
    plan = pd.read_csv(plan_dir / "plan.csv", dtype={"unique_id": str}).set_index("unique_id")
    assert {"DEAD", "NEVER", "LATE"} <= set(plan.index)
    assert plan.loc["LATE", "on_order_due"] == "2025-02-25"
    alerts = pd.read_csv(plan_dir / "alerts.csv", dtype={"unique_id": str})
    kinds = alerts.groupby("unique_id")["type"].apply(set)
    assert "overdue_delivery" in kinds["LATE"]
    assert "dead_stock" in kinds["DEAD"] and "dead_stock" in kinds["NEVER"]
    assert "no sale in the sales history" in plan.loc["NEVER", "reason"]
    dead = alerts[(alerts["unique_id"] == "DEAD") & (alerts["type"] == "dead_stock")]
    assert dead["value_at_stake"].iloc[0] == pytest.approx(40 * 2.0)
    assert "ORPHAN" not in plan.index


def test_a_product_that_cannot_be_planned_is_listed_with_the_reason(planned) -> None:
    plan_dir, output = planned
    unplanned = pd.read_csv(plan_dir / "unplanned.csv")
    assert unplanned["unique_id"].tolist() == ["ORPHAN"]
    reason = "stock but no sales row, and no sales of its sector (pharmacy) in this run"
    assert unplanned["reason"].tolist() == [reason]
    assert f"1 products not planned: {reason}" in " ".join(output.split())


@pytest.mark.slow
def test_report_lists_critical_stockouts_first_and_has_an_alerts_section(planned) -> None:
    plan_dir, _ = planned
    result = CliRunner().invoke(
        app, ["report", str(plan_dir), "--sales", str(plan_dir.parent / "sales.csv"), "--no-png"]
    )
    assert result.exit_code == 0, result.output
    page = (plan_dir / "report.html").read_text(encoding="utf-8")
    urgent = page.split('<section id="products">', 1)[1].split("</section>", 1)[0]
    head = urgent.split("<tbody>", 1)[0]
    assert "runs out if nothing is ordered" in head
    assert "P(stockout before an order placed today arrives)" in head
    products = [html.unescape(p) for p in re.findall(r"<tr><td>([^<]*)</td>", urgent)]
    assert _critical(plan_dir) <= set(products[:10])
    section = page.split('<section id="alerts">', 1)[1].split("</section>", 1)[0]
    severities = re.findall(r"<tr><td>(critical|high|medium|low)</td>", section)
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    assert severities and [rank[s] for s in severities] == sorted(rank[s] for s in severities)
    assert "expedite" in section or "chase the delivery" in section
    assert "value at stake" in section
