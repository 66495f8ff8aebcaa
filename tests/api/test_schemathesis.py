"""Schemathesis over every operation of the OpenAPI document: no server error, and every
answer's status and body as the document declares them, with a key and without.

Hypothesis generates each operation's parameters and bodies from the schema (valid and
invalid ones); the checks are the acceptance of issue 17. Runs on SQLite (PostgreSQL's
answers go through the same handlers; its specific limits are tested in
``test_hostile_inputs.py`` on both databases).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator

import pytest

schemathesis = pytest.importorskip("schemathesis")

from api_helpers import make_keys  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from stockwise.api.app import create_app  # noqa: E402
from stockwise.api.settings import Settings  # noqa: E402

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
_FOLDER = tempfile.mkdtemp(prefix="stockwise-schemathesis-")
APP = create_app(Settings(database_url=f"sqlite:///{_FOLDER}/db.sqlite", max_upload_mb=1))
APP.state.storage.upgrade()  # what the lifespan does; schemathesis calls the app directly
READ, WRITE = make_keys(APP)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup() -> Iterator[None]:
    yield
    APP.state.runs.shutdown()
    APP.state.storage.dispose()
    shutil.rmtree(_FOLDER, ignore_errors=True)


EXAMPLES = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@schema.parametrize()
@EXAMPLES
@pytest.mark.slow
def test_every_operation_answers_as_declared_with_a_key(case) -> None:
    case.call_and_validate(headers=WRITE, checks=CHECKS)


@schema.parametrize()
@EXAMPLES
@pytest.mark.slow
def test_every_operation_answers_as_declared_without_a_key(case) -> None:
    case.call_and_validate(checks=CHECKS)
