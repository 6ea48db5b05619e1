"""Schemathesis drives the API from its OpenAPI document through the WSGI app and finds no server errors."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.web.conftest import api, open_case, open_task

pytestmark = pytest.mark.both_databases  # fuzzed values reach the database's own type and length checks

EXAMPLES = 8


def test_no_api_call_generated_from_the_document_gets_a_server_error(app, webtest, staff):
    reference = open_case(webtest)
    open_task(webtest, reference)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = api("ia.team", staff)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def call(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        call()
