"""Staff single sign-on against a real OpenID Provider (npm ``oidc-provider``) and Rapport's production
server (gunicorn), both started on loopback by the tests (issue 15, part 1).

The provider requires PKCE; it switches into misbehaving modes at run time (a clock two hours
behind, an ID token for another client, one signed with a foreign key) to show Rapport's checks.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from oidc_support import OIDC_MARKS, follow_to_callback, free_port, oidc_provider, rapport_server

from survey import create_app
from survey.db import open_database
from survey.migrations import migrate

pytestmark = OIDC_MARKS

SECRET = "rapport-test-client-secret-of-some-length"
ROLE_MAP = {"rapport-admins": "admin", "rapport-brms": "brm", "rapport-culture": "culture_lead"}
ACCOUNTS = {
    "ada": {"groups": ["everyone", "rapport-admins"]},
    "bea": {"groups": ["rapport-brms"]},
    "cleo": {"groups": ["rapport-culture", "everyone"]},
    "dan": {"groups": ["finance", "everyone"]},
    "eve": {"groups": ["rapport-brms"]},
    "fay": {"groups": ["rapport-brms"]},
    "gus": {"groups": ["rapport-culture"]},
    "hal": {"groups": ["rapport-brms"]},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A provider with two clients (Rapport's, and another application's) and Rapport serving."""
    tmp = tmp_path_factory.mktemp("oidc")
    database = str(tmp / "rapport.db")
    migrate(open_database(database))
    port = free_port()
    uris = {"redirect_uris": [f"http://127.0.0.1:{port}/staff/oidc/callback"],
            "post_logout_redirect_uris": [f"http://127.0.0.1:{port}/staff/oidc/signed-out"],
            "grant_types": ["authorization_code"], "response_types": ["code"]}
    clients = [{"client_id": "rapport", "client_secret": SECRET, **uris},
               {"client_id": "other-app", "client_secret": "another-secret-of-some-length", **uris}]
    with oidc_provider(tmp, clients, ACCOUNTS) as provider, rapport_server(
        database, tmp, port, OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID="rapport", OIDC_CLIENT_SECRET=SECRET,
        OIDC_PROVIDER_NAME="Test IdP", OIDC_SCOPES="openid profile email groups", OIDC_ROLE_MAP=ROLE_MAP,
        OIDC_LOGOUT_AT_PROVIDER=True,
    ) as base:
        db = open_database(database)
        yield type("World", (), {"provider": provider, "base": base, "db": db})
        db.close()


@pytest.fixture
def provider(world):
    world.provider.behave()
    yield world.provider
    world.provider.behave()


def staff_row(db, username: str) -> dict | None:
    rows = list(db.table("staff").rows_where("username = ?", [username]))
    return rows[0] if rows else None


def finish(world, username: str) -> requests.Response:
    session, _authorization, callback = follow_to_callback(world.base, username)
    return session.get(callback, allow_redirects=False)


def test_the_sign_in_page_offers_the_provider_and_passwords(world):
    page = requests.get(f"{world.base}/staff/login", timeout=10).text
    assert "Sign in with Test IdP" in page
    assert 'name="password"' in page


def test_the_authorization_request_uses_pkce_a_nonce_and_the_discovered_endpoint(world, provider):
    _session, authorization, _callback = follow_to_callback(world.base, "bea")
    query = parse_qs(urlsplit(authorization).query)
    assert authorization.startswith(f"{provider.issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["response_type"] == ["code"] and query["client_id"] == ["rapport"]
    assert query["nonce"][0] and query["state"][0]
    assert "groups" in query["scope"][0].split()


@pytest.mark.parametrize(("username", "role"), [("ada", "admin"), ("bea", "brm"), ("cleo", "culture_lead")])
def test_each_mapped_group_signs_in_with_its_role_on_an_account_made_just_in_time(world, provider, browser,
                                                                                  username, role):
    assert staff_row(world.db, username) is None
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{world.base}/staff/login")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    page.get_by_label("Username").fill(username)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{world.base}/staff/**")
    assert page.get_by_role("button", name=f"Sign out {username}").is_visible()
    row = staff_row(world.db, username)
    assert row is not None and row["role"] == role and row["active"] == 1
    assert row["oidc_subject"] == f"{provider.issuer}|{username}"
    admin_page = page.goto(f"{world.base}/staff/admin/users")
    assert admin_page is not None and admin_page.status == (200 if role == "admin" else 403)
    context.close()


