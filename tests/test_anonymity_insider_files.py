"""The database files are the service account's alone (DESIGN.md section 3, rule 9): their times
show when the last write (perhaps a submission) happened. Uses the insider's world of
:mod:`insider_support`: one survey, one open wave, partners answering through the real form.
"""

from __future__ import annotations

import os

import insider_support as insider

from survey import create_app

world = insider.world


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
