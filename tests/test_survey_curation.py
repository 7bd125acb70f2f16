"""Theme curation: each operation changes the taxonomy and the stored rows, and survives re-analysis."""

from __future__ import annotations

import json

import pytest
from analysed_support import build_demo_survey_with_uncovered_concerns

from survey.errors import InvalidInput, NotFound
from survey.services import curation
from survey.services.analysis import run_analysis
from survey.store.taxonomies import load_taxonomy

pytestmark = pytest.mark.slow  # every test here starts from a real analysis (built once per session)


@pytest.fixture
def analysed(analysed_copy):
    """The analysed demo survey, two of whose concerns no seeded theme covers (so it has proposals)."""
    return analysed_copy(build_demo_survey_with_uncovered_concerns)


@pytest.fixture
def db(analysed):
    return analysed.db


@pytest.fixture
def survey_id(analysed) -> int:
    return analysed.survey_id


def theme_row(db, theme_id: str) -> dict | None:
    rows = list(db["themes"].rows_where("id = ?", [theme_id]))
    return rows[0] if rows else None


def seeded_by_size(db) -> list[str]:
    return [row[0] for row in db.execute(
        "SELECT id FROM themes WHERE kind = 'seeded' AND units > 0 ORDER BY units DESC, id")]


def unit_theme(db, unit_id: str) -> str | None:
    return db.execute("SELECT theme_id FROM units WHERE id = ?", [unit_id]).fetchone()[0]


def theme_trend_units(db, theme_id: str) -> int:
    """Units of the theme over all waves in the stored trend cells (segment '' = all)."""
    return db.execute("SELECT COALESCE(SUM(units), 0) FROM trend_points WHERE theme_id = ? AND segment = ''",
                      [theme_id]).fetchone()[0]


def test_rename_keeps_the_id_and_shows_at_once(db, survey_id):
    theme_id = seeded_by_size(db)[0]
    units = theme_row(db, theme_id)["units"]
    curation.rename_theme(db, survey_id, theme_id, " Keeping delivery promises ", "Dates and budgets kept.")
    row = theme_row(db, theme_id)
    assert (row["name"], row["description"], row["units"]) == (
        "Keeping delivery promises", "Dates and budgets kept.", units)
    assert load_taxonomy(db, survey_id).get(theme_id).name == "Keeping delivery promises"


def test_merge_moves_units_and_figures_into_the_target(db, survey_id):
    into_id, source_id = seeded_by_size(db)[:2]
    into_units, source_units = theme_row(db, into_id)["units"], theme_row(db, source_id)["units"]
    curation.merge_theme(db, survey_id, source_id, into_id)
    assert theme_row(db, source_id) is None
    assert theme_row(db, into_id)["units"] == into_units + source_units
    assert db.execute("SELECT COUNT(*) FROM units WHERE theme_id = ?", [source_id]).fetchone()[0] == 0
    assert theme_trend_units(db, source_id) == 0
    assert theme_trend_units(db, into_id) == into_units + source_units
    assert load_taxonomy(db, survey_id).resolve(source_id) == into_id


def test_move_unit_pins_it_to_the_chosen_theme(db, survey_id):
    source_id, target_id = seeded_by_size(db)[:2]
    unit_id = db.execute("SELECT id FROM units WHERE theme_id = ? ORDER BY id LIMIT 1",
                         [source_id]).fetchone()[0]
    before = theme_row(db, target_id)["units"]
    curation.move_unit(db, survey_id, unit_id, target_id)
    assert unit_theme(db, unit_id) == target_id
    assert theme_row(db, target_id)["units"] >= before + 1
    key = db.execute("SELECT text_key FROM units WHERE id = ?", [unit_id]).fetchone()[0]
    assert load_taxonomy(db, survey_id).overrides[key] == target_id


def test_split_by_selection_creates_a_theme_from_the_chosen_units(db, survey_id):
    theme_id = seeded_by_size(db)[0]
    chosen = [row[0] for row in db.execute(
        "SELECT id FROM units WHERE theme_id = ? ORDER BY id LIMIT 6", [theme_id])]
    marks = ",".join("?" * len(chosen))
    same_text = db.execute(f"SELECT COUNT(*) FROM units WHERE text_key IN (SELECT text_key FROM units "
                           f"WHERE id IN ({marks}))", chosen).fetchone()[0]
    new_id = curation.split_theme(db, survey_id, theme_id, name="Release weekends", unit_ids=chosen)
    assert {unit_theme(db, unit_id) for unit_id in chosen} == {new_id}
    row = theme_row(db, new_id)
    # A pinned unit pins every unit with the same text (the taxonomy keys overrides by text).
    assert (row["name"], row["kind"], row["units"]) == ("Release weekends", "seeded", same_text)
    assert json.loads(row["key_phrases"])
    assert load_taxonomy(db, survey_id).get(new_id).examples


