"""The web dashboard (placeholder until the dashboard pages land).

``mount_dashboard(app)`` is the one hook the app calls; the dashboard owns this module,
``static/`` and ``templates/``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>stockwise</title></head>
<body><h1>stockwise</h1>
<p>The dashboard is coming. Meanwhile: <a href="/docs">API documentation</a>,
<a href="/health">health</a>.</p></body></html>
"""


def mount_dashboard(app: FastAPI) -> None:
    """Serve the dashboard's pages at ``/``."""

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return _PAGE
