"""Schemathesis against /openapi.json: no generated request may get a 5xx or an undocumented answer.

Runs in-process against the ASGI app, signed in with an owner's API token, on both engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

from myomap.records.db import Database

if TYPE_CHECKING:
    from fastapi import FastAPI

    from myomap.config import Settings
    from tests.conftest import World
    from tests.web.conftest import ApiToken


@pytest.fixture
def web_db(database: Database) -> Database:
    """Both engines here (the web fixtures default to SQLite)."""
    return database


@pytest.fixture
def fuzz_app(web_settings: Settings, web_db: Database, people: World) -> FastAPI:
    from myomap.web.app import create_app

    return create_app(web_settings, database=web_db)


MAX_EXAMPLES = 12
"""Generated requests per operation (about 30 operations: well under a minute per engine)."""


def test_no_request_gets_a_server_error_or_an_undocumented_answer(
    fuzz_app: FastAPI, people: World, api_token: ApiToken
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    auth = {"Authorization": f"Bearer {api_token(people.owner)}"}
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operations.append(result.ok())
    assert len(operations) > 20

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(headers=auth, checks=[not_a_server_error, response_schema_conformance])

        check()
