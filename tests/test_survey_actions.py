"""Improvement actions on themes: storage rules, BRM pages, roles, overdue list, and their effect."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
import sqlite_utils
from flask import Flask

from survey.errors import InvalidInput, NotFound
from survey.services.action_effect import action_effect, format_p_value, percent
from survey.store import actions as store
from survey.store.responses import record_response
from survey.store.staff import create_staff_user
from survey.store.surveys import add_question, create_survey, create_wave, questions_for

LATE = [
    "The finance system project landed months late and over budget.",
    "Our CRM rollout slipped again and nobody told us the new date.",
    "Projects are always delivered late and the scope keeps shrinking.",
    "The migration went three months over schedule and cost twice the estimate.",
    "Delivery dates slip every quarter and we plan around IT delays.",
]
OTHER = [
    "The service desk answered my ticket quickly and kindly.",
    "Support staff are helpful and fix laptop problems the same day.",
    "The helpdesk resolved my password reset in minutes.",
    "I would like more training on the new collaboration tools.",
    "The team explained the new VPN clearly and patiently.",
]
DEPARTMENTS = ["Finance", "HR", "Sales"]
#: The action in the analysed survey starts between the two waves.
ACTION_START = dt.date(2026, 3, 2)


def build_falling_delivery_survey(db: sqlite_utils.Database) -> None:
    """Two waves in which delivery complaints fall: 16 of 32 responses in wave 1, 6 of 32 in wave 2."""
    survey = create_survey(db, "IT partnership pulse")
    text = add_question(db, survey.id, "text", "What should IT change?", required=True)
    segment = add_question(db, survey.id, "segment", "Your department", options=DEPARTMENTS)
    waves = [create_wave(db, survey.id, "2026 Q1", dt.date(2026, 1, 5), dt.date(2026, 1, 30)),
             create_wave(db, survey.id, "2026 Q2", dt.date(2026, 4, 6), dt.date(2026, 4, 30))]
    questions = questions_for(db, survey.id)
    for wave, late_count in zip(waves, (16, 6), strict=True):
        for i in range(32):
            texts, index = (LATE, i) if i < late_count else (OTHER, i - late_count)
            record_response(db, wave, questions, {text.id: texts[index % len(texts)],
                                                  segment.id: DEPARTMENTS[i % 3]}, today=wave.opens_on)


@pytest.fixture
def analysed_survey(analysed_copy) -> SimpleNamespace:
    """This test's copy of the analysed two-wave survey (app, client, db, survey_id, path)."""
    return analysed_copy(build_falling_delivery_survey)


@pytest.fixture
def analysed_app(analysed_survey) -> Flask:
    return analysed_survey.app


@pytest.fixture
def analysed_db(analysed_survey) -> sqlite_utils.Database:
    return analysed_survey.db


def delivery_theme(db: sqlite_utils.Database) -> str:
    """The curated theme the analysis gave most late-delivery complaints."""
    return db.execute(
        "SELECT theme_id FROM units JOIN themes ON themes.id = units.theme_id AND themes.kind != 'emerging' "
        "WHERE units.text LIKE '%late%' OR units.text LIKE '%slip%' "
        "GROUP BY theme_id ORDER BY COUNT(*) DESC LIMIT 1").fetchone()[0]


# -- hand-made themes and trend points, for the storage rules and the edge cases ----------------
def survey_with_themes(db: sqlite_utils.Database, waves: int = 2) -> int:
    survey = create_survey(db, "Pulse")
    add_question(db, survey.id, "text", "What should IT change?")
    for i in range(waves):
        create_wave(db, survey.id, f"W{i + 1}", dt.date(2026, 1 + 3 * i, 1), dt.date(2026, 1 + 3 * i, 20))
    db["themes"].insert_all([
        {"survey_id": survey.id, "id": "delivery", "name": "Delivery on time", "kind": "seeded", "units": 9},
        {"survey_id": survey.id, "id": "support", "name": "Support and service desk", "kind": "seeded",
         "units": 5},
    ])
    return survey.id


def add_trend_point(db: sqlite_utils.Database, survey_id: int, wave_label: str, theme_id: str, *,
                 responses: int, units: int, share: float | None, suppressed: bool = False,
                 mean: float | None = None, marker: str | None = None, p_value: float | None = None) -> None:
    wave_id = db.execute("SELECT id FROM waves WHERE survey_id = ? AND label = ?",
                         [survey_id, wave_label]).fetchone()[0]
    db["trend_points"].insert({
        "survey_id": survey_id, "wave_id": wave_id, "segment": "", "theme_id": theme_id,
        "responses": responses, "units": units, "share": share, "sentiment_n": responses,
        "sentiment_mean": mean, "sentiment_low": None if mean is None else mean - .1,
        "sentiment_high": None if mean is None else mean + .1, "change_p_value": p_value,
        "marker": marker, "suppressed": int(suppressed)})


