"""Continuous backup with a real litestream (issue 15, part 5): the restore drill, ``rapport
restore``'s refusals and integrity check, the config Rapport writes, and ``rapport serve`` running
litestream beside it."""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import signal
import sqlite3
import stat
import subprocess
import sys
import time

import pytest
import sqlite_utils

from survey.services.replication import (
    ReplicaSettings,
    litestream_binary,
    replica_status,
    write_config,
)
from survey.store.backups import integrity_problems
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave

TABLES = ("surveys", "questions", "waves", "staff")


def _settings(app) -> ReplicaSettings:
    return ReplicaSettings.from_config(app.config)


@pytest.fixture
def replicated_app(app, tmp_path):
    app.config.update(
        REPLICA_URL=str(tmp_path / "replica"),
        REPLICA_SYNC_INTERVAL="1s",
        LITESTREAM_CONFIG=str(tmp_path / "litestream.yml"),
    )
    return app


def _rapport(app, tmp_path, *arguments: str, **popen) -> subprocess.Popen:
    env = {
        **os.environ,
        "RAPPORT_DATABASE": app.config["DATABASE"],
        "RAPPORT_INSTANCE_PATH": str(tmp_path),
        "RAPPORT_ENV": "development",
        "RAPPORT_REPLICA_URL": app.config["REPLICA_URL"],
        "RAPPORT_REPLICA_SYNC_INTERVAL": "1s",
        "RAPPORT_LITESTREAM_CONFIG": app.config["LITESTREAM_CONFIG"],
        "RAPPORT_SECRET_KEY": "s3cret",
        **popen.pop("env", {}),
    }
    command = [sys.executable, "-c", "from survey.cli.main import main; main()", *arguments]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **popen
    )


