"""``rapport import-csv`` is all-or-nothing and idempotent, even under ``kill -9`` (issue 11, item 7)."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import time

import pytest

ROWS = 6000


def _csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["What should IT change?", "How well does IT listen?", "Your department"])
    for n in range(rows):
        writer.writerow([f"Ask Priya Raman about ticket {n}; the laptop rollout slipped again.",
                         str(1 + n % 5), ["Finance", "HR", "Sales"][n % 3]])
    return out.getvalue().encode()


def _count(db) -> int:
    return db.execute("SELECT COUNT(*) FROM responses").fetchone()[0]


def _import(app, tmp_path, path) -> subprocess.Popen:
    env = {**os.environ, "RAPPORT_DATABASE": app.config["DATABASE"], "RAPPORT_INSTANCE_PATH": str(tmp_path),
           "RAPPORT_ENV": "development"}
    command = [sys.executable, "-c", "from survey.cli.main import main; main()", "import-csv", "--wave",
               str(app.config["_wave"]), str(path)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.mark.slow
def test_a_killed_import_stores_nothing_and_a_second_import_stores_everything_once(
        app, db, partner_wave, tmp_path):
    wave = partner_wave()
    app.config["_wave"] = wave.id
    path = tmp_path / "big.csv"
    path.write_bytes(_csv(ROWS))
    importing = _import(app, tmp_path, path)
    started = time.monotonic()
    # Kill it a few seconds in (spaCy loaded, redaction under way) or as soon as rows appear.
    while time.monotonic() - started < 3 and importing.poll() is None and _count(db) == 0:
        time.sleep(0.05)
    assert importing.poll() is None, "the import finished before it could be killed; raise ROWS"
    importing.send_signal(signal.SIGKILL)
    importing.wait()
    importing.stdout.close()
    killed_with = _count(db)
    assert killed_with in (0, ROWS), "a killed import left part of the file"

    again = _import(app, tmp_path, path)
    output, _ = again.communicate(timeout=600)
    if killed_with == 0:
        assert again.returncode == 0, output
    else:  # the kill landed after the one commit: the file is in, and it is not taken twice
        assert again.returncode != 0 and "already imported" in output
    assert _count(db) == ROWS

    third = _import(app, tmp_path, path)
    output, _ = third.communicate(timeout=600)
    assert third.returncode != 0 and "already imported" in output
    assert _count(db) == ROWS
