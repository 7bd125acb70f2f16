"""Single sign-on without a provider process: role mapping, just-in-time accounts, single-use states,
the configuration checks, passwords switched off, and a provider that cannot be reached (issue 15)."""

from __future__ import annotations

import pytest
from oidc_support import free_port

from survey import create_app
from survey.errors import ConfigurationError
from survey.services.sso import (
    AccountDeactivated,
    NoMappedRole,
    identity_from_claims,
    role_from_claims,
    sign_in_provider_identity,
)
from survey.store.oidc_states import consume_login_state, remember_login_state
from survey.store.staff import create_staff_user, set_staff_user_active

ROLE_MAP = {"rapport-admins": "admin", "rapport-brms": "brm", "rapport-culture": "culture_lead"}
ISSUER = "https://login.example.test/realms/it"


def identity(groups, sub="u-1", username="alice"):
    claims = {"sub": sub, "preferred_username": username, "groups": groups}
    return identity_from_claims(claims, issuer=ISSUER, role_claim="groups", role_map=ROLE_MAP,
                                username_claim="preferred_username")


@pytest.mark.parametrize(("claims", "claim", "role"), [
    ({"groups": ["rapport-brms"]}, "groups", "brm"),
    ({"groups": ["rapport-culture", "rapport-admins"]}, "groups", "admin"),
    ({"groups": ["rapport-culture", "rapport-brms"]}, "groups", "brm"),
    ({"groups": "rapport-culture"}, "groups", "culture_lead"),
    ({"realm_access": {"roles": ["offline", "rapport-brms"]}}, "realm_access.roles", "brm"),
    ({"groups": ["finance"]}, "groups", None),
    ({"groups": [{"rapport-admins": 1}]}, "groups", None),
    ({}, "groups", None),
    ({"realm_access": ["rapport-admins"]}, "realm_access.roles", None),
])
def test_the_role_comes_from_the_configured_claim_strongest_first(claims, claim, role):
    assert role_from_claims(claims, claim, ROLE_MAP) == role


def test_a_person_without_a_mapped_group_is_told_what_to_do():
    with pytest.raises(NoMappedRole, match=r"none of your groups .*'groups'.* Ask your IT administrator"):
        identity(["finance"])


def test_the_username_falls_back_to_email_then_subject():
    claims = {"sub": "s-9", "email": "bo@example.test", "groups": ["rapport-brms"]}
    found = identity_from_claims(claims, issuer=ISSUER, role_claim="groups", role_map=ROLE_MAP,
                                 username_claim="preferred_username")
    assert (found.username, found.subject, found.role) == ("bo@example.test", f"{ISSUER}|s-9", "brm")


def test_accounts_are_made_at_first_sign_on_never_joined_to_a_local_account_by_name(db):
    local = create_staff_user(db, "alice", "a long local password", "admin")
    first = sign_in_provider_identity(db, identity(["rapport-brms"]))
    assert (first.username, first.role, first.oidc_subject) == ("alice-2", "brm", f"{ISSUER}|u-1")
    again = sign_in_provider_identity(db, identity(["rapport-culture"]))
    assert (again.id, again.role) == (first.id, "culture_lead")
    assert sign_in_provider_identity(db, identity(["rapport-brms"], sub="u-2")).username == "alice-3"
    assert db.table("staff").get(local.id)["role"] == "admin"


def test_a_deactivated_account_stays_refused(db):
    user = sign_in_provider_identity(db, identity(["rapport-brms"]))
    set_staff_user_active(db, user.id, False)
    with pytest.raises(AccountDeactivated, match="deactivated"):
        sign_in_provider_identity(db, identity(["rapport-admins"]))


def test_a_state_is_accepted_once_and_not_after_it_expires(db):
    remember_login_state(db, "state-1", 600, now=1000)
    remember_login_state(db, "state-2", 600, now=1000)
    assert consume_login_state(db, "state-1", now=1100)
    assert not consume_login_state(db, "state-1", now=1100)
    assert not consume_login_state(db, "state-2", now=1601)
    assert not consume_login_state(db, "never-issued", now=1100)
    assert "state-1" not in str(list(db.execute("SELECT * FROM oidc_login_states")))


@pytest.mark.parametrize(("settings", "message"), [
    ({"LOCAL_LOGIN": False}, "no one could sign in"),
    ({"OIDC_ISSUER": ISSUER}, "OIDC_CLIENT_ID"),
    ({"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "rapport", "OIDC_ROLE_MAP": {"x": "superuser"}},
     "unknown roles"),
    ({"OIDC_ISSUER": ISSUER, "OIDC_CLIENT_ID": "rapport", "OIDC_ROLE_MAP": ["admin"]}, "must be a mapping"),
])
def test_a_half_configured_sign_in_refuses_to_start(tmp_path, settings, message):
    with pytest.raises(ConfigurationError, match=message):
        create_app({"DATABASE": str(tmp_path / "r.db"), "SECRET_KEY": "k", **settings})


def sso_app(app_config: dict, **settings):
    return create_app({**app_config, "OIDC_CLIENT_ID": "rapport", "OIDC_PROVIDER_NAME": "Contoso Entra ID",
                       "OIDC_ROLE_MAP": ROLE_MAP, **settings})


@pytest.fixture
def app_config(app):
    return {key: app.config[key] for key in ("DATABASE", "SECRET_KEY", "RATELIMIT_ENABLED")}


def test_with_passwords_switched_off_only_the_provider_is_offered(app_config):
    client = sso_app(app_config, OIDC_ISSUER=ISSUER, LOCAL_LOGIN=False, WTF_CSRF_ENABLED=False).test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    assert "Sign in with Contoso Entra ID" in page and 'name="password"' not in page
    refused = client.post("/staff/login", data={"username": "x", "password": "a long password"})
    assert refused.status_code == 403 and "switched off" in refused.get_data(as_text=True)


def test_passwords_still_work_beside_the_provider(app_config, db):
    create_staff_user(db, "local-brm", "a long local password", "brm")
    client = sso_app(app_config, OIDC_ISSUER=ISSUER, WTF_CSRF_ENABLED=False).test_client()
    assert "Sign in with Contoso Entra ID" in client.get("/staff/login").get_data(as_text=True)
    reply = client.post("/staff/login", data={"username": "local-brm", "password": "a long local password"})
    assert reply.status_code == 302


def test_a_provider_that_cannot_be_reached_gets_a_page_not_a_500(app_config):
    client = sso_app(app_config, OIDC_ISSUER=f"http://127.0.0.1:{free_port()}", OIDC_TIMEOUT=3).test_client()
    reply = client.get("/staff/oidc/login")
    assert reply.status_code == 502
    assert "could not reach Contoso Entra ID" in reply.get_data(as_text=True)
    callback = client.get("/staff/oidc/callback?state=abc&code=def")
    assert callback.status_code == 400 and "already used" in callback.get_data(as_text=True)


def test_without_a_provider_the_sign_on_routes_do_not_exist(client):
    assert client.get("/staff/oidc/login").status_code == 404
    assert client.get("/staff/oidc/callback?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get("/staff/login").get_data(as_text=True)
