"""The HTML report of a plan run, its PNGs, and the report / etl commands."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from stockwise.cli import report_commands
from stockwise.inventory.ranking import rank_plan
from stockwise.report.html import SECTIONS, build_report, kpis, read_run
from stockwise.synthetic import generate, write_synthetic
from stockwise.workflows.plan import plan_inventory, write_plan
from stockwise.workflows.report import run_etl, write_validation_summary
from stockwise.workflows.validate import validate_sources

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
BAD_ROWS = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's layout: data/ (with 3 bad sales rows), validation/, plan/."""
    root = tmp_path_factory.mktemp("demo")
    data = generate(n_products=6, n_days=200, seed=1)
    files = write_synthetic(data, root / "data", fmt="csv")
    raw = pd.read_csv(files["sales"])
    bad = raw.head(BAD_ROWS).assign(y=[-5, "many", None])
    pd.concat([raw, bad], ignore_index=True).to_csv(files["sales"], index=False)
    validation = validate_sources(
        files["sales"],
        inventory=files["inventory"],
        batches=files["batches"],
        out_dir=root / "validation",
        as_of=data.sales["ds"].max(),
    )
    tables = validation.tables
    run = plan_inventory(
        tables["sales"].data,
        tables["inventory"].data,
        batches=tables["batches"].data,
        models=["Naive", "SeasonalNaive"],
        n_windows=1,
    )
    write_plan(run, root / "plan")
    run.forecasts.metrics.to_csv(root / "plan" / "backtest_metrics.csv", index=False)
    return root


@pytest.fixture(scope="module")
def page(demo: Path) -> str:
    path = build_report(demo / "plan")
    assert path == demo / "plan" / "report.html"
    return path.read_text(encoding="utf-8")


def _kpi(page: str, key: str) -> str:
    found = re.search(rf'data-kpi="{key}">([^<]*)<', page)
    assert found, f"KPI {key} missing"
    return found.group(1)


@pytest.mark.slow
def test_report_is_self_contained_with_every_section(page: str) -> None:
    assert not re.search(r"<script[^>]+src=[\"']?https?:", page, flags=re.I)  # no CDN
    assert not re.search(r"<link[^>]+href=[\"']?https?:", page, flags=re.I)
    assert page.count("* plotly.js v") == 1  # the bundle, inline, once
    assert page.count("Plotly.newPlot") >= 1
    for key, heading in SECTIONS.items():
        assert f"<h2>{heading}</h2>" in page
        assert f'href="#{key}"' in page  # table of contents


@pytest.mark.slow
def test_kpis_equal_the_plan_files(demo: Path, page: str) -> None:
    plan = pd.read_csv(demo / "plan" / "plan.csv")
    alerts = pd.read_csv(demo / "plan" / "alerts.csv")
    now = plan[(plan["urgency"] == "order now") & (plan["order_qty"] > 0)]
    expected = {
        "stockout_risk": alerts.loc[alerts["type"] == "stockout_risk", "unique_id"].nunique(),
        "orders_now": len(now),
        "orders_now_value": now["order_value"].sum(),
        "overstock_value": plan["excess_value"].sum(),
        "expiry_value": plan["expected_waste_value"].sum(),
    }
    for key, value in expected.items():
        assert _kpi(page, key) == f"{value:,.0f}", key
    assert kpis(plan, alerts)["stockout_risk"] == expected["stockout_risk"]


@pytest.mark.slow
def test_pngs_of_sector_overview_and_top_products(demo: Path, page: str) -> None:
    plan = pd.read_csv(demo / "plan" / "plan.csv")
    charts = demo / "plan" / "charts"
    sectors = sorted(p.stem for p in charts.glob("sector-*.png"))
    assert sectors == [f"sector-{s}" for s in sorted(plan["sector"].unique())]
    products = sorted(charts.glob("product-*.png"))
    assert len(products) == min(12, len(plan))
    assert products[0].name == f"product-01-{plan['unique_id'].iloc[0]}.png"
    for path in [*products, *charts.glob("sector-*.png")]:
        assert path.read_bytes()[:8] == PNG_MAGIC and path.stat().st_size > 5_000


@pytest.mark.slow
def test_urgent_products_leaderboard_and_history(demo: Path, page: str) -> None:
    plan = pd.read_csv(demo / "plan" / "plan.csv")
    selection = pd.read_csv(demo / "plan" / "selection.csv")
    for rank, uid in enumerate(plan["unique_id"].head(12), start=1):
        assert f'id="chart-product-{rank:02d}-{uid}"' in page
    tables = read_run(demo / "plan")
    assert tables.sales is not None  # ../data/sales.csv found: history is drawn
    assert "No sales file found" not in page
    assert set(selection["model"]) <= set(re.findall(r"<td>(\w+)</td>", page))
    assert "mean MASE" in page


@pytest.mark.slow
def test_data_quality_counts(demo: Path) -> None:
    quality = read_run(demo / "plan").quality.set_index("table")
    raw_rows = len(pd.read_csv(demo / "data" / "sales.csv"))
    quarantined = len(pd.read_csv(demo / "validation" / "sales_quarantine.csv"))
    assert quarantined >= BAD_ROWS - 1  # a missing y may be kept as a gap
    sales = quality.loc["sales"]
    assert sales["n_read"] == raw_rows
    assert sales["n_quarantined"] == quarantined
    assert sales["n_accepted"] + sales["n_quarantined"] == sales["n_read"]
    assert sales["errors"] > 0
    assert {"inventory", "batches"} <= set(quality.index)


