"""The dashboard in French (``?lang=fr``), in a real headless Chromium: the page's own
texts, the tables' headers and codes, the API's sentences, numbers and dates in French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from test_dashboard_browser import CHARTS_DRAWN, Watch, _serve, _shot
from test_dashboard_no_sector import SNAPSHOT, _upload_and_plan


@pytest.mark.slow
def test_the_dashboard_speaks_french(browser: object, tmp_path: Path) -> None:
    with _serve(tmp_path / "stockwise.db") as (base, key):
        _upload_and_plan(base, key, tmp_path)
        context = browser.new_context(viewport={"width": 1300, "height": 900})  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(30_000)
        watch = Watch(page, base)
        page.goto(f"{base}/upload")
        page.evaluate("k => localStorage.setItem('stockwise.apiKey', k)", key)

        page.goto(f"{base}/?lang=fr")
        page.wait_for_function(CHARTS_DRAWN, arg=4)
        page.wait_for_selector("#urgent-table tbody a")
        assert page.locator("html").get_attribute("lang") == "fr"
        assert page.locator("header.top nav ul a").all_inner_texts()[:2] == [
            "Vue d'ensemble",
            "Liste de commandes",
        ]
        assert page.locator("#kpi-title").inner_text() == "Chiffres clés"
        figures = dict(
            zip(
                page.locator("#kpis dt").all_inner_texts(),
                page.locator("#kpis dd").all_inner_texts(),
                strict=True,
            )
        )
        assert "Produits" in figures and "Valeur du stock" in figures
        assert re.fullmatch("\\d{1,3}(\u202f\\d{3})+", figures["Valeur du stock"]), figures
        headers = page.locator("#urgent-table th").all_inner_texts()
        assert "Urgence" in headers and "Rupture si rien n'est commandé" in headers
        badges = set(page.locator("#urgent-table .badge").all_inner_texts())
        assert badges and badges <= {
            "commander maintenant",
            "à risque",
            "commander bientôt",
            "planifié",
            "aucune action",
        }
        assert page.locator("#urgent-table a").first.get_attribute("href").endswith("lang=fr")
        _shot(page, tmp_path, "20-overview-fr")

        page.goto(f"{base}/alerts?lang=fr")
        page.wait_for_selector("#alerts-table tbody td.wrap")
        messages = page.locator("#alerts-table td.wrap").all_inner_texts()
        assert messages and all("chance" not in m and "units" not in m for m in messages)
        assert any("rupture" in m for m in messages)

        page.goto(f"{base}/product?id={page.locator('#alerts-table a').first.inner_text()}&lang=fr")
        page.wait_for_function(CHARTS_DRAWN, arg=2)
        day, month, year = SNAPSHOT[8:], SNAPSHOT[5:7], SNAPSHOT[:4]
        facts = page.locator("#stock-facts").inner_text()
        assert f"compté le {day}/{month}/{year}, date de l'inventaire" in facts
        assert page.locator("#forecast-words").inner_text() == "même période la saison passée"

        page.goto(f"{base}/runs?lang=fr")
        model = page.locator("#runs-table abbr.model").first
        model.wait_for()
        assert model.inner_text() == "même période la saison passée"  # not "SeasonalNaive"
        assert model.get_attribute("title") == "Modèle : SeasonalNaive"
        assert "Lancer un calcul" in page.locator("#h-start").inner_text()
        context.close()
    assert watch.problems == []