def test_signing_out_ends_the_session_here_and_at_the_provider(world, provider, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{world.base}/staff/oidc/login")
    page.get_by_label("Username").fill("eve")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{world.base}/staff/**")
    rapport_cookies = {c["name"]: c["value"] for c in context.cookies() if c["name"] == "session"}
    page.get_by_role("button", name="Sign out eve").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # the provider's own logout page
    page.wait_for_url(f"{world.base}/staff/login")
    assert page.get_by_text("You are signed out.").is_visible()
    captured = requests.get(f"{world.base}/staff/", cookies=rapport_cookies, allow_redirects=False,
                            timeout=10)
    assert captured.status_code == 302 and "/staff/login" in captured.headers["Location"]
    page.get_by_role("link", name="Sign in with Test IdP").click()
    assert page.get_by_label("Username").is_visible()  # the provider forgot eve too: it asks again
    context.close()


def test_a_replayed_callback_is_refused_even_with_the_cookie_from_before(world, provider):
    session, _authorization, callback = follow_to_callback(world.base, "fay")
    cookies_before = session.cookies.copy()
    first = session.get(callback, allow_redirects=False)
    assert first.status_code == 302 and first.headers["Location"].endswith("/staff/")
    replay = requests.get(callback, cookies=cookies_before, allow_redirects=False, timeout=10)
    assert replay.status_code == 400
    assert "already used" in replay.text
    again = session.get(callback, allow_redirects=False)
    assert again.status_code == 400 and "already used" in again.text


def test_a_person_without_a_mapped_group_gets_a_clear_403_page_and_no_account(world, provider):
    reply = finish(world, "dan")
    assert reply.status_code == 403
    assert "No access to Rapport" in reply.text and "none of your groups" in reply.text
    assert staff_row(world.db, "dan") is None


@pytest.mark.parametrize(("switches", "expected"), [
    ({"idTokenClaims": {"aud": "other-app"}}, "issued for another application"),
    ({"clockOffsetSeconds": -7200}, "had already expired"),
    ({"foreignKey": True}, "signature could not be verified"),
    ({"idTokenClaims": {"nonce": "a-nonce-from-another-sign-in"}}, "nonce does not match"),
    ({"idTokenClaims": {"iss": "http://127.0.0.1:1/another-provider"}}, "issued by another provider"),
], ids=["wrong-audience", "expired", "foreign-key", "wrong-nonce", "wrong-issuer"])
def test_an_id_token_that_fails_a_check_is_refused_with_its_reason(world, provider, switches, expected):
    provider.control(**switches)
    reply = finish(world, "gus")
    assert reply.status_code == 401, reply.text[:500]
    assert expected in reply.text and "could not be verified" in reply.text
    assert staff_row(world.db, "gus") is None


def test_a_tampered_or_incomplete_callback_is_refused_with_its_reason(world, provider):
    session, _authorization, callback = follow_to_callback(world.base, "gus")
    query = parse_qs(urlsplit(callback).query)
    state, code = query["state"][0], query["code"][0]
    cases = [
        (f"{world.base}/staff/oidc/callback?state={state}x&code={code}", 400, "already used"),
        (f"{world.base}/staff/oidc/callback?state={state}&code={code}tampered", 400,
         "did not accept this sign-in"),
    ]
    for url, status, text in cases:
        reply = session.get(url, allow_redirects=False)
        assert (reply.status_code, text in reply.text) == (status, True), (url, reply.text[:400])
    session, _authorization, callback = follow_to_callback(world.base, "gus")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    reply = session.get(f"{world.base}/staff/oidc/callback?state={state}", allow_redirects=False)
    assert reply.status_code == 400 and "has no authorization code" in reply.text
    session, _authorization, callback = follow_to_callback(world.base, "gus")
    state = parse_qs(urlsplit(callback).query)["state"][0]
    reply = session.get(f"{world.base}/staff/oidc/callback?state={state}&error=access_denied"
                        "&error_description=The+user+cancelled", allow_redirects=False)
    assert reply.status_code == 401 and "The user cancelled" in reply.text
    assert staff_row(world.db, "gus") is None


def test_groups_changed_at_the_provider_change_the_role_and_deactivation_holds(world, provider):
    assert finish(world, "hal").status_code == 302
    provider.control(accounts={**ACCOUNTS, "hal": {"groups": ["rapport-culture"]}})
    assert finish(world, "hal").status_code == 302
    assert staff_row(world.db, "hal")["role"] == "culture_lead"
    world.db.table("staff").update(staff_row(world.db, "hal")["id"], {"active": 0})
    reply = finish(world, "hal")
    assert reply.status_code == 403 and "deactivated" in reply.text
    assert staff_row(world.db, "hal")["active"] == 0


def test_a_callback_in_a_browser_that_did_not_start_the_sign_in_is_refused(world, provider):
    _session, _authorization, callback = follow_to_callback(world.base, "gus")
    reply = requests.get(callback, allow_redirects=False, timeout=10)  # no cookie: another browser
    assert reply.status_code == 400 and "This browser did not start this sign-in" in reply.text
    assert staff_row(world.db, "gus") is None


def test_a_discovery_document_naming_another_issuer_is_refused(world, provider, tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "r.db"), "SECRET_KEY": "k", "OIDC_CLIENT_ID": "rapport",
                      "OIDC_ISSUER": f"{provider.issuer}/realms/it",
                      "OIDC_DISCOVERY_URL": f"{provider.issuer}/.well-known/openid-configuration"})
    reply = app.test_client().get("/staff/oidc/login")
    assert reply.status_code == 502 and "names the issuer" in reply.get_data(as_text=True)
