"""Issue 14, curation: "You said, we did" tells partners when published figures were revised, and a
split theme under the quote threshold shows its chosen comments to the BRM in the curation view only."""

from __future__ import annotations

import datetime as dt
import html
import re

from conftest import StaffLogin

from survey.services.you_said import you_said_we_did
from survey.store.public import public_theme_rows, reported_waves


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _slug(analysed) -> str:
    return analysed.db.execute("SELECT slug FROM surveys WHERE id = ?", [analysed.survey_id]).fetchone()[0]


def _listed_theme(analysed) -> tuple[str, str]:
    wave = reported_waves(analysed.db, analysed.survey_id, dt.date.today())[-1]
    row = next(
        row for row in public_theme_rows(analysed.db, analysed.survey_id, wave.id) if not row.suppressed
    )
    return row.theme_id, row.name


def test_renaming_a_published_theme_marks_the_public_figures_revised_with_the_date(analysed):
    later = dt.date.today()
    first = later - dt.timedelta(days=7)
    assert you_said_we_did(analysed.db, _slug(analysed), today=first).publication.revised_on is None
    theme_id, name = _listed_theme(analysed)
    StaffLogin(analysed.client, analysed.db)("brm")
    renamed = analysed.client.post(
        f"/staff/surveys/{analysed.survey_id}/themes/{theme_id}/rename",
        data={"name": f"{name} (renamed)", "description": "Same theme."},
    )
    assert renamed.status_code == 303
    publication = you_said_we_did(analysed.db, _slug(analysed), today=later).publication
    assert (publication.first_shown_on, publication.revised_on) == (first, later)
    assert any("renamed" in change for change in publication.changes)
    page = _text(analysed.client.get(f"/y/{_slug(analysed)}").get_data(as_text=True))
    assert (f"Revised on {later.day} {later:%B %Y}: these figures were first shown on "
            f"{first.day} {first:%B %Y}") in page
    steady = you_said_we_did(analysed.db, _slug(analysed), today=later).publication
    assert steady.revised_on == later, "unchanged figures keep the last revision date"


def test_a_small_split_theme_shows_its_chosen_comments_in_curation_but_nowhere_else(analysed):
    client = analysed.client
    StaffLogin(client, analysed.db)("brm")
    theme_id = analysed.db.execute(
        "SELECT id FROM themes WHERE survey_id = ? AND kind = 'seeded' ORDER BY responses DESC",
        [analysed.survey_id],
    ).fetchone()[0]
    parent = client.get(f"/staff/surveys/{analysed.survey_id}/themes/{theme_id}").get_data(as_text=True)
    unit_ids = (
        re.findall(r'name="unit_ids" type="checkbox" value="([^"]+)"', parent)
        or re.findall(r'type="checkbox" name="unit_ids" value="([^"]+)"', parent)
        or re.findall(r'name="unit_ids"[^>]*value="([^"]+)"', parent)
    )
    assert len(unit_ids) >= 3, "the parent theme's comments are shown for curation"
    chosen = unit_ids[:2]
    # The page names comments by opaque tokens (rule 8): read each chosen comment's text beside it.
    texts = [html.unescape(re.search(rf'value="{token}" form="split-form">.*?</label>\s*<p>(.*?) <span',
                                     parent, re.S).group(1)) for token in chosen]
    split = client.post(
        f"/staff/surveys/{analysed.survey_id}/themes/{theme_id}/split",
        data={"name": "Zebra quartz printers", "unit_ids": chosen},
    )
    assert split.status_code == 303
    new_page = client.get(split.headers["Location"]).get_data(as_text=True)
    assert "only the comments you moved here yourself are shown" in new_page
    assert all(text.replace("'", "&#39;").replace('"', "&#34;") in new_page for text in texts)
    assert "Comments are shown only for themes raised by at least" in new_page, "still not quoted as a report"
    public = client.get(f"/y/{_slug(analysed)}").get_data(as_text=True)
    report = client.get(f"/staff/surveys/{analysed.survey_id}/report.html").get_data(as_text=True)
    for page in (public, report):
        assert not any(text in page for text in texts)
    assert "Zebra quartz printers" not in public