def test_an_action_needs_a_title_a_known_theme_and_a_known_status(db):
    survey_id = survey_with_themes(db)
    with pytest.raises(InvalidInput, match="title"):
        store.create_action(db, survey_id, "delivery", "  ")
    with pytest.raises(InvalidInput, match="themes"):
        store.create_action(db, survey_id, "no-such-theme", "Weekly delivery report")
    with pytest.raises(InvalidInput, match="Status"):
        store.create_action(db, survey_id, "delivery", "Weekly delivery report", status="cancelled")
    with pytest.raises(NotFound):
        store.get_action(db, 999)


def test_started_on_is_set_when_the_status_leaves_planned_and_stays_editable(db):
    survey_id = survey_with_themes(db)
    action = store.create_action(db, survey_id, "delivery", "Publish a delivery calendar", owner="PMO",
                                 due_on=dt.date(2026, 6, 30))
    assert (action.status, action.started_on, action.theme_name) == ("planned", None, "Delivery on time")
    started = store.set_action_status(db, action.id, "in_progress", today=dt.date(2026, 3, 2))
    assert started.started_on == dt.date(2026, 3, 2)
    done = store.set_action_status(db, action.id, "done", today=dt.date(2026, 5, 1))
    assert done.started_on == dt.date(2026, 3, 2), "finishing keeps the start date"
    edited = store.update_action(db, action.id, title="Publish a delivery calendar", owner="PMO",
                                 due_on=None, status="done", public_note="Live on the intranet.",
                                 started_on=dt.date(2026, 2, 20))
    assert (edited.started_on, edited.due_on, edited.public_note) == (dt.date(2026, 2, 20), None,
                                                                        "Live on the intranet.")
    assert store.set_action_status(db, action.id, "planned").started_on is None


def test_overdue_lists_only_past_due_actions_that_are_not_done(db):
    survey_id = survey_with_themes(db)
    today = dt.date(2026, 6, 1)
    late = store.create_action(db, survey_id, "delivery", "Late one", due_on=dt.date(2026, 5, 1))
    store.create_action(db, survey_id, "delivery", "Done late", due_on=dt.date(2026, 4, 1), status="done")
    store.create_action(db, survey_id, "support", "Due later", due_on=dt.date(2026, 7, 1))
    store.create_action(db, survey_id, "support", "Due today", due_on=today)
    store.create_action(db, survey_id, "support", "No date")
    assert [a.title for a in store.overdue_actions(db, today)] == ["Late one"]
    assert late.is_overdue(today) and not late.is_overdue(dt.date(2026, 5, 1))


@pytest.mark.parametrize("path", ["/staff/actions", "/staff/surveys/1/actions", "/staff/actions/1",
                                  "/staff/actions/overdue"])
def test_action_pages_are_for_brms_only(db, client, staff_login, path):
    survey_id = survey_with_themes(db)
    store.create_action(db, survey_id, "delivery", "Publish a delivery calendar")
    assert client.get(path).status_code == 302, "anonymous visitors are sent to sign in"
    staff_login("culture_lead")
    assert client.get(path).status_code == 403
    assert client.post("/staff/actions/1/status", data={"status": "done"}).status_code == 403
    staff_login.logout()
    staff_login("brm")
    assert client.get(path, follow_redirects=True).status_code == 200


def test_the_nav_shows_actions_to_brms_but_not_to_culture_leads(db, client, staff_login):
    staff_login("brm")
    assert b'href="/staff/actions"' in client.get("/staff/").data
    staff_login.logout()
    staff_login("culture_lead")
    assert b'href="/staff/actions"' not in client.get("/staff/").data


def test_a_brm_adds_edits_and_finishes_an_action_through_the_pages(db, client, staff_login):
    survey_id = survey_with_themes(db)
    staff_login("brm")
    page = client.get(f"/staff/surveys/{survey_id}/actions")
    assert b"Delivery on time" in page.data and b"No actions yet" in page.data
    added = client.post(f"/staff/surveys/{survey_id}/actions", data={
        "theme_id": "delivery", "title": "Publish a delivery calendar", "owner": "Head of PMO",
        "due_on": "2020-01-31", "status": "in_progress", "public_note": "Dates for every project."})
    assert added.status_code == 303
    (action,) = store.actions_for_survey(db, survey_id)
    assert (action.owner, action.status, action.started_on) == ("Head of PMO", "in_progress", dt.date.today())
    listing = client.get(f"/staff/surveys/{survey_id}/actions").data.decode()
    assert "Publish a delivery calendar" in listing and "Overdue" in listing
    assert "Publish a delivery calendar" in client.get("/staff/actions/overdue").data.decode()

    edited = client.post(f"/staff/actions/{action.id}", data={
        "title": "Publish a delivery calendar", "owner": "PMO", "due_on": "2020-01-31",
        "status": "in_progress", "started_on": "2026-03-02", "public_note": "Dates for every project."})
    assert edited.status_code == 303
    assert store.get_action(db, action.id).started_on == dt.date(2026, 3, 2)
    client.post(f"/staff/actions/{action.id}/status", data={"status": "done"})
    assert store.get_action(db, action.id).status == "done"
    assert "No overdue actions" in client.get("/staff/actions/overdue").data.decode()


