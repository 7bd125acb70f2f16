"""DESIGN.md section 3, rule 8: no id shown to staff or exported joins back to a response or to
another answer of the same respondent (exports, their fields, every page and form field).
"""

from __future__ import annotations

import re

import insider_support as insider
from insider_support import K, csv_rows, respondent_of, staff_pages, visible

world = insider.world  # the insider's fixture: one survey, one open wave, real partner form


def test_exported_ids_are_not_derived_from_responses_and_change_per_export(world):
    world.submit(2 * K)
    world.analyse()
    response_ids = [row[0] for row in world.db.execute("SELECT id FROM responses")]
    exports = [world.export("csv"), world.export("json"), world.export("csv")]
    for data in exports:
        for response_id in response_ids:
            for piece in (response_id, response_id.replace("-", ""), response_id[:8]):
                assert piece.encode() not in data, piece
    first, second = csv_rows(exports[0]), csv_rows(exports[2])
    ids_by_text = {row["text"]: row["unit_id"] for row in first}
    assert len(first) == 4 * 2 * K
    assert all(ids_by_text[row["text"]] != row["unit_id"] for row in second)  # per-export ids


def test_no_exported_field_groups_the_units_of_one_respondent(world):
    world.submit(2 * K)
    world.analyse()
    for rows in (csv_rows(world.export("csv")), world.export_rows()):
        for column in rows[0]:
            if column == "text":
                continue
            holders: dict[str, set[str]] = {}
            for row in rows:
                value = str(row[column])
                for piece in {value, *re.split(r"[:/_.\-]", value)}:
                    if len(piece) >= 6:
                        holders.setdefault(piece, set()).add(respondent_of(world, row["text"]))
            singled = {piece for piece, who in holders.items() if len(who) == 1
                       and sum(piece in str(row[column]) for row in rows) > 1}
            assert not singled, (column, sorted(singled)[:3])


def test_pages_show_no_response_id(world):
    """Not in the text, nor in a form's hidden field or a link: every page, every theme page."""
    world.submit(2 * K)
    world.analyse()
    response_ids = [row[0] for row in world.db.execute("SELECT id FROM responses")]
    pages = staff_pages(world)
    themes = visible(world.brm.get(f"/staff/surveys/{world.survey.id}/themes").get_data(as_text=True))[1]
    pages += [(world.brm, link) for link in sorted(set(themes))
              if re.fullmatch(rf"/staff/surveys/{world.survey.id}/themes/[^/?#]+", link)]
    assert len(pages) > len(staff_pages(world))
    for client, url in pages:
        html = client.get(url, follow_redirects=True).get_data(as_text=True)
        for response_id in response_ids:
            assert response_id not in html and response_id[:8] not in html, url
