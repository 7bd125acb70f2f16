"""A demo survey with generated responses, analysed once per test session and copied per test."""

from __future__ import annotations

import datetime as dt
import shutil

from survey.db import open_database
from survey.migrations import migrate

RESPONSES = 300
TODAY = dt.date(2026, 12, 31)


def build_analysed_database(tmp_path_factory) -> str:
    """The demo survey with RESPONSES generated responses, analysed once per test session."""
    path = tmp_path_factory.getbasetemp() / "workspace-analysed.db"
    if not path.exists():
        from survey.demo import generate_feedback
        from survey.demo.seed import create_demo_survey, store_demo_responses
        from survey.services.analysis import run_analysis

        building = tmp_path_factory.mktemp("analysed") / "rapport.db"
        db = open_database(str(building))
        migrate(db)
        demo = create_demo_survey(db)
        corpus = generate_feedback(RESPONSES, seed=7, waves=tuple(demo.waves),
                                   departments=demo.questions["department"].options)
        store_demo_responses(db, demo, corpus, seed=7, today=TODAY)
        run_analysis(db, demo.survey.id)
        db.close()
        shutil.copy(building, path)
    return str(path)
