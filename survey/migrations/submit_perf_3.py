"""Issue 11: the submission budget (DESIGN.md section 8) without an index the analysis can do without."""

from __future__ import annotations

import sqlite_utils

from survey.migrations.registry import migrations


@migrations()
def submit_perf_3_drop_answers_by_question(db: sqlite_utils.Database) -> None:
    """Drop ``idx_answers_question``: a leaf page per answered question, 4.6 of the 12.5 pages a
    submission wrote (``bench/submit_pages.py``). Its readers now go from a survey's waves through
    ``released_responses`` to the answers' primary key (``survey/store/analysis.py``,
    ``survey/store/aggregates.py``); deleting a question (allowed only before a survey has
    responses) checks its foreign key with a scan of ``answers`` instead."""
    db.execute("DROP INDEX IF EXISTS idx_answers_question")
