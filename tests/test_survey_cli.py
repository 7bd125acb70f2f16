"""The ``rapport`` command line: init-db, create-user, and help text for every command."""

import contextlib
import sqlite3

import click
import pytest
from click.testing import CliRunner

from survey import create_app
from survey.cli.main import main
from survey.store.staff import authenticate, list_staff_users


def test_create_user_prompts_twice_for_the_password_and_stores_only_a_hash(runner, db):
    result = runner.invoke(args=["create-user", "alice", "--role", "brm"],
                           input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "Created brm account 'alice'." in result.output
    assert "a long password" not in result.output
    assert [(user.username, user.role) for user in list_staff_users(db)] == [("alice", "brm")]
    assert authenticate(db, "alice", "a long password") is not None
    stored = db.execute("SELECT password_hash FROM staff").fetchone()[0]
    assert "a long password" not in stored


def test_create_user_asks_again_when_the_two_passwords_differ(runner, db):
    result = runner.invoke(args=["create-user", "bob", "--role", "culture_lead"],
                           input="first password!\nother password!\nsame password!\nsame password!\n")
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert authenticate(db, "bob", "same password!") is not None


@pytest.mark.parametrize("args, password, message", [
    (["create-user", "carol", "--role", "brm"], "short", "Passwords need at least 10 characters."),
    (["create-user", "  ", "--role", "brm"], "a long password", "A username is required."),
])
def test_create_user_reports_bad_input_as_a_clean_error(runner, db, args, password, message):
    result = runner.invoke(args=args, input=f"{password}\n{password}\n")
    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert list_staff_users(db) == []


def test_create_user_refuses_a_taken_username_and_an_unknown_role(runner, db):
    first = runner.invoke(args=["create-user", "dave", "--role", "admin"], input="a long password\n" * 2)
    assert first.exit_code == 0
    again = runner.invoke(args=["create-user", "DAVE", "--role", "brm"], input="a long password\n" * 2)
    assert again.exit_code == 1 and "is taken" in again.output
    wrong_role = runner.invoke(args=["create-user", "erin", "--role", "root"], input="a long password\n" * 2)
    assert wrong_role.exit_code == 2 and "'root' is not one of" in wrong_role.output
    assert [user.username for user in list_staff_users(db)] == ["dave"]


def test_init_db_creates_the_schema_then_reports_it_is_up_to_date(tmp_path):
    path = tmp_path / "fresh" / "rapport.db"
    runner = create_app({"DATABASE": str(path)}).test_cli_runner()
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0, first.output
    assert "applied m001_staff_and_surveys, m002_responses" in first.output
    with contextlib.closing(sqlite3.connect(path)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"staff", "surveys", "questions", "waves", "responses", "answers", "invitation_codes"} <= tables
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0 and "already up to date" in second.output


def test_the_installed_rapport_command_uses_the_configured_database(tmp_path, monkeypatch):
    path = tmp_path / "env.db"
    monkeypatch.setenv("RAPPORT_DATABASE", str(path))
    monkeypatch.delenv("RAPPORT_SECRET_KEY", raising=False)
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    assert str(path) in result.output and path.exists()


def test_every_rapport_command_has_help_text():
    runner = CliRunner()
    assert main.commands, "rapport has no commands"
    missing = [name for name, command in main.commands.items() if not (command.help or "").strip()]
    assert missing == []
    for name in list(main.commands):
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Usage:" in result.output
    for name, command in list(main.commands.items()):
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert (param.help or "").strip(), f"rapport {name} {param.opts[0]} has no help"
