"""API keys: random tokens shown once, stored as a SHA-256 hash with a short prefix.

The tokens carry 256 bits of randomness, so a plain (fast) hash is enough: nobody can
guess a preimage, and a stolen database gives no usable key. The prefix lets people
recognise and revoke a key without ever seeing it again.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from stockwise.adapters.storage.models import ApiKey, utcnow

SCOPES = ("read", "write")
TOKEN_PREFIX = "sw_"
PREFIX_LENGTH = 10
"""Characters of a key kept in the clear to name it in lists (the rest is only hashed)."""


@dataclass(frozen=True)
class KeyInfo:
    """What the API knows about the caller: never the key itself."""

    id: int
    name: str
    scope: str
    prefix: str

    def allows(self, scope: str) -> bool:
        return self.scope == "write" or scope == "read"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, name: str, scope: str) -> str:
    """Store a new key and return it (the only time it is visible)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(name=name, scope=scope, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key)))
    return key


def find_key(session: Session, key: str) -> KeyInfo | None:
    """The active key matching ``key``, or ``None`` (unknown or revoked)."""
    row = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_key(key), ApiKey.revoked_at.is_(None))
    )
    return None if row is None else KeyInfo(row.id, row.name, row.scope, row.prefix)


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_key(session: Session, prefix: str) -> int:
    """Revoke the active key whose 10-character prefix (as ``keys list`` shows it, or the
    whole key) is ``prefix``; return how many (0 or 1, barring a prefix collision).

    An exact match, not "starts with": a short prefix such as ``sw_`` would otherwise
    revoke every key at once.
    """
    if len(prefix) < PREFIX_LENGTH:
        return 0
    rows = session.scalars(
        select(ApiKey).where(ApiKey.prefix == prefix[:PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = utcnow()
    return len(rows)
