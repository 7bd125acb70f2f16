"""Analysed databases for tests: each corpus is analysed once per session, each test gets a copy.

A corpus is a *builder*: a function that writes surveys and responses into a migrated database
through the real store. :class:`AnalysedTemplates` runs the real analysis on it once per test
session; the ``analysed_copy`` fixture (conftest) hands each test a private copy with an app, a
client and a connection. The default corpus is the demo survey (:func:`build_demo_survey`);
modules that need data of their own (a group under the threshold, a theme that falls) pass theirs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from survey.db import open_database, open_migrated
from survey.demo import generate_feedback
from survey.demo.seed import create_demo_survey, store_demo_responses
from survey.services.analysis import run_analysis
from survey.store.surveys import list_surveys

#: Writes a corpus into a migrated database (no analysis: the templates run it).
Builder = Callable[[sqlite_utils.Database], None]

RESPONSES = 300
TODAY = dt.date(2026, 12, 31)


def build_demo_survey(db: sqlite_utils.Database) -> None:
    """The demo survey with :data:`RESPONSES` generated responses."""
    demo = create_demo_survey(db)
    corpus = generate_feedback(RESPONSES, seed=7, waves=tuple(demo.waves),
                               departments=demo.questions["department"].options)
    store_demo_responses(db, demo, corpus, seed=7, today=TODAY)


#: Themes left out of the taxonomy by :func:`build_demo_survey_with_uncovered_concerns`.
UNCOVERED_THEMES = ("security", "value")


def build_demo_survey_with_uncovered_concerns(db: sqlite_utils.Database) -> None:
    """The demo survey, with a taxonomy that lacks two themes (:data:`UNCOVERED_THEMES`): their
    comments are real concerns no seeded theme covers, which the analysis proposes as emerging
    themes (the demo corpus itself has none: everything in it fits a shipped theme or is a non-answer)."""
    from nlp.themes import DEFAULT_THEMES, Taxonomy
    from survey.store.taxonomies import save_taxonomy

    build_demo_survey(db)
    data = DEFAULT_THEMES.to_dict()
    data["themes"] = [theme for theme in data["themes"] if theme["id"] not in UNCOVERED_THEMES]
    for survey in list_surveys(db):
        save_taxonomy(db, survey.id, Taxonomy.from_dict(data))


class AnalysedTemplates:
    """Analysed databases, one per builder, built on first use in ``folder`` (never written again)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, build: Builder = build_demo_survey) -> Path:
        """The analysed database of ``build``'s corpus (copy it before changing anything)."""
        path = self.folder / f"analysed-{build.__module__}-{build.__name__}.db"
        if not path.exists():
            building = path.with_suffix(".building")
            db = open_migrated(str(building))
            build(db)
            for survey in list_surveys(db):
                run_analysis(db, survey.id, min_group_size=5, random_state=0)
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            db.close()
            building.rename(path)
        return path

    def survey_id(self, build: Builder = build_demo_survey) -> int:
        """The id of the (first) survey of ``build``'s corpus."""
        db = open_database(str(self.path(build)))
        try:
            return list_surveys(db)[0].id
        finally:
            db.close()