def _write_some(db, label: str, people: int) -> None:
    survey = create_survey(db, f"Pulse {label}", "How does IT work with you?")
    add_question(db, survey.id, "text", "What should IT change?")
    add_question(db, survey.id, "segment", "Department", options=["Finance", "HR"])
    create_wave(db, survey.id, f"{label} Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    for n in range(people):
        create_staff_user(db, f"{label}-person-{n}", "a long enough password 123", "brm")


def _rows(path: str) -> dict[str, list]:
    connection = sqlite3.connect(path)
    try:
        return {table: sorted(connection.execute(f"SELECT * FROM {table}").fetchall()) for table in TABLES}
    finally:
        connection.close()


def _wait_until_replica_has(app, tmp_path, expected: dict[str, list], timeout: float = 60) -> None:
    """Restore into scratch files until the replica holds exactly ``expected`` (or time runs out)."""
    deadline, attempt = time.monotonic() + timeout, 0
    settings = _settings(app)
    while time.monotonic() < deadline:
        attempt += 1
        probe = str(tmp_path / f"probe-{attempt}.db")
        restored = subprocess.run(
            [
                litestream_binary(),
                "restore",
                "-no-expand-env",
                "-config",
                write_config(settings),
                "-o",
                probe,
                settings.database,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if restored.returncode == 0 and _rows(probe) == expected:
            return
        time.sleep(0.5)
    raise AssertionError("the replica never caught up with the database")


def test_the_binary_is_the_pinned_litestream():
    version = subprocess.run([litestream_binary(), "version"], capture_output=True, text=True, check=True)
    assert version.stdout.strip() == "0.5.17"


@pytest.mark.slow
def test_restore_drill_write_replicate_delete_restore_compare(replicated_app, db, runner, tmp_path):
    app = replicated_app
    _write_some(db, "before", 3)
    replicating = _rapport(app, tmp_path, "replicate")
    try:
        _wait_until_replica_has(app, tmp_path, _rows(app.config["DATABASE"]))
        _write_some(db, "during", 4)  # written while litestream runs: must reach the replica too
        expected = _rows(app.config["DATABASE"])
        _wait_until_replica_has(app, tmp_path, expected)
    finally:
        replicating.send_signal(signal.SIGTERM)
        output = replicating.communicate(timeout=60)[0]
    assert replicating.returncode == 0, output
    assert "litestream shut down" in output
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(app.config["DATABASE"] + suffix):
            os.remove(app.config["DATABASE"] + suffix)

    restored = tmp_path / "restored.db"
    result = runner.invoke(args=["restore", str(restored)])
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output and "2 surveys" in result.output
    assert _rows(str(restored)) == expected
    assert len(expected["staff"]) == 7 and len(expected["surveys"]) == 2


def test_restore_refuses_the_live_database_and_existing_files_unless_forced(
    replicated_app, db, runner, tmp_path
):
    app = replicated_app
    _write_some(db, "only", 1)
    # rapport replicate becomes litestream (exec), so it runs as its own process here.
    shipped = _rapport(app, tmp_path, "replicate", "--once")
    assert shipped.wait(timeout=60) == 0, shipped.stdout.read()
    shipped.stdout.close()

    live = runner.invoke(args=["restore", app.config["DATABASE"]])
    assert live.exit_code != 0 and "is the live database" in live.output and "--force" in live.output
    existing = tmp_path / "existing.db"
    existing.write_bytes(b"keep me")
    refused = runner.invoke(args=["restore", str(existing)])
    assert refused.exit_code != 0 and "already exists" in refused.output
    assert existing.read_bytes() == b"keep me"

    expected = _rows(app.config["DATABASE"])
    db.close()
    forced = runner.invoke(args=["restore", "--force", app.config["DATABASE"]])
    assert forced.exit_code == 0, forced.output
    assert _rows(app.config["DATABASE"]) == expected
    assert not [name for name in os.listdir(tmp_path) if ".restoring-" in name]


def test_restore_with_an_empty_replica_says_so_and_leaves_nothing(replicated_app, runner, tmp_path):
    result = runner.invoke(args=["restore", str(tmp_path / "new.db")])
    assert result.exit_code != 0 and "could not restore" in result.output
    assert not (tmp_path / "new.db").exists()
    assert not [name for name in os.listdir(tmp_path) if ".restoring-" in name]


def test_without_a_replica_url_the_commands_say_how_to_configure_it(runner, app):
    for command in (["replicate"], ["restore", "x.db"]):
        result = runner.invoke(args=command)
        assert result.exit_code != 0 and "RAPPORT_REPLICA_URL" in result.output


def test_the_integrity_check_finds_a_damaged_file(tmp_path):
    path = tmp_path / "damaged.db"
    good = sqlite_utils.Database(str(path))
    good["t"].insert_all([{"id": n, "text": "x" * 400} for n in range(400)], pk="id")
    good["t"].create_index(["text"])
    assert integrity_problems(good) == []
    good.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 + 200 : 4096 * 3 + 900] = b"\x07" * 700  # scribble over an index page
    path.write_bytes(bytes(data))
    assert integrity_problems(sqlite_utils.Database(str(path)))


def test_the_s3_config_holds_no_credentials_and_only_its_owner_can_read_it(app, tmp_path):
    app.config.update(
        REPLICA_URL="s3://rapport-backups/prod/rapport.db",
        REPLICA_S3_ENDPOINT="https://minio.internal.example:9000",
        REPLICA_S3_REGION="eu-west-1",
        REPLICA_ACCESS_KEY_ID="AKIAEXAMPLEKEY",
        REPLICA_SECRET_ACCESS_KEY="very-secret-value",
        LITESTREAM_CONFIG=str(tmp_path / "ls.yml"),
    )
    path = write_config(_settings(app))
    text = pathlib.Path(path).read_text(encoding="utf-8")
    assert '"s3://rapport-backups/prod/rapport.db"' in text and "minio.internal.example" in text
    assert "very-secret-value" not in text and "AKIAEXAMPLEKEY" not in text
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_replica_that_cannot_be_reached_is_reported_not_raised(app, tmp_path):
    app.config.update(REPLICA_URL="ftp://nowhere.example/x", LITESTREAM_CONFIG=str(tmp_path / "ls.yml"))
    status = replica_status(_settings(app))
    assert status.configured and "neither a folder" in (status.problem or "")


@pytest.mark.slow
def test_serve_runs_litestream_beside_gunicorn_and_stops_it(replicated_app, db, tmp_path):
    from test_survey_serve import free_port, wait_for_port

    app = replicated_app
    port = free_port()
    server = _rapport(
        app,
        tmp_path,
        "serve",
        "--port",
        str(port),
        "--workers",
        "1",
        "--threads",
        "2",
        env={"RAPPORT_REPLICATE_WITH_SERVE": "true", "RAPPORT_ENV": "production"},
    )
    try:
        wait_for_port(port, server, timeout=120)
        _write_some(db, "served", 1)
        _wait_until_replica_has(app, tmp_path, _rows(app.config["DATABASE"]))
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0]
    assert "replicating to" in output and "litestream shut down" in output
    shipped = replica_status(_settings(app)).latest_txid
    _write_some(db, "after", 1)
    time.sleep(3)
    assert replica_status(_settings(app)).latest_txid == shipped, "litestream outlived the server"


def test_the_admin_page_shows_replication_the_last_backup_and_masked_settings(
    replicated_app, db, runner, staff_login, tmp_path
):
    app = replicated_app
    app.config.update(REPLICA_SECRET_ACCESS_KEY="do-not-show-7731", REPLICA_ACCESS_KEY_ID="AKIA-HIDE-ME")
    client = staff_login("admin")
    page = client.get("/staff/admin/system").get_data(as_text=True)
    assert "The replica holds nothing yet" in page and "No copy yet" in page
    shipped = _rapport(app, tmp_path, "replicate", "--once")
    assert shipped.wait(timeout=60) == 0, shipped.stdout.read()
    shipped.stdout.close()
    copy = tmp_path / "nightly-copy.db"
    assert runner.invoke(args=["backup", str(copy)]).exit_code == 0

    page = client.get("/staff/admin/system").get_data(as_text=True)
    status = replica_status(_settings(app))
    assert "Replicating" in page and status.latest_txid and status.latest_txid in page
    assert str(tmp_path / "replica") in page and "<dd>1s" in page
    assert str(copy) in page and f"{copy.stat().st_size:,} bytes" in page
    for secret in ("test-secret", "do-not-show-7731", "AKIA-HIDE-ME"):
        assert secret not in page, secret
    assert page.count("set (hidden)") >= 3 and "REPLICA_SYNC_INTERVAL" in page


def _mode(path) -> str:
    return oct(os.stat(path).st_mode & 0o777)


def test_a_restored_database_is_the_service_accounts_alone_like_a_new_one(
    replicated_app, db, runner, tmp_path
):
    """litestream writes with the process umask; a restored copy of every answer must still be 0600
    in a folder created 0700, as ``open_database`` creates them (their times show when answers came)."""
    app = replicated_app
    _write_some(db, "only", 1)
    shipped = _rapport(app, tmp_path, "replicate", "--once")
    assert shipped.wait(timeout=60) == 0, shipped.stdout.read()
    shipped.stdout.close()
    previous = os.umask(0o022)  # the usual umask: files 0644, folders 0755 unless made private
    try:
        fresh = tmp_path / "restored" / "rapport.db"
        result = runner.invoke(args=["restore", str(fresh)])
        assert result.exit_code == 0, result.output
        assert (_mode(fresh.parent), _mode(fresh)) == ("0o700", "0o600")
        assert "Warning" not in result.output
        opened = sqlite3.connect(fresh)  # SQLite gives -wal and -shm the database's mode
        opened.execute("SELECT COUNT(*) FROM surveys").fetchone()
        extra = [fresh.parent / (fresh.name + suffix) for suffix in ("-wal", "-shm")]
        assert {_mode(path) for path in extra if path.exists()} <= {"0o600"}
        opened.close()

        shared = tmp_path / "shared"
        shared.mkdir(mode=0o755)
        shared.chmod(0o755)
        warned = runner.invoke(args=["restore", str(shared / "rapport.db")])
        assert warned.exit_code == 0, warned.output
        assert _mode(shared / "rapport.db") == "0o600"
        assert f"other accounts on this server can open {shared}" in warned.output

        db.close()
        forced = runner.invoke(args=["restore", "--force", app.config["DATABASE"]])
        assert forced.exit_code == 0, forced.output
        assert _mode(app.config["DATABASE"]) == "0o600"
    finally:
        os.umask(previous)
    assert not [name for name in os.listdir(tmp_path) if ".restoring-" in name]