@pytest.mark.slow
def test_validation_summary_gives_exact_counts(demo: Path, tmp_path: Path) -> None:
    validation = validate_sources(
        demo / "data" / "sales.csv",
        inventory=demo / "data" / "inventory.csv",
        out_dir=tmp_path / "validation",
        as_of="2030-01-01",
    )
    write_validation_summary(validation, tmp_path / "validation")
    shutil.copytree(demo / "plan", tmp_path / "plan", ignore=shutil.ignore_patterns("*.png"))
    tables = read_run(tmp_path / "plan")
    assert tables.sales is None  # no data/ folder beside this copy
    quality = tables.quality.set_index("table")
    report = validation.tables["inventory"].report
    assert quality.loc["inventory", "n_read"] == report.n_read
    assert quality.loc["inventory", "basis"] == "validation summary"


@pytest.mark.slow
def test_report_without_sales_file_still_builds(demo: Path, tmp_path: Path) -> None:
    for name in ("plan.csv", "alerts.csv", "projection.csv", "forecasts.csv", "selection.csv"):
        shutil.copy(demo / "plan" / name, tmp_path / name)
    page = build_report(tmp_path, tmp_path / "out" / "r.html", png=False).read_text()
    assert "No sales file found" in page
    assert "No validation files found" in page
    assert not (tmp_path / "charts").exists()


@pytest.mark.slow
def test_report_ranks_the_lines_worst_first_and_lists_the_alerts(
    demo: Path, tmp_path: Path
) -> None:
    """Whatever order plan.csv is in, the urgent table is the plan's ranking, and the
    alerts section lists the alerts most severe first with their action and value."""
    for name in ("alerts.csv", "projection.csv", "forecasts.csv", "selection.csv"):
        shutil.copy(demo / "plan" / name, tmp_path / name)
    plan = pd.read_csv(demo / "plan" / "plan.csv", dtype={"unique_id": str})
    plan.sample(frac=1.0, random_state=7).to_csv(tmp_path / "plan.csv", index=False)
    page = build_report(tmp_path, tmp_path / "r.html", png=False, top=4).read_text()
    urgent = page.split('<section id="products">', 1)[1].split("</section>", 1)[0]
    shown = [html.unescape(p) for p in re.findall(r"<tr><td>([^<]*)</td>", urgent)]
    assert shown == rank_plan(plan)["unique_id"].head(4).tolist()
    assert "runs out if nothing is ordered" in urgent and "on order" in urgent
    alerts = pd.read_csv(demo / "plan" / "alerts.csv", dtype={"unique_id": str})
    section = page.split('<section id="alerts">', 1)[1].split("</section>", 1)[0]
    assert f"of {len(alerts)} alerts" in section and "value at stake" in section
    rows = re.findall(
        r"<tr><td>(critical|high|medium|low)</td><td>(\w+)</td>"
        r"<td>([^<]*)</td>",
        section,
    )
    assert len(rows) == min(len(alerts), 30) > 0
    expected = alerts.head(len(rows))
    assert [(s, t, html.unescape(u)) for s, t, u in rows] == list(
        zip(expected["severity"], expected["type"], expected["unique_id"], strict=True)
    )
    assert html.escape(alerts["action"].iloc[0]) in section


def _app() -> typer.Typer:
    app = typer.Typer()
    report_commands.register(app)
    return app


@pytest.mark.slow
def test_report_command_prints_the_path(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = CliRunner().invoke(
        _app(),
        [
            "report",
            str(demo / "plan"),
            "--out",
            str(out),
            "--sales",
            str(demo / "data" / "sales.csv"),
            "--no-png",
            "--top",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == str(out)
    assert out.read_text().count('id="chart-product-') == 3


def test_report_command_on_a_folder_without_plan_exits_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["report", str(tmp_path)])
    assert result.exit_code == 2
    assert "plan.csv" in result.output


@pytest.mark.slow
def test_etl_command_writes_prepared_table_and_charts(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "etl"
    result = CliRunner().invoke(
        _app(),
        [
            "etl",
            str(demo / "data" / "sales.csv"),
            "--viz",
            "--out",
            str(out),
            "--as-of",
            "2030-01-01",
        ],
    )
    assert result.exit_code == 0, result.output
    prepared = pd.read_csv(out / "sales_prepared.csv")
    assert {"unique_id", "ds", "y", "gap_filled"} <= set(prepared.columns)
    for name in ("sales_quarantine.csv", "sales_issues.csv", "validation_summary.csv"):
        assert (out / "validation" / name).is_file()
    page = (out / "exploration.html").read_text()
    assert '<script src="http' not in page and page.count('class="plotly-graph-div"') == 5
    pngs = sorted(p.stem for p in (out / "charts").glob("*.png"))
    assert pngs == sorted(
        ["sales-over-time", "distribution", "zero-days", "top-products", "weekday-profile"]
    )
    assert str(out / "exploration.html") in result.output


@pytest.mark.slow
def test_etl_without_viz_writes_no_charts(demo: Path, tmp_path: Path) -> None:
    result = run_etl(demo / "data" / "sales.csv", tmp_path, as_of="2030-01-01", to="W")
    assert (tmp_path / "sales_prepared.csv").is_file() and not result.pngs
    assert not (tmp_path / "exploration.html").exists()
    summary = pd.read_csv(tmp_path / "validation" / "validation_summary.csv")
    row = summary.iloc[0]
    assert row["n_read"] == row["n_accepted"] + row["n_quarantined"]
