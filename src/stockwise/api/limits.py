"""The upload size limit, enforced before the multipart body is parsed.

Two checks, because a client may lie or stream: the declared ``Content-Length`` (answered
at once), and the bytes actually received (counted while buffering; the request is
answered 413 as soon as the count passes the limit, without parsing anything).
Every POST is limited, not only the upload paths: behind a proxy with a root path the
request path carries a prefix, and a path test would let such uploads through unlimited;
no other POST body comes anywhere near the limit.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class UploadLimit:
    """Pure ASGI middleware: 413 for uploads over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send, int(declared))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(send, size)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replay: list[Message] = [
            {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        ]

        async def replayed() -> Message:
            return replay.pop() if replay else await receive()

        await self.app(scope, replayed, send)

    async def _too_large(self, send: Send, size: int) -> None:
        limit_mb = self.max_bytes / 1024 / 1024
        body = json.dumps(
            {
                "error": {
                    "status": 413,
                    "code": "too_large",
                    "message": f"the upload is larger than the limit of {limit_mb:g} MB "
                    f"({size} bytes received or declared)",
                    "hint": "Split the file, or raise STOCKWISE_MAX_UPLOAD_MB on the server.",
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
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
