"""Responses: the one writer of ``responses``, ``answers``, ``released_responses`` and the counts.

Three ways in, one entity: a partner's submission (:mod:`.submission`), a CSV import stored all at
once (:mod:`.imports`), and the release of a wave's waiting responses in batches of k
(:mod:`.release`).
"""

from __future__ import annotations

from survey.store.responses.submission import (
    Answer,
    record_response,
    recount_wave_responses,
)

__all__ = ["Answer", "record_response", "recount_wave_responses"]
