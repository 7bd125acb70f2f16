"""Charts as pure functions: plain typed data in, a self-contained, deterministic SVG string out.

Every chart uses the Okabe-Ito or another colour-blind-safe palette, has a title, axis labels and an
accessible ``<title>``/``<desc>``, draws suppressed figures as gaps or grey cells that never show a
value, and returns a "No data yet" SVG when there is nothing to draw.
"""

from __future__ import annotations

from reports.charts.canvas import OKABE_ITO, EventMarker, no_data_svg
from reports.charts.heatmap import segment_theme_heatmap
from reports.charts.ratings import nps_by_wave
from reports.charts.trends import sentiment_by_wave, silo_rate_by_wave, theme_volume_by_wave

__all__ = [
    "OKABE_ITO",
    "EventMarker",
    "no_data_svg",
    "nps_by_wave",
    "segment_theme_heatmap",
    "sentiment_by_wave",
    "silo_rate_by_wave",
    "theme_volume_by_wave",
]
