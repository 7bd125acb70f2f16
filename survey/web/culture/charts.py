"""The silo-language chart of the dashboard, built from already-suppressed dashboard cells."""

from __future__ import annotations

from collections.abc import Sequence

from survey.store.culture import CultureEvent, SiloCell, wave_after
from survey.store.surveys import Wave
from survey.web.charts import ChartImage, chart_image

#: Name of the whole-wave line on the chart.
ALL_LABEL = "All partners"


def silo_chart(cells: Sequence[SiloCell], waves: Sequence[Wave], events: Sequence[CultureEvent],
               min_group_size: int) -> ChartImage:
    """Chart of flags per 1,000 words by wave: one line for all partners, one per segment, event markers.

    Suppressed cells arrive as ``None`` and are drawn as gaps; events after the latest wave are left
    out (the dashboard lists them). Drawing takes matplotlib a second or more, so charts are cached
    per worker by their exact inputs (:func:`survey.charts.cached_svg`).
    """
    # matplotlib (~30 MB) loads only in workers that draw a chart.
    from reports.charts import EventMarker, silo_rate_by_wave

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
    return chart_image(silo_rate_by_wave, labels, series, events=markers, min_group_size=min_group_size)
