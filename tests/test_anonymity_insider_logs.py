"""DESIGN.md section 3, rule 9: no time finer than the date and no client address anywhere a
submission leaves a trace: the database, the instance folder, and the access and error logs of a
real ``rapport serve`` (which must also refuse forged lines); "check before sending" keeps nothing.
"""

from __future__ import annotations

import os
import pathlib
import re
import socket
import sqlite3
import subprocess
import sys
import time
from types import SimpleNamespace

import insider_support as insider
import pytest
from insider_support import TIME_OF_DAY, K, World
from test_survey_serve import free_port, wait_for_port

world = insider.world  # the insider's fixture: one survey, one open wave, real partner form


def test_the_database_keeps_no_time_of_day_after_submissions_and_analysis(world):
    world.submit(K)
    world.analyse()
    world.submit(K)
    world.analyse()
    con = sqlite3.connect(world.app.config["DATABASE"])
    found = []
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
                                "('staff', 'lexicon_versions', 'culture_events', '_sqlite_migrations')"):
        for row in con.execute(f'SELECT * FROM "{table}"'):
            for value in row:
                if isinstance(value, str) and re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", value):
                    found.append((table, value[:40]))
    con.close()
    assert found == []


def _tree(path: str) -> dict[str, tuple[int, int]]:
    state = {}
    for root, _, files in os.walk(path):
        for name in files:
            full = os.path.join(root, name)
            info = os.stat(full)
            state[os.path.relpath(full, path)] = (info.st_mtime_ns, info.st_size)
    return state


def test_a_submission_writes_nothing_to_the_instance_folder_but_the_database(world):
    world.partner.get(f"/s/{world.wave.token}")  # the form itself may warm caches
    before = _tree(world.instance)
    world.submit(1)
    after = _tree(world.instance)
    database = os.path.basename(world.app.config["DATABASE"])
    changed = {name for name in set(before) | set(after)
               if before.get(name) != after.get(name) and not name.startswith(database)}
    assert changed == set()


# ---- a real server -----------------------------------------------------------------------------

CLIENT_ADDRESS = "127.0.0.77"  # a loopback address of its own, so "the client's address" is unambiguous


def _raw_request(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=(CLIENT_ADDRESS, 0)) as connection:
        connection.sendall(payload)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.fixture
def served(world, tmp_path):
    """``rapport serve`` on a free loopback port, logging to files the insider can read."""
    port, access_log, error_log = free_port(), tmp_path / "access.log", tmp_path / "server.log"
    env = {**os.environ, "RAPPORT_DATABASE": world.app.config["DATABASE"], "RAPPORT_SECRET_KEY": "s3cret",
           "RAPPORT_INSTANCE_PATH": world.instance, "RAPPORT_ENV": "production"}
    command = [sys.executable, "-c", "from survey.cli.main import main; main()", "serve", "--port", str(port),
               "--workers", "1", "--threads", "2", "--access-log", str(access_log)]
    with open(error_log, "wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, server, timeout=90)
            yield SimpleNamespace(port=port, access_log=access_log, error_log=error_log)
        finally:
            server.terminate()
            server.wait(timeout=30)


def _form_post(port: int, token: str, world: World, word: str) -> bytes:
    """A partner's GET and POST of the form, from :data:`CLIENT_ADDRESS`, as a browser sends them."""
    page = _raw_request(port, f"GET /s/{token} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
    page = page.decode("utf-8", "replace")
    hidden = dict(re.findall(r'name="(csrf_token|form_token|code)" type="hidden" value="([^"]*)"', page))
    cookies = "; ".join(re.findall(r"Set-Cookie: (\w+=[^;\s]+)", page))
    questions = {row[1]: f"q{row[0]}" for row in world.db.execute(
        "SELECT id, prompt FROM questions WHERE survey_id = ?", [world.survey.id])}
    from urllib.parse import urlencode

    body = urlencode({**hidden, questions["What should IT change?"]: f"The {word} queue is slow.",
                      questions["How well does IT listen?"]: "4"}).encode()
    headers = (f"POST /s/{token} HTTP/1.0\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(body)}\r\nX-Forwarded-For: 198.51.100.23\r\n"
               + (f"Cookie: {cookies}\r\n" if cookies else "") + "\r\n")
    return _raw_request(port, headers.encode() + body)


def _check_post(port: int, token: str, world: World, text: str) -> bytes:
    """The form's "check before sending" as its script sends it (JSON answer), from the partner."""
    from urllib.parse import urlencode

    field = next(f"q{row[0]}" for row in world.db.execute(
        "SELECT id FROM questions WHERE survey_id = ? AND kind = 'text'", [world.survey.id]))
    body = urlencode({field: text}).encode()
    return _raw_request(port, (f"POST /s/{token}/check HTTP/1.0\r\nHost: x\r\nAccept: application/json\r\n"
                               f"Content-Type: application/x-www-form-urlencoded\r\n"
                               f"Content-Length: {len(body)}\r\n\r\n").encode() + body)


@pytest.mark.slow
def test_server_logs_hold_no_client_address_no_time_of_day_and_no_forged_lines(world, served):
    answer = _form_post(served.port, world.wave.token, world, "printer")
    assert answer.split(b" ", 2)[1] == b"303", answer.decode("utf-8", "replace")
    checked = _check_post(served.port, world.wave.token, world, "thanks, sipho from payroll")
    assert checked.split(b" ", 2)[1] == b"200" and b"sipho" in checked, checked[:300]
    _raw_request(served.port, b"GARBAGE \x01\x02 NOT-HTTP\r\n\r\n")  # a malformed request
    forged = "FORGED 203.0.113.9 - - [01/Jan/2026] \"GET /admin\" 200"
    _raw_request(served.port, f"GET /s/{world.wave.token}%0A{forged.replace(' ', '%20')} HTTP/1.0\r\n"
                              f"Host: x\r\n\r\n".encode())
    time.sleep(1.5)  # gunicorn flushes its logs
    logs = {"access": served.access_log.read_text(errors="replace"),
            "error": served.error_log.read_text(errors="replace")}
    assert "/s/" in logs["access"]
    problems = []
    for stream, text in logs.items():
        problems += [(stream, "client address") for address in (CLIENT_ADDRESS, "198.51.100.23")
                     if address in text]
        for line in text.splitlines():
            if line.startswith("FORGED"):
                problems.append((stream, "forged line", line))
            if "\x01" in line or "\x02" in line:
                problems.append((stream, "control character", line))
            if ("/s/" in line or "request" in line.lower()) and TIME_OF_DAY.search(line):
                problems.append((stream, "time of day", line))
    assert problems == [], "\n".join(map(repr, problems))
    # "Check before sending" keeps nothing: not in a log, not in the database files.
    database = world.app.config["DATABASE"]
    stored = b"".join(pathlib.Path(database + suffix).read_bytes()
                      for suffix in ("", "-wal") if os.path.exists(database + suffix))
    assert "sipho" not in logs["access"] + logs["error"] and b"sipho" not in stored
