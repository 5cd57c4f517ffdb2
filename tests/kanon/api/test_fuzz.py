"""Fuzz the API with schemathesis against its own OpenAPI document, every built-in check.

No 5xx whatever arrives; every status and body is one the document lists;
data the schema allows is accepted and data it forbids refused; a missing
key is refused.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tests.kanon.api.conftest import API_KEY

EXAMPLES_PER_OPERATION = 50


@pytest.mark.slow
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_schema(server, mode):
    auth = {"Authorization": f"Bearer {API_KEY}"}
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json", headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/v1/assess", "/v1/rewrite", "/v1/runs/{run_id}", "/health"}
    for op in operations:
        if mode is GenerationMode.NEGATIVE and op.path == "/health":
            continue  # no input at all: there is no invalid request to make

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)
        @given(case=op.as_strategy(generation_mode=mode))
        def check(case):
            # every built-in check; a long timeout: the first long history starts Prefect
            case.call_and_validate(base_url=server.url, headers=auth, timeout=180)

        check()
