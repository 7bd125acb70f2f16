"""Unit exports: stable columns, no arrival order, small segments suppressed, no spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import json

import pytest

from reports.errors import ExportError
from reports.exports import (
    SUPPRESSED_SEGMENT,
    UNIT_COLUMNS,
    ExportUnit,
    export_id,
    units_to_csv,
    units_to_json,
)

KEY = b"fixed export key for the tests"


def unit(unit_id: str, response_id: str, **fields) -> ExportUnit:
    values = {"wave": "2026 Q1", "segment": "Finance", "theme": "Delivery", "sentiment_score": -0.4213,
              "sentiment_label": "negative", "silo_flags": (), "text": "The project landed late."}
    values.update(fields)
    return ExportUnit(unit_id=unit_id, response_id=response_id, **values)


@pytest.fixture
def units() -> list[ExportUnit]:
    finance = [unit(f"f{n}", f"resp-f{n}") for n in range(5)]
    small = [unit("h1", "resp-h1", segment="HR", text="=HYPERLINK(\"http://evil\")",
                  silo_flags=("internal customer", "the business")),
             unit("h2", "resp-h2", segment="HR", theme="Support", sentiment_score=0.5,
                  sentiment_label="positive", text="+1 for the service desk, café au lait ☕")]
    no_segment = [unit("a1", "resp-a1", segment=None, theme=None, sentiment_score=None,
                       sentiment_label="neutral", text="@channel please")]
    return [*small, *finance, *no_segment]


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def by_stored_id(rows: list[dict], units: list[ExportUnit]) -> dict[str, dict]:
    """Rows keyed by the stored unit id (the tests know :data:`KEY`; a reader of an export does not)."""
    stored = {export_id(u.unit_id, KEY): u.unit_id for u in units}
    return {stored[row["unit_id"]]: row for row in rows}


def test_csv_has_the_stable_column_order(units):
    header = next(csv.reader(io.StringIO(units_to_csv(units))))
    assert tuple(header) == UNIT_COLUMNS
    assert "response_id" not in header


def test_csv_neutralises_formula_cells_but_not_numbers(units):
    rows = by_stored_id(read_csv(units_to_csv(units, export_key=KEY)), units)
    assert rows["h1"]["text"] == "'=HYPERLINK(\"http://evil\")"
    assert rows["h2"]["text"].startswith("'+1 for the service desk")
    assert rows["a1"]["text"] == "'@channel please"
    assert rows["f0"]["sentiment_score"] == "-0.421"
    assert rows["f0"]["text"] == "The project landed late."


def test_csv_joins_flags_and_keeps_unicode(units):
    rows = by_stored_id(read_csv(units_to_csv(units, export_key=KEY)), units)
    assert rows["h1"]["silo_flags"] == "internal customer; the business"
    assert "café au lait ☕" in rows["h2"]["text"]


def test_csv_byte_order_mark_is_optional(units):
    assert not units_to_csv(units).startswith("\ufeff")
    assert units_to_csv(units, bom=True).startswith("\ufeffunit_id,")


def test_rows_are_sorted_by_content_never_by_arrival(units):
    forwards = units_to_csv(units, export_key=KEY)
    assert units_to_csv(list(reversed(units)), export_key=KEY) == forwards
    rows = read_csv(forwards)
    order = [row["unit_id"] for row in rows]
    finance = [by_stored_id(rows, units)[f"f{n}"]["unit_id"] for n in range(5)]
    assert [unit_id for unit_id in order if unit_id in finance] == sorted(finance)


def test_exported_ids_are_keyed_hashes_that_change_with_every_export(units):
    first, second = read_csv(units_to_csv(units)), read_csv(units_to_csv(units))
    stored = {u.unit_id for u in units}
    assert not {row["unit_id"] for row in first} & stored
    assert not {row["unit_id"] for row in first} & {row["unit_id"] for row in second}
    assert len({row["unit_id"] for row in first}) == len(units)
    records = json.loads(units_to_json(units))
    assert not {record["unit_id"] for record in records} & {row["unit_id"] for row in first}


def test_segments_below_the_threshold_are_suppressed(units):
    rows = by_stored_id(read_csv(units_to_csv(units, export_key=KEY)), units)
    assert rows["h1"]["segment"] == rows["h2"]["segment"] == SUPPRESSED_SEGMENT
    assert rows["f0"]["segment"] == "Finance"
    assert rows["a1"]["segment"] == ""
    assert "HR" not in units_to_csv(units) and "HR" not in units_to_json(units)


def test_themes_below_the_threshold_are_left_blank_so_they_group_no_respondent(units):
    rows = by_stored_id(read_csv(units_to_csv(units, export_key=KEY)), units)
    assert rows["h2"]["theme"] == ""  # "Support": one respondent
    assert rows["f0"]["theme"] == rows["h1"]["theme"] == "Delivery"  # six respondents
    assert "Support" not in units_to_csv(units) and "Support" not in units_to_json(units)


def test_threshold_counts_respondents_not_units():
    many_units_one_person = [unit(f"u{n}", "same-response") for n in range(6)]
    rows = read_csv(units_to_csv(many_units_one_person))
    assert {row["segment"] for row in rows} == {SUPPRESSED_SEGMENT}
    assert {row["segment"] for row in read_csv(units_to_csv(many_units_one_person, min_group_size=1))} == {
        "Finance"
    }


def test_json_has_the_same_columns_and_plain_values(units):
    records = json.loads(units_to_json(units, export_key=KEY))
    assert [list(record) for record in records] == [list(UNIT_COLUMNS)] * len(units)
    by_id = by_stored_id(records, units)
    assert by_id["h1"]["silo_flags"] == ["internal customer", "the business"]
    assert by_id["h1"]["text"] == "=HYPERLINK(\"http://evil\")", "JSON is not a spreadsheet: no prefix"
    assert by_id["a1"]["sentiment_score"] is None and by_id["a1"]["segment"] is None
    assert by_id["f0"]["sentiment_score"] == -0.421
    assert "café au lait ☕" in units_to_json(units)


def test_mappings_are_accepted_and_bad_rows_rejected(units):
    from dataclasses import asdict

    assert units_to_json([asdict(u) for u in units], export_key=KEY) == units_to_json(units, export_key=KEY)
    with pytest.raises(ExportError):
        units_to_csv([{"unit_id": "x", "wave": "2026 Q1"}])
    with pytest.raises(ExportError):
        units_to_json([{**asdict(units[0]), "ip_address": "10.0.0.1"}])


def test_empty_export_is_just_the_header():
    assert units_to_csv([]) == ",".join(UNIT_COLUMNS) + "\r\n"
    assert json.loads(units_to_json([])) == []
