"""Fuzz the whole REST API with schemathesis against its own OpenAPI 3.1 document.

Every documented operation gets generated requests (valid and invalid ones) through the real app on
an analysed copy of the demo survey, with a write token. Each answer must not be a server error and
must match the document: status, media type, headers and body schema. Bounded: a few dozen examples
per operation, so the whole run stays well under a minute on the 2-core machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from survey.store.api_tokens import create_api_token
from survey.web.api.openapi import openapi_document

#: Generated requests per operation (the bound that keeps the run short).
MAX_EXAMPLES = 20


class CurrentApp:
    """A WSGI app that forwards to the app of the running test (each test has its own database)."""

    app: Any = None

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.app(environ, start_response)


CURRENT = CurrentApp()
#: The document the app serves at /api/openapi.json (the test below checks they are the same).
#: Loaded at import, bound to :data:`CURRENT`: schemathesis's lazy fixture loader does not run
#: under pytest 9.
schema = schemathesis.openapi.from_dict(openapi_document("http://localhost"))
schema.app = CURRENT


@pytest.fixture
def fuzzed(analysed) -> Iterator[SimpleNamespace]:
    """The analysed demo survey behind :data:`CURRENT`, and a write token."""
    _, secret = create_api_token(analysed.db, "schemathesis", "write")
    CURRENT.app = analysed.app
    yield SimpleNamespace(app=analysed.app, headers={"Authorization": f"Bearer {secret}"})
    CURRENT.app = None


def test_the_fuzzed_document_is_the_one_the_app_serves(client):
    served = client.get("/api/openapi.json", base_url="http://localhost").get_json()
    assert served == json.loads(json.dumps(openapi_document("http://localhost")))


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, fuzzed):
    # Every check runs but one: schema-valid bodies may still break a business rule (a theme that does
    # not exist, a wave that closes before it opens), and the API rightly answers those with 422.
    case.call_and_validate(headers=fuzzed.headers, excluded_checks=[positive_data_acceptance])
