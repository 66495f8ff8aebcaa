"""The dashboard on data without a sector column, in a real headless Chromium.

Sales and inventory without a sector, planned under the retail profile: the overview must
show the products, their stock value and alerts as one group ("all", said as such) with
four charts that hold data; the product page dates the stock by its snapshot and names the
forecast method in a buyer's words (the model in a tooltip); the upload page's hint for a
batches file is a form hint with a batches example.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from test_dashboard_browser import CHARTS_DRAWN, Watch, _number, _serve, _shot

from stockwise.synthetic import generate

SNAPSHOT = "2024-04-05"
"""The inventory's snapshot date, given at upload: not the day the test runs."""
CHARTS_WITH_DATA = (
    "() => ['chart-alerts', 'chart-value', 'chart-sales', 'chart-stock'].map(id => "
    "(document.getElementById(id).data || []).reduce((n, t) => n + (t.y || [])"
    ".filter(v => Number(v) > 0).length, 0))"
)


def _upload_and_plan(base: str, key: str, tmp_path: Path) -> None:
    data = generate(sectors=("retail",), n_products=4, n_days=100, seed=5)
    inventory = data.inventory.drop(columns="sector").copy()
    inventory.loc[inventory.index[:2], "on_hand"] = 0  # two products run out: alerts
    tables = {"sales": data.sales.drop(columns="sector"), "inventory": inventory}
    headers = {"X-API-Key": key}
    with httpx.Client(base_url=f"{base}/api/v1", headers=headers, timeout=60) as client:
        for name, frame in tables.items():
            params = {"as_of": SNAPSHOT} if name == "inventory" else {}
            answer = client.post(
                f"/uploads/{name}",
                params=params,
                files={"file": (f"{name}.csv", frame.to_csv(index=False))},
            )
            assert answer.status_code == 200, answer.text
        run = client.post(
            "/runs", json={"kind": "plan", "sector": "retail", "models": ["SeasonalNaive"]}
        )
        assert run.status_code == 202, run.text
        deadline = time.monotonic() + 120
        while (record := client.get(f"/runs/{run.json()['id']}").json())["status"] not in (
            "succeeded",
            "failed",
        ):
            assert time.monotonic() < deadline, record
            time.sleep(0.3)
        assert record["status"] == "succeeded", record


@pytest.mark.slow
def test_overview_product_and_upload_pages_on_data_without_a_sector(
    browser: object, tmp_path: Path
) -> None:
    with _serve(tmp_path / "stockwise.db") as (base, key):
        _upload_and_plan(base, key, tmp_path)
        context = browser.new_context(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(30_000)
        watch = Watch(page, base)
        page.goto(f"{base}/upload")
        page.evaluate("k => localStorage.setItem('stockwise.apiKey', k)", key)

        page.goto(f"{base}/")
        page.wait_for_function(CHARTS_DRAWN, arg=4)
        page.wait_for_selector("#urgent-table tbody a")
        figures = dict(
            zip(
                page.locator("#kpis dt").all_inner_texts(),
                page.locator("#kpis dd").all_inner_texts(),
                strict=True,
            )
        )
        assert _number(figures["Products"]) == 4
        assert _number(figures["Stock value"].split()[0]) > 0
        assert _number(figures["All alerts"]) > 0
        assert all(n > 0 for n in page.evaluate(CHARTS_WITH_DATA))
        choices = page.locator("#sector option").all_inner_texts()
        assert choices == ["all sectors", "all products (no sector in the data)"]
        page.select_option("#sector", "all")  # the one group, chosen: the same figures
        page.wait_for_function(CHARTS_DRAWN, arg=4)
        chosen = page.locator("#kpis dd").first.inner_text()
        assert _number(chosen) == 4
        _shot(page, tmp_path, "10-overview-no-sector")

        product = page.locator("#urgent-table tbody a").first.inner_text()
        page.goto(f"{base}/product?id={product}")
        page.wait_for_function(CHARTS_DRAWN, arg=2)
        stock = page.locator("#stock-facts").inner_text()
        assert f"counted on {SNAPSHOT}" in stock
        names = page.evaluate(
            "() => document.getElementById('chart-demand').data.map(t => t.name).filter(Boolean)"
        )
        assert "forecast" in names and not any("[" in n or "Naive" in n for n in names)
        words = page.locator("#forecast-words")
        assert words.inner_text() == "same period last season"
        assert words.get_attribute("title") == "Model: SeasonalNaive"
        _shot(page, tmp_path, "11-product-no-sector")

        batches = tmp_path / "lots.csv"
        batches.write_text("sku,lot,quantite\nX,L1,3\n")  # no expiry date
        page.goto(f"{base}/upload")
        page.set_input_files("#batches-file", str(batches))
        page.click("#batches-form button")
        message = page.locator("#messages.error")
        message.wait_for()
        text = message.inner_text()
        assert "lots.csv" in text and "Column mapping" in text and "batch_id=Lot" in text
        assert "--" not in text and "y=Ventes" not in text
        context.close()
    assert [p for p in watch.problems if "422" not in p] == []  # (the refused batches file)
