"""The silo-language chart of the dashboard, built from already-suppressed dashboard cells."""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from survey.store.culture import CultureEvent, SiloCell, wave_after
from survey.store.surveys import Wave

#: Name of the whole-wave line on the chart.
ALL_LABEL = "All partners"
_DESC = re.compile(r"<desc>(.*?)</desc>", re.DOTALL)


@dataclass(frozen=True)
class ChartImage:
    """A chart as a ``data:`` URI for ``<img>``, with its text alternative.

    Matplotlib's SVG styles its shapes with ``style`` attributes, which the app's
    Content-Security-Policy (``style-src 'self'``) blocks in inline SVG; inside an image the SVG
    is its own document, so the chart renders while the CSP stays strict.
    """

    src: str
    alt: str


def as_image(svg: str) -> ChartImage:
    """Wrap an SVG string produced by :mod:`reports.charts` for an ``<img>`` tag."""
    match = _DESC.search(svg)
    alt = html.unescape(match.group(1)).strip() if match else "Chart"
    return ChartImage("data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii"), alt)


def silo_chart(cells: Sequence[SiloCell], waves: Sequence[Wave], events: Sequence[CultureEvent],
               min_group_size: int) -> ChartImage:
    """Chart of flags per 1,000 words by wave: one line for all partners, one per segment, event markers.

    Suppressed cells arrive as ``None`` and are drawn as gaps; events after the latest wave are left
    out (the dashboard lists them). Drawing takes matplotlib a second or more, so charts are cached
    per worker by their exact inputs (:func:`survey.charts.cached_svg`).
    """
    from reports.charts import EventMarker, silo_rate_by_wave
    from survey.charts import cached_svg

    labels = [wave.label for wave in waves]
    by_key = {(cell.wave, cell.segment): cell.rate_per_thousand_words for cell in cells}
    segments = sorted({cell.segment for cell in cells if cell.segment is not None})
    series = {ALL_LABEL: [by_key.get((label, None)) for label in labels]}
    for segment in segments:
        values = [by_key.get((label, segment)) for label in labels]
        if any(value is not None for value in values):
            series[segment] = values
    markers = []
    for event in events:
        wave = wave_after(event, list(waves))
        if wave is not None:
            markers.append(EventMarker(event.label, wave.label, event.on_date))
    return as_image(cached_svg(silo_rate_by_wave, labels, series, events=markers,
                               min_group_size=min_group_size))
