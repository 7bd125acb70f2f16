"""The wave report and the unit exports of a survey, built from the stored analysis (no Flask).

:func:`build_wave_report` turns one wave's stored results into a :class:`reports.ReportDocument`
(headline figures, charts, themes with their change, quotes where the quote threshold allows, the
siloing-language summary and the actions); :func:`render_report` renders it, or the wave's units,
in one of :data:`FORMATS`. ``rapport report`` and the web downloads both call :func:`render_report`.

Thresholds (DESIGN.md section 3, rule 5): every figure under ``min_group_size`` respondents is
printed as "fewer than N". Redacted text, in quotes and in exports alike, comes only from
(wave, segment) groups that reach both thresholds after complementary suppression; units of the
other groups are left out of exports entirely rather than shown with a blank segment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils
from werkzeug.utils import secure_filename

from reports.document import ReportDocument, Section
from reports.exports import units_to_csv, units_to_json
from reports.formatting import date_text
from reports.html import render_html
from survey.errors import InvalidInput
from survey.services.report_sections import (
    actions_section,
    headline_section,
    method_section,
    silo_section,
    theme_detail_section,
    themes_section,
)
from survey.services.thresholds import DEFAULT_THRESHOLDS, Thresholds
from survey.store import reports as store
from survey.store.surveys import get_survey

Progress = Callable[[str, int, int], None]

#: Format (also the file extension) -> media type of what :func:`render_report` returns.
FORMATS = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
#: Themes given a section of their own, with key phrases and quotes.
DETAILED_THEMES = 3

__all__ = ["FORMATS", "RenderedReport", "build_wave_report", "render_report"]


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report or export, ready to write to a file or send as a download."""

    filename: str
    media_type: str
    content: bytes


def _quiet(stage: str, done: int, total: int) -> None:
    """Default progress callback: ignore."""


def build_wave_report(
    db: sqlite_utils.Database, survey_id: int, wave_label: str | None = None, *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS, today: dt.date | None = None, progress: Progress = _quiet,
    include_owners: bool = False,
) -> ReportDocument:
    """The wave report of a survey: figures of the wave and of the waves before it, never later ones.

    ``wave_label`` ``None`` picks the latest analysed wave. Action owners (staff names) are left out
    unless ``include_owners``. Raises :class:`survey.errors.NotFound`
    for an unknown survey or wave. ``progress(stage, done, total)`` is called once per part.
    """
    survey = get_survey(db, survey_id)
    wave = store.find_wave(db, survey_id, wave_label)
    waves = store.waves_until(db, wave)
    previous = waves[-2] if len(waves) > 1 else None
    themes = store.wave_themes(db, wave, previous, thresholds.min_group_size)
    reportable = [theme for theme in themes if not theme.suppressed]
    steps: list[tuple[str, Callable[[], list[Section]]]] = [
        ("headline figures", lambda: [headline_section(db, survey, waves, thresholds)]),
        ("concern themes", lambda: [themes_section(db, wave, waves, themes, thresholds)]),
        ("quotes", lambda: [theme_detail_section(db, wave, theme, previous, thresholds)
                            for theme in reportable[:DETAILED_THEMES]]),
        ("siloing language", lambda: [silo_section(db, survey.id, waves, thresholds)]),
        ("actions", lambda: [actions_section(db, survey.id, include_owners)]
         if store.has_actions_table(db) else []),
        ("method", lambda: [method_section(db, survey.id, thresholds)]),
    ]
    sections: list[Section] = []
    for done, (stage, build) in enumerate(steps):
        progress(stage, done, len(steps))
        sections.extend(build())
    progress("done", len(steps), len(steps))
    subtitle = f"Wave {wave.label} · {date_text(wave.opens_on)} to {date_text(wave.closes_on)}"
    return ReportDocument(f"{survey.title}: wave report", subtitle, today or dt.date.today(), sections)


def render_report(
    db: sqlite_utils.Database, survey_id: int, wave_label: str | None, fmt: str, *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS, today: dt.date | None = None, progress: Progress = _quiet,
    include_owners: bool = False,
) -> RenderedReport:
    """Render the wave report (``html``, ``pdf``) or export the wave's units (``csv``, ``json``).

    Exports hold redacted text only, from the groups :func:`survey.store.reports.quotable_segments`
    allows; CSV starts with a byte-order mark so that spreadsheets read it as UTF-8. Raises
    :class:`InvalidInput` for an unknown format and :class:`survey.errors.NotFound` for an unknown
    survey or wave.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown report format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    survey = get_survey(db, survey_id)
    wave = store.find_wave(db, survey_id, wave_label)
    filename = _filename(survey.title, wave.label, fmt)
    if fmt in ("csv", "json"):
        progress("reading units", 0, 1)
        units = store.export_units(db, wave, thresholds.text_threshold)
        progress("done", 1, 1)
        text = (units_to_csv(units, min_group_size=thresholds.text_threshold, bom=True) if fmt == "csv"
                else units_to_json(units, min_group_size=thresholds.text_threshold))
        return RenderedReport(filename, FORMATS[fmt], text.encode("utf-8"))
    document = build_wave_report(db, survey_id, wave.label, thresholds=thresholds, today=today,
                                 progress=progress, include_owners=include_owners)
    if fmt == "html":
        return RenderedReport(filename, FORMATS[fmt], render_html(document).encode("utf-8"))
    # reportlab and svglib (~40 MB) load only when a PDF is asked for.
    from reports.pdf import render_pdf

    return RenderedReport(filename, FORMATS[fmt], render_pdf(document))


def _filename(title: str, wave_label: str, fmt: str) -> str:
    """A safe download name such as ``it-partnership-pulse-2026-q1.pdf``."""
    stem = secure_filename(f"{title} {wave_label}".lower().replace(" ", "-")) or "rapport-report"
    return f"{stem}.{fmt}"
