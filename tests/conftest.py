"""Shared fixtures: a real app on a temp SQLite file, its client and CLI runner, staff logins."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import sqlite_utils
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from analysed_support import AnalysedTemplates, Builder, build_demo_survey

from survey import create_app
from survey.db import open_database, open_migrated
from survey.migrations import migrate
from survey.store.staff import create_staff_user

STAFF_PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path) -> Iterator[Flask]:
    database = str(tmp_path / "rapport.db")
    migrate(open_database(database))
    app = create_app({"DATABASE": database, "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    yield app


@pytest.fixture
def db(app: Flask) -> Iterator[sqlite_utils.Database]:
    database = open_database(app.config["DATABASE"])
    yield database
    database.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


class StaffLogin:
    """Creates staff accounts on demand and signs the test client in as one of them."""

    def __init__(self, client: FlaskClient, db: sqlite_utils.Database) -> None:
        self._client = client
        self._db = db

    def __call__(self, role: str = "brm", username: str | None = None) -> FlaskClient:
        username = username or f"{role}-user"
        if not self._db.execute("SELECT 1 FROM staff WHERE username = ?", [username]).fetchone():
            create_staff_user(self._db, username, STAFF_PASSWORD, role)
        response = self._client.post(
            "/staff/login", data={"username": username, "password": STAFF_PASSWORD}
        )
        assert response.status_code == 302, response.data
        return self._client

    def logout(self) -> None:
        self._client.post("/staff/logout")


@pytest.fixture
def staff_login(client: FlaskClient, db: sqlite_utils.Database) -> StaffLogin:
    return StaffLogin(client, db)


@pytest.fixture
def partner_wave(db: sqlite_utils.Database):
    """Factory: a survey with one question of each kind and a wave open today (partner tests)."""
    import datetime as dt

    from survey.store.surveys import add_question, create_survey, create_wave

    def make(access: str = "public", opens_in_days: int = 0, closes_in_days: int = 30):
        survey = create_survey(db, "IT partnership pulse", "Tell us how IT works with you.")
        add_question(db, survey.id, "text", "What should IT change?", required=True)
        add_question(db, survey.id, "rating", "How well does IT listen?", required=True)
        add_question(db, survey.id, "nps", "How likely are you to recommend IT?")
        add_question(db, survey.id, "choice", "How often do you work with IT?",
                     options=["Weekly", "Monthly", "Rarely"])
        add_question(db, survey.id, "segment", "Your department", options=["Finance", "HR", "Sales"])
        today = dt.date.today()
        return create_wave(db, survey.id, f"Wave {access}", today + dt.timedelta(days=opens_in_days),
                           today + dt.timedelta(days=closes_in_days), access)

    return make


@pytest.fixture
def quarter_wave(db: sqlite_utils.Database):
    """A survey with a text and a rating question and its wave "2026 Q1" (January to March 2026):
    ``(wave, [text, rating])`` (submission-transaction and group-commit tests)."""
    import datetime as dt

    from survey.store.surveys import add_question, create_survey, create_wave

    survey = create_survey(db, "Pulse", "")
    text = add_question(db, survey.id, "text", "What should IT change?")
    rating = add_question(db, survey.id, "rating", "How satisfied are you?")
    return create_wave(db, survey.id, "2026 Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31)), [text, rating]


@pytest.fixture
def browser():
    """Debian's headless Chromium driven by Playwright (browser tests only)."""
    from browser_support import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def semantic_embedder():
    """The process-wide default embedder (all-MiniLM-L6-v2), loaded once per test session."""
    from nlp.embeddings import SemanticEmbedder, default_embedder

    embedder = default_embedder()
    if not isinstance(embedder, SemanticEmbedder):
        pytest.skip("semantic embedding backend not installed")
    embedder.embed(["warm up"])
    return embedder


@pytest.fixture(scope="session")
def onnx_embedder(semantic_embedder):
    """The shared default embedder, which runs on ONNX Runtime (the general model in int8) when it is
    installed."""
    if semantic_embedder.active_backend != "onnx":
        pytest.skip("onnxruntime backend not available")
    return semantic_embedder


@pytest.fixture(scope="session")
def analysed_templates(tmp_path_factory) -> AnalysedTemplates:
    """The analysed databases of the session, one per corpus (copy them, never write to them)."""
    return AnalysedTemplates(tmp_path_factory.getbasetemp())


@pytest.fixture
def analysed_copy(tmp_path, analysed_templates) -> Iterator[Callable[..., SimpleNamespace]]:
    """Factory: a private copy of an analysed corpus, with an app, a client, the db and the survey id.

    ``analysed_copy(build, **config)`` analyses ``build``'s corpus once per session (default: the demo
    survey) and copies it for this test; ``config`` overrides the app's test configuration.
    """
    opened: list[sqlite_utils.Database] = []

    def make(build: Builder = build_demo_survey, **config: Any) -> SimpleNamespace:
        path = tmp_path / f"analysed-{len(opened)}.db"
        shutil.copy(analysed_templates.path(build), path)
        db = open_migrated(str(path))
        opened.append(db)
        app = create_app({"DATABASE": str(path), "SECRET_KEY": "test-secret", "WTF_CSRF_ENABLED": False,
                          "RATELIMIT_ENABLED": False, "ANALYSIS_JOBS_DIR": str(tmp_path / "jobs"), **config})
        survey_id = db.execute("SELECT id FROM surveys ORDER BY id").fetchone()[0]
        return SimpleNamespace(app=app, client=app.test_client(), db=db, survey_id=survey_id, path=str(path))

    yield make
    for db in opened:
        db.close()


@pytest.fixture
def analysed(analysed_copy) -> SimpleNamespace:
    """A private copy of the analysed demo survey (app, client, db, survey_id, path)."""
    return analysed_copy()
