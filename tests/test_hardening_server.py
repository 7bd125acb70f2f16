"""The production server under hostile clients (issue 11, items 2 and 3), on loopback, bounded.

Each test starts ``rapport serve`` in a subprocess with two workers on a temp database, exactly as
an operator would, and talks HTTP to it.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

import pytest
from test_survey_partner import answers_for, hidden_fields

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def real_server(app, tmp_path):
    """Factory: ``rapport serve`` on the test database with extra ``RAPPORT_*`` settings."""
    started = []

    def start(**settings: str) -> int:
        port = free_port()
        env = {**os.environ, "RAPPORT_DATABASE": app.config["DATABASE"], "RAPPORT_SECRET_KEY": "s3cret-key",
               "RAPPORT_INSTANCE_PATH": str(tmp_path), "RAPPORT_ENV": "production",
               **{f"RAPPORT_{key}": value for key, value in settings.items()}}
        command = [sys.executable, "-c", "from survey.cli.main import main; main()", "serve",
                   "--port", str(port), "--workers", "2", "--access-log", str(tmp_path / "access.log")]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        started.append(server)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert server.poll() is None, "rapport serve exited early"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                time.sleep(0.5)
                return port
            except OSError:
                time.sleep(0.2)
        raise AssertionError("rapport serve did not start")

    yield start
    for server in started:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def get(port: int, path: str, timeout: float = 10) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        reply = connection.getresponse()
        cookie = "; ".join(h.split(";", 1)[0] for h in reply.headers.get_all("Set-Cookie", []))
        return reply.status, reply.read().decode(), cookie
    finally:
        connection.close()


def submit(port: int, db, wave, text: str) -> tuple[int, str]:
    """One partner on fresh connections and no remembered cookie: GET the form, POST answers."""
    status, html, cookie = get(port, f"/s/{wave.token}")
    assert status == 200, html[:500]
    data = {**hidden_fields(html), **answers_for(db, wave, text=text)}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", f"/s/{wave.token}", body=urlencode(data), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        reply = connection.getresponse()
        return reply.status, reply.read().decode()
    finally:
        connection.close()


def test_one_address_stuffing_a_public_link_is_throttled_and_keeps_its_answers(real_server, db, partner_wave):
    wave = partner_wave()
    port = real_server(SUBMISSION_RATE_LIMIT='"5 per minute"')
    statuses = []
    for n in range(8):
        status, html = submit(port, db, wave, f"Stuffed answer number {n} about laptops.")
        statuses.append(status)
    assert statuses[:5] == [303] * 5, statuses
    assert statuses[5:] == [429] * 3, statuses
    assert "Stuffed answer number 7 about laptops." in html  # the page keeps what was typed
    assert "too many" in html.lower()
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 5
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    stored = " ".join(str(row) for table in tables if "throttle" in table
                      for row in db.execute(f"SELECT * FROM [{table}]"))
    assert "127.0.0.1" not in stored


def trickle(port: int, path: str, seconds: float, stop: threading.Event) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/x-www-form-urlencoded\r\nContent-Length: 50000\r\n\r\n".encode())
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not stop.is_set():
            try:
                connection.sendall(b"a")
            except OSError:
                return
            stop.wait(0.5)


def test_fifty_slow_clients_do_not_delay_other_requests(real_server, partner_wave):
    wave = partner_wave()
    port = real_server()
    stop = threading.Event()
    slow = [threading.Thread(target=trickle, args=(port, f"/s/{wave.token}", 15, stop)) for _ in range(50)]
    for thread in slow:
        thread.start()
    try:
        time.sleep(1.5)
        took = []
        for _ in range(60):
            started = time.perf_counter()
            status, html, _cookie = get(port, f"/s/{wave.token}", timeout=5)
            took.append(time.perf_counter() - started)
            assert status == 200 and re.search(r'name="form_token"', html)
    finally:
        stop.set()
        for thread in slow:
            thread.join(10)
    # Issue 11's budget: p99 < 1 s for normal requests while they trickle (one outlier may reach 2 s
    # on this shared machine; bench/slow_clients.py measures it quietly).
    assert statistics.quantiles(took, n=100)[98] < 1.0 and max(took) < 2.0, sorted(took)
