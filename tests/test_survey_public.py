"""The public "You said, we did" page: themes over the threshold only, what moved, actions, privacy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlite_utils
from test_survey_actions import (  # noqa: F401 (fixtures)
    ACTION_START,
    add_trend_point,
    analysed_app,
    analysed_db,
    analysed_survey,
    delivery_theme,
    survey_with_themes,
)

from survey.store import actions as store
from survey.store.surveys import create_wave, get_survey

THEMES = {
    "delivery": "Delivery on time", "support": "Support and service desk", "security": "Security and access",
    "training": "Skills and training", "tools": "Tools and systems", "value": "Value and cost",
    "listening": "Listening",
}

#: A listed theme on the page: (name, whole percent).
LISTED = re.compile(r'<span class="theme-name">([^<]+)</span>\s*'
                    r'<span class="theme-share">(?:<data[^>]*>)?(\d+)%')


def _page(client, db: sqlite_utils.Database, survey_id: int) -> str:
    response = client.get(f"/y/{get_survey(db, survey_id).slug}")
    assert response.status_code == 200
    return response.data.decode()


def _themes(db: sqlite_utils.Database, survey_id: int) -> None:
    db.execute("DELETE FROM themes WHERE survey_id = ?", [survey_id])
    db["themes"].insert_all([{"survey_id": survey_id, "id": key, "name": name, "kind": "seeded"}
                             for key, name in THEMES.items()])


def _wave(db: sqlite_utils.Database, survey_id: int, label: str, shares: dict[str, float | None], *,
          responses: int = 60, mean: float = 0.0, p_value: float | None = None,
          markers: dict[str, str] | None = None) -> None:
    """A wave's overall point and theme points; a ``None`` share is a suppressed theme."""
    add_trend_point(db, survey_id, label, "", responses=responses, units=100, share=None, mean=mean,
                    p_value=p_value, suppressed=responses < 5)
    for theme_id, share in shares.items():
        add_trend_point(db, survey_id, label, theme_id, responses=3 if share is None else 20,
                        units=round((share or .03) * 100), share=share, suppressed=share is None,
                        marker=(markers or {}).get(theme_id))


def test_an_unknown_slug_is_a_404(client):
    response = client.get("/y/not-a-survey")
    assert response.status_code == 404 and b"no survey at this address" in response.data


def test_before_any_analysis_the_page_says_so_and_still_lists_actions(db, client):
    survey_id = survey_with_themes(db)
    store.create_action(db, survey_id, "delivery", "Publish a delivery calendar", owner="Jane Roe",
                        status="in_progress", public_note="Every project's dates on the intranet.")
    page = _page(client, db, survey_id)
    assert "Results will appear here once the first survey wave has been analysed." in page
    assert "Publish a delivery calendar" in page and "In progress" in page
    assert "Every project&#39;s dates on the intranet." in page
    assert "Jane Roe" not in page, "owners are for staff only"


def test_the_last_wave_lists_the_largest_themes_and_never_a_suppressed_one(db, client):
    survey_id = survey_with_themes(db)
    _themes(db, survey_id)
    _wave(db, survey_id, "W2", {"delivery": .30, "support": .20, "security": None, "training": .12,
                                "tools": .10, "value": .08, "listening": .06})
    page = _page(client, db, survey_id)
    assert "What you said in W2" in page and "60 people answered" in re.sub(r"<[^>]+>", "", page)
    listed = LISTED.findall(page)
    assert listed == [("Delivery on time", "30"), ("Support and service desk", "20"),
                      ("Skills and training", "12"), ("Tools and systems", "10"), ("Value and cost", "8")]
    assert "Security and access" not in page


def test_listed_shares_never_leave_exactly_one_suppressed_theme_to_be_worked_out(db, client):
    survey_id = survey_with_themes(db)
    _themes(db, survey_id)
    # 100% minus 40% and 30% would be the suppressed theme's share: the smaller one loses its number.
    _wave(db, survey_id, "W2", {"delivery": .40, "support": .30, "security": None})
    page = _page(client, db, survey_id)
    assert "Delivery on time" in page and "40%" in page
    assert "Support and service desk" not in page and "30%" not in page
    assert "Security and access" not in page


