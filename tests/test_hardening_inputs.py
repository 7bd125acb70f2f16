"""Hostile input to the partner form and the staff search (issue 11, items 1, 8 and 9).

Black-box: every test talks to the real app's URLs and the ``rapport`` CLI on a temp SQLite file.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from page_support import as_another_browser
from test_survey_partner import answers_for, hidden_fields, stored_count

HUGE = "x" * 50_000


@pytest.fixture
def searchable(client, db, partner_wave, staff_login):
    """A BRM signed in, and a survey with a few stored responses (not analysed: search still runs)."""
    wave = partner_wave()
    for text in ("Laptops arrive late.", "The service desk closes tickets too early."):
        data = {**_form_page(client, wave), **answers_for(db, wave, text=text)}
        assert client.post(f"/s/{wave.token}", data=data).status_code == 303
        as_another_browser(client)
    staff_login("brm")
    return f"/staff/surveys/{wave.survey_id}/responses"


def _form_page(client, wave) -> dict[str, str]:
    page = client.get(f"/s/{wave.token}")
    assert page.status_code == 200
    return hidden_fields(page.get_data(as_text=True))


def stored_texts(db) -> list[str]:
    return [row[0] for row in db.execute("SELECT text FROM answers WHERE text IS NOT NULL")]


# --- item 1: only form posts, every field a string with the same limits ---------------------------

@pytest.mark.parametrize("body", [
    lambda answers: {**answers, next(iter(answers)): {"nested": HUGE}},  # object in a text field
    lambda answers: [answers],                                             # a top-level array
    lambda answers: {**answers, next(iter(answers)): 12345},               # a number for text
    lambda answers: {**answers, next(iter(answers)): "\ud800 lone surrogate"},
    lambda answers: {**answers, "deep": json.loads("[" * 500 + "]" * 500)},
], ids=["object", "array", "number", "surrogate", "deep"])
def test_a_json_body_is_refused_with_415_and_nothing_is_stored(client, db, partner_wave, body):
    wave = partner_wave()
    payload = body({**_form_page(client, wave), **answers_for(db, wave)})
    raw = json.dumps(payload, ensure_ascii=True)
    response = client.post(f"/s/{wave.token}", data=raw, content_type="application/json")
    assert response.status_code == 415
    assert "form" in response.get_data(as_text=True).lower()
    assert stored_count(db) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "application/json; charset=utf-8",
                                          "application/octet-stream", ""])
def test_partner_routes_accept_only_form_posts(client, db, partner_wave, content_type):
    wave = partner_wave("invitation")
    for path in (f"/s/{wave.token}", f"/s/{wave.token}/code"):
        response = client.post(path, data=b"q1=hello", content_type=content_type)
        assert response.status_code == 415, (path, content_type)
    assert stored_count(db) == 0


def test_a_file_upload_in_a_text_field_is_not_an_answer(client, db, partner_wave):
    import io

    wave = partner_wave()
    data = {**_form_page(client, wave), **answers_for(db, wave)}
    text_field = next(name for name, value in answers_for(db, wave).items() if value.startswith("Delivery"))
    data[text_field] = (io.BytesIO(HUGE.encode()), "answer.txt")
    response = client.post(f"/s/{wave.token}", data=data, content_type="multipart/form-data")
    assert response.status_code in (415, 422)
    assert stored_count(db) == 0


def test_the_length_limit_holds_for_a_multipart_form_too(client, db, partner_wave):
    wave = partner_wave()
    data = {**_form_page(client, wave), **answers_for(db, wave, text="y" * 4001)}
    response = client.post(f"/s/{wave.token}", data=data, content_type="multipart/form-data")
    assert response.status_code in (415, 422)
    assert stored_count(db) == 0


# --- item 8: NUL bytes, search syntax, huge numbers --------------------------------------------------

def test_nul_bytes_in_answers_are_never_stored(client, db, partner_wave):
    wave = partner_wave()
    data = {**_form_page(client, wave), **answers_for(db, wave, text="Slow\x00 laptops")}
    response = client.post(f"/s/{wave.token}", data=data)
    assert response.status_code in (303, 422)
    assert not any("\x00" in text for text in stored_texts(db))
    if response.status_code == 422:
        assert stored_count(db) == 0
        assert "Slow" in response.get_data(as_text=True)  # the answer is kept on the page


@pytest.mark.parametrize("query", ['"', '""', '"""', "\x00", "a\x00b", "NEAR(", "*", "^", "AND", "-",
                                   "col:umn", "(", ")", "'", "\\", "\ud7ff", "a" * 500])
