"""`stockwise keys`, `stockwise db upgrade` and `stockwise serve` (uvicorn stubbed out)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.keys import find_key
from stockwise.api.settings import Settings
from stockwise.cli.app import app

runner = CliRunner()


@pytest.fixture
def url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'cli.db'}"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_keys_create_list_revoke(url: str) -> None:
    code, output = run("keys", "create", "--name", "erp", "--scope", "write", "--database-url", url)
    assert code == 0
    key = output.strip().splitlines()[-1]
    storage = Storage(url)
    with storage.session() as session:
        info = find_key(session, key)
    assert info is not None and (info.name, info.scope) == ("erp", "write")
    code, output = run("keys", "list", "--database-url", url)
    assert code == 0 and key[:10] in output and "active" in output and key not in output
    assert run("keys", "revoke", key[:10], "--database-url", url)[0] == 0
    with storage.session() as session:
        assert find_key(session, key) is None
    code, output = run("keys", "revoke", "sw_nothing", "--database-url", url)
    assert code == 2 and "no active key" in output
    code, output = run("keys", "create", "--name", "x", "--scope", "admin", "--database-url", url)
    assert code == 2 and "read or write" in output
    storage.dispose()


def test_db_upgrade_reports_the_revision(url: str) -> None:
    code, output = run("db", "upgrade", "--database-url", url)
    assert code == 0 and "revision 0002" in output


def test_serve_passes_settings_to_uvicorn(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setenv("STOCKWISE_PORT", "9123")
    monkeypatch.setenv("STOCKWISE_MAX_UPLOAD_MB", "3")
    code, output = run("serve", "--database-url", url, "--host", "0.0.0.0")
    assert code == 0, output
    assert (seen["host"], seen["port"]) == ("0.0.0.0", 9123)
    settings: Settings = seen["app"].state.settings
    assert settings.database_url == url and settings.max_upload_bytes == 3 * 1024 * 1024
    assert "http://0.0.0.0:9123/" in output


def test_serve_takes_the_dashboard_language(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    seen: dict = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    code, output = run("serve", "--database-url", url, "--lang", "FR")
    assert code == 0, output
    assert seen["app"].state.settings.lang == "fr"
    code, output = run("serve", "--database-url", url, "--lang", "de")
    assert code == 2 and "unknown language 'de'" in output
