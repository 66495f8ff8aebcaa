"""The dashboard in a real headless Chromium, against a live server on loopback.

upload (sales with one bad row, inventory, batches) → start a run → wait for success →
overview → product page → alerts → order list → Excel export, the way a user does it,
with the API key pasted once. Every page must draw real numbers and charts, log no
console error and ask nothing of any host but the server.

Needs Debian's ``chromium`` (/usr/bin/chromium, or STOCKWISE_CHROMIUM) and the
``playwright`` Python package; Playwright's own browser download is not used. Screenshots
go to the test's tmp dir, and also to ``$STOCKWISE_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pandas as pd
import pytest

pytest.importorskip("fastapi")
uvicorn = pytest.importorskip("uvicorn")

from openpyxl import load_workbook  # noqa: E402

from stockwise.adapters.storage import Storage  # noqa: E402
from stockwise.adapters.storage.keys import create_key  # noqa: E402
from stockwise.api.app import create_app  # noqa: E402
from stockwise.api.settings import Settings  # noqa: E402
from stockwise.synthetic import generate, write_synthetic  # noqa: E402

CHARTS_DRAWN = (
    "n => [...document.querySelectorAll('.js-plotly-plot')]"
    ".filter(d => d._fullLayout && d.data && d.data.length).length >= n"
)
BAD_ROW = "RET-00001,2024-13-45,3,retail,SKU-RET00001,STORE-01,apparel,10.0,0,5\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """A live server on a free loopback port: (base URL, write key, data folder)."""
    root = tmp_path_factory.mktemp("dashboard-browser")
    data = generate(n_products=6, n_days=150, seed=3)
    write_synthetic(data, root / "data", fmt="csv")
    with (root / "data" / "sales.csv").open("a") as sales:
        sales.write(BAD_ROW)  # one row the validation must quarantine
    with _serve(root / "stockwise.db") as (base, key):
        yield base, key, root / "data"


@contextmanager
def _serve(database: Path) -> Iterator[tuple[str, str]]:
    """A live server on a free loopback port over a new SQLite database: (URL, write key)."""
    url = f"sqlite:///{database}"
    storage = Storage(url)
    storage.upgrade()
    with storage.transaction() as session:
        key = create_key(session, "browser-test", "write")
    storage.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(Settings(database_url=url)), host="127.0.0.1", port=port, log_level="warning"
    )
    live = uvicorn.Server(config)
    thread = threading.Thread(target=live.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not live.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", key
    finally:
        live.should_exit = True
        thread.join(timeout=30)


class Watch:
    """Console errors, page errors, failed responses and requests to other hosts."""

    def __init__(self, page: object, base: str) -> None:
        self.problems: list[str] = []
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console: {m.text}")  # type: ignore
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))  # type: ignore
        page.on(
            "request",
            lambda r: (
                self.problems.append(f"remote request: {r.url}")  # type: ignore
                if not r.url.startswith((base, "data:", "blob:"))
                else None
            ),
        )
        page.on(
            "response",
            lambda r: (
                self.problems.append(  # type: ignore
                    f"HTTP {r.status}: {r.url}"
                )
                if r.status >= 400
                else None
            ),
        )


def _shot(page: object, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    assert path.stat().st_size > 20_000
    extra = os.environ.get("STOCKWISE_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / path.name)


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("%", "").strip())


@pytest.mark.slow
def test_upload_run_dashboard_and_export(
    browser: object, server: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, key, data = server
    context = browser.new_context(
        viewport={"width": 1300, "height": 900},  # type: ignore
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    watch = Watch(page, base)

    try:
        _walk_through(page, base, key, data, tmp_path)
    except Exception as error:  # say what the page said, not only which wait timed out
        message = page.locator("#messages").inner_text()
        raise AssertionError(
            f"{error}\npage message: {message!r}\nproblems: {watch.problems}"
        ) from error
    context.close()
    assert watch.problems == []


def _walk_through(page: object, base: str, key: str, data: Path, tmp_path: Path) -> None:
    # The key, pasted once, on the upload page.
    page.goto(f"{base}/upload")
    page.fill("#api-key", key)
    page.click("#key-form button")
    page.wait_for_selector("#key-state:has-text('key saved')")

    # Uploads: the accounting and the quarantined row are shown.
    page.set_input_files("#sales-file", str(data / "sales.csv"))
    page.click("#sales-form button")
    page.wait_for_selector("#result:not([hidden])")
    page.wait_for_selector("#h-result:has-text('sales')")
    accounting = dict(
        zip(
            page.locator("#accounting dt").all_inner_texts(),
            page.locator("#accounting dd").all_inner_texts(),
            strict=True,
        )
    )
    n_rows = sum(1 for _ in (data / "sales.csv").open()) - 1
    assert _number(accounting["Rows read"]) == n_rows
    assert _number(accounting["Quarantined"]) == 1
    assert _number(accounting["Accepted"]) == n_rows - 1
    assert "2024-13-45" in page.locator("#quarantine").inner_text()
    _shot(page, tmp_path, "01-upload-sales")
    for table in ("inventory", "batches"):
        page.set_input_files(f"#{table}-file", str(data / f"{table}.csv"))
        page.click(f"#{table}-form button")
        page.wait_for_selector(f"#h-result:has-text('{table}')")
        assert page.locator("#accounting dd").nth(2).inner_text() == "0"  # none quarantined

    # Start a run (the fastest model) and follow it until it succeeds.
    page.click("nav >> text=Runs")
    page.select_option("#run-models", "Naive")
    page.fill("#run-currency", "usd")
    page.click("#start-run")
    # The run shows up as a progress bar while queued / running, or already finished on a
    # fast machine: wait for either, then for success.
    page.wait_for_selector("#runs-table progress, #runs-table .badge.succeeded")
    page.wait_for_selector("#runs-table .badge.succeeded", timeout=90_000)
    page.wait_for_selector("#start-messages:has-text('succeeded')")
    assert page.locator("#runs-table progress").count() == 0
    assert page.locator("#runs-table .badge.failed").count() == 0
    assert "products" in page.locator("#runs-table tbody tr").first.inner_text()
    assert " USD" in page.locator("#runs-table tbody tr").first.inner_text()  # the bill
    _shot(page, tmp_path, "02-runs")

    # Overview: key figures and four drawn charts.
    page.click("nav >> text=Overview")
    page.wait_for_function(CHARTS_DRAWN, arg=4)
    page.wait_for_selector("#urgent-table tbody a")
    figures = dict(
        zip(
            page.locator("#kpis dt").all_inner_texts(),
            page.locator("#kpis dd").all_inner_texts(),
            strict=True,
        )
    )
    assert _number(figures["Products"]) == 6
    assert _number(figures["Stock value"]) > 0
    assert page.locator("#sectors-table tbody tr").count() == 3
    _shot(page, tmp_path, "03-overview")

    # Product page of the most urgent line: plan facts, demand band and stock projection.
    first = page.locator("#urgent-table tbody a").first
    product = first.inner_text()
    first.click()
    page.wait_for_function(CHARTS_DRAWN, arg=2)
    assert page.locator("#page-title").inner_text() == f"Product {product}"
    facts = page.locator("#facts").inner_text()
    assert "Reorder point" in facts and "Runs out if nothing is ordered" in facts
    traces = page.evaluate(
        "() => document.getElementById('chart-demand').data"
        ".map(t => ({name: t.name, x: t.x, y: t.y}))"
    )
    names = [str(t["name"]) for t in traces]
    assert any(n.startswith("forecast") for n in names) and any("interval" in n for n in names)
    _check_history(traces[0], data / "sales.csv", product)
    stock = page.evaluate("() => document.getElementById('chart-stock').data[0].y.length")
    assert stock > 7
    _shot(page, tmp_path, "04-product")

    # Alerts, filtered by sector.
    page.click("nav >> text=Alerts")
    page.wait_for_selector("#alerts-summary:not(:empty)")
    expected = httpx.get(
        f"{base}/api/v1/alerts", params={"sector": "pharmacy"}, headers={"X-API-Key": key}
    ).json()["total"]
    page.select_option("#sector", "pharmacy")
    page.wait_for_selector(
        f"#alerts-summary:has-text('{expected} alerts')"
        if expected
        else "#alerts-summary:has-text('No alerts')"
    )
    sectors = page.locator("#alerts-table tbody td:nth-child(4)").all_inner_texts()
    assert sectors == ["pharmacy"] * expected
    with page.expect_download() as download:
        page.click("#export-csv")
    exported = pd.read_csv(download.value.path())
    assert len(exported) == expected and set(exported["sector"]) <= {"pharmacy"}
    _shot(page, tmp_path, "05-alerts")

    # Order list and its Excel export.
    page.click("nav >> text=Order list")
    page.wait_for_selector("#orders-summary:not(:empty)")
    lines = page.locator("#orders-table tbody tr").count()
    assert lines == 6
    assert page.locator("#orders-table tbody .badge").count() == 6
    assert "USD in total" in page.locator("#orders-summary").inner_text()
    with page.expect_download() as download:
        page.click("#export-xlsx")
    saved = tmp_path / "orders.xlsx"
    download.value.save_as(saved)
    book = load_workbook(saved, read_only=True)
    assert book.sheetnames == ["Orders", "Totals", "Plan", "Alerts", "Settings"]
    plan_rows = list(book["Plan"].iter_rows(values_only=True))
    assert "unique_id" in plan_rows[0] or "product_id" in plan_rows[0]
    assert len(plan_rows) - 1 == lines
    page.wait_for_selector("#messages:has-text('downloaded')")
    _shot(page, tmp_path, "06-orders")


def _upload_page(browser: object, base: str, key: str) -> tuple[object, list[str]]:
    """A fresh page on the upload screen, signed in with ``key``; the list collects the
    page's script errors."""
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/upload")
    page.evaluate("k => localStorage.setItem('stockwise.apiKey', k)", key)
    page.reload()
    return page, errors


