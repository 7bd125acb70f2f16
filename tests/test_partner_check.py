"""The partner form's "check before sending": shows what may identify, stores and logs nothing."""

from __future__ import annotations

import glob
import logging
import pathlib

from survey.store.surveys import questions_for

TEXT = ("thanks, sipho from payroll. As the only payroll auditor in Leeds I raised INC0012345 "
        "on 14 March; call me on extension 4471.")


def _database_bytes(path: str) -> bytes:
    return b"".join(pathlib.Path(name).read_bytes() for name in sorted(glob.glob(path + "*")))


def _text_field(db, wave) -> str:
    return next(f"q{q.id}" for q in questions_for(db, wave.survey_id) if q.kind == "text")


def test_the_check_lists_removed_and_kept_phrases_as_json(client, db, partner_wave):
    wave = partner_wave()
    response = client.post(f"/s/{wave.token}/check", data={_text_field(db, wave): TEXT},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    (findings,) = response.get_json().values()
    removed = {f["text"]: f["kind"] for f in findings if f["removed"]}
    kept = {f["kind"] for f in findings if not f["removed"]}
    assert removed["sipho"] == "NAME" and removed["INC0012345"] == "TICKET"
    assert {"unique", "date", "contact"} <= kept


def test_the_check_without_javascript_shows_the_form_again_with_the_answers_and_a_panel(client, db,
                                                                                      partner_wave):
    wave = partner_wave()
    page = client.post(f"/s/{wave.token}/check", data={_text_field(db, wave): TEXT}).get_data(as_text=True)
    assert "Before you send" in page and "sipho" in page and "will be replaced by [NAME]" in page
    assert "payroll auditor in Leeds" in page and "This stays as you wrote it" in page
    assert "Submit my answers" in page and "INC0012345" in page  # the typed text is kept in the box


def test_a_check_stores_nothing_and_logs_nothing(app, client, db, partner_wave, caplog):
    wave = partner_wave()
    before = _database_bytes(app.config["DATABASE"])
    with caplog.at_level(logging.DEBUG):
        for accept in ("application/json", "text/html"):
            assert client.post(f"/s/{wave.token}/check", data={_text_field(db, wave): TEXT},
                               headers={"Accept": accept}).status_code == 200
    stored = _database_bytes(app.config["DATABASE"])
    assert b"sipho" not in stored and b"auditor" not in stored and b"4471" not in stored
    assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM used_form_tokens").fetchone()[0] == 0
    assert len(stored) == len(before)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "sipho" not in logged and "auditor" not in logged and "INC0012345" not in logged


def test_an_unknown_survey_link_answers_404(client):
    assert client.post("/s/no-such-link/check", data={}).status_code == 404


def test_checks_are_throttled_per_address_and_keep_the_answers(app, client, db, partner_wave):
    """One client cannot use the check as an unlimited redaction service (issue 10): over the limit
    it gets a 429 that says so, as JSON for the script and as the form with the answers kept."""
    app.config.update(RATELIMIT_ENABLED=True, CHECK_RATE_LIMIT="3 per minute")
    wave = partner_wave()
    field = _text_field(db, wave)
    json_headers = {"Accept": "application/json"}
    url = f"/s/{wave.token}/check"
    for _ in range(3):
        assert client.post(url, data={field: TEXT}, headers=json_headers).status_code == 200
    refused = client.post(f"/s/{wave.token}/check", data={field: TEXT}, headers=json_headers)
    assert refused.status_code == 429 and "Too many checks" in refused.get_json()["error"]
    page = client.post(f"/s/{wave.token}/check", data={field: TEXT})
    assert page.status_code == 429
    html = page.get_data(as_text=True)
    assert "Too many checks" in html and "payroll auditor in Leeds" in html, "the answers stay in the form"
    other = partner_wave()  # another survey link is counted on its own
    assert client.post(f"/s/{other.token}/check", data={_text_field(db, other): TEXT},
                       headers=json_headers).status_code == 200
