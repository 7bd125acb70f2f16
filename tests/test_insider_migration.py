"""Issue 10, item 2: the migration that keys ``units`` by id alone rewrites existing rows in random
order, so a database analysed before it keeps no trace of the order analysis stored them in."""

from __future__ import annotations

import uuid

import sqlite_utils

from survey.migrations import migrate, migrations

UNITS = 80
WORDS = [f"word{n:03d}" for n in range(UNITS)]  # the n-th unit stored holds WORDS[n]


def _concordance(order: list[int]) -> float:
    """Share of pairs listed in storage order (0.5 for a random order)."""
    pairs = [(a, b) for i, a in enumerate(order) for b in order[i + 1:]]
    return sum(a < b for a, b in pairs) / len(pairs)


def test_the_units_migration_rewrites_existing_rows_in_random_order(tmp_path):
    db = sqlite_utils.Database(tmp_path / "old.db")
    migrations.apply(db, stop_before="m181_units_without_rowid")
    with db.conn:
        db.conn.execute("PRAGMA foreign_keys = OFF")
        for n, word in enumerate(WORDS):  # stored one after another, as analysis runs once did
            unit_id = f"{uuid.uuid4()}:1:0"
            db.conn.execute(
                "INSERT INTO units (id, survey_id, wave_id, response_id, question_id, position, text, "
                "text_key, sentiment, sentiment_label, flag_count) VALUES (?, 1, 1, ?, 1, 0, ?, ?, 0, "
                "'neutral', ?)", [unit_id, unit_id.split(":")[0], f"The {word} team silos us.", word, n % 2])
            if n % 2:
                db.conn.execute("INSERT INTO unit_flags (unit_id, start, \"end\", text, category, term_id, "
                                "suggestion, stance) VALUES (?, 9, 13, 'team', 'silo', 't', '', 'silo')",
                                [unit_id])
    assert [row[0] for row in db.execute("SELECT text_key FROM units ORDER BY rowid")] == WORDS

    migrate(db)

    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'units'").fetchone()[0]
    assert sql.rstrip().upper().endswith("WITHOUT ROWID")
    assert db.execute("SELECT COUNT(*) FROM units").fetchone()[0] == UNITS
    assert db.execute("SELECT COUNT(*) FROM unit_flags").fetchone()[0] == UNITS // 2  # no cascade
    for order_by in ("id", "response_id"):  # every key a listing could sort by; there is no rowid
        rows = db.execute(f"SELECT text_key FROM units ORDER BY {order_by}")
        stored = [WORDS.index(row[0]) for row in rows]
        assert 0.3 < _concordance(stored) < 0.7, order_by
    fts = [WORDS.index(row[0].split()[1]) for row in db.execute("SELECT text FROM units_fts ORDER BY rowid")]
    assert 0.3 < _concordance(fts) < 0.7, "the search index was refilled in random order"
    found = db.execute("SELECT unit_id FROM units_fts WHERE units_fts MATCH 'word007'").fetchall()
    assert len(found) == 1
