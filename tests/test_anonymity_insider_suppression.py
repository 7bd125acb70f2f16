"""DESIGN.md section 3, rule 5 as an insider reads it: no figure for a group under the threshold,
shown or derivable as a total minus the figures shown, in what analysis stores, in the REST API, on
the segments page and in its heat map. A (segment, theme) pair that nobody answered is a zero: it
is hidden like any small count, and protected against differencing like one.
"""

from __future__ import annotations

import re
import sqlite3

import insider_support as insider
import pytest
from api_support import api_client
from insider_support import K, World, visible

from survey.store import browse

world = insider.world  # the insider's fixture: one survey, one open wave, real partner form

#: What a small department writes: friendly words only, so it shares few themes with the others.
PRAISE = ("The {word} team is friendly and kind.", "Thank you to the {word} people, always polite.")


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


def _every_browsed_unit(world: World, chosen: browse.UnitFilter) -> list[browse.BrowsedUnit]:
    """Every unit the responses browser lists for ``chosen``, page after page."""
    units: list[browse.BrowsedUnit] = []
    for page in range(1, 100):
        listed = browse.browse_units(world.db, world.survey.id, chosen, page=page,
                                     min_quote_group_size=world.app.config["MIN_QUOTE_GROUP_SIZE"])
        units += listed.units
        if not listed.has_next:
            return units
    raise AssertionError("more than 99 pages")


def _cells(world: World) -> list[dict]:
    reader = api_client(world.brm, world.db, "read")
    answer = reader.get(f"/api/v1/surveys/{world.survey.id}/aggregates")
    assert answer.status_code == 200
    return answer.get_json()["cells"]


def _theme_columns_that_give_a_cell_away(cells: list[dict]) -> list[str]:
    """From the API's cells as an insider reads them, per wave: a segment x theme pair the API does
    not list is a zero it tells by its absence; and where a theme's total is shown, a theme whose
    segment cells hold exactly one unknown gives that one away as the total minus the cells shown
    (every partner here names a department)."""
    leaks = []
    for wave in {cell["wave"] for cell in cells}:
        mine = [cell for cell in cells if cell["wave"] == wave]
        segments = {cell["segment"] for cell in mine if cell["segment"] is not None}
        themes = {cell["theme_id"] for cell in mine if cell["theme_id"] is not None}
        pairs = {(cell["segment"], cell["theme_id"]): cell for cell in mine
                 if cell["segment"] is not None and cell["theme_id"] is not None}
        leaks += [f"{wave}: {segment} x {theme} is not listed, so it is a zero" for segment in segments
                  for theme in themes if (segment, theme) not in pairs]
        for theme in themes:
            total = next((cell for cell in mine if cell["segment"] is None and cell["theme_id"] == theme),
                         None)
            if total is None or total["suppressed"]:
                continue
            column = [pairs[(segment, theme)] for segment in segments if (segment, theme) in pairs]
            unknown = [cell for cell in column if cell["suppressed"]]
            missing = len(segments) - len(column)
            if len(unknown) + missing == 1:
                shown = sum(cell["respondents"] for cell in column if not cell["suppressed"])
                leaks.append(f"{wave}: {theme} total {total['respondents']} minus the segments shown "
                             f"({shown}) gives the hidden cell away")
    return leaks


def test_a_theme_a_small_department_never_named_is_hidden_and_cannot_be_worked_out(world):
    """HR (3 partners) writes only praise, Finance (10) about delays too: "HR x delays" is a zero
    about a group under the threshold. The heat map greys it, so the API must neither leave it out
    (its absence says zero) nor show the other cells of its column (the theme total minus them is
    HR's zero)."""
    world.submit(10, "Finance")
    world.submit(3, "HR", PRAISE)
    world.analyse()
    cells = _cells(world)
    heat = browse.segment_theme_cells(world.db, world.survey.id, world.wave.id, "share")
    hr_themes = {cell["theme_id"] for cell in cells if cell["segment"] == "HR" and cell["respondents"] != 0}
    assert set(heat.segments) == {"Finance", "HR"} and len(heat.themes) > 1
    assert any(cell["segment"] is None and cell["theme_id"] and not cell["suppressed"] for cell in cells)
    assert _theme_columns_that_give_a_cell_away(cells) == []
    # The heat map (page, chart, report) and the API hide the same cells.
    listed = {(cell["segment"], cell["theme_id"]): cell["suppressed"] for cell in cells
              if cell["segment"] is not None and cell["theme_id"] is not None}
    for row, segment in enumerate(heat.segments):
        for column, (theme_id, _) in enumerate(heat.themes):
            assert heat.suppressed[row][column] == listed[(segment, theme_id)], (segment, theme_id, hr_themes)
    page = visible(world.brm.get(f"/staff/surveys/{world.survey.id}/segments").get_data(as_text=True))[0]
    assert f"fewer than {K}" in page.lower()
    assert _theme_page_rows(world, listed) == listed  # the theme pages agree too


