"""Issue 14, BRM tools: actions (start dates, progress notes, overdue on the overview), owners left out
of shared reports, response rates from a population per department, the CLI's readable progress."""

from __future__ import annotations

import datetime as dt
import re

from test_survey_actions import survey_with_themes

from survey.cli.analyze import progress_text
from survey.store import actions as store
from survey.store.action_notes import action_notes
from survey.store.responses import record_response
from survey.store.responses.release import release_waiting
from survey.store.surveys import questions_for


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_planned_action_given_a_past_start_moves_to_in_progress(db, client, staff_login):
    today = dt.date.today()  # when used, not at import: a run may cross midnight
    survey_id = survey_with_themes(db)
    staff_login("brm")
    added = client.post(
        f"/staff/surveys/{survey_id}/actions",
        follow_redirects=True,
        data={
            "theme_id": "delivery",
            "title": "Weekly delivery note",
            "status": "planned",
            "started_on": (today - dt.timedelta(days=3)).isoformat(),
        },
    ).get_data(as_text=True)
    (action,) = store.actions_for_survey(db, survey_id)
    assert (action.status, action.started_on) == ("in_progress", today - dt.timedelta(days=3))
    assert "so it is now In progress" in _text(added)


def test_a_planned_action_with_a_future_start_is_refused_with_a_clear_message(db, client, staff_login):
    survey_id = survey_with_themes(db)
    action = store.create_action(db, survey_id, "delivery", "Weekly delivery note")
    staff_login("brm")
    today = dt.date.today()
    response = client.post(
        f"/staff/actions/{action.id}",
        data={
            "title": "Weekly delivery note",
            "status": "planned",
            "started_on": (today + dt.timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "A planned action has no start date yet" in response.get_data(as_text=True)
    assert store.get_action(db, action.id).status == "planned"
    assert store.set_action_status(db, action.id, "in_progress").status == "in_progress"
    assert store.set_action_status(db, action.id, "planned").started_on is None


def test_progress_notes_are_dated_listed_newest_first_and_never_empty(db, client, staff_login):
    survey_id = survey_with_themes(db)
    action = store.create_action(db, survey_id, "delivery", "Weekly delivery note")
    staff_login("brm")
    today = dt.date.today()
    for note in ("Agreed the format with finance.", "First note sent."):
        assert client.post(f"/staff/actions/{action.id}/notes", data={"note": note}).status_code == 303
    empty = client.post(f"/staff/actions/{action.id}/notes", data={"note": "  "}, follow_redirects=True)
    assert "The note was not added" in empty.get_data(as_text=True)
    assert [note.note for note in action_notes(db, action.id)] == [
        "First note sent.",
        "Agreed the format with finance.",
    ]
    page = _text(client.get(f"/staff/actions/{action.id}").get_data(as_text=True))
    written = action_notes(db, action.id)[0].written_on  # the day it was stored (a run may cross midnight)
    assert written in (today, dt.date.today())
    assert f"Progress notes {written.day} {written:%B %Y} First note sent." in page


def test_overdue_actions_show_on_the_overview_for_brms(db, client, staff_login):
    survey_id = survey_with_themes(db)
    today = dt.date.today()
    store.create_action(db, survey_id, "delivery", "Late calendar", due_on=today - dt.timedelta(days=1))
    store.create_action(db, survey_id, "support", "Future thing", due_on=today + dt.timedelta(days=30))
    staff_login("brm")
    page = _text(client.get(f"/staff/surveys/{survey_id}/overview").get_data(as_text=True))
    assert "1 overdue action Late calendar" in page and "Future thing" not in page
    staff_login("culture_lead")
    assert "overdue action" not in client.get(f"/staff/surveys/{survey_id}/overview").get_data(as_text=True)


def test_the_shared_report_leaves_out_owners_unless_asked(analysed):
    from conftest import StaffLogin

    theme = analysed.db.execute("SELECT id FROM themes WHERE kind != 'emerging' LIMIT 1").fetchone()[0]
    store.create_action(analysed.db, analysed.survey_id, theme, "Publish a calendar", owner="Dana Whitfield")
    StaffLogin(analysed.client, analysed.db)("brm")
    base = f"/staff/surveys/{analysed.survey_id}/report.html"
    plain = analysed.client.get(base).get_data(as_text=True)
    assert "Publish a calendar" in plain and "Dana Whitfield" not in plain and ">Owner<" not in plain
    named = analysed.client.get(base, query_string={"owners": "include"}).get_data(as_text=True)
    assert "Dana Whitfield" in named
    downloads = analysed.client.get(f"/staff/surveys/{analysed.survey_id}/reports").get_data(as_text=True)
    assert 'name="owners" value="include"' in downloads and "Include owners" in downloads


def test_a_public_wave_gets_a_response_rate_from_the_population_per_department(
    db, client, staff_login, partner_wave
):
    wave = partner_wave()
    questions = questions_for(db, wave.survey_id)
    by_kind = {question.kind: question for question in questions}
    departments = ["Finance"] * 9 + ["HR"] * 3 + ["Sales"] * 6
    for index, department in enumerate(departments):
        record_response(
            db,
            wave,
            questions,
            {
                by_kind["text"].id: f"Comment {index}",
                by_kind["rating"].id: 3,
                by_kind["segment"].id: department,
            },
        )
    release_waiting(db, wave.survey_id, batch_size=5)
    staff_login("brm")
    page = client.get(f"/staff/waves/{wave.id}").get_data(as_text=True)
    assert "Enter how many people in each department" in page
    saved = client.post(
        f"/staff/waves/{wave.id}/population",
        follow_redirects=True,
        data={"people_0": "30", "people_1": "20", "people_2": "10"},
    ).get_data(as_text=True)
    text = _text(saved)
    assert "Population saved" in text and "30% of 60 people answered" in text
    assert "Finance 30 30%" in text and "HR 20 fewer than 5" in text
    assert "Sales 10 fewer than 5" in text, "hidden too, or HR's count would follow from the total"
    overview = _text(client.get(f"/staff/surveys/{wave.survey_id}/overview").get_data(as_text=True))
    assert "30% of 60 people" in overview
    bad = client.post(f"/staff/waves/{wave.id}/population", follow_redirects=True, data={"people_0": "-3"})
    assert "Nothing was saved" in bad.get_data(as_text=True)


def test_the_cli_progress_reads_in_words_with_thousands_separators():
    assert (
        progress_text(1234, 5000, 3.0) == "1,234 of 5,000 units (25%) · 411 units a second · about 9 s left"
    )
    assert progress_text(3, 10, 6.0) == "3 of 10 units (30%) · 2.0 seconds a unit · about 14 s left"
    assert progress_text(0, 10, 0.0) == "0 of 10 units (0%)"
    assert progress_text(256, 1993, 0.0003) == "256 of 1,993 units (13%)"  # no rate from a blink
    assert progress_text(10, 10, 5.0) == "10 of 10 units (100%) · 2 units a second"
