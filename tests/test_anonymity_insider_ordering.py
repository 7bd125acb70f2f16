"""DESIGN.md section 3, rules 2 and 8 in the database file: every table holding response-derived
rows is keyed by random ids, and no column of any such table (nor its rowid) lists rows in arrival
order, so an insider with the file cannot place a comment in an arrival window.
"""

from __future__ import annotations

import re
import sqlite3

import insider_support as insider
from insider_support import (
    K,
    concordance_within_batches,
    is_rowid_table,
    release_batches,
    respondent_of,
    response_derived_tables,
)

world = insider.world  # the insider's fixture: one survey, one open wave, real partner form


#: Tables that hold a row per response, answer or comment (and must be found by
#: :func:`insider_support.response_derived_tables`): responses and their release, answers, comments
#: with their sentiment and theme, silo flags, the embeddings cache, BRM sentiment corrections, and
#: the full-text index's content and sizes (rowid tables of their own).
RESPONSE_DERIVED = ("responses", "released_responses", "answers", "analysed_answers", "units",
                    "unit_embeddings", "sentiment_corrections", "units_fts", "units_fts_content",
                    "units_fts_docsize")


def _correct_one_comment_per_partner_in_arrival_order(world) -> None:
    from survey.services.sentiment_corrections import correct_sentiment

    units = world.db.execute("SELECT id, text FROM units WHERE survey_id = ?", [world.survey.id]).fetchall()
    first = {}
    for unit_id, text in sorted(units):
        first.setdefault(respondent_of(world, text), unit_id)
    for word in world.arrivals:
        correct_sentiment(world.db, world.survey.id, first[word], "positive", min_quote_group_size=K)


def test_every_table_holding_response_derived_rows_is_keyed_by_random_ids(world):
    world.submit(K)
    world.analyse()
    con = sqlite3.connect(world.app.config["DATABASE"])
    schema = dict(con.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    plain = [t for t in response_derived_tables(con)
             if "VIRTUAL" not in (schema[t] or "") and not re.search(r"_fts(_\w+)?$", t)]
    assert {t for t in RESPONSE_DERIVED if not t.startswith("units_fts")} <= set(plain)
    for table in plain:
        assert schema[table].rstrip().upper().endswith("WITHOUT ROWID"), table
    con.close()


def test_no_column_of_any_table_orders_rows_by_arrival(world):
    """Partners arrive one at a time, with an analysis run after each (the insider's best case).
    Within every batch that rule 7 releases together, ordering any table holding response-derived
    rows by any of its columns (or by rowid) must not follow arrival order. (The FTS index's own
    b-tree pages, ``units_fts_data``/``_idx``, hold no row per response and are not listings.)
    A BRM also corrects one comment of each partner, in arrival order, so the corrections table
    holds rows written in that order."""
    for _ in range(35):
        world.submit(1)
        world.analyse()
    batches = release_batches(len(world.arrivals), 1)
    _correct_one_comment_per_partner_in_arrival_order(world)
    con = sqlite3.connect(world.app.config["DATABASE"])
    text_by_key = dict(con.execute("SELECT text_key, text FROM units"))
    response_of_unit = dict(con.execute("SELECT id, response_id FROM units"))
    word_of_response = {}
    for response_id, text in con.execute("SELECT response_id, text FROM answers WHERE text IS NOT NULL"):
        word_of_response[response_id] = respondent_of(world, text)

    def arrival(row: dict) -> int | None:
        for column, value in row.items():
            if not isinstance(value, str):
                continue
            if column == "response_id" and value in word_of_response:
                return world.arrivals.index(word_of_response[value])
            if column in ("unit_id", "id") and value in response_of_unit:
                return world.arrivals.index(word_of_response[response_of_unit[value]])
            if column == "text_key" and value in text_by_key:
                return world.arrivals.index(respondent_of(world, text_by_key[value]))
            words = [word for word in world.arrivals if f" {word} " in f" {value} "]
            if len(words) == 1:
                return world.arrivals.index(words[0])
        return None

    leaks = []
    tables = dict.fromkeys(response_derived_tables(con) + [t for (t,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'units_fts%'")])
    assert set(RESPONSE_DERIVED) <= set(tables), set(RESPONSE_DERIVED) - set(tables)
    empty = [t for t in RESPONSE_DERIVED if not con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()]
    assert empty == [], f"nothing to order in {empty}: the test would prove nothing there"
    for table in [t for t in tables if not re.search(r"_fts_(data|idx|config)$", t)]:
        columns = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
        orders = [f'"{c}"' for c in columns] + (["rowid"] if is_rowid_table(con, table) else [])
        if table.startswith("units_fts"):
            fts_arrival = {rowid: arrival({"text": text}) for rowid, text in con.execute(
                "SELECT rowid, text FROM units_fts")} if is_rowid_table(con, "units_fts") else {}
        for order in orders:
            rows = con.execute(f'SELECT *{", rowid" if order == "rowid" else ""} FROM "{table}" '
                               f"ORDER BY {order}").fetchall()
            listed = []
            for row in rows:
                record = dict(zip(columns + (["rowid"] if order == "rowid" else []), row, strict=True))
                index = arrival(record)
                if index is None and table.startswith("units_fts"):
                    index = fts_arrival.get(record.get("id", record.get("rowid")))
                if index is not None and index not in listed:
                    listed.append(index)
            share = concordance_within_batches(listed, batches)
            if share is not None and not 0.15 <= share <= 0.85:
                leaks.append(f"{table} ORDER BY {order}: {share:.2f}")
    con.close()
    exported = list(dict.fromkeys(world.arrivals.index(respondent_of(world, row["text"]))
                                  for row in world.export_rows()))  # the order of a download's rows too
    share = concordance_within_batches(exported, batches)
    if share is not None and not 0.15 <= share <= 0.85:
        leaks.append(f"report.json row order: {share:.2f}")
    assert leaks == [], "\n".join(leaks)