def _theme_page_rows(world: World, listed: dict) -> dict[tuple[str, str], bool]:
    """(segment, theme id) -> hidden, as each theme page's "Across waves and segments" table shows
    it (one wave): a segment left out of the table is a zero it tells by its absence."""
    rows = {}
    for theme_id in {theme_id for _, theme_id in listed}:
        html = world.brm.get(f"/staff/surveys/{world.survey.id}/themes/{theme_id}").get_data(as_text=True)
        table = html[html.index('id="distribution-heading"'):]
        table = table[:table.index("</table>")]
        row = r'<th scope="row">([^<]+)</th>\s*<td class="num">(.*?)</td>'
        for segment, cell in re.findall(row, table, re.S):
            if segment != "All respondents":
                rows[(segment, theme_id)] = bool(re.search(r"fewer than \d+", cell))
    return rows


def test_stored_segment_theme_cells_give_no_zero_away(world):
    """What analysis stores (``trend_points``) for pages to read is already safe: every segment x
    theme pair of the wave has a stored cell, and no theme column holds exactly one hidden cell."""
    world.submit(10, "Finance")
    world.submit(3, "HR", PRAISE)
    world.analyse()
    con = sqlite3.connect(world.app.config["DATABASE"])
    rows = con.execute("SELECT w.label, p.segment, p.theme_id, p.responses, p.suppressed "
                       "FROM trend_points AS p JOIN waves AS w ON w.id = p.wave_id").fetchall()
    con.close()
    cells = [{"wave": wave, "segment": segment or None, "theme_id": theme or None,
              "respondents": None if hidden else responses, "suppressed": bool(hidden)}
             for wave, segment, theme, responses, hidden in rows]
    assert _theme_columns_that_give_a_cell_away(cells) == []


@pytest.mark.parametrize("stored", ["before-the-fix", "threshold-raised"])
def test_pages_and_api_recheck_stored_cells_for_pairs_nobody_answered(world, stored):
    """The read models repeat the table's suppression: on cells stored before pairs nobody answered
    were kept (simulated by deleting them), and when the threshold was raised after the analysis."""
    world.submit(10, "Finance")
    world.submit(6, "HR", PRAISE)
    world.analyse()
    if stored == "before-the-fix":
        with world.db.conn:
            world.db.execute("DELETE FROM trend_points WHERE responses = 0")
    else:
        world.app.config["MIN_GROUP_SIZE"] = 7  # HR (6) is small now; analysis used 5
    cells = _cells(world)
    assert _theme_columns_that_give_a_cell_away(cells) == []
    minimum = world.app.config["MIN_GROUP_SIZE"]
    heat = browse.segment_theme_cells(world.db, world.survey.id, world.wave.id, "share", minimum)
    listed = {(cell["segment"], cell["theme_id"]): cell["suppressed"] for cell in cells
              if cell["segment"] is not None and cell["theme_id"] is not None}
    for row, segment in enumerate(heat.segments):
        for column, (theme_id, _) in enumerate(heat.themes):
            assert heat.suppressed[row][column] == listed[(segment, theme_id)], (segment, theme_id)
    assert _theme_page_rows(world, listed) == listed


def test_exports_blank_the_theme_of_every_hidden_segment_x_theme_cell(world):
    """Two departments large enough to quote: counting an export's rows per segment and theme must
    not show a cell that the table hides (HR never named the delivery themes, so Finance's cells of
    those themes are hidden too, or the theme total would give HR's zero away)."""
    world.submit(10, "Finance")
    world.submit(6, "HR", PRAISE)
    world.analyse()
    hidden = {(cell["segment"], cell["theme"]) for cell in _cells(world)
              if cell["segment"] is not None and cell["theme_id"] is not None and cell["suppressed"]}
    assert any(segment == "Finance" for segment, _ in hidden)  # complements of HR's zeros
    rows = world.export_rows()
    assert {row["segment"] for row in rows} == {"Finance", "HR"}
    exported = {(row["segment"], row["theme"]) for row in rows if row["theme"]}
    assert exported and not exported & hidden, sorted(exported & hidden)


