"""Property-based fuzzing of the partner POST and the staff search (issue 11), bounded examples.

Whatever arrives, the answer is never a 500; a refused submission stores nothing; what is stored
is text within the length limit and without NUL bytes.
"""

from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from page_support import as_another_browser
from test_survey_partner import answers_for, hidden_fields, stored_count

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Text a hostile client can send: any code point but lone surrogates (they cannot be UTF-8).
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
raw_value = st.one_of(any_text, st.binary(max_size=200), st.just("x" * 4001), st.sampled_from(
    ["", "\x00", "0", "-1", "11", "1e99", "10" * 30, "[]", "{}", "null", "Finance\x00", " 5 ", "５"]))
content_types = st.sampled_from(["application/x-www-form-urlencoded", "multipart/form-data",
                                 "application/json", "text/plain", ""])


def _encode(fields: list[tuple[str, str | bytes]]) -> bytes:
    pairs = []
    for name, value in fields:
        data = value if isinstance(value, bytes) else value.encode("utf-8")
        pairs.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(data)}")
    return "&".join(pairs).encode()


@pytest.fixture
def fuzz_wave(partner_wave):
    return partner_wave()


@FUZZ
@given(overrides=st.dictionaries(st.sampled_from(["text", "rating", "nps", "choice", "segment"]),
                                 raw_value, max_size=5),
       extra=st.lists(st.tuples(any_text.filter(bool), raw_value), max_size=3),
       content_type=content_types)
def test_the_partner_post_never_fails_and_stores_nothing_when_it_refuses(
        client, db, fuzz_wave, overrides, extra, content_type):
    wave = fuzz_wave
    as_another_browser(client)
    page = client.get(f"/s/{wave.token}")
    assert page.status_code == 200
    names = answers_for(db, wave)
    by_kind = dict(zip(["text", "rating", "nps", "choice", "segment"], names, strict=True))
    fields: list[tuple[str, str | bytes]] = list(hidden_fields(page.get_data(as_text=True)).items())
    fields += [(by_kind.get(kind, kind), overrides.get(kind, value))
               for kind, value in zip(["text", "rating", "nps", "choice", "segment"], names.values(),
                                      strict=True)]
    fields += extra
    before = stored_count(db)
    if content_type == "multipart/form-data":
        data = {name: value.decode("latin-1") if isinstance(value, bytes) else value
                for name, value in fields}
        response = client.post(f"/s/{wave.token}", data=data, content_type=content_type)
    else:
        response = client.post(f"/s/{wave.token}", data=_encode(fields), content_type=content_type)
    assert response.status_code < 500
    if response.status_code != 303:
        assert stored_count(db) == before
    for (text,) in db.execute("SELECT text FROM answers WHERE text IS NOT NULL"):
        assert "\x00" not in text and len(text) <= 4000


@pytest.fixture
def staff_with_survey(client, db, partner_wave, staff_login):
    wave = partner_wave()
    page = client.get(f"/s/{wave.token}")
    data = {**hidden_fields(page.get_data(as_text=True)), **answers_for(db, wave)}
    assert client.post(f"/s/{wave.token}", data=data).status_code == 303
    staff_login("brm")
    return f"/staff/surveys/{wave.survey_id}/responses"


@FUZZ
@given(arguments=st.dictionaries(st.sampled_from(["q", "wave", "segment", "theme", "sentiment", "flag",
                                                  "page"]), st.one_of(any_text, raw_value), max_size=7))
def test_the_staff_search_never_fails(client, staff_with_survey, arguments):
    query = "&".join(f"{name}={quote_from_bytes(value if isinstance(value, bytes) else value.encode())}"
                     for name, value in arguments.items())
    response = client.get(f"{staff_with_survey}?{query}")
    assert response.status_code in (200, 400), arguments
