"""``/docs``: the API reference rendered from ``/openapi.json`` by a page with no CDN.

FastAPI's default Swagger UI loads its scripts from a CDN; the dashboard promises every
asset is served locally, so this small self-contained page lists the operations, their
parameters and bodies instead, and links the raw schema.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

_PAGE = Path(__file__).with_name("docs.html")


def mount_docs(app: FastAPI) -> None:
    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> str:
        return _PAGE.read_text(encoding="utf-8")
