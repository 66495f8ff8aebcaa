"""The dashboard's pages and assets, served by the API app (no browser needed).

Every page is a shell whose scripts call the JSON API, so what can break here is the
serving itself: a page that does not render, an asset that is referenced but missing,
plotly.js not found in the installed package, or a reference to a remote host.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from stockwise.api.app import API_PREFIX, create_app
from stockwise.api.dashboard import CSP, HERE, NAV, PAGES
from stockwise.api.settings import Settings

LOCAL_REF = re.compile(r'(?:src|href)="(/[^"]*)"')
REMOTE = re.compile(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", re.IGNORECASE)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("dashboard") / "stockwise.db"
    with TestClient(create_app(Settings(database_url=f"sqlite:///{db}"))) as test_client:
        yield test_client


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_without_a_key(client: TestClient, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    html = answer.text
    assert f"<title>{PAGES[path][1]} · stockwise</title>" in html
    assert f'data-api="{API_PREFIX}"' in html
    assert answer.headers["content-security-policy"] == CSP  # nothing from other hosts
    assert 'id="key-form"' in html  # the key is pasted on any page
    for nav_path in NAV:
        assert f'href="{nav_path}"' in html
    assert html.count('aria-current="page"') == (1 if path in NAV else 0)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_local_reference_is_served(client: TestClient, path: str) -> None:
    refs = set(LOCAL_REF.findall(client.get(path).text)) - set(PAGES)
    assert "/static/js/common.js" in refs
    for ref in refs:
        answer = client.get(ref)
        assert answer.status_code == 200, ref
        assert len(answer.content) > 100, ref


def test_plotly_comes_from_the_installed_package(client: TestClient) -> None:
    answer = client.get("/vendor/plotly.min.js")
    assert answer.status_code == 200
    assert "javascript" in answer.headers["content-type"]
    assert "max-age" in answer.headers["cache-control"]
    shipped = Path(str(files("plotly") / "package_data" / "plotly.min.js")).read_bytes()
    assert answer.content == shipped
    assert not list(HERE.rglob("plotly*.js"))  # not copied into the repository


def test_pages_with_charts_load_plotly_and_the_rest_do_not(client: TestClient) -> None:
    for path in PAGES:
        with_plotly = "/vendor/plotly.min.js" in client.get(path).text
        assert with_plotly == (path in {"/", "/product"}), path


def test_no_asset_points_at_a_remote_host() -> None:
    sources = [p for p in HERE.rglob("*") if p.suffix in {".html", ".js", ".css"}]
    assert len(sources) >= 10
    for path in sources:
        assert not REMOTE.findall(path.read_text()), path


def test_every_page_script_exists_and_uses_the_shared_client() -> None:
    scripts = {p.name for p in (HERE / "static" / "js").glob("*.js")}
    for template, _ in PAGES.values():
        html = (HERE / "templates" / template).read_text()
        page_scripts = re.findall(r'src="/static/js/([^"]+)"', html)
        assert page_scripts, template
        for name in page_scripts:
            assert name in scripts
            if name != "common.js":
                assert "SW.start(" in (HERE / "static" / "js" / name).read_text(), name
