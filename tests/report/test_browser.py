"""The report and the exploration page in a real headless Chromium, offline.

Needs Debian's ``chromium`` (/usr/bin/chromium, or STOCKWISE_CHROMIUM) and the
``playwright`` Python package; Playwright's own browser download is not used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from stockwise.report.html import build_report
from stockwise.synthetic import generate, write_synthetic
from stockwise.workflows.plan import plan_inventory, write_plan
from stockwise.workflows.report import run_etl

TOP = 4


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    data = generate(n_products=6, n_days=200, seed=1)
    write_synthetic(data, root / "data", fmt="csv")
    run = plan_inventory(
        data.sales, data.inventory, batches=data.batches, models="Naive", n_windows=1
    )
    write_plan(run, root / "plan")
    return root


def _open(browser: object, path: Path, n_charts: int, shot: Path) -> list[str]:
    """Load ``path``; wait for ``n_charts`` drawn charts; return console errors and requests
    to anything but the file itself."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on(
        "request",
        lambda r: (
            problems.append(f"request: {r.url}")
            if not r.url.startswith(("file:", "data:", "blob:"))
            else None
        ),
    )
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function(  # Plotly sets _fullLayout on a div once it has drawn it
        "n => [...document.querySelectorAll('.js-plotly-plot')]"
        ".filter(d => d._fullLayout).length >= n",
        arg=n_charts,
        timeout=30_000,
    )
    drawn = page.locator(".js-plotly-plot").count()
    assert drawn >= n_charts
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return problems


@pytest.mark.slow
def test_report_renders_offline_without_errors(
    browser: object, run_dir: Path, tmp_path: Path
) -> None:
    report = build_report(run_dir / "plan", top=TOP, png=False)
    n_sectors = 3
    shot = tmp_path / "report.png"
    problems = _open(browser, report, n_sectors + TOP + 1, shot)  # + the leaderboard
    assert problems == []
    assert shot.stat().st_size > 50_000


@pytest.mark.slow
def test_exploration_page_renders_without_errors(
    browser: object, run_dir: Path, tmp_path: Path
) -> None:
    result = run_etl(run_dir / "data" / "sales.csv", tmp_path / "etl", viz=True, as_of="2030-01-01")
    shot = tmp_path / "exploration.png"
    assert _open(browser, result.files["exploration"], 5, shot) == []
    assert shot.is_file()
