"""The demo organisation: the seeded feedback corpus, its story, and ``rapport demo``."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import pytest

from survey.db import open_database
from survey.demo import DEFAULT_DEPARTMENTS, DEFAULT_WAVES, generate_feedback
from survey.demo.corpus import STORY_DEPARTMENT, load_phrase_bank
from survey.demo.seed import DEMO_LOGINS
from survey.demo.story import (
    PARTNERSHIP_WORDS,
    SERVICE_DESK_WORDS,
    keyword_share,
    story_figures,
)
from survey.store.staff import create_staff_user

DEMO_RESPONSES = 800


def text_of(response, key: str) -> str:
    return response.answers[key] or ""


@pytest.fixture(scope="module")
def demo_corpus():
    return generate_feedback(DEMO_RESPONSES, seed=7)


# --- the corpus ----------------------------------------------------------------------------------

def test_same_seed_gives_the_same_corpus_and_another_seed_another():
    assert generate_feedback(300, seed=11) == generate_feedback(300, seed=11)
    assert generate_feedback(300, seed=11) != generate_feedback(300, seed=12)


def test_responses_cover_every_wave_and_department_with_valid_scores(demo_corpus):
    assert len(demo_corpus) == DEMO_RESPONSES
    assert {r.wave for r in demo_corpus} == set(DEFAULT_WAVES)
    assert {r.department for r in demo_corpus} == set(DEFAULT_DEPARTMENTS)
    assert all(1 <= r.rating <= 5 and 0 <= r.nps <= 10 for r in demo_corpus)
    assert all(r.answers["department"] == r.department and r.answers["rating"] == r.rating
               for r in demo_corpus)
    smallest_cell = min(
        sum(r.wave == wave and r.department == department for r in demo_corpus)
        for wave in DEFAULT_WAVES for department in DEFAULT_DEPARTMENTS
    )
    assert smallest_cell >= 10, "every department x wave cell must clear the reporting threshold"


def test_custom_waves_and_departments_are_used():
    responses = generate_feedback(50, seed=3, waves=("A", "B", "C"), departments=("Ops", "Fin"))
    assert {r.wave for r in responses} == {"A", "B", "C"}
    assert {r.department for r in responses} == {"Ops", "Fin"}


def test_free_text_varies_like_real_feedback(demo_corpus):
    texts = [text for r in demo_corpus for text in (r.answers["doing_well"], r.answers["change"]) if text]
    lengths = [len(text.split()) for text in texts]
    assert min(lengths) <= 3 and max(lengths) >= 40 and 8 <= statistics.median(lengths) <= 30
    sentences_long = [text for text in texts if len(text.split()) >= 6]
    assert len(set(sentences_long)) / len(sentences_long) > 0.85, "short answers may repeat, long ones not"
    assert sum(r.answers["doing_well"] is None for r in demo_corpus) >= 40
    assert sum(r.answers["change"] is None for r in demo_corpus) >= 20
    assert sum(text == text.lower() and len(text) > 40 for text in texts) >= 20
    assert sum("@" in text for text in texts) >= 5
    assert sum(PARTNERSHIP_WORDS.search(text) is not None for text in texts) >= 20
    assert "{" not in "".join(texts), "every template slot is filled"


def test_every_concern_theme_is_voiced():
    bank = load_phrase_bank()
    assert {theme.name for theme in bank.themes} == {
        "delivery", "communication", "listening", "support", "strategy", "skills", "trust", "value",
        "tools", "security", "praise",
    }
    assert all(theme.positive for theme in bank.themes)
    assert all(theme.negative for theme in bank.themes if theme.name != "praise")


def test_generation_is_fast_enough_for_benchmarks():
    started = time.process_time()
    generate_feedback(25_000, seed=1)
    assert time.process_time() - started < 4.0  # about 0.9 s of CPU here: 100,000 in about 3.6 s


# --- the story -----------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [7, 8, 9])
def test_delivery_complaints_fall_after_the_second_wave(seed):
    shares = [row.delivery_complaints for row in story_figures(generate_feedback(DEMO_RESPONSES, seed=seed))]
    assert min(shares[:2]) > 1.5 * max(shares[2:])


@pytest.mark.parametrize("seed", [7, 8, 9])
def test_service_desk_complaints_rise_in_the_story_department(seed):
    corpus = generate_feedback(DEMO_RESPONSES, seed=seed)
    def service_desk_share(department: str, waves: tuple[str, ...]) -> float:
        cell = [r for r in corpus if r.department == department and r.wave in waves]
        return keyword_share(cell, "change", SERVICE_DESK_WORDS)
    early, late = DEFAULT_WAVES[:2], DEFAULT_WAVES[2:]
    assert service_desk_share(STORY_DEPARTMENT, late) > 1.4 * service_desk_share(STORY_DEPARTMENT, early)
    others = [d for d in DEFAULT_DEPARTMENTS if d != STORY_DEPARTMENT]
    other_late = statistics.mean(service_desk_share(d, late) for d in others)
    assert service_desk_share(STORY_DEPARTMENT, late) > 1.5 * other_late


def test_siloing_language_declines_wave_by_wave_as_partnership_language_grows(demo_corpus):
    figures = story_figures(demo_corpus)
    silo = [row.silo_language for row in figures]
    assert silo == sorted(silo, reverse=True) and silo[0] > 2.5 * silo[-1]
    partnership = [row.partnership_language for row in figures]
    assert partnership[-1] > 2 * partnership[0]


def test_ratings_improve_a_little_and_follow_the_tone(demo_corpus):
    figures = story_figures(demo_corpus)
    assert 0.05 < figures[-1].mean_rating - figures[0].mean_rating < 0.8
    bank = load_phrase_bank()
    shrugs = [r for r in demo_corpus if text_of(r, "doing_well").lower() in
              {text.lower() for text in bank.no_praise}]
    content = [r for r in demo_corpus if text_of(r, "change").lower() in
               {text.lower() for text in bank.no_complaint}]
    assert len(shrugs) >= 10 and len(content) >= 10
    assert statistics.mean(r.rating for r in content) > statistics.mean(r.rating for r in shrugs) + 1.5
    assert statistics.correlation([r.rating for r in demo_corpus], [r.nps for r in demo_corpus]) > 0.6
    praise_minus_complaint = [
        len(text_of(r, "doing_well").split()) - len(text_of(r, "change").split()) for r in demo_corpus
    ]
    assert statistics.correlation([r.rating for r in demo_corpus], praise_minus_complaint) > 0.25


# --- rapport demo ----------------------------------------------------------------------------------

CLI_RESPONSES = 120


def database_bytes(path: str) -> bytes:
    return b"".join(Path(path + suffix).read_bytes() for suffix in ("", "-wal")
                    if Path(path + suffix).exists())


@pytest.mark.slow  # loads the spaCy pipeline for name redaction: about 10-20 s on the shared machine
def test_rapport_demo_creates_the_organisation_with_redacted_text(app, runner, client):
    path = app.config["DATABASE"]
    result = runner.invoke(args=["demo", "--responses", str(CLI_RESPONSES)])
    assert result.exit_code == 0, result.output
    for login in DEMO_LOGINS:
        assert f"{login.username}" in result.output and login.password in result.output
    assert re.search(r"/s/[\w-]{10,}", result.output), "prints the partner link of the open wave"

    db = open_database(path)
    assert {(row["username"], row["role"]) for row in db["staff"].rows} == {
        (login.username, login.role) for login in DEMO_LOGINS
    }
    assert [row["title"] for row in db["surveys"].rows] == ["IT partnership pulse"]
    waves = list(db["waves"].rows_where(order_by="opens_on"))
    assert [wave["label"] for wave in waves] == list(DEFAULT_WAVES)
    assert db["responses"].count == CLI_RESPONSES
    outside = db.execute(
        "SELECT COUNT(*) FROM responses JOIN waves ON waves.id = responses.wave_id "
        "WHERE submitted_on < opens_on OR submitted_on > closes_on"
    ).fetchone()[0]
    assert outside == 0
    segments = {row[0] for row in db.execute("SELECT DISTINCT segment FROM responses")}
    assert segments == set(DEFAULT_DEPARTMENTS)

    corpus = generate_feedback(CLI_RESPONSES, seed=7)
    stored_texts = db.execute("SELECT COUNT(*) FROM answers WHERE text IS NOT NULL AND question_id IN "
                              "(SELECT id FROM questions WHERE kind = 'text')").fetchone()[0]
    assert stored_texts == sum(r.answers[key] is not None for r in corpus for key in ("doing_well", "change"))
    stored_ratings = sorted(row[0] for row in db.execute(
        "SELECT number FROM answers JOIN questions ON questions.id = answers.question_id "
        "WHERE questions.kind = 'rating'"))
    assert stored_ratings == sorted(r.rating for r in corpus)
    db.close()

    generated = [r.answers["change"] or "" for r in corpus]
    assert any("@example." in text for text in generated), "the corpus must hold e-mails to redact"
    stored = database_bytes(path)
    for address in load_phrase_bank().slots["email"]:
        assert address.encode() not in stored
    assert b"[EMAIL]" in stored

    login = DEMO_LOGINS[1]
    response = client.post("/staff/login", data={"username": login.username, "password": login.password})
    assert response.status_code == 302


@pytest.mark.slow  # seeding redacts names with the spaCy pipeline (loads it)
def test_running_demo_twice_changes_nothing(app, runner):
    assert runner.invoke(args=["demo", "--responses", "20"]).exit_code == 0
    db = open_database(app.config["DATABASE"])
    before = sorted(db.execute("SELECT id, segment, submitted_on FROM responses").fetchall())
    result = runner.invoke(args=["demo", "--responses", "20"])
    assert result.exit_code == 0
    assert "already exists" in result.output
    assert sorted(db.execute("SELECT id, segment, submitted_on FROM responses").fetchall()) == before
    assert db["staff"].count == len(DEMO_LOGINS) and db["surveys"].count == 1
    db.close()


@pytest.mark.slow  # seeding redacts names with the spaCy pipeline (loads it)
def test_reset_rebuilds_the_demo(app, runner):
    assert runner.invoke(args=["demo", "--responses", "20"]).exit_code == 0
    result = runner.invoke(args=["demo", "--reset", "--responses", "10"])
    assert result.exit_code == 0, result.output
    db = open_database(app.config["DATABASE"])
    assert db["responses"].count == 10 and db["surveys"].count == 1
    db.close()


def test_reset_refuses_to_delete_a_database_that_is_not_the_demo(app, runner):
    db = open_database(app.config["DATABASE"])
    create_staff_user(db, "real-admin", "a real password 123", "admin")
    db.close()
    for args in (["demo", "--reset"], ["demo"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0
        assert "demo" in result.output
    db = open_database(app.config["DATABASE"])
    assert [row["username"] for row in db["staff"].rows] == ["real-admin"]
    assert db["responses"].count == 0
    db.close()
