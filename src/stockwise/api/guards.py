"""Every answer's security headers, and requests no route should see (a NUL in the URL).

Pure ASGI middleware, so it covers every route, the dashboard and errors alike:

- ``X-Content-Type-Options: nosniff`` on every answer: a browser never guesses that an
  uploaded-then-exported file or a JSON answer is HTML or script.
- ``Cache-Control: no-store`` on JSON answers: they carry stock and sales data fetched
  with a key, which shared caches and the browser's disk must not keep.
- A content security policy on HTML answers that set none (pages that need more, such as
  ``/docs`` with its inline script, set their own).
- A NUL character in the path or the query (``%00``) is answered 422 here: no id or
  filter holds one, SQLite would compare it and PostgreSQL refuse it with a 500.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'self'; form-action 'self'"
)


class SecurityHeaders:
    """Pure ASGI middleware adding the headers above and refusing NULs in URLs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("query_string", b"").lower():
            await _refuse_nul(send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secured(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, with_headers)


def _secured(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    names = {name.lower() for name, _ in headers}
    kind = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    extra = [(b"x-content-type-options", b"nosniff")]
    if kind.startswith(b"application/json") and b"cache-control" not in names:
        extra.append((b"cache-control", b"no-store"))
    if kind.startswith(b"text/html") and b"content-security-policy" not in names:
        extra.append((b"content-security-policy", HTML_CSP.encode()))
    return headers + [(n, v) for n, v in extra if n not in names]


async def _refuse_nul(send: Send) -> None:
    body = json.dumps(
        {
            "error": {
                "status": 422,
                "code": "invalid_request",
                "message": (
                    "the URL holds a NUL character (%00); no id, name or filter can hold one"
                ),
                "hint": None,
                "file": None,
                "row": None,
                "column": None,
                "issues": [],
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                (b"x-content-type-options", b"nosniff"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