def test_split_by_subclustering_carves_off_the_second_group(db, survey_id):
    theme_id = seeded_by_size(db)[0]
    units = theme_row(db, theme_id)["units"]
    new_id = curation.split_theme(db, survey_id, theme_id)
    new_units = theme_row(db, new_id)["units"]
    assert 0 < new_units < units
    assert theme_row(db, theme_id)["units"] == units - new_units
    assert theme_trend_units(db, new_id) == new_units


def test_accept_turns_a_proposal_into_a_seeded_theme_with_its_examples(db, survey_id):
    proposal = db.execute("SELECT id, units FROM themes WHERE kind = 'emerging' ORDER BY units DESC, id"
                          ).fetchone()
    assert proposal, "the test corpus should give at least one emerging proposal"
    curation.accept_proposal(db, survey_id, proposal[0], name="Weekend releases")
    row = theme_row(db, proposal[0])
    assert (row["kind"], row["name"], row["units"]) == ("seeded", "Weekend releases", proposal[1])
    assert load_taxonomy(db, survey_id).get(proposal[0]).examples


def test_dismiss_returns_a_proposal_s_units_to_no_theme(db, survey_id):
    proposal_id = db.execute("SELECT id FROM themes WHERE kind = 'emerging' ORDER BY id").fetchone()[0]
    members = [row[0] for row in db.execute("SELECT id FROM units WHERE theme_id = ?", [proposal_id])]
    curation.dismiss_proposal(db, survey_id, proposal_id)
    assert theme_row(db, proposal_id) is None
    assert {unit_theme(db, unit_id) for unit_id in members} == {None}
    assert load_taxonomy(db, survey_id).get(proposal_id).status == "dismissed"


def test_invalid_curations_are_refused_with_a_message(db, survey_id):
    first, second = seeded_by_size(db)[:2]
    proposal_id = db.execute("SELECT id FROM themes WHERE kind = 'emerging'").fetchone()[0]
    with pytest.raises(InvalidInput, match="different theme"):
        curation.merge_theme(db, survey_id, first, first)
    with pytest.raises(InvalidInput, match="accept the proposal first"):
        curation.merge_theme(db, survey_id, first, proposal_id)
    with pytest.raises(InvalidInput, match="Accept the proposal"):
        curation.rename_theme(db, survey_id, proposal_id, "X", "")
    with pytest.raises(InvalidInput, match="Only an emerging proposal"):
        curation.dismiss_proposal(db, survey_id, first)
    everything = [row[0] for row in db.execute("SELECT id FROM units WHERE theme_id = ?", [second])]
    with pytest.raises(InvalidInput, match="not all"):
        curation.split_theme(db, survey_id, second, name="All of it", unit_ids=everything)
    with pytest.raises(NotFound):
        curation.rename_theme(db, survey_id, "no-such-theme", "X", "")
    with pytest.raises(NotFound):
        curation.move_unit(db, survey_id, "no-such-unit", first)


def test_every_curation_survives_re_analysis(db, survey_id):
    """Rename, merge, move, split, accept and dismiss, then run the analysis again: all of it holds."""
    first, second, third = seeded_by_size(db)[:3]
    proposals = [row[0] for row in db.execute(
        "SELECT id FROM themes WHERE kind = 'emerging' ORDER BY units DESC, id")]
    assert len(proposals) >= 2, "the test corpus should give two emerging proposals"
    curation.rename_theme(db, survey_id, first, "Keeping delivery promises", "Dates kept.")
    curation.merge_theme(db, survey_id, third, second)
    moved = db.execute("SELECT id FROM units WHERE theme_id = ? ORDER BY id LIMIT 1", [second]).fetchone()[0]
    curation.move_unit(db, survey_id, moved, first)
    # Split off comments worded differently from the moved one: a split pins texts, not single units.
    chosen = [row[0] for row in db.execute(
        "SELECT id FROM units WHERE theme_id = ? AND text_key != (SELECT text_key FROM units WHERE id = ?) "
        "ORDER BY id LIMIT 4", [first, moved])]
    split_id = curation.split_theme(db, survey_id, first, name="Release weekends", unit_ids=chosen)
    curation.accept_proposal(db, survey_id, proposals[0], name="Accepted concern")
    curation.dismiss_proposal(db, survey_id, proposals[1])

    summary = run_analysis(db, survey_id)

    assert summary.status == "done"
    assert theme_row(db, first)["name"] == "Keeping delivery promises"
    assert theme_row(db, third) is None
    assert unit_theme(db, moved) == first
    assert {unit_theme(db, unit_id) for unit_id in chosen} == {split_id}
    assert theme_row(db, split_id)["name"] == "Release weekends"
    accepted = theme_row(db, proposals[0])
    assert (accepted["kind"], accepted["name"]) == ("seeded", "Accepted concern") and accepted["units"] > 0
    assert theme_row(db, proposals[1]) is None
