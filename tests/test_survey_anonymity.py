"""DESIGN.md section 3: each anonymity rule, checked on a real submission through the real app."""

from __future__ import annotations

import glob
import logging
import pathlib
import re
import uuid
from html.parser import HTMLParser
from urllib.parse import urlsplit

from page_support import hidden_fields

from survey.store.invitations import generate_invitation_codes, hash_secret
from survey.store.responses import record_response
from survey.store.surveys import questions_for
from survey.web.security import CONTENT_SECURITY_POLICY

USER_AGENT = "Mozilla/5.0 DistinctiveAgent/77.7 (tracer-ua-3141)"
CLIENT_IP = "203.0.113.77"
REFERRER = "https://intranet.example.net/tracer-referrer-2718"
COOKIE_VALUE = "tracer-cookie-1618"
RAW_TEXT = "Ask Margaret Holloway (margaret.holloway@example.org) why the ERP upgrade slipped."


def raw_database_bytes(path: str) -> bytes:
    """Every byte SQLite keeps for the database: main file, WAL and shared memory."""
    return b"".join(pathlib.Path(name).read_bytes() for name in sorted(glob.glob(path + "*")))


def table_columns(db, table: str) -> set[str]:
    return {column.name for column in db[table].columns}


def submit_with_tracers(client, db, wave, text: str = RAW_TEXT, code: str | None = None):
    """Submit through the real app with a distinctive agent, address, referrer and cookie."""
    headers = {"User-Agent": USER_AGENT, "X-Forwarded-For": CLIENT_IP, "X-Real-IP": CLIENT_IP,
               "Referer": REFERRER}
    client.set_cookie("tracker", COOKIE_VALUE)
    url = f"/s/{wave.token}" + (f"?code={code}" if code else "")
    page = client.get(url, headers=headers, environ_base={"REMOTE_ADDR": CLIENT_IP})
    fields = hidden_fields(page.get_data(as_text=True))
    questions = {q.kind: f"q{q.id}" for q in questions_for(db, wave.survey_id)}
    data = {**fields, questions["text"]: text, questions["rating"]: "3", questions["segment"]: "HR"}
    response = client.post(f"/s/{wave.token}", data=data, headers=headers,
                           environ_base={"REMOTE_ADDR": CLIENT_IP})
    assert response.status_code == 303, response.data
    return response


def test_rule1_a_stored_response_holds_only_id_wave_segment_answers_and_date(app, client, db, partner_wave,
                                                                            staff_login):
    staff_login("brm")  # even a signed-in staff member answering leaves no staff id behind
    wave = partner_wave()
    submit_with_tracers(client, db, wave)
    assert table_columns(db, "responses") == {"id", "wave_id", "segment", "submitted_on"}
    assert table_columns(db, "answers") == {"response_id", "question_id", "text", "number"}
    (row,) = db.execute("SELECT id, wave_id, segment, submitted_on FROM responses").fetchall()
    assert uuid.UUID(row[0]).version == 4
    assert row[1:3] == (wave.id, "HR")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[3])
    stored = raw_database_bytes(app.config["DATABASE"])
    for tracer in (USER_AGENT, "tracer-ua-3141", CLIENT_IP, "tracer-referrer-2718", COOKIE_VALUE):
        assert tracer.encode() not in stored, tracer
    assert b"tracer" not in stored


def test_rule2_responses_are_keyed_randomly_and_storage_order_is_not_arrival_order(db, partner_wave):
    wave = partner_wave()
    questions = questions_for(db, wave.survey_id)
    text_question = next(q for q in questions if q.kind == "text")
    arrival = [record_response(db, wave, questions, {text_question.id: f"Comment {n}"}) for n in range(60)]
    for table in ("responses", "answers", "invitation_codes", "used_form_tokens"):
        schema = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0]
        assert schema.rstrip().endswith("WITHOUT ROWID"), table
    listed = [row[0] for row in db.execute("SELECT id FROM responses")]
    assert sorted(listed) == sorted(arrival)
    assert listed != arrival
    assert listed == sorted(arrival)  # a plain scan follows the random key, not arrival


def test_rule3_invitation_codes_are_hashed_with_no_time_of_use_and_no_link(app, client, db, partner_wave):
    wave = partner_wave("invitation")
    code, other = generate_invitation_codes(db, wave.id, 2)
    assert table_columns(db, "invitation_codes") == {"code_hash", "wave_id", "used"}
    submit_with_tracers(client, db, wave, code=code)
    used = db.execute("SELECT code_hash FROM invitation_codes WHERE used = 1").fetchall()
    assert used == [(hash_secret(code),)]
    stored = raw_database_bytes(app.config["DATABASE"])
    for plain in (code, code.replace("-", ""), other):
        assert plain.encode() not in stored
    response_tables = ("responses", "answers")
    assert not any("code" in column for table in response_tables for column in table_columns(db, table))
    assert hash_secret(code).encode() not in b"".join(
        str(row).encode() for table in response_tables for row in db.execute(f"SELECT * FROM {table}")
    )


def test_rule4_raw_text_never_reaches_the_database_or_a_log(app, client, db, partner_wave, caplog):
    wave = partner_wave()
    with caplog.at_level(logging.DEBUG):
        submit_with_tracers(client, db, wave)
    stored = raw_database_bytes(app.config["DATABASE"])
    assert b"margaret.holloway@example.org" not in stored
    assert b"Holloway" not in stored and b"Margaret" not in stored
    (text,) = db.execute("SELECT text FROM answers WHERE text IS NOT NULL").fetchone()
    assert "[EMAIL]" in text and "[NAME]" in text and "ERP upgrade slipped" in text
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Holloway" not in logged and "example.org" not in logged


class _References(HTMLParser):
    """Collects every URL a page would load or link to."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href", "action", "srcset") and value]


def test_rule6_partner_pages_reference_no_other_host_and_send_a_strict_csp(client, db, partner_wave):
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    public, invitation = partner_wave(), partner_wave("invitation")
    closed = partner_wave(opens_in_days=-10, closes_in_days=-1)
    pages = [f"/s/{public.token}", f"/s/{invitation.token}", f"/s/{invitation.token}?code=bad",
             f"/s/{public.token}/thanks", f"/s/{closed.token}", "/s/unknown-link"]
    for path in pages:
        response = client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["Referrer-Policy"] == "no-referrer"
        parser = _References()
        parser.feed(response.get_data(as_text=True))
        assert parser.urls, path
        for url in parser.urls:
            parts = urlsplit(url)
            # data: is inline content (the favicon), never a request to another host
            assert not parts.netloc and parts.scheme in ("", "mailto", "data"), (path, url)
        assert "<script>" not in response.get_data(as_text=True)  # no inline script either
