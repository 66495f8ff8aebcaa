"""Request dependencies: the app's storage and the caller's key with its scope."""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from stockwise.adapters.storage import Storage
from stockwise.adapters.storage.keys import KeyInfo, find_key
from stockwise.api.errors import ApiError

API_KEY_HEADER = "X-API-Key"
KEY_CACHE_SECONDS = 10.0
"""A revoked key stops working within this many seconds (saves a query per request)."""
_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="An API key from `stockwise keys create`."
)


async def get_storage(request: Request) -> Storage:
    return request.app.state.storage


async def _caller(request: Request, key: str | None) -> KeyInfo:
    """The key's owner and scope; cached for a few seconds (async: no thread hop on a hit)."""
    if not key:
        raise ApiError(
            401,
            f"missing API key: send it in the {API_KEY_HEADER} header",
            hint="Create one with `stockwise keys create --scope read --name me`.",
            headers={"WWW-Authenticate": "APIKey"},
        )
    cache: dict[str, tuple[KeyInfo, float]] = request.app.state.key_cache
    hit = cache.get(key)
    if hit is not None and hit[1] > time.monotonic():
        return hit[0]
    info = await run_in_threadpool(_lookup, request.app.state.storage, key)
    if info is None:
        cache.pop(key, None)
        raise ApiError(401, "unknown or revoked API key", headers={"WWW-Authenticate": "APIKey"})
    cache[key] = (info, time.monotonic() + KEY_CACHE_SECONDS)
    return info


def _lookup(storage: Storage, key: str) -> KeyInfo | None:
    with storage.session() as session:
        return find_key(session, key)


async def read_key(request: Request, key: Annotated[str | None, Depends(_header)]) -> KeyInfo:
    """Any active key (read or write)."""
    return await _caller(request, key)


async def write_key(request: Request, key: Annotated[str | None, Depends(_header)]) -> KeyInfo:
    """A key with the write scope."""
    info = await _caller(request, key)
    if not info.allows("write"):
        raise ApiError(403, f"the key '{info.name}' has the read scope; this needs a write key")
    return info


StorageDep = Annotated[Storage, Depends(get_storage)]
ReadKey = Annotated[KeyInfo, Depends(read_key)]
WriteKey = Annotated[KeyInfo, Depends(write_key)]
