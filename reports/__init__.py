"""Rapport's reports library: SVG charts, a report document rendered to HTML and PDF, unit exports.

No Flask here. Importing ``reports`` is cheap: matplotlib loads with the first chart and ReportLab
with the first PDF, through the lazy attributes below.

Public API
----------
sentiment_by_wave, theme_volume_by_wave, silo_rate_by_wave, segment_theme_heatmap, nps_by_wave
    Pure chart functions returning deterministic, accessible SVG strings (``reports.charts``).
ReportDocument, Section, Table, Chart
    A report as frozen dataclasses (``reports.document``).
render_html(doc) -> str, render_pdf(doc) -> bytes
    One self-contained HTML file; an A4 PDF with vector charts.
units_to_csv(rows) -> str, units_to_json(rows) -> str
    Unit-level exports with redacted text only (``reports.exports``).
"""

from __future__ import annotations

import importlib

from reports.document import Chart, ReportDocument, Section, Table
from reports.errors import ChartDataError, DocumentError, ExportError, PdfBackendMissing, ReportError
from reports.exports import ExportUnit, units_to_csv, units_to_json

_LAZY = {
    "EventMarker": "reports.charts",
    "nps_by_wave": "reports.charts",
    "segment_theme_heatmap": "reports.charts",
    "sentiment_by_wave": "reports.charts",
    "silo_rate_by_wave": "reports.charts",
    "theme_volume_by_wave": "reports.charts",
    "render_html": "reports.html",
    "render_pdf": "reports.pdf",
}

__all__ = [
    "Chart",
    "ChartDataError",
    "DocumentError",
    "ExportError",
    "ExportUnit",
    "PdfBackendMissing",
    "ReportDocument",
    "ReportError",
    "Section",
    "Table",
    "units_to_csv",
    "units_to_json",
    *_LAZY,
]


def __getattr__(name: str) -> object:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'reports' has no attribute {name!r}")
