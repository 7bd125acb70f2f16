"""API tokens: created by admins (page and CLI), shown once, stored hashed, scoped, revocable, throttled."""

from __future__ import annotations

import glob
import hashlib
import pathlib
import re

import pytest
from api_support import api_client, problem

from survey import create_app
from survey.store.api_tokens import create_api_token, list_api_tokens

SURVEYS = "/api/v1/surveys"


def _create_on_page(client, name: str = "Power BI", scope: str = "read") -> str:
    page = client.post("/staff/admin/api-tokens", data={"name": name, "scope": scope})
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    (secret,) = re.findall(r'value="(rapport_[A-Za-z0-9_-]+)"', page.get_data(as_text=True))
    assert page.headers["Cache-Control"] == "no-store"
    return secret


def _database_bytes(path: str) -> bytes:
    """The database file with its journal and WAL, as an insider with a shell would read them."""
    return b"".join(pathlib.Path(name).read_bytes() for name in sorted(glob.glob(path + "*"))
                    if pathlib.Path(name).is_file())


def test_an_admin_creates_a_token_that_is_shown_once_and_stored_only_as_a_hash(app, client, db, staff_login):
    staff_login("admin")
    secret = _create_on_page(client)
    assert client.get(SURVEYS, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listing = client.get("/staff/admin/api-tokens").get_data(as_text=True)
    assert secret not in listing and "Power BI" in listing and f"…{secret[-4:]}" in listing
    assert secret.encode() not in client.get_cookie("session").value.encode()
    stored = db.execute("SELECT secret_hash FROM api_tokens").fetchall()
    assert stored == [(hashlib.sha256(secret.encode()).hexdigest(),)]
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = _database_bytes(app.config["DATABASE"])
    random_part = secret.removeprefix("rapport_")
    assert random_part.encode() not in raw and random_part[:16].encode() not in raw


def test_only_admins_open_the_token_page(client, staff_login):
    staff_login("brm")
    assert client.get("/staff/admin/api-tokens").status_code == 403
    assert client.post("/staff/admin/api-tokens", data={"name": "x", "scope": "write"}).status_code == 403


def test_a_token_needs_a_name(client, db, staff_login):
    staff_login("admin")
    page = client.post("/staff/admin/api-tokens", data={"name": "   ", "scope": "read"})
    assert page.status_code == 400 and list_api_tokens(db) == []


def test_a_revoked_token_stops_working_at_once(client, db, staff_login):
    staff_login("admin")
    secret = _create_on_page(client, "Leaving tool", "write")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(SURVEYS, headers=headers).status_code == 200
    (token,) = list_api_tokens(db)
    assert client.post(f"/staff/admin/api-tokens/{token.id}/revoke").status_code == 302
    answer = client.get(SURVEYS, headers=headers)
    assert answer.status_code == 401 and "revoked" in problem(answer)["detail"]
    assert "Revoked" in client.get("/staff/admin/api-tokens").get_data(as_text=True)


@pytest.mark.parametrize("header", [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer rapport_not-a-real-token",
                                    "Bearer some-other-format"])
def test_missing_malformed_or_unknown_tokens_get_401_with_a_challenge(client, header):
    answer = client.get(SURVEYS, headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith('Bearer realm="rapport"')
    assert "token" in problem(answer)["detail"].lower()


def test_a_signed_in_browser_session_does_not_open_the_api(client, staff_login):
    staff_login("admin")
    assert client.get(SURVEYS).status_code == 401
    assert client.post(f"{SURVEYS}/1/actions", json={"theme_id": "x", "title": "y"}).status_code == 401


def test_a_read_token_cannot_write(client, db):
    reader = api_client(client, db, "read")
    answer = reader.post(f"{SURVEYS}/1/waves", {"label": "Q1", "opens_on": "2026-01-01",
                                                "closes_on": "2026-01-31"})
    assert answer.status_code == 403 and "needs write" in problem(answer)["detail"]
    assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]


def test_the_cli_creates_lists_and_revokes_tokens(client, runner, db):
    created = runner.invoke(args=["api-token-create", "Nightly export", "--scope", "write"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("rapport_")
    assert client.get(SURVEYS, headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = runner.invoke(args=["api-token-list"])
    assert "Nightly export" in listed.output and "write" in listed.output and secret not in listed.output
    (token,) = list_api_tokens(db)
    assert runner.invoke(args=["api-token-revoke", str(token.id)]).exit_code == 0
    assert client.get(SURVEYS, headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert runner.invoke(args=["api-token-revoke", "999"]).exit_code != 0
    assert runner.invoke(args=["api-token-create", " ", "--scope", "read"]).exit_code != 0


def test_requests_per_token_and_failed_tokens_per_address_are_limited(app, db):
    limited = create_app({"DATABASE": app.config["DATABASE"], "SECRET_KEY": "test-secret",
                          "RATELIMIT_ENABLED": True, "API_RATE_LIMIT": "3 per minute",
                          "API_AUTH_FAILURES": "2 per minute"})
    client = limited.test_client()
    _, secret = create_api_token(db, "busy", "read")
    headers = {"Authorization": f"Bearer {secret}"}
    assert [client.get(SURVEYS, headers=headers).status_code for _ in range(3)] == [200, 200, 200]
    answer = client.get(SURVEYS, headers=headers)
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    problem(answer)
    for _ in range(2):
        assert client.get(SURVEYS, headers={"Authorization": "Bearer rapport_guess"}).status_code == 401
    _, other = create_api_token(db, "fresh", "read")
    assert client.get(SURVEYS, headers={"Authorization": f"Bearer {other}"}).status_code == 429
