"""Plumbing for the single sign-on tests: a real OpenID Provider (npm ``oidc-provider``, started with
node by ``tests/oidc/provider.mjs``) and Rapport's production server (``rapport serve``), both on
free loopback ports, and a sign-in driven over plain HTTP the way a browser follows it."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
PROVIDER_SCRIPT = ROOT / "tests" / "oidc" / "provider.mjs"
OIDC_PROVIDER_PACKAGE = ROOT / "node_modules" / "oidc-provider" / "package.json"
NODE = shutil.which("node")

#: Marks for a module of tests that start the provider.
OIDC_MARKS = [
    pytest.mark.slow,
    pytest.mark.skipif(NODE is None, reason="node is missing (install the Debian package nodejs)"),
    pytest.mark.skipif(not OIDC_PROVIDER_PACKAGE.exists(),
                       reason="oidc-provider is missing: run make node_modules/.installed"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def oidc_provider_version() -> str:
    return json.loads(OIDC_PROVIDER_PACKAGE.read_text())["version"]


class Provider:
    """A running test provider: its issuer URL, and its run-time switches (``/test-control``)."""

    def __init__(self, issuer: str, accounts: dict[str, Any]) -> None:
        self.issuer = issuer
        self.accounts = accounts

    def control(self, **switches: Any) -> None:
        requests.post(f"{self.issuer}/test-control", json=switches, timeout=10).raise_for_status()

    def behave(self) -> None:
        """Back to a well-behaved provider."""
        self.control(clockOffsetSeconds=0, idTokenClaims=None, foreignKey=False, accounts=self.accounts)


@contextmanager
def oidc_provider(tmp_path: Path, clients: list[dict[str, Any]],
                  accounts: dict[str, Any]) -> Iterator[Provider]:
    """Start ``tests/oidc/provider.mjs``; wait for its discovery document; stop it afterwards."""
    config = tmp_path / "provider.json"
    config.write_text(json.dumps({"clients": clients, "accounts": accounts}))
    log = tmp_path / "provider.log"
    with open(log, "wb") as errors:
        node = subprocess.Popen([str(NODE), str(PROVIDER_SCRIPT), str(config)], stdout=subprocess.PIPE,
                                stderr=errors, cwd=ROOT, start_new_session=True)
    try:
        assert node.stdout is not None
        line = node.stdout.readline().decode()  # the script prints its issuer once it listens
        assert line.startswith("ISSUER "), f"the provider did not start: {line!r} {log.read_text()}"
        issuer = line.split()[1]
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, f"no discovery document: {log.read_text()}"
            time.sleep(0.2)
        yield Provider(issuer, accounts)
    finally:
        node.terminate()
        try:
            node.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
        if node.stdout is not None:
            node.stdout.close()


@contextmanager
def rapport_server(database: str, tmp_path: Path, port: int, **settings: Any) -> Iterator[str]:
    """``rapport serve`` (gunicorn, one worker) on ``port`` with ``RAPPORT_*`` settings; yields its URL."""
    env = {**os.environ, "RAPPORT_DATABASE": database, "RAPPORT_SECRET_KEY": "oidc-test-secret-key",
           "RAPPORT_INSTANCE_PATH": str(tmp_path), "RAPPORT_ENV": "production",
           **{f"RAPPORT_{key}": value if isinstance(value, str) else json.dumps(value)
              for key, value in settings.items()}}
    command = [sys.executable, "-c", "from survey.cli.main import main; main()", "serve",
               "--port", str(port), "--workers", "1", "--access-log", str(tmp_path / "access.log")]
    with open(tmp_path / "server.log", "wb") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "rapport serve did not start"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def follow_to_callback(base: str, username: str, session: requests.Session | None = None
                       ) -> tuple[requests.Session, str, str]:
    """Start single sign-on at Rapport and sign in at the provider as ``username``, following every
    redirect as a browser would, but stop before Rapport's callback.

    Returns the HTTP session (its cookies as they are before the callback), the authorization URL
    Rapport sent the browser to, and the callback URL the provider sent it back to.
    """
    session = session or requests.Session()
    reply = session.get(f"{base}/staff/oidc/login", allow_redirects=False)
    assert reply.status_code == 302, reply.text[:500]
    authorization = url = reply.headers["Location"]
    for _hop in range(20):
        if url.startswith(f"{base}/staff/oidc/callback"):
            return session, authorization, url
        reply = session.get(url, allow_redirects=False)
        if reply.is_redirect:
            url = urljoin(url, reply.headers["Location"])
            continue
        form = re.search(r'<form method="post" action="([^"]+)"', reply.text)
        assert reply.status_code == 200 and form, reply.text[:500]
        reply = session.post(urljoin(url, form.group(1)), data={"login": username}, allow_redirects=False)
        assert reply.is_redirect, reply.text[:500]
        url = urljoin(url, reply.headers["Location"])
    raise AssertionError("too many redirects on the way to the callback")
