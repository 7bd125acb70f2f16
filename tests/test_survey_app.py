"""The application factory, configuration and staff sign-in."""

import pytest

from survey import create_app
from survey.errors import ConfigurationError


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("RAPPORT_SECRET_KEY", raising=False)
    monkeypatch.setenv("RAPPORT_ENV", "production")
    monkeypatch.setenv("RAPPORT_INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app()


def test_environment_variables_override_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("RAPPORT_SECRET_KEY", "from-env")
    monkeypatch.setenv("RAPPORT_MIN_GROUP_SIZE", "7")
    monkeypatch.setenv("RAPPORT_INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["MIN_GROUP_SIZE"] == 7


def test_staff_pages_need_sign_in(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_wrong_password_is_refused_with_a_message(client, staff_login):
    staff_login("brm")
    staff_login.logout()
    response = client.post("/staff/login", data={"username": "brm-user", "password": "nope-nope-nope"})
    assert response.status_code == 401
    assert b"do not match" in response.data


def test_every_response_carries_a_strict_content_security_policy(client):
    csp = client.get("/staff/login").headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