def test_what_moved_is_told_in_plain_sentences(db, client):
    survey_id = survey_with_themes(db)
    _themes(db, survey_id)
    _wave(db, survey_id, "W1", {"delivery": .30, "support": .10, "training": .10, "tools": .10, "value": .10,
                                "listening": .10}, mean=-.2)
    _wave(db, survey_id, "W2", {"delivery": .12, "support": .25, "training": .10, "tools": .10, "value": .10,
                                "listening": .10, "security": .08}, mean=.1, p_value=.001,
          markers={"delivery": "falling", "support": "rising", "security": "new"})
    page = _page(client, db, survey_id)
    assert "What moved since W1" in page
    assert "Delivery on time came up less often than in W1: 12% of comments, down from 30%." in page
    assert "Support and service desk came up more often than in W1: 25% of comments, up from 10%." in page
    assert "Security and access came up for the first time." in page
    assert "Overall, comments were more positive than in W1." in page


def test_a_wave_with_fewer_than_5_responses_shows_no_figure(db, client):
    survey_id = survey_with_themes(db)
    _themes(db, survey_id)
    _wave(db, survey_id, "W1", {"delivery": .30}, responses=40)
    _wave(db, survey_id, "W2", {"delivery": .5}, responses=4)
    page = _page(client, db, survey_id)
    assert "Fewer than 5 people answered W2, so no results are shown" in page
    assert "50%" not in page and "What moved" not in page and "4 people" not in page


def test_a_wave_still_open_is_not_shown_while_a_closed_one_exists(db, client):
    survey_id = survey_with_themes(db)
    _themes(db, survey_id)
    today = dt.date.today()
    create_wave(db, survey_id, "Open now", today - dt.timedelta(days=3), today + dt.timedelta(days=10))
    _wave(db, survey_id, "W2", {"delivery": .30})
    _wave(db, survey_id, "Open now", {"delivery": .50})
    page = _page(client, db, survey_id)
    assert "What you said in W2" in page and "30%" in page and "50%" not in page


def test_the_page_is_self_contained_sets_no_cookie_and_sends_a_strict_csp(db, client):
    survey_id = survey_with_themes(db)
    store.create_action(db, survey_id, "delivery", "Publish a delivery calendar")
    response = client.get(f"/y/{get_survey(db, survey_id).slug}")
    html = response.data.decode()
    assert "Set-Cookie" not in response.headers
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert not re.search(r'(src|href|action)="(https?:)?//', html), "nothing may load from another host"
    assert "<script" not in html and "style=" not in html
    assert "Sign out" not in html and "/staff/" not in html


def test_the_thank_you_page_links_to_you_said_we_did(db, client, partner_wave):
    wave = partner_wave()
    slug = get_survey(db, wave.survey_id).slug
    assert f'href="/y/{slug}"'.encode() in client.get(f"/s/{wave.token}/thanks").data


@pytest.mark.slow
def test_a_really_analysed_survey_shows_only_unsuppressed_shares_and_the_actions(
        analysed_app, analysed_db):  # noqa: F811 (fixtures imported from test_survey_actions)
    survey_id = analysed_db.execute("SELECT id FROM surveys").fetchone()[0]
    store.create_action(analysed_db, survey_id, delivery_theme(analysed_db), "Publish a delivery calendar",
                        status="in_progress", started_on=ACTION_START, public_note="Dates for every project.")
    page = _page(analysed_app.test_client(), analysed_db, survey_id)
    assert "What you said in 2026 Q2" in page and "What moved since 2026 Q1" in page
    assert "Dates for every project." in page and "In progress" in page
    shown = dict(LISTED.findall(page))
    stored = dict(analysed_db.execute(
        "SELECT themes.name, p.share FROM trend_points AS p JOIN themes ON themes.id = p.theme_id "
        "AND themes.survey_id = p.survey_id JOIN waves ON waves.id = p.wave_id "
        "WHERE waves.label = '2026 Q2' AND p.segment = '' AND p.theme_id != '' AND p.suppressed = 0"
    ).fetchall())
    assert shown, "the largest themes are listed"
    for name, percent in shown.items():
        assert name in stored and percent == f"{stored[name] * 100:.0f}"


def test_emerging_proposals_are_never_published_they_are_named_after_partners_words(db, client):
    survey_id = survey_with_themes(db)
    _themes(db, survey_id)
    db["themes"].insert({"survey_id": survey_id, "id": "emerging-crm-rollout-jane", "kind": "emerging",
                         "name": "crm rollout jane"})
    _wave(db, survey_id, "W1", {"delivery": .30, "emerging-crm-rollout-jane": .10})
    _wave(db, survey_id, "W2", {"delivery": .20, "emerging-crm-rollout-jane": .40},
          markers={"emerging-crm-rollout-jane": "rising"})
    page = _page(client, db, survey_id)
    assert "Delivery on time" in page and "20%" in page
    assert "crm rollout jane" not in page and "40%" not in page
