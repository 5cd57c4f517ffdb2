"""Fuzz the API with schemathesis against its own OpenAPI document: no 5xx, whatever arrives."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.kanon.api.conftest import API_KEY

EXAMPLES_PER_OPERATION = 30


@pytest.mark.slow
def test_no_server_errors(server):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json", headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/assess", "/v1/rewrite", "/v1/runs/{run_id}", "/health"}
    for op in operations:

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy())
        def check(case):
            case.call_and_validate(base_url=server.url, headers=auth, checks=[not_a_server_error])

        check()