def test_search_syntax_never_gives_a_500(client, searchable, query):
    response = client.get(searchable, query_string={"q": query})
    assert response.status_code == 200, query


@pytest.mark.slow
def test_forty_repeated_search_words_answer_quickly(analysed):
    from conftest import STAFF_PASSWORD

    from survey.store.staff import create_staff_user

    client = analysed.client
    create_staff_user(analysed.db, "searcher", STAFF_PASSWORD, "brm")
    assert client.post("/staff/login", data={"username": "searcher", "password": STAFF_PASSWORD}
                       ).status_code == 302
    url = f"/staff/surveys/{analysed.survey_id}/responses"
    client.get(url, query_string={"q": "it"})
    started = time.perf_counter()
    response = client.get(url, query_string={"q": " ".join(["the"] * 40 + ["it"] * 40)})
    assert response.status_code == 200
    assert time.perf_counter() - started < 1.5


@pytest.mark.parametrize("name,value", [("wave", "1" + "0" * 21), ("page", "1" + "0" * 21),
                                        ("page", "-99999999999999999999"), ("wave", "٣"), ("page", "1e9")])
def test_huge_numbers_in_the_browser_filters_never_give_a_500(client, searchable, name, value):
    response = client.get(searchable, query_string={name: value})
    assert response.status_code in (200, 400), (name, value)


def _import(runner, wave, tmp_path, text: str):
    path = tmp_path / "import.csv"
    path.write_bytes(text.encode())
    return runner.invoke(args=["import-csv", "--wave", str(wave.id), str(path)])


def test_an_unterminated_csv_quote_is_refused(runner, db, partner_wave, tmp_path):
    wave = partner_wave()
    prompts = "What should IT change?,How well does IT listen?"
    result = _import(runner, wave, tmp_path, f'{prompts}\n"Fine,3\nMore text,4\n')
    assert result.exit_code != 0
    assert "quote" in result.output.lower()
    assert stored_count(db) == 0


def test_a_duplicate_csv_column_is_refused(runner, db, partner_wave, tmp_path):
    wave = partner_wave()
    header = "What should IT change?,How well does IT listen?,What should IT change?"
    result = _import(runner, wave, tmp_path, f"{header}\nFirst,3,Second\n")
    assert result.exit_code != 0
    assert "What should IT change?" in result.output and "twice" in result.output.lower()
    assert stored_count(db) == 0


def test_a_nul_byte_in_a_csv_is_refused_like_in_the_form(runner, db, partner_wave, tmp_path):
    wave = partner_wave()
    result = _import(runner, wave, tmp_path, "What should IT change?,How well does IT listen?\nA\x00B,3\n")
    assert result.exit_code != 0
    assert stored_count(db) == 0


# --- item 9: the Back button does not store a second response ---------------------------------------

def test_submitting_again_after_back_stores_nothing_and_says_so(client, db, partner_wave):
    wave = partner_wave()
    first = client.get(f"/s/{wave.token}")
    assert "no-store" in first.headers.get("Cache-Control", "")
    data = {**hidden_fields(first.get_data(as_text=True)), **answers_for(db, wave)}
    assert client.post(f"/s/{wave.token}", data=data).status_code == 303
    # Back: the browser fetches the form again and restores what was typed into the fresh page.
    again = client.get(f"/s/{wave.token}")
    assert "already answered" in again.get_data(as_text=True).lower()
    assert "no-store" in again.headers.get("Cache-Control", "")
    fresh = hidden_fields(again.get_data(as_text=True))
    replay = client.post(f"/s/{wave.token}", data={**data, **fresh})
    assert replay.status_code == 409
    assert "already answered" in replay.get_data(as_text=True).lower()
    assert stored_count(db) == 1


def test_a_plain_replay_of_the_same_form_is_refused(client, db, partner_wave):
    wave = partner_wave()
    data = {**_form_page(client, wave), **answers_for(db, wave)}
    assert client.post(f"/s/{wave.token}", data=data).status_code == 303
    as_another_browser(client)
    replay = client.post(f"/s/{wave.token}", data=data)
    assert replay.status_code == 409
    assert stored_count(db) == 1


def test_the_survey_form_is_not_cached(client, partner_wave):
    wave = partner_wave()
    assert "no-store" in client.get(f"/s/{wave.token}").headers.get("Cache-Control", "")


def test_reading_fields_never_shows_a_python_repr(client, db, partner_wave):
    wave = partner_wave()
    data = {**_form_page(client, wave), **answers_for(db, wave)}
    client.post(f"/s/{wave.token}", data=data)
    assert not any(re.search(r"\{'|\['", text) for text in stored_texts(db))