def test_an_action_without_a_title_is_refused_with_the_form_kept(db, client, staff_login):
    survey_id = survey_with_themes(db)
    staff_login("brm")
    response = client.post(f"/staff/surveys/{survey_id}/actions", data={
        "theme_id": "delivery", "title": "", "owner": "Keep me", "status": "planned"})
    assert response.status_code == 422
    assert b"Say what IT will do." in response.data and b'value="Keep me"' in response.data
    assert store.actions_for_survey(db, survey_id) == []


def test_the_theme_include_lists_a_themes_actions_and_posts_new_ones(app, db, client, staff_login):
    survey_id = survey_with_themes(db)
    store.create_action(db, survey_id, "delivery", "Publish a delivery calendar")
    store.create_action(db, survey_id, "support", "Extend service desk hours")
    with app.test_request_context("/staff/themes/delivery"):
        from flask import render_template_string
        html = render_template_string('{% include "workspace/_theme_actions.html" %}',
                                      survey_id=survey_id, theme_id="delivery")
    assert "Publish a delivery calendar" in html and "Extend service desk hours" not in html
    assert f'action="/staff/surveys/{survey_id}/actions"' in html
    staff_login("brm")
    response = client.post(f"/staff/surveys/{survey_id}/actions", data={
        "theme_id": "delivery", "title": "Monthly roadmap review", "status": "planned",
        "next": "/staff/themes/delivery"})
    assert response.headers["Location"] == "/staff/themes/delivery"


# -- effect of an action ------------------------------------------------------------------------
def test_effect_is_not_enough_to_tell_when_a_wave_is_under_the_threshold(db):
    survey_id = survey_with_themes(db)
    for wave, theme_units, suppressed in (("W1", 12, False), ("W2", 2, True)):
        add_trend_point(db, survey_id, wave, "", responses=40, units=60, share=None, mean=0.0)
        add_trend_point(db, survey_id, wave, "delivery", responses=12 if not suppressed else 2,
                     units=theme_units, share=None if suppressed else theme_units / 60,
                     suppressed=suppressed, mean=None if suppressed else -.4)
    action = store.create_action(db, survey_id, "delivery", "Calendar", status="in_progress",
                                 started_on=dt.date(2026, 2, 1))
    effect = action_effect(db, action, min_group_size=5)
    assert effect.share_verdict == ("Not enough responses to tell: fewer than 5 people raised this theme "
                                    "in W2.")
    assert effect.sentiment_verdict is None
    assert [(p.period, p.suppressed, p.share) for p in effect.waves] == [("before", False, .2),
                                                                        ("after", True, None)]


def test_effect_needs_a_start_a_wave_before_and_a_wave_after(db):
    survey_id = survey_with_themes(db)
    for wave in ("W1", "W2"):
        add_trend_point(db, survey_id, wave, "", responses=40, units=60, share=None, mean=0.0)
        add_trend_point(db, survey_id, wave, "delivery", responses=12, units=12, share=.2, mean=-.4)
    planned = store.create_action(db, survey_id, "delivery", "Calendar")
    assert action_effect(db, planned).share_verdict.startswith("Not started yet")
    early = store.create_action(db, survey_id, "delivery", "Early", status="done",
                                started_on=dt.date(2025, 12, 1))
    assert action_effect(db, early).share_verdict.startswith("No survey wave closed before")
    late = store.create_action(db, survey_id, "delivery", "Late", status="in_progress",
                               started_on=dt.date(2026, 5, 1))
    assert action_effect(db, late).share_verdict.startswith("No survey wave has opened since")
    during = store.create_action(db, survey_id, "delivery", "During", status="in_progress",
                                 started_on=dt.date(2026, 1, 10))
    assert [p.period for p in action_effect(db, during).waves] == ["during", "after"]


