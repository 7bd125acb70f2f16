"""What an insider who reads the database file finds (DESIGN.md section 3, rules 5 and 9).

Pages and the API re-check every stored figure, but what analysis stores for them must already be
safe; and the database files themselves are the service account's alone, because their times show
when the last write (perhaps a submission) happened. Uses the insider's world of
``test_anonymity_insider``: one survey, one open wave, partners answering through the real form.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
import test_anonymity_insider as insider
from test_anonymity_insider import K

from survey import create_app

world = insider.world


def _segment_rows_that_give_a_small_group_away(con: sqlite3.Connection, table: str) -> list[str]:
    """Stored rows of every theme together (``trend_points``) or of silo metrics (``silo_points``)
    not marked suppressed, per wave: any that is small, and any small group that is the wave total
    minus the segments shown (respondents without a segment count as a group of their own)."""
    where = "AND theme_id = ''" if table == "trend_points" else ""
    waves: dict[int, dict[str, tuple[int, int]]] = {}
    for wave_id, segment, responses, suppressed in con.execute(
            f"SELECT wave_id, segment, responses, suppressed FROM {table} WHERE 1 {where}"):
        waves.setdefault(wave_id, {})[segment] = (responses, suppressed)
    leaks = []
    for wave_id, rows in waves.items():
        leaks += [f"{table} wave {wave_id} {segment or 'all'}: {n} shown"
                  for segment, (n, suppressed) in rows.items() if not suppressed and n < K]
        total, total_hidden = rows.pop("", (0, 1))
        if total_hidden:
            continue
        unsegmented = total - sum(n for n, _ in rows.values())
        unknown = [n for n, suppressed in rows.values() if suppressed] + ([unsegmented] * (unsegmented > 0))
        if len(unknown) == 1 and unknown[0] < K:
            leaks.append(f"{table} wave {wave_id}: total minus shown segments = {unknown[0]} respondents")
    return leaks


@pytest.mark.parametrize("departments", [{"Finance": 7, "HR": 2}, {"Finance": 6, "HR": 5, "": 2}],
                         ids=["small-department", "no-department"])
def test_analysis_stores_no_segment_row_that_differencing_turns_into_a_small_group(world, departments):
    """Pages and the API re-check segment rows against the wave total, but what analysis stores
    for them to read must already be safe: a page that showed every stored row not marked
    suppressed would give nobody away."""
    for department, count in departments.items():
        world.submit(count, department)
    world.analyse()
    con = sqlite3.connect(world.app.config["DATABASE"])
    assert con.execute("SELECT COUNT(*) FROM trend_points WHERE segment = '' AND theme_id = '' "
                       "AND suppressed = 0").fetchone()[0] == 1  # the wave itself is shown
    leaks = [leak for table in ("trend_points", "silo_points")
             for leak in _segment_rows_that_give_a_small_group_away(con, table)]
    con.close()
    assert leaks == [], "\n".join(leaks)


def test_the_database_files_are_the_service_accounts_alone(world):
    """The times of ``rapport.db``, ``-wal`` and ``-shm`` show when the last write (perhaps a
    submission) happened, and nothing can set a file's change time back (``os.utime`` itself sets it
    to now), so other accounts on the server must not even ``stat`` them: Rapport creates the folder
    0700 and the database 0600, and SQLite gives ``-wal`` and ``-shm`` the database's mode."""
    world.submit(1)
    database = world.app.config["DATABASE"]
    paths = [os.path.dirname(database)] + [database + suffix for suffix in ("", "-wal", "-shm")]
    modes = {os.path.basename(path): oct(os.stat(path).st_mode & 0o777) for path in paths}
    assert modes == {"instance": "0o700", "rapport.db": "0o600", "rapport.db-wal": "0o600",
                     "rapport.db-shm": "0o600"}


def test_init_db_warns_when_other_accounts_can_reach_the_database(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    app = create_app({"DATABASE": str(shared / "rapport.db"), "SECRET_KEY": "x"})
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert f"other accounts on this server can open {shared}" in result.stderr
    assert oct((shared / "rapport.db").stat().st_mode & 0o777) == "0o600"
    shared.chmod(0o700)
    again = app.test_cli_runner().invoke(args=["init-db"])
    assert again.exit_code == 0 and "Warning" not in again.stderr
