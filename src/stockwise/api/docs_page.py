"""``/docs``: the API reference rendered from ``/openapi.json`` by a page with no CDN.

FastAPI's default Swagger UI loads its scripts from a CDN; the dashboard promises every
asset is served locally, so this small self-contained page lists the operations, their
parameters and bodies instead, and links the raw schema. Its content security policy
allows its own inline script and style by their hashes, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

_PAGE = Path(__file__).with_name("docs.html")


def _csp(page: str) -> str:
    def hashes(tag: str) -> str:
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)
        return " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
            for b in blocks
        )

    return (
        f"default-src 'none'; script-src {hashes('script')}; "
        f"style-src {hashes('style')}; connect-src 'self'; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'self'"
    )


def mount_docs(app: FastAPI) -> None:
    page = _PAGE.read_text(encoding="utf-8")
    policy = _csp(page)

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page, headers={"Content-Security-Policy": policy})