@pytest.mark.slow
def test_effect_reports_a_clear_fall_in_a_really_analysed_survey(analysed_db):
    survey_id = analysed_db.execute("SELECT id FROM surveys").fetchone()[0]
    theme_id = delivery_theme(analysed_db)
    action = store.create_action(analysed_db, survey_id, theme_id, "Publish a delivery calendar",
                                 status="in_progress", started_on=ACTION_START)
    effect = action_effect(analysed_db, action)
    assert (effect.before.wave_label, effect.after.wave_label) == ("2026 Q1", "2026 Q2")
    assert effect.before.share > effect.after.share
    # "Fell" is only said when the two-proportion test is significant.
    assert effect.share_verdict.startswith(
        f"Fell from {percent(effect.before.share)} to {percent(effect.after.share)} of comments "
        "between 2026 Q1 and 2026 Q2 (p "), effect.share_verdict
    assert effect.before.sentiment_low <= effect.before.sentiment_mean <= effect.before.sentiment_high


def test_the_action_page_shows_suppressed_figures_as_fewer_than_5_and_never_their_number(
        db, client, staff_login):
    survey_id = survey_with_themes(db)
    add_trend_point(db, survey_id, "W1", "", responses=40, units=60, share=None, mean=0.0)
    add_trend_point(db, survey_id, "W1", "delivery", responses=12, units=12, share=.2, mean=-.4)
    add_trend_point(db, survey_id, "W2", "", responses=41, units=61, share=None, mean=0.0)
    add_trend_point(db, survey_id, "W2", "delivery", responses=3, units=3, share=3 / 61, suppressed=True,
                 mean=-.123)
    action = store.create_action(db, survey_id, "delivery", "Calendar", status="in_progress",
                                 started_on=dt.date(2026, 2, 1))
    staff_login("brm")
    page = client.get(f"/staff/actions/{action.id}").data.decode()
    assert "20%" in page and "-0.40" in page
    assert page.count("fewer than 5") >= 2 and "Not enough responses to tell" in page
    assert not re.search(r"(?<![\d.])5%", page) and "-0.12" not in page, "a suppressed figure leaked"


@pytest.mark.slow
def test_the_action_page_of_a_really_analysed_survey_states_the_fall(analysed_app, analysed_db):
    survey_id = analysed_db.execute("SELECT id FROM surveys").fetchone()[0]
    action = store.create_action(analysed_db, survey_id, delivery_theme(analysed_db),
                                 "Publish a delivery calendar", status="in_progress", started_on=ACTION_START)
    create_staff_user(analysed_db, "brm-user", "correct horse battery", "brm")
    client = analysed_app.test_client()
    client.post("/staff/login", data={"username": "brm-user", "password": "correct horse battery"})
    page = client.get(f"/staff/actions/{action.id}").data.decode()
    assert "Fell from" in page and "95% interval" in page and "Before the start" in page


def test_effect_states_a_clear_fall_and_a_sentiment_change_with_their_p_values(db):
    survey_id = survey_with_themes(db)
    for wave, units, responses, mean in (("W1", 18, 15, -.4), ("W2", 6, 6, .2)):
        add_trend_point(db, survey_id, wave, "", responses=50, units=60, share=None, mean=0.0)
        add_trend_point(db, survey_id, wave, "delivery", responses=responses, units=units, share=units / 60,
                        mean=mean)
    action = store.create_action(db, survey_id, "delivery", "Calendar", status="done",
                                 started_on=dt.date(2026, 2, 1))
    effect = action_effect(db, action)
    assert effect.share_verdict == "Fell from 30% to 10% of comments between W1 and W2 (p < 0.01)."
    assert effect.sentiment_verdict == "Sentiment improved from -0.40 to +0.20 (p < 0.001)."


@pytest.mark.parametrize(("p_value", "text"), [
    (0.0004, "p < 0.001"), (0.004, "p < 0.01"), (0.043, "p = 0.043"), (0.0496, "p < 0.05"), (0.4, "p = 0.4")])
def test_p_values_are_stated_plainly(p_value, text):
    assert format_p_value(p_value) == text


def test_with_several_surveys_the_actions_page_lists_them_and_counts_overdue_actions(db, client, staff_login):
    first = survey_with_themes(db)
    create_survey(db, "Second pulse")
    store.create_action(db, first, "delivery", "Late one", due_on=dt.date(2020, 1, 1))
    staff_login("brm")
    page = client.get("/staff/actions").data.decode()
    assert "Pulse" in page and "Second pulse" in page and "Overdue actions (1)" in page


def test_actions_attach_to_curated_themes_not_to_emerging_proposals(db):
    survey_id = survey_with_themes(db)
    db["themes"].insert({"survey_id": survey_id, "id": "emerging-vpn-drops", "name": "vpn drops",
                         "kind": "emerging", "units": 40})
    assert [theme_id for theme_id, _ in store.theme_choices(db, survey_id)] == ["delivery", "support"]
    with pytest.raises(InvalidInput, match="themes"):
        store.create_action(db, survey_id, "emerging-vpn-drops", "Fix the VPN")
