"""``rapport import-csv``: all rows or none, clear line-numbered errors, redaction on the way in;
``rapport backup``: a consistent copy."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlite_utils

from survey.store.surveys import add_question, create_survey, create_wave


@pytest.fixture
def wave(db):
    survey = create_survey(db, "Imported pulse")
    add_question(db, survey.id, "segment", "Department", options=["Finance", "Sales"])
    add_question(db, survey.id, "rating", "Overall")
    add_question(db, survey.id, "text", "What should IT change?")
    return create_wave(db, survey.id, "2026 Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))


def _write(tmp_path, text: str | bytes):
    path = tmp_path / "responses.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return str(path)


def test_a_good_file_is_imported_with_text_redacted_and_dates_kept(runner, db, wave, tmp_path):
    path = _write(tmp_path, "Department,Overall,What should IT change?,date,Comments to ignore\n"
                            "Finance,4,Faster laptops please - mail jo.bloggs@example.com,2026-02-03,x\n"
                            "Sales,2,The CRM rollout was late,2026-03-01T10:22:00,y\n")
    result = runner.invoke(args=["import-csv", "--wave", str(wave.id), path])
    assert result.exit_code == 0, result.output
    assert "Imported 2 responses" in result.output and "Comments to ignore" in result.output
    texts = [row[0] for row in db.execute("SELECT text FROM answers WHERE text IS NOT NULL")]
    assert any("[EMAIL]" in text for text in texts)
    assert not any("jo.bloggs" in text for text in texts)
    assert sorted(row[0] for row in db.execute("SELECT submitted_on FROM responses")) == [
        "2026-02-03", "2026-03-01"]


GOOD_ROW = "Finance,3,This row alone would be fine\n"


@pytest.mark.parametrize(("content", "message"), [
    ("Department,Overall,What should IT change?\n" + GOOD_ROW + "Finance,9,ok\n",
     "line 3: 'Overall' must be a whole number"),
    ("Department,Overall,What should IT change?\n" + GOOD_ROW + "Legal,3,ok\n",
     "must be one of Finance, Sales"),
    ("Department,What should IT change?,date\nSales,ok,2026-02-01\nSales,ok,2025-01-01\n",
     "outside the wave"),
    ("Department,Overall\nSales,3\n", "No column matches an open-text question"),
    ("What should IT change?\n", "no responses below its header"),
    ("What should IT change?\nfine\nfine,extra\n", "line 3: more cells than the header"),
])
def test_a_bad_file_imports_nothing_and_says_where(runner, db, wave, tmp_path, content, message):
    result = runner.invoke(args=["import-csv", "--wave", str(wave.id), _write(tmp_path, content)])
    assert result.exit_code != 0
    assert message in result.output
    assert db["responses"].count == 0


def test_a_file_that_is_not_utf8_is_refused(runner, db, wave, tmp_path):
    path = _write(tmp_path, "What should IT change?\nCaf\xe9 is closed\n".encode("latin-1"))
    result = runner.invoke(args=["import-csv", "--wave", str(wave.id), path])
    assert result.exit_code != 0 and "not UTF-8" in result.output
    assert db["responses"].count == 0


def test_backup_writes_a_consistent_copy_and_never_overwrites(runner, db, wave, tmp_path):
    target = tmp_path / "copy.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert sqlite_utils.Database(str(target))["waves"].count == 1
    assert oct(target.stat().st_mode & 0o777) == "0o600"  # a copy of every answer: private
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output
