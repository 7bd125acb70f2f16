"""What a partner page is built from (a wave, its survey, its questions), cached per process.

Partner pages read these three on every request (DESIGN.md section 8). Triggers count every change
to the ``surveys``, ``questions`` and ``waves`` tables in ``definition_version`` (migration
``submit_budget_2``), so a cached definition is used only while that one-row counter is unchanged:
reading it is one cheap statement, and an edit, by any process, shows on the next request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlite_utils

from survey.store.surveys import Question, Survey, Wave, get_survey, get_wave_by_token, questions_for


@dataclass(frozen=True)
class WaveDefinition:
    """A wave with its survey and its questions in display order."""

    wave: Wave
    survey: Survey
    questions: tuple[Question, ...]


def definition_version(db: sqlite_utils.Database) -> int:
    """The number of changes made so far to surveys, questions and waves."""
    return db.conn.execute("SELECT version FROM definition_version WHERE id = 1").fetchone()[0]


def read_wave_definition(db: sqlite_utils.Database, token: str) -> WaveDefinition:
    """The wave behind a partner link token, with its survey and questions (``NotFound`` if none)."""
    wave = get_wave_by_token(db, token)
    return WaveDefinition(wave, get_survey(db, wave.survey_id), tuple(questions_for(db, wave.survey_id)))


class WaveDefinitionCache:
    """Definitions by link token for one database file, each kept with the version it was read at."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._entries: OrderedDict[str, tuple[int, WaveDefinition]] = OrderedDict()
        self._lock = threading.Lock()

    def by_token(self, db: sqlite_utils.Database, token: str) -> WaveDefinition:
        """The current definition of the wave behind ``token`` (``NotFound`` if there is none).

        The version is read before the rows, so a definition is never kept under a newer version
        than the one it was read at; an unknown token is not kept.
        """
        version = definition_version(db)
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None and entry[0] == version:
                self._entries.move_to_end(token)
                return entry[1]
        definition = read_wave_definition(db, token)
        with self._lock:
            self._entries[token] = (version, definition)
            self._entries.move_to_end(token)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return definition
