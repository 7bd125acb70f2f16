"""Staff sessions a hostile user can try (issue 11, items 4, 5 and 6), against the real app.

Open redirects after sign-in, cookies that outlive a logout, HTTPS-only cookie and HSTS behind a
trusted proxy, no-store on staff pages, idle timeout, login throttling shared by every worker and
kept across restarts, constant work for unknown accounts, and the password policy.
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlsplit

import pytest
from conftest import STAFF_PASSWORD
from test_survey_partner import answers_for, hidden_fields

from survey import create_app
from survey.store.staff import create_staff_user

#: Known open-redirect bypasses: each must land on this site, never another host.
REDIRECT_BYPASSES = [
    "//evil.example", "///evil.example", "////evil.example", "/%09/evil.example", "/\t/evil.example",
    "/\\evil.example", "\\\\evil.example", "/\\/evil.example", "\\/evil.example", "/%5Cevil.example",
    "/%5C%5Cevil.example", "https://evil.example", "http:evil.example", "https:/evil.example",
    "//evil.example/%2F..", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,hi",
    " //evil.example", "\t//evil.example", "/\r\n/evil.example", "/%0d%0a/evil.example",
    "/\n/evil.example", "//evil.example@localhost", "https://localhost@evil.example",
    "/%2F/evil.example", "/.//evil.example/..", "%2F%2Fevil.example", "//%65vil.example",
    "/\x00/evil.example", "\u3002evil.example", "//evil\u3002example", "/\u2215evil.example",
    "http://evil.example/staff/", "evil.example", "?next=//evil.example",
]


def browser_view(location: str) -> str:
    """What a WHATWG URL parser makes of a Location: tabs/newlines dropped, backslash as slash."""
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n").strip("\x00 ")
    return cleaned.replace("\\", "/")


def secure_app(tmp_path, **config):
    """The real app as production runs it: CSRF off only to keep the tests short, limits on."""
    database = str(tmp_path / "rapport.db")
    settings = {"DATABASE": database, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": True, **config}
    return create_app(settings)


@pytest.fixture
def prod_app(app, tmp_path):
    """A second app on the same database with the limits on (like another gunicorn worker)."""
    return secure_app(tmp_path)


def login(client, username: str, password: str = STAFF_PASSWORD, **kwargs):
    return client.post("/staff/login", data={"username": username, "password": password}, **kwargs)


# --- item 4: open redirect --------------------------------------------------------------------------

@pytest.mark.parametrize("target", REDIRECT_BYPASSES)
def test_sign_in_never_redirects_to_another_site(client, db, target):
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    response = client.post("/staff/login", query_string={"next": target},
                           data={"username": "brm-user", "password": STAFF_PASSWORD})
    assert response.status_code == 302
    location = browser_view(response.headers["Location"])
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), (target, location)
    assert parts.scheme in ("", "http"), (target, location)
    assert location.startswith("/") and not location.startswith("//"), (target, location)


@pytest.mark.parametrize("target", ["/staff/admin/users", "/staff/surveys/3/responses?q=late&page=2"])
def test_sign_in_still_returns_to_a_page_of_this_site(client, db, target):
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    response = client.post("/staff/login", query_string={"next": target},
                           data={"username": "brm-user", "password": STAFF_PASSWORD})
    assert response.headers["Location"] == target


# --- item 5: sessions ---------------------------------------------------------------------------

def test_a_cookie_captured_before_logout_is_dead_after_it(staff_login, client):
    staff_login("brm")
    captured = client.get_cookie("session").value
    assert client.get("/staff/").status_code in (200, 302)
    assert "/staff/login" not in client.get("/staff/").headers.get("Location", "")
    staff_login.logout()
    client.set_cookie("session", captured)
    response = client.get("/staff/themes")
    assert response.status_code == 302
    assert "/staff/login" in response.headers["Location"]


def test_proxy_headers_are_ignored_unless_a_proxy_is_trusted(staff_login, client, db):
    response = client.get("/staff/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    signed_in = login(client, "brm-user", headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in signed_in.headers["Set-Cookie"].lower()


def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(app, db, tmp_path):
    proxied = secure_app(tmp_path, TRUSTED_PROXIES=1, RATELIMIT_ENABLED=False)
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    client = proxied.test_client()
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    page = client.get("/staff/login", headers=headers)
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    signed_in = login(client, "brm-user", headers=headers)
    assert "; secure" in signed_in.headers["Set-Cookie"].lower()


def test_served_over_https_directly_cookies_are_secure_and_hsts_is_sent(client, db):
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    page = client.get("/staff/login", base_url="https://localhost")
    assert "max-age=" in page.headers["Strict-Transport-Security"]
    signed_in = login(client, "brm-user", base_url="https://localhost")
    assert "; secure" in signed_in.headers["Set-Cookie"].lower()
    plain = client.get("/staff/login")
    assert "Strict-Transport-Security" not in plain.headers


def _staff_get_urls(app, survey_id: int) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or "GET" not in rule.methods:
            continue
        if set(rule.arguments) - {"survey_id", "fmt"}:
            continue
        values = {"survey_id": survey_id, "fmt": "csv"}
        urls.append(rule.build({k: v for k, v in values.items() if k in rule.arguments})[1])
    return sorted(set(urls))


def test_every_staff_page_and_download_says_no_store(staff_login, app, client, partner_wave):
    wave = partner_wave()
    staff_login("admin")
    urls = _staff_get_urls(app, wave.survey_id)
    assert len(urls) > 15 and any(url.endswith("report.csv") for url in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert "no-store" in response.headers.get("Cache-Control", ""), url


def test_an_idle_session_ends(app, db, tmp_path):
    idle = secure_app(tmp_path, SESSION_IDLE_SECONDS=1, RATELIMIT_ENABLED=False)
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    client = idle.test_client()
    assert login(client, "brm-user").status_code == 302
    assert client.get("/staff/themes").status_code in (200, 302)
    assert "/staff/login" not in client.get("/staff/themes").headers.get("Location", "")
    time.sleep(2.1)
    response = client.get("/staff/themes")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_session_cookies_follow_the_key_when_it_is_rotated(app, db, tmp_path):
    """The signing serializer is cached per key set: a new key must still end old sessions unless the
    old key is listed in SECRET_KEY_FALLBACKS."""
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    old = secure_app(tmp_path, RATELIMIT_ENABLED=False).test_client()
    assert login(old, "brm-user").status_code == 302
    captured = old.get_cookie("session").value

    def signed_in(**config) -> bool:
        client = secure_app(tmp_path, RATELIMIT_ENABLED=False, **config).test_client()
        client.set_cookie("session", captured)
        response = client.get("/staff/themes")
        return "/staff/login" not in response.headers.get("Location", "")

    assert signed_in()
    assert not signed_in(SECRET_KEY="a-new-secret")
    assert signed_in(SECRET_KEY="a-new-secret", SECRET_KEY_FALLBACKS=["test-secret"])


# --- item 6: login throttling, enumeration, password policy ---------------------------------------

def test_failed_logins_for_one_account_are_counted_across_workers_and_restarts(app, db, tmp_path):
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    worker_a, worker_b = secure_app(tmp_path), secure_app(tmp_path)
    limit = worker_a.config["LOGIN_ACCOUNT_FAILURES"]
    for attempt in range(limit):
        worker = (worker_a if attempt % 2 else worker_b).test_client()
        address = {"REMOTE_ADDR": f"198.51.100.{attempt + 1}"}
        assert login(worker, "brm-user", "wrong password!", environ_base=address).status_code == 401
    restarted = secure_app(tmp_path).test_client()
    refused = login(restarted, "brm-user", environ_base={"REMOTE_ADDR": "198.51.100.200"})
    assert refused.status_code == 429
    assert "try again" in refused.get_data(as_text=True).lower()


def test_one_address_cannot_lock_out_every_account(app, db, tmp_path):
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    create_staff_user(db, "other-user", STAFF_PASSWORD, "brm")
    worker = secure_app(tmp_path).test_client()
    office = {"REMOTE_ADDR": "192.0.2.10"}
    for _ in range(worker.application.config["LOGIN_ACCOUNT_FAILURES"]):
        login(worker, "brm-user", "wrong password!", environ_base=office)
    assert login(worker, "other-user", environ_base=office).status_code == 302


def test_one_address_guessing_many_accounts_is_throttled(app, db, tmp_path):
    worker = secure_app(tmp_path).test_client()
    attacker = {"REMOTE_ADDR": "192.0.2.66"}
    statuses = [login(worker, f"guess-{n}", "wrong password!", environ_base=attacker).status_code
                for n in range(worker.application.config["LOGIN_ADDRESS_FAILURES"] + 1)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {401}


def test_an_unknown_account_costs_as_much_as_a_wrong_password(app, db, tmp_path):
    create_staff_user(db, "brm-user", STAFF_PASSWORD, "brm")
    client = app.test_client()

    def timed(username: str) -> float:
        started = time.perf_counter()
        assert login(client, username, "wrong password!").status_code == 401
        return time.perf_counter() - started

    known = statistics.median(timed("brm-user") for _ in range(5))
    unknown = statistics.median(timed("nobody-here") for _ in range(5))
    assert unknown > 0.5 * known, (unknown, known)


@pytest.mark.parametrize("password,message", [
    ("short", "at least"), ("password1234", "common"), ("qwertyuiop", "common"),
    ("brm-newcomer", "username"),
])
def test_weak_passwords_are_refused_with_a_clear_message(staff_login, client, db, password, message):
    staff_login("admin")
    response = client.post("/staff/admin/users", data={"username": "brm-newcomer", "password": password,
                                                        "confirm": password, "role": "brm"})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).lower()
    assert not db.execute("SELECT 1 FROM staff WHERE username = 'brm-newcomer'").fetchone()


def test_the_cli_refuses_a_common_password_too(runner, db):
    result = runner.invoke(args=["create-user", "newadmin", "--role", "admin"], input="password1234\n" * 2)
    assert result.exit_code != 0
    assert "common" in result.output.lower()


def test_pages_that_are_never_cached_send_no_vary_header(client, db, partner_wave):
    """``Vary: Cookie`` only matters to a cache; a ``no-store`` page (every partner page, the 303 after
    a submission) is never kept, so the header would only cost the server and the browser."""
    wave = partner_wave()
    page = client.get(f"/s/{wave.token}")
    assert "no-store" in page.headers["Cache-Control"]
    assert "Vary" not in page.headers
    data = {**hidden_fields(page.get_data(as_text=True)), **answers_for(db, wave, text="Fine.")}
    submitted = client.post(f"/s/{wave.token}", data=data)
    assert submitted.status_code == 303 and "Vary" not in submitted.headers