def test_the_responses_browser_shows_no_unit_of_a_hidden_segment_x_theme_cell(world):
    """The same world as the export test, read through the responses browser: filtering by a theme
    (and a department) never lists units of a cell the table hides, and an unfiltered page shows
    no theme for such a unit, so counting what the browser lists cannot undo the suppression."""
    world.submit(10, "Finance")
    world.submit(6, "HR", PRAISE)
    world.analyse()
    cells = _cells(world)
    hidden = {(cell["segment"], cell["theme_id"]) for cell in cells
              if cell["segment"] is not None and cell["theme_id"] is not None and cell["suppressed"]}
    finance_hidden = sorted(theme_id for segment, theme_id in hidden if segment == "Finance")
    assert finance_hidden  # complements of HR's zeros
    survey_id = world.survey.id
    for theme_id in finance_hidden:
        for segment in (None, "Finance"):
            chosen = browse.UnitFilter(wave_id=world.wave.id, segment=segment, theme_id=theme_id)
            listed = _every_browsed_unit(world, chosen)
            assert [unit for unit in listed if unit.segment == "Finance"] == [], (theme_id, segment)
    everything = _every_browsed_unit(world, browse.UnitFilter(wave_id=world.wave.id))
    assert any(unit.segment == "Finance" for unit in everything)
    shown = {(unit.segment, unit.theme_id) for unit in everything if unit.theme_id}
    assert not shown & hidden, sorted(shown & hidden)
    page = world.brm.get(f"/staff/surveys/{survey_id}/responses?theme={finance_hidden[0]}&segment=Finance")
    assert page.status_code == 200


def _no_department_counts_given_away(cells: list[dict]) -> list[str]:
    """Per wave and theme whose total the API shows: when every department's cell of the theme is
    shown too, the total minus them is the count of the partners who gave no department (a row the
    table does not show, so it is unknown only if another cell of the column is hidden)."""
    leaks = []
    for wave in {cell["wave"] for cell in cells}:
        mine = [cell for cell in cells if cell["wave"] == wave]
        for total in [cell for cell in mine if cell["segment"] is None and cell["theme_id"]]:
            column = [cell for cell in mine if cell["segment"] is not None
                      and cell["theme_id"] == total["theme_id"]]
            if total["suppressed"] or any(cell["suppressed"] for cell in column):
                continue
            rest = total["respondents"] - sum(cell["respondents"] for cell in column)
            if rest < K:
                leaks.append(f"{wave}: {total['theme']} total {total['respondents']} minus the departments "
                             f"shown gives {rest} partners without a department away")
    return leaks


@pytest.mark.parametrize("without", [(2, None), (K, PRAISE)], ids=["few-without", "silent-on-a-theme"])
def test_partners_without_a_department_cannot_be_worked_out_from_a_theme_total(world, without):
    """Two departments large enough to show, and partners who pick no department: either fewer than
    K of them, or K who only praise (so they never named the delivery themes, a zero). Their row is
    in no table, but each theme's total (its own page, the API) minus the departments' cells shown
    must still not give their count for the theme away; pages, heat map and API hide the same cells."""
    world.submit(10, "Finance")
    world.submit(10, "HR")
    count, texts = without
    world.submit(count, "", texts)
    world.analyse()
    cells = _cells(world)
    assert any(cell["segment"] is None and cell["theme_id"] and not cell["suppressed"] for cell in cells)
    assert _no_department_counts_given_away(cells) == []
    listed = {(cell["segment"], cell["theme_id"]): cell["suppressed"] for cell in cells
              if cell["segment"] is not None and cell["theme_id"] is not None}
    heat = browse.segment_theme_cells(world.db, world.survey.id, world.wave.id, "share")
    assert set(heat.segments) == {"Finance", "HR"}
    for row, segment in enumerate(heat.segments):
        for column, (theme_id, _) in enumerate(heat.themes):
            assert heat.suppressed[row][column] == listed[(segment, theme_id)], (segment, theme_id)
    assert _theme_page_rows(world, listed) == listed
    hidden = {(cell["segment"], cell["theme"]) for cell in cells if cell["suppressed"]
              and cell["segment"] is not None and cell["theme_id"] is not None}
    rows = world.export_rows()
    assert any(not row["segment"] for row in rows) == (count >= K)  # their words: quotable from K
    browsed = _every_browsed_unit(world, browse.UnitFilter(wave_id=world.wave.id))
    assert any(not unit.segment for unit in browsed) == (count >= K)  # the browser agrees
    exported = {(row["segment"] or None, row["theme"]) for row in rows if row["theme"]}
    assert not exported & hidden, sorted(exported & hidden)
    # Units of partners without a department name a theme only where K or more of them did.
    con = sqlite3.connect(world.app.config["DATABASE"])
    small = {name for name, n in con.execute(
        "SELECT t.name, COUNT(DISTINCT u.response_id) FROM themes AS t LEFT JOIN units AS u "
        "ON u.theme_id = t.id AND u.segment IS NULL GROUP BY t.id") if n < K}
    con.close()
    assert not {theme for segment, theme in exported if segment is None} & small