def test_a_malformed_upload_shows_what_is_wrong(
    browser: object, server: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, key, _ = server
    bad = tmp_path / "stock.csv"
    bad.write_text("unique_id,lead_time_days\nRET-00001,3\n")  # no on_hand column
    page, errors = _upload_page(browser, base, key)
    page.set_input_files("#inventory-file", str(bad))
    page.click("#inventory-form button")
    message = page.locator("#messages.error")
    message.wait_for()
    text = message.inner_text()
    assert "stock.csv" in text and "on_hand" in text
    assert page.locator("#result").is_hidden()

    # The same kind of file with its own header name, mapped on the form, is accepted.
    mapped = tmp_path / "stock_mapped.csv"
    mapped.write_text("unique_id,QtyOnShelf\nRET-00001,42\n")
    page.set_input_files("#inventory-file", str(mapped))
    page.fill("#inventory-form input[name=map]", "on_hand=QtyOnShelf")
    page.click("#inventory-form button")
    page.wait_for_selector("#h-result:has-text('stock_mapped.csv')")
    assert page.locator("#accounting dd").nth(1).inner_text() == "1"  # accepted
    assert errors == []
    page.close()


@pytest.mark.slow
def test_planned_inputs_upload_and_a_run_with_drivers(
    browser: object, server: tuple[str, str, Path], tmp_path: Path
) -> None:
    base, key, data = server
    with httpx.Client(base_url=base, headers={"X-API-Key": key}) as client:
        sales = (data / "sales.csv").read_bytes()
        assert (
            client.post("/api/v1/uploads/sales", files={"file": ("sales.csv", sales)}).status_code
            == 200
        )
    page, errors = _upload_page(browser, base, key)
    bad = tmp_path / "promos.csv"
    bad.write_text("unique_id,ds,promo\nRET-00001,2030-01-01,1\nRET-00001,2030-01-02,yes\n")
    page.set_input_files("#planned-file", str(bad))
    page.click("#planned-form button")
    message = page.locator("#messages.error")
    message.wait_for()
    assert "promos.csv" in message.inner_text() and "row 3" in message.inner_text()
    assert "'promo'" in message.inner_text()
    good = tmp_path / "promos_ok.csv"
    good.write_text("unique_id,ds,promo\nRET-00001,2030-01-01,1\nRET-00001,2030-01-02,0\n")
    page.set_input_files("#planned-file", str(good))
    page.click("#planned-form button")
    page.wait_for_selector("#h-result:has-text('planned from promos_ok.csv')")
    assert page.locator("#accounting dd").nth(1).inner_text() == "2"  # accepted

    # A run naming a driver nobody planned fails at once, saying what to upload.
    page.click("nav >> text=Runs")
    page.fill("#run-drivers", "discount")
    page.click("#start-run")
    page.wait_for_selector("#start-messages:has-text('failed')", timeout=60_000)
    assert "uploads/planned" in page.locator("#start-messages").inner_text()
    assert errors == []
    page.close()


def _check_history(trace: dict, sales_csv: Path, product: str) -> None:
    """The drawn history is the product's sales summed to the forecast's period."""
    period = str(trace["name"]).removeprefix("sales per ")
    assert period in ("day", "week", "month")
    sales = pd.read_csv(sales_csv)
    sales = sales[(sales["unique_id"] == product) & (sales["ds"] != "2024-13-45")]
    daily = sales.set_index(pd.to_datetime(sales["ds"]))["y"]
    step = {"day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7)}
    assert len(trace["x"]) >= 3
    for start, value in zip(trace["x"], trace["y"], strict=True):
        begin = pd.Timestamp(start)
        end = begin + step[period] if period in step else begin + pd.offsets.MonthBegin()
        assert value == pytest.approx(daily[(daily.index >= begin) & (daily.index < end)].sum())
        if period == "week":
            assert begin.dayofweek == 0


def test_docs_page_renders_under_its_content_security_policy(
    browser: object, server: tuple[str, str, Path]
) -> None:
    """/docs allows only its own inline script and style (by hash): the page still lists
    every operation, and the browser reports no blocked script or style."""
    base, _, _ = server
    page = browser.new_page()  # type: ignore[attr-defined]
    watch = Watch(page, base)
    answer = page.goto(f"{base}/docs")
    policy = answer.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy
    page.wait_for_selector("code:has-text('/api/v1/runs')")
    assert page.locator("div.op").count() >= 20
    assert watch.problems == []
    page.close()


@pytest.mark.slow
def test_sales_without_a_sector_are_planned_under_the_profile_chosen(
    browser: object, tmp_path: Path
) -> None:
    """The Runs page offers the profiles when the sales have no sector; the run it starts
    states that profile and gives the command line's bill for the same choice."""
    from typer.testing import CliRunner

    from stockwise.cli.app import app as cli

    data = generate(sectors=("pharmacy",), n_products=4, n_days=100, seed=8)
    files = {name: tmp_path / f"{name}.csv" for name in ("sales", "inventory")}
    data.sales.drop(columns="sector").to_csv(files["sales"], index=False)
    data.inventory.drop(columns="sector").to_csv(files["inventory"], index=False)
    done = CliRunner().invoke(
        cli,
        [
            "plan",
            str(files["sales"]),
            "--inventory",
            str(files["inventory"]),
            "--sector",
            "pharmacy",
            "--models",
            "SeasonalNaive",
            "--no-track",
            "--out",
            str(tmp_path / "cli"),
        ],
    )
    assert done.exit_code == 0, done.output
    cli_bill = pd.read_csv(tmp_path / "cli" / "plan.csv")["order_value"].sum()
    with _serve(tmp_path / "stockwise.db") as (base, key):
        headers = {"X-API-Key": key}
        for name, path in files.items():
            with path.open("rb") as handle:
                answer = httpx.post(
                    f"{base}/api/v1/uploads/{name}",
                    headers=headers,
                    files={"file": (path.name, handle)},
                )
            assert answer.status_code == 200, answer.text
        page = browser.new_context().new_page()  # type: ignore[attr-defined]
        page.set_default_timeout(30_000)
        watch = Watch(page, base)
        page.goto(f"{base}/runs")
        page.fill("#api-key", key)
        page.click("#key-form button")
        page.wait_for_selector("#run-sector-label:has-text('Profile')")
        assert page.locator("#profile-hint").is_visible()
        page.select_option("#run-sector", "pharmacy")
        page.select_option("#run-models", "SeasonalNaive")
        page.click("#start-run")
        page.wait_for_selector("#runs-table .badge.succeeded", timeout=90_000)
        _shot(page, tmp_path, "09-runs-profile")
        row = page.locator("#runs-table tbody tr").first.inner_text()
        assert "all: " not in row and "pharmacy: profile pharmacy" in row
        lines = httpx.get(
            f"{base}/api/v1/plan", params={"page_size": 1000}, headers=headers
        ).json()["items"]
        page.context.close()
    assert sum(x["order_value"] for x in lines) == pytest.approx(cli_bill, rel=1e-9)
    assert watch.problems == []
