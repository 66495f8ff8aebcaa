"""Helpers of the API tests: a client with keys, a tiny dataset, uploads."""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi.testclient import TestClient

from stockwise.adapters.storage.keys import create_key

RUN = {"kind": "plan", "models": ["SeasonalNaive"], "n_windows": 1}
"""A quick plan run: one cheap model, one backtest window."""


@dataclass
class Api:
    """A test client plus one key of each scope."""

    client: TestClient
    read: dict[str, str]
    write: dict[str, str]

    @property
    def app(self):
        return self.client.app


def make_keys(app) -> tuple[dict[str, str], dict[str, str]]:
    with app.state.storage.transaction() as session:
        read = create_key(session, "reader", "read")
        write = create_key(session, "writer", "write")
    return {"X-API-Key": read}, {"X-API-Key": write}


def demo_frames(seed: int = 11, n_days: int = 70):
    """A tiny dataset: two sectors, two products each (stockwise.synthetic)."""
    from stockwise.synthetic import generate

    return generate(sectors=("retail", "pharmacy"), n_products=4, n_days=n_days, seed=seed)


def upload(
    client: TestClient,
    headers: dict[str, str],
    table: str,
    name: str,
    content: bytes,
    **params: str,
):
    return client.post(
        f"/api/v1/uploads/{table}", params=params, headers=headers, files={"file": (name, content)}
    )


def csv_bytes(frame) -> bytes:
    return frame.to_csv(index=False).encode()


def wait(client: TestClient, headers: dict, run_id: str, seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        record = client.get(f"/api/v1/runs/{run_id}", headers=headers).json()
        if record["status"] in ("succeeded", "failed", "cancelled"):
            return record
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {record['status']} after {seconds} s")
