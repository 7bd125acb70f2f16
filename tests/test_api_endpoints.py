"""The REST API against the real app and an analysed copy of the demo survey: every endpoint's happy
path, its errors, and figures that match the staff pages' read models."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
from api_support import api_client, problem
from jsonschema import Draft202012Validator

from survey.store import browse
from survey.store import reports as report_store
from survey.store.invitations import hash_secret, invitation_code_is_usable
from survey.store.surveys import response_counts, waves_for
from survey.web.api.openapi import OPERATIONS
from survey.web.api.schemas import COMPONENTS
from survey.web.security import CONTENT_SECURITY_POLICY

V1 = "/api/v1"


@pytest.fixture
def api(analysed) -> SimpleNamespace:
    return SimpleNamespace(**vars(analysed), reader=api_client(analysed.client, analysed.db, "read"),
                           writer=api_client(analysed.client, analysed.db, "write"))


def test_surveys_questions_and_waves(api):
    surveys = api.reader.get(f"{V1}/surveys").get_json()
    assert [survey["id"] for survey in surveys] == [api.survey_id]
    slug = api.db.execute("SELECT slug FROM surveys").fetchone()[0]
    assert surveys[0]["you_said_url"].endswith(f"/y/{slug}")
    assert api.reader.get(f"{V1}/surveys/{api.survey_id}").get_json() == surveys[0]
    questions = api.reader.get(f"{V1}/surveys/{api.survey_id}/questions").get_json()
    assert [q["position"] for q in questions] == list(range(1, len(questions) + 1))
    assert questions[0]["kind"] == "segment" and "HR" in questions[0]["options"]
    waves = api.reader.get(f"{V1}/surveys/{api.survey_id}/waves").get_json()
    counts = response_counts(api.db, api.survey_id)
    assert [wave["label"] for wave in waves] == ["2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    for wave in waves:
        assert wave["responses"] == counts[wave["id"]] >= 5
        sentiment = wave["sentiment"]
        assert sentiment["low"] <= sentiment["mean"] <= sentiment["high"]
        assert 1 <= wave["mean_rating"] <= 5 and -100 <= wave["nps"] <= 100
        assert "/s/" in wave["partner_url"]
        assert api.reader.get(f"{V1}/waves/{wave['id']}").get_json() == wave


def test_wave_counts_are_those_of_the_overview_page(api, analysed):
    from survey.store.staff import create_staff_user

    create_staff_user(api.db, "brm-api", "correct horse battery", "brm")
    api.client.post("/staff/login", data={"username": "brm-api", "password": "correct horse battery"})
    page = api.client.get(f"/staff/surveys/{api.survey_id}/overview").get_data(as_text=True)
    for wave in api.reader.get(f"{V1}/surveys/{api.survey_id}/waves").get_json():
        assert re.search(rf">\s*{wave['responses']}\s*<", page), wave


def test_aggregates_per_wave_segment_and_theme_follow_the_thresholds(api):
    body = api.reader.get(f"{V1}/surveys/{api.survey_id}/aggregates").get_json()
    cells = body["cells"]
    assert body["min_group_size"] == 5
    overall = [c for c in cells if c["segment"] is None and c["theme_id"] is None]
    assert len(overall) == 4 and all(c["respondents"] >= 5 for c in overall)
    for cell in cells:
        if cell["suppressed"]:
            assert cell["respondents"] is None and cell["share"] is None and cell["sentiment"]["mean"] is None
        else:
            assert cell["respondents"] >= 5
    suppressed = {(c["wave_id"], c["segment"], c["theme_id"]) for c in cells if c["suppressed"]}
    assert any(segment for _, segment, _ in suppressed), "the demo has small segment x theme groups"
    wave_id = overall[-1]["wave_id"]
    heat = browse.segment_theme_cells(api.db, api.survey_id, wave_id, "share")  # the segments page
    hidden = {(c["wave_id"], c["segment"], c["theme_id"]): c["suppressed"] for c in cells}
    for row, segment in enumerate(heat.segments):
        for column, (theme_id, _) in enumerate(heat.themes):
            # The page greys a missing combination too; the API simply has no such cell.
            assert hidden.get((wave_id, segment, theme_id), True) == heat.suppressed[row][column]
    narrowed = api.reader.get(f"{V1}/surveys/{api.survey_id}/aggregates",
                              query_string={"wave_id": wave_id, "segment": "HR"}).get_json()["cells"]
    assert narrowed and {(c["wave_id"], c["segment"]) for c in narrowed} == {(wave_id, "HR")}


def test_themes_with_names_and_quotes_only_from_quotable_groups(api):
    themes = api.reader.get(f"{V1}/surveys/{api.survey_id}/themes").get_json()
    assert themes and all(theme["name"] for theme in themes)
    largest = themes[0]
    detail = api.reader.get(f"{V1}/surveys/{api.survey_id}/themes/{largest['id']}").get_json()
    assert detail["theme"] == largest and detail["quotes"]
    waves = {wave.id: wave for wave in waves_for(api.db, api.survey_id)}
    for quote in detail["quotes"]:
        assert set(quote) == {"wave_id", "wave", "text"}
        allowed = report_store.quotable_segments(api.db, quote["wave_id"], 5)
        segments = {row[0] for row in api.db.execute(
            "SELECT segment FROM units WHERE wave_id = ? AND text = ?", [quote["wave_id"], quote["text"]])}
        assert segments and segments <= allowed, (quote, waves[quote["wave_id"]].label)
    missing = api.reader.get(f"{V1}/surveys/{api.survey_id}/themes/no-such-theme")
    assert missing.status_code == 404 and "no theme" in problem(missing)["detail"]


def test_silo_metrics(api):
    silo = api.reader.get(f"{V1}/surveys/{api.survey_id}/silo").get_json()
    assert {cell["wave"] for cell in silo["cells"]} == {"2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"}
    assert all(cell["rate_per_thousand_words"] is None for cell in silo["cells"] if cell["suppressed"])
    assert silo["terms"] and all(len(term["waves"]) == 4 for term in silo["terms"])


def test_actions_are_created_read_listed_and_changed(api):
    from survey.store.webhooks.endpoints import create_endpoint

    create_endpoint(api.db, "https://hooks.example.org/rapport", ["action.status_changed"])
    themes = api.reader.get(f"{V1}/surveys/{api.survey_id}/themes").get_json()
    theme_id = next(theme["id"] for theme in themes if theme["kind"] != "emerging")  # proposals take none
    created = api.writer.post(f"{V1}/surveys/{api.survey_id}/actions",
                              {"theme_id": theme_id, "title": "Weekly delivery updates", "owner": "PMO",
                               "due_on": "2027-03-31"})
    assert created.status_code == 201, created.get_json()
    action = created.get_json()
    assert action["status"] == "planned" and action["started_on"] is None and action["theme"]
    assert created.headers["Location"].endswith(f"/api/v1/actions/{action['id']}")
    assert api.reader.get(f"{V1}/actions/{action['id']}").get_json() == action
    assert action in api.reader.get(f"{V1}/surveys/{api.survey_id}/actions").get_json()
    changed = api.writer.patch(f"{V1}/actions/{action['id']}", {"status": "in_progress"}).get_json()
    assert changed["status"] == "in_progress" and changed["started_on"]
    announced = [json.loads(payload) for (payload,) in api.db.execute(
        "SELECT payload FROM webhook_events WHERE type = 'action.status_changed'")]
    assert [event["data"]["action"]["status"] for event in announced] == ["in_progress"], "as on the page"
    assert changed["title"] == action["title"]
    cleared = api.writer.patch(f"{V1}/actions/{action['id']}", {"due_on": None}).get_json()
    assert cleared["due_on"] is None and cleared["status"] == "in_progress"
    wrong = api.writer.patch(f"{V1}/actions/{action['id']}", {"status": "finished", "colour": "red"})
    assert wrong.status_code == 422
    assert {error["field"] for error in problem(wrong)["errors"]} == {"status", "(body)"}
    unknown = api.writer.post(f"{V1}/surveys/{api.survey_id}/actions", {"theme_id": "nope", "title": "x"})
    assert unknown.status_code == 422 and "theme" in problem(unknown)["detail"]
    assert api.writer.patch(f"{V1}/actions/99999", {"status": "done"}).status_code == 404


def test_waves_are_created_and_invitation_codes_returned_once(api):
    path = f"{V1}/surveys/{api.survey_id}/waves"
    created = api.writer.post(path, {"label": "2027 Q1", "opens_on": "2027-02-01", "closes_on": "2027-02-26",
                                     "access": "invitation"})
    assert created.status_code == 201, created.get_json()
    wave = created.get_json()
    assert wave["status"] == "scheduled" and wave["responses"] == 0 and wave["codes_issued"] == 0
    again = api.writer.post(path, {"label": "2027 Q1", "opens_on": "2027-02-01", "closes_on": "2027-02-26"})
    assert again.status_code == 409 and "already has a wave" in problem(again)["detail"]
    backwards = api.writer.post(path, {"label": "Later", "opens_on": "2027-03-01", "closes_on": "2027-02-01"})
    assert backwards.status_code == 422 and "close before it opens" in problem(backwards)["detail"]
    missing = api.writer.post(path, {"label": "No dates"})
    assert {error["field"] for error in problem(missing)["errors"]} == {"opens_on", "closes_on"}
    codes = api.writer.post(f"{V1}/waves/{wave['id']}/invitation-codes", {"count": 12})
    assert codes.status_code == 201 and codes.headers["Cache-Control"] == "no-store"
    plain = codes.get_json()["codes"]
    assert len(set(plain)) == 12
    assert all(invitation_code_is_usable(api.db, wave["id"], code) for code in plain)
    stored = {row[0] for row in api.db.execute("SELECT code_hash FROM invitation_codes")}
    assert {hash_secret(code) for code in plain} <= stored
    assert api.reader.get(f"{V1}/waves/{wave['id']}").get_json()["codes_issued"] == 12
    public_wave = api.reader.get(path).get_json()[0]["id"]
    refused = api.writer.post(f"{V1}/waves/{public_wave}/invitation-codes", {"count": 3})
    assert refused.status_code == 409 and "public link" in problem(refused)["detail"]
    assert api.writer.post(f"{V1}/waves/{wave['id']}/invitation-codes", {"count": 0}).status_code == 422


def test_bad_requests_get_clear_json_errors(api):
    path = f"{V1}/surveys/{api.survey_id}/actions"
    form = api.client.post(path, headers=api.writer.headers, data={"title": "x"})
    assert form.status_code == 415 and "application/json" in problem(form)["detail"]
    broken = api.client.post(path, headers=api.writer.headers, data="{not json",
                             content_type="application/json")
    assert broken.status_code == 400 and "not valid JSON" in problem(broken)["detail"]
    assert problem(api.writer.post(path, [1, 2]))["status"] == 422
    huge = api.writer.post(path, {"theme_id": "x", "title": "x" * 300_000})
    assert huge.status_code == 413
    problem(huge)
    for url in (f"{V1}/nothing-here", f"{V1}/surveys/999999", f"{V1}/surveys/{2**70}", f"{V1}/waves/0"):
        assert problem(api.reader.get(url))["status"] == 404, url
    method = api.client.delete(f"{V1}/surveys/{api.survey_id}", headers=api.reader.headers)
    assert method.status_code == 405 and "GET" in method.headers["Allow"]
    problem(method)
    bad_query = api.reader.get(f"{V1}/surveys/{api.survey_id}/aggregates?wave_id=first")
    assert bad_query.status_code == 422 and "wave_id" in problem(bad_query)["detail"]
    other_wave = api.reader.get(f"{V1}/surveys/{api.survey_id}/aggregates?wave_id=424242")
    assert other_wave.status_code == 404


def test_the_openapi_document_and_the_docs_page(api):
    document = api.client.get("/api/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    assert {op.operation_id for op in OPERATIONS} == {
        operation["operationId"] for methods in document["paths"].values() for operation in methods.values()}
    for schema in COMPONENTS.values():
        Draft202012Validator.check_schema(schema)
    page = api.client.get("/api/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<script" not in html and not re.findall(r'(?:src|href)="(?:https?:)?//', html)
    for op in OPERATIONS:
        assert f'id="{op.operation_id}"' in html
    assert "Authorization: Bearer" in html and 'id="schema-Wave"' in html
