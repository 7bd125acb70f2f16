"""Aggregates the staff pages read instead of scanning every response (DESIGN.md section 8).

Analysis runs (and silo re-measurements) rewrite a survey's wave scores and silo-term counts, so the
pages show them "as of the last analysis"; ``record_response`` keeps the per-wave response counts
current in the submission's own transaction. A count per wave says nothing about time or order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import sqlite_utils


@dataclass(frozen=True)
class WaveScore:
    """Rating or NPS answers of one wave, as of the last analysis run (before any threshold)."""

    wave_id: int
    kind: str  # "rating" | "nps"
    respondents: int
    answers: int
    mean: float | None
    promoters: int
    passives: int
    detractors: int

    @property
    def nps(self) -> float | None:
        """% promoters (9-10) minus % detractors (0-6) of the NPS answers."""
        if self.kind != "nps" or not self.answers:
            return None
        return 100.0 * (self.promoters - self.detractors) / self.answers


@dataclass(frozen=True)
class SiloTermCount:
    """One lexicon term in one wave: flags, respondents using it, and flags per lower-cased wording."""

    wave_id: int
    term_id: str
    category: str
    flags: int
    respondents: int
    wordings: tuple[tuple[str, int], ...]  # (lower-cased wording, flags), alphabetical


#: From the survey's waves through their released responses to the answers' primary key (answers
#: have no index by question: it cost every submission a page per answered question).
_SCORES_SQL = """
    SELECT released.wave_id, questions.kind, COUNT(DISTINCT answers.response_id), COUNT(*),
           AVG(answers.number), SUM(questions.kind = 'nps' AND answers.number >= 9),
           SUM(questions.kind = 'nps' AND answers.number BETWEEN 7 AND 8),
           SUM(questions.kind = 'nps' AND answers.number <= 6)
    FROM waves
    JOIN released_responses AS released ON released.wave_id = waves.id
    JOIN answers ON answers.response_id = released.response_id
    JOIN questions ON questions.id = answers.question_id
    WHERE waves.survey_id = ? AND questions.kind IN ('rating', 'nps') AND answers.number IS NOT NULL
    GROUP BY released.wave_id, questions.kind
"""


def save_wave_scores(db: sqlite_utils.Database, survey_id: int) -> None:
    """Recompute and replace the survey's rating and NPS figures per wave (one transaction).

    This reads every rating and NPS answer of the survey, which is why it runs with the analysis
    and not per page view.
    """
    rows = db.execute(_SCORES_SQL, [survey_id]).fetchall()
    with db.conn:
        db.conn.execute("DELETE FROM wave_scores WHERE survey_id = ?", [survey_id])
        db.conn.executemany(
            "INSERT INTO wave_scores (survey_id, wave_id, kind, respondents, answers, mean, promoters, "
            "passives, detractors) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(survey_id, wave_id, kind, respondents, answers, mean, promoters or 0, passives or 0,
              detractors or 0)
             for wave_id, kind, respondents, answers, mean, promoters, passives, detractors in rows],
        )


def wave_scores(db: sqlite_utils.Database, survey_id: int) -> dict[tuple[int, str], WaveScore]:
    """(wave id, 'rating' | 'nps') -> the stored figures of the last analysis run."""
    rows = db.execute(
        "SELECT wave_id, kind, respondents, answers, mean, promoters, passives, detractors "
        "FROM wave_scores WHERE survey_id = ?", [survey_id])
    return {(row[0], row[1]): WaveScore(*row) for row in rows}


def survey_response_total(db: sqlite_utils.Database, survey_id: int) -> int:
    """Stored responses of the survey, all waves together (from the per-wave counts)."""
    return db.execute(
        "SELECT COALESCE(SUM(c.responses), 0) FROM wave_response_counts AS c "
        "JOIN waves ON waves.id = c.wave_id WHERE waves.survey_id = ?", [survey_id]).fetchone()[0]


def save_silo_terms(db: sqlite_utils.Database, survey_id: int) -> None:
    """Recompute and replace the survey's flag counts per wave x lexicon term from the stored flags."""
    counts = db.execute(
        "SELECT u.wave_id, f.term_id, MIN(f.category), COUNT(*), COUNT(DISTINCT u.response_id) "
        "FROM unit_flags AS f JOIN units AS u ON u.id = f.unit_id WHERE u.survey_id = ? "
        "AND u.flag_count > 0 GROUP BY u.wave_id, f.term_id", [survey_id]).fetchall()
    wordings: dict[tuple[int, str], dict[str, int]] = defaultdict(dict)
    for wave_id, term_id, wording, flags in db.execute(
        "SELECT u.wave_id, f.term_id, lower(f.text), COUNT(*) FROM unit_flags AS f JOIN units AS u "
        "ON u.id = f.unit_id WHERE u.survey_id = ? AND u.flag_count > 0 "
        "GROUP BY u.wave_id, f.term_id, lower(f.text)", [survey_id],
    ):
        wordings[wave_id, term_id][wording] = flags
    with db.conn:
        db.conn.execute("DELETE FROM silo_terms WHERE survey_id = ?", [survey_id])
        db.conn.executemany(
            "INSERT INTO silo_terms (survey_id, wave_id, term_id, category, flags, respondents, wordings) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(survey_id, wave_id, term_id, category, flags, respondents,
              json.dumps(wordings[wave_id, term_id], sort_keys=True))
             for wave_id, term_id, category, flags, respondents in counts],
        )


def silo_term_counts(db: sqlite_utils.Database, survey_id: int) -> list[SiloTermCount]:
    """The survey's stored flag counts per wave x term, as of the last analysis or re-measurement."""
    rows = db.execute(
        "SELECT wave_id, term_id, category, flags, respondents, wordings FROM silo_terms "
        "WHERE survey_id = ? ORDER BY term_id, wave_id", [survey_id])
    return [SiloTermCount(wave_id, term_id, category, flags, respondents,
                          tuple(sorted(json.loads(wordings).items())))
            for wave_id, term_id, category, flags, respondents, wordings in rows]
