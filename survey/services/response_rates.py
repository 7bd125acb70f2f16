"""Response rates of public-link waves, from the population per department a BRM entered.

Rates use released responses only, and a department's rate shows only when its responses reach the
threshold, with enough others hidden that the wave's total cannot give a hidden one away.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from nlp.suppression import suppress_small_cells
from survey.store.populations import released_by_department, wave_population


@dataclass(frozen=True)
class DepartmentRate:
    """One department: people the link was meant for and the share who answered (``None``: hidden)."""

    department: str
    people: int
    rate: float | None


@dataclass(frozen=True)
class PopulationRate:
    """A wave's response rate over the population entered; ``None`` when hidden or not entered."""

    people: int
    rate: float | None
    departments: tuple[DepartmentRate, ...]


def population_rate(db: sqlite_utils.Database, wave_id: int, min_group_size: int) -> PopulationRate | None:
    """The wave's response rate over the entered population, or ``None`` when none was entered."""
    people = wave_population(db, wave_id)
    if not people:
        return None
    answered = released_by_department(db, wave_id)
    total = sum(answered.values())
    hidden = suppress_small_cells(answered, min_group_size).suppressed if answered else frozenset()
    departments = tuple(
        DepartmentRate(name, count, None if name in hidden or name not in answered
                       else answered[name] / count)
        for name, count in people.items())
    overall = total / sum(people.values()) if total >= min_group_size else None
    return PopulationRate(sum(people.values()), overall, departments)
