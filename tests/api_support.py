"""Helpers for API tests: a token of a scope and a client that sends it as a bearer token."""

from __future__ import annotations

from typing import Any

import sqlite_utils
from flask.testing import FlaskClient

from survey.store.api_tokens import create_api_token


class ApiClient:
    """The app's test client, sending ``Authorization: Bearer <secret>`` with every call."""

    def __init__(self, client: FlaskClient, secret: str) -> None:
        self.client = client
        self.secret = secret

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any):
        return self.client.post(path, headers=self.headers, json=body, **kwargs)

    def patch(self, path: str, body: Any = None, **kwargs: Any):
        return self.client.patch(path, headers=self.headers, json=body, **kwargs)


def api_client(client: FlaskClient, db: sqlite_utils.Database, scope: str = "read",
               name: str | None = None) -> ApiClient:
    """A new token of ``scope`` and a client that uses it."""
    _, secret = create_api_token(db, name or f"test {scope}", scope)
    return ApiClient(client, secret)


def problem(response) -> dict:
    """The problem-details body of an error answer (checks its media type)."""
    assert response.mimetype == "application/problem+json", (response.status_code, response.data[:300])
    body = response.get_json()
    assert body["status"] == response.status_code and body["detail"], body
    return body
