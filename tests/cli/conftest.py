"""CLI test set-up: a wide console, so tables are not wrapped mid-word in assertions."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stockwise.cli.app import console, err_console


@pytest.fixture(autouse=True)
def wide_console() -> Iterator[None]:
    saved = console.width, err_console.width
    console.width = err_console.width = 200
    yield
    console.width, err_console.width = saved
