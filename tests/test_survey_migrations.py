"""The page indexes (m150) serve the staff pages' heaviest unit queries without scanning or sorting."""

from __future__ import annotations

import pytest
import sqlite_utils

from survey.migrations import migrate


@pytest.fixture
def fresh_db(tmp_path) -> sqlite_utils.Database:
    database = sqlite_utils.Database(tmp_path / "plans.db")
    migrate(database)
    return database


def _plan(db: sqlite_utils.Database, sql: str, params: list) -> str:
    return " | ".join(row[-1] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall())


def test_page_index_migration_is_applied(fresh_db):
    indexes = {index.name for index in fresh_db["units"].indexes}
    assert {"idx_units_flagged", "idx_units_theme_fit"} <= indexes


def test_silo_examples_read_flagged_units_in_id_order_without_sorting(fresh_db):
    plan = _plan(fresh_db, "SELECT id, segment, text FROM units WHERE survey_id = ? AND wave_id = ? "
                           "AND flag_count > 0 ORDER BY id", [1, 1])
    assert "idx_units_flagged" in plan
    assert "TEMP B-TREE" not in plan


def test_term_counts_join_flags_from_the_flagged_units_index(fresh_db):
    plan = _plan(fresh_db, "SELECT f.term_id, u.wave_id, COUNT(*), COUNT(DISTINCT u.response_id) "
                           "FROM unit_flags AS f JOIN units AS u ON u.id = f.unit_id "
                           "WHERE u.survey_id = ? AND u.flag_count > 0 GROUP BY f.term_id, u.wave_id", [1])
    assert "COVERING INDEX idx_units_flagged" in plan


def test_least_certain_units_of_a_theme_come_from_the_index_without_sorting(fresh_db):
    plan = _plan(fresh_db, "SELECT id, text FROM units WHERE survey_id = ? AND theme_id = ? "
                           "ORDER BY theme_confidence, id LIMIT 40", [1, "support"])
    assert "idx_units_theme_fit" in plan
    assert "TEMP B-TREE" not in plan
