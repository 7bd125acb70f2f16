"""Webhooks (issue 15, part 3) against a real HTTP receiver on 127.0.0.1 started by the test.

Endpoints are registered through the admin page, events come from the real flows (the partner
form, ``rapport analyze``, the actions page, wave dates) and are delivered by the real
``rapport deliver-webhooks`` command; the receiver checks what a real one would: the signature.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from page_support import as_another_browser

from survey import create_app
from survey.db import open_database
from survey.errors import InvalidInput
from survey.migrations import migrate
from survey.services.webhook_delivery import WebhookSettings, deliver_due, sign, verify_signature
from survey.services.webhook_targets import check_target, parse_networks
from survey.store.actions import create_action
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave, update_wave

PASSWORD = "correct horse battery"
K = 3  # release batch size in these tests
TOPICS = ["printer", "laptop", "monitor", "keyboard", "headset", "scanner"]


@dataclass
class Received:
    at: float
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server: records every POST and answers with the next scripted status (200 after)."""

    url: str
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def types(self) -> list[str]:
        return [item.event["type"] for item in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.received.append(Received(time.monotonic(), dict(self.headers), body))
            status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/rapport"
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Hooks:
    app: object
    db: object
    admin: object
    brm: object
    partner: object
    survey: object
    wave: object
    submitted: int = 0

    def register(self, url: str, events: list[str] | None = None) -> str:
        """Add an endpoint through the admin page; return the secret it shows once."""
        data = {"url": url, "description": "test receiver",
                "events": events or ["wave.opened", "wave.closed", "responses.released",
                                     "analysis.finished", "action.status_changed"]}
        page = self.admin.post("/staff/admin/webhooks/", data=data)
        assert page.status_code == 201, page.get_data(as_text=True)[:2000]
        return re.search(r'id="secret"[^>]*value="(whsec_[^"]+)"', page.get_data(as_text=True)).group(1)

    def deliver(self) -> str:
        result = self.app.test_cli_runner().invoke(args=["deliver-webhooks"])
        assert result.exit_code == 0, result.output
        return result.output

    def submit(self, count: int) -> None:
        questions = {prompt: f"q{qid}" for qid, prompt in self.db.execute(
            "SELECT id, prompt FROM questions WHERE survey_id = ?", [self.survey.id])}
        for _ in range(count):
            as_another_browser(self.partner)
            page = self.partner.get(f"/s/{self.wave.token}").get_data(as_text=True)
            hidden = dict(re.findall(r'name="(csrf_token|form_token)" type="hidden" value="([^"]*)"', page))
            topic = TOPICS[self.submitted]
            self.submitted += 1
            data = {**hidden, questions["What should IT change?"]:
                    f"The {topic} request took far too long. Nobody explained the {topic} delay.",
                    questions["How well does IT listen?"]: "4"}
            response = self.partner.post(f"/s/{self.wave.token}", data=data)
            assert response.status_code == 303, response.get_data(as_text=True)[:500]


def _client(app, db, role: str):
    client = app.test_client()
    create_staff_user(db, f"{role}-hooks", PASSWORD, role)
    response = client.post("/staff/login", data={"username": f"{role}-hooks", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _app(database: str, **config):
    return create_app({"DATABASE": database, "SECRET_KEY": "hooks-test", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False, "EMBEDDINGS": "lexical", "RELEASE_BATCH_SIZE": K,
                       "WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "WEBHOOK_RETRY_BASE_SECONDS": 0.2,
                       "WEBHOOK_TIMEOUT_SECONDS": 5, **config})


@pytest.fixture
def hooks(tmp_path) -> Iterator[Hooks]:
    database = str(tmp_path / "rapport.db")
    db = open_database(database)
    migrate(db)
    app = _app(database)
    survey = create_survey(db, "IT partnership pulse")
    add_question(db, survey.id, "text", "What should IT change?", required=True)
    add_question(db, survey.id, "rating", "How well does IT listen?", required=True)
    today = dt.date.today()
    wave = create_wave(db, survey.id, "Wave 1", today + dt.timedelta(days=1), today + dt.timedelta(days=30))
    yield Hooks(app, db, _client(app, db, "admin"), _client(app, db, "brm"), app.test_client(), survey, wave)
    db.close()


def test_the_secret_is_shown_once_and_the_test_event_is_a_real_signed_payload(hooks, receiver):
    secret = hooks.register(receiver.url)
    page = hooks.admin.get("/staff/admin/webhooks/").get_data(as_text=True)
    assert secret not in page and receiver.url in page and f"…{secret[-4:]}" in page

    endpoint_id = hooks.db.execute("SELECT id FROM webhook_endpoints").fetchone()[0]
    response = hooks.admin.post(f"/staff/admin/webhooks/{endpoint_id}/test", follow_redirects=True)
    assert "Test event delivered" in response.get_data(as_text=True)
    [ping] = receiver.received
    assert ping.event["type"] == "ping" and ping.event["id"].startswith("evt_")
    assert ping.headers["Content-Type"] == "application/json"
    assert ping.headers["Rapport-Event"] == "ping"
    assert verify_signature(secret, ping.headers["Rapport-Signature"], ping.body)
    assert not verify_signature("whsec_wrong", ping.headers["Rapport-Signature"], ping.body)
    assert not verify_signature(secret, ping.headers["Rapport-Signature"], ping.body + b" ")
    log = hooks.admin.get("/staff/admin/webhooks/").get_data(as_text=True)
    assert "ping" in log and "Delivered" in log and "HTTP 200" in log


def test_a_signature_is_refused_when_its_timestamp_is_old():
    body = b'{"type":"ping"}'
    header = sign("whsec_x", body, int(time.time()) - 3600)
    assert not verify_signature("whsec_x", header, body, tolerance_seconds=300)
    assert verify_signature("whsec_x", header, body, tolerance_seconds=7200)
    assert not verify_signature("whsec_x", "v1=abc", body)


def test_failed_deliveries_are_retried_with_growing_pauses(hooks, receiver):
    secret = hooks.register(receiver.url, ["action.status_changed"])
    receiver.statuses = [500, 503]
    hooks.db["themes"].insert({"survey_id": hooks.survey.id, "id": "listening", "name": "Listening",
                               "kind": "seeded", "units": 0})
    action = create_action(hooks.db, hooks.survey.id, "listening", "Weekly office hours", owner="Ana")
    hooks.brm.post(f"/staff/actions/{action.id}/status", data={"status": "in_progress"})
    deadline = time.monotonic() + 15
    while len(receiver.received) < 3 and time.monotonic() < deadline:
        hooks.deliver()
        time.sleep(0.05)
    first, second, third = receiver.received
    assert second.at - first.at >= 0.2 and third.at - second.at >= 0.4  # base 0.2 s, doubling
    assert first.body == second.body == third.body
    assert all(verify_signature(secret, item.headers["Rapport-Signature"], item.body)
               for item in receiver.received)
    data = third.event["data"]
    assert third.event["type"] == "action.status_changed"
    assert data["action"]["previous_status"] == "planned" and data["action"]["status"] == "in_progress"
    state, attempts, next_at = hooks.db.execute(
        "SELECT state, attempts, next_attempt_at FROM webhook_deliveries").fetchone()
    assert (state, attempts, next_at) == ("delivered", 3, None)
    hooks.deliver()
    assert len(receiver.received) == 3  # delivered once: never again
    log = hooks.admin.get("/staff/admin/webhooks/").get_data(as_text=True)
    assert "action.status_changed" in log and "Delivered" in log


def test_a_delivery_fails_for_good_after_the_last_attempt(hooks, receiver, tmp_path):
    hooks.register(receiver.url, ["wave.opened"])
    receiver.statuses = [500] * 10
    settings = WebhookSettings(parse_networks("127.0.0.1/32"), timeout_seconds=5, max_attempts=2,
                               retry_base_seconds=0.1)
    update_wave(hooks.db, hooks.wave.id, "Wave 1", dt.date.today(), dt.date.today() + dt.timedelta(days=9))
    deadline = time.monotonic() + 10
    while hooks.db.execute("SELECT state FROM webhook_deliveries").fetchone() in (None, ("pending",)) \
            and time.monotonic() < deadline:
        deliver_due(hooks.db, settings)
        time.sleep(0.05)
    assert hooks.db.execute("SELECT state, attempts, next_attempt_at, last_status FROM webhook_deliveries"
                            ).fetchone() == ("failed", 2, None, 500)
    assert receiver.types() == ["wave.opened", "wave.opened"]
    page = hooks.admin.get("/staff/admin/webhooks/").get_data(as_text=True)
    assert "Failed" in page and "HTTP 500" in page


def test_waves_opening_and_closing_by_date_are_announced_once(hooks, receiver):
    hooks.register(receiver.url)
    hooks.deliver()
    assert receiver.received == []  # the wave is still scheduled
    today = dt.date.today()
    update_wave(hooks.db, hooks.wave.id, "Wave 1", today - dt.timedelta(days=3), today + dt.timedelta(days=3))
    hooks.deliver()
    hooks.deliver()
    assert receiver.types() == ["wave.opened"]
    data = receiver.received[0].event["data"]
    assert data["wave"]["label"] == "Wave 1" and data["responses"] == {"released_total": 0}
    update_wave(hooks.db, hooks.wave.id, "Wave 1", today - dt.timedelta(days=3), today - dt.timedelta(days=1))
    hooks.deliver()
    assert receiver.types() == ["wave.opened", "wave.closed"]


@pytest.mark.slow  # two real analysis runs
def test_insider_fewer_than_k_submissions_send_no_webhook_at_all(hooks, receiver):
    """Rule 7: a webhook must not tell anyone that one response arrived; a batch of k may be told."""
    today = dt.date.today()
    update_wave(hooks.db, hooks.wave.id, "Wave 1", today, today + dt.timedelta(days=9))
    secret = hooks.register(receiver.url)
    hooks.deliver()
    assert receiver.types() == ["wave.opened"]
    events_before = hooks.db.execute("SELECT COUNT(*) FROM webhook_events").fetchone()[0]

    hooks.submit(K - 1)
    hooks.deliver()
    assert receiver.types() == ["wave.opened"]  # no webhook at all for k - 1 submissions
    assert hooks.db.execute("SELECT COUNT(*) FROM webhook_events").fetchone()[0] == events_before

    analysed = hooks.app.test_cli_runner().invoke(args=["analyze", "--survey", str(hooks.survey.id)])
    assert analysed.exit_code == 0, analysed.output
    hooks.deliver()
    assert receiver.types() == ["wave.opened", "analysis.finished"]  # the run, but no release
    assert receiver.received[-1].event["data"]["responses"] == {"released_total": 0}

    hooks.submit(1)
    hooks.deliver()
    assert receiver.types() == ["wave.opened", "analysis.finished"]  # the k-th arrival: still nothing
    analysed = hooks.app.test_cli_runner().invoke(args=["analyze", "--survey", str(hooks.survey.id)])
    assert analysed.exit_code == 0, (analysed.output, analysed.exception)
    hooks.deliver()
    assert receiver.types()[2:] == ["responses.released", "analysis.finished"]
    released = receiver.received[2]
    assert verify_signature(secret, released.headers["Rapport-Signature"], released.body)
    assert released.event["data"]["responses"] == {"released": K, "released_total": K}
    assert set(released.event["data"]) == {"survey", "wave", "responses"}
    assert not any(topic in released.body.decode() for topic in TOPICS)
    # Rule 9: once delivered, nothing finer than a date is kept of when the batch was released.
    kept_times = hooks.db.execute("SELECT DISTINCT next_attempt_at, lease_until FROM webhook_deliveries")
    assert kept_times.fetchall() == [(None, None)]
    event_days = {row[0] for row in hooks.db.execute("SELECT created_on FROM webhook_events")}
    assert event_days == {today.isoformat()}


def test_unsafe_urls_are_refused_at_registration(tmp_path, receiver):
    database = str(tmp_path / "rapport.db")
    db = open_database(database)
    migrate(db)
    app = _app(database, WEBHOOK_ALLOWED_NETWORKS="")
    admin = _client(app, db, "admin")
    for url, message in [(receiver.url, "does not send webhooks to 127.0.0.1"),
                         ("http://169.254.169.254/latest/meta-data/", "link-local"),
                         ("ftp://example.org/hook", "must start with https://"),
                         ("https://user:pw@example.org/hook", "no user name or password"),
                         ("http://[::1]:9/hook", "does not send webhooks to"),
                         ("not a url", "must start with https://")]:
        page = admin.post("/staff/admin/webhooks/", data={"url": url, "events": ["wave.opened"]})
        assert page.status_code == 400, url
        assert message in page.get_data(as_text=True), url
    assert db.execute("SELECT COUNT(*) FROM webhook_endpoints").fetchone()[0] == 0
    db.close()


def test_the_allow_list_opens_loopback_but_never_metadata_unless_listed():
    loopback = parse_networks("127.0.0.0/8")
    assert check_target("http://127.0.0.1:8080/x?y=1", loopback).path == "/x?y=1"
    with pytest.raises(InvalidInput, match=r"169\.254\.169\.254"):
        check_target("http://169.254.169.254/", loopback)
    with pytest.raises(InvalidInput):
        check_target("http://[::ffff:169.254.169.254]/", loopback)
    with pytest.raises(InvalidInput, match="not a network"):
        parse_networks("10.0.0.0/33")


def test_a_delivery_to_an_address_no_longer_allowed_is_refused_without_connecting(hooks, receiver):
    hooks.register(receiver.url, ["wave.opened"])
    update_wave(hooks.db, hooks.wave.id, "Wave 1", dt.date.today(), dt.date.today() + dt.timedelta(days=9))
    results = deliver_due(hooks.db, WebhookSettings((), max_attempts=1))
    assert [result.state for result in results] == ["failed"]
    assert "does not send webhooks to 127.0.0.1" in results[0].error
    assert receiver.received == []


def test_the_webhooks_page_is_for_admins_only(hooks):
    assert hooks.brm.get("/staff/admin/webhooks/").status_code == 403
    page = hooks.admin.get("/staff/admin/webhooks/")
    assert page.status_code == 200 and "New endpoint" in page.get_data(as_text=True)
    assert hooks.admin.post("/staff/admin/webhooks/", data={"url": "https://example.org"}).status_code == 400
    assert hooks.admin.post("/staff/admin/webhooks/999/test").status_code == 404
