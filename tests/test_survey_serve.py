"""``rapport serve``: gunicorn with private logs, refusing to run without a secret key."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from survey.cli.main import main
from survey.cli.serve import ACCESS_LOG_FORMAT, PrivateErrorFilter, gunicorn_options


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else "see its log file"
            raise AssertionError(f"rapport serve exited early: {output}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("rapport serve did not start listening in time")


def test_serve_refuses_to_start_without_a_secret_key_in_production(monkeypatch, tmp_path):
    monkeypatch.delenv("RAPPORT_SECRET_KEY", raising=False)
    monkeypatch.setenv("RAPPORT_ENV", "production")
    monkeypatch.setenv("RAPPORT_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("RAPPORT_DATABASE", str(tmp_path / "rapport.db"))
    result = CliRunner().invoke(main, ["serve", "--port", str(free_port())])
    assert result.exit_code == 1
    assert "SECRET_KEY is not set" in result.output


def test_serve_has_help_for_every_option():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--workers", "--threads", "--access-log"):
        assert option in result.output


def test_access_log_format_has_no_address_agent_referrer_or_query():
    options = gunicorn_options(host="0.0.0.0", port=8000, workers=3, threads=2)
    assert options["bind"] == "0.0.0.0:8000" and options["workers"] == 3
    # h: remote address, r/q: request line and query string, a: agent, f: referrer, {..}i: headers
    for atom in ("%(h)s", "%(r)s", "%(q)s", "%(a)s", "%(f)s", "i)s", "%(u)s"):
        assert atom not in ACCESS_LOG_FORMAT


def test_the_master_freezes_its_preloaded_heap_before_workers_fork():
    """Workers' full collections must not walk the preloaded app and models (p99, shared memory)."""
    code = ("import gc, survey.cli.serve as serve\n"
            "hook = serve.gunicorn_options()['when_ready']\n"
            "assert gc.get_freeze_count() == 0\n"
            "hook(None)\n"
            "print(gc.get_freeze_count())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 10_000  # everything imported so far, Flask and gunicorn included


def test_error_log_messages_lose_their_query_strings():
    record = logging.LogRecord("gunicorn.error", logging.ERROR, __file__, 1, "Error handling request %s",
                               ("/s/abc?code=ACDEF-GHJK3",), None)
    PrivateErrorFilter().filter(record)
    assert record.getMessage() == "Error handling request /s/abc"


@pytest.mark.slow
def test_the_real_server_logs_partner_requests_without_client_address(app, partner_wave, tmp_path):
    wave = partner_wave("invitation")
    port, access_log = free_port(), tmp_path / "access.log"
    env = {**os.environ, "RAPPORT_DATABASE": app.config["DATABASE"], "RAPPORT_SECRET_KEY": "s3cret",
           "RAPPORT_INSTANCE_PATH": str(tmp_path), "RAPPORT_ENV": "production"}
    command = [sys.executable, "-c", "from survey.cli.main import main; main()", "serve", "--port", str(port),
               "--workers", "1", "--threads", "2", "--access-log", str(access_log)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for_port(port, server)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/s/{wave.token}?code=ACDEF-GHJK3",
            headers={"User-Agent": "TracerAgent/9.9", "X-Forwarded-For": "198.51.100.23",
                     "Referer": "https://mail.example.net/tracer"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:  # an unknown code: 403 on the code form
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
        refused.value.close()
        deadline = time.monotonic() + 10
        while not access_log.exists() or f"/s/{wave.token}" not in access_log.read_text():
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.1)
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0]
    line = access_log.read_text()
    assert f'"GET /s/{wave.token}" 403' in line
    for secret in ("127.0.0.1", "198.51.100.23", "TracerAgent", "tracer", "code=", "ACDEF"):
        assert secret not in line, secret
        assert secret not in output.replace(f"127.0.0.1:{port}", ""), secret


def test_web_workers_keep_torch_out_and_stay_under_the_memory_budget(tmp_path):
    """DESIGN.md section 8: a web worker stays under 300 MB; the embedding model is analysis-only."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from survey.cli.serve import keep_torch_out_of_web_workers\n"
        "keep_torch_out_of_web_workers()\n"
        "from survey import create_app\n"
        f"app = create_app({{'SECRET_KEY': 'x', 'DATABASE': {str(tmp_path / 'w.db')!r}}})\n"
        "from nlp.redaction import redact_personal_data\n"
        "redact_personal_data('Okonkwo from Project Phoenix says ask Dave about the Lotus Notes move')\n"
        # VmHWM is this process's own peak (ru_maxrss would include the forking pytest parent).
        "peak = next(line for line in open('/proc/self/status') if line.startswith('VmHWM'))\n"
        "print('torch' in sys.modules, int(peak.split()[1]) // 1024)\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    torch_loaded, peak_mb = output.stdout.split()
    assert torch_loaded == "False"
    assert int(peak_mb) < 300
