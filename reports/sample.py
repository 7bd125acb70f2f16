"""A sample wave report with invented figures, for previews, screenshots and tests.

``python -m reports.sample OUTDIR`` writes ``sample-report.html`` and ``sample-report.pdf``.
The figures are made up; nothing here reads a database.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

from reports.charts import (
    EventMarker,
    nps_by_wave,
    segment_theme_heatmap,
    sentiment_by_wave,
    silo_rate_by_wave,
    theme_volume_by_wave,
)
from reports.document import Chart, ReportDocument, Section, Table

WAVES = ("2025 Q2", "2025 Q3", "2025 Q4", "2026 Q1")
SEGMENTS = ("Finance", "Sales", "Operations", "HR", "Legal")
THEMES = ("Delivery on time, cost and scope", "Communication and transparency",
          "Support and service desk", "Strategic alignment", "Trust and blame", "Tools and systems")
SHARES = (
    (0.31, 0.22, 0.12, 0.09, None, 0.14),
    (0.24, 0.28, 0.18, 0.11, 0.06, 0.10),
    (0.19, 0.15, 0.34, 0.05, 0.08, 0.17),
    (None, 0.30, 0.21, None, None, 0.12),
    (0.27, None, 0.16, 0.18, None, 0.09),
)
WORKSHOP = EventMarker("Language workshop", "2025 Q4", date(2025, 9, 18))


def sample_report() -> ReportDocument:
    """Return a four-wave report that exercises every chart, a table with suppressed cells and quotes."""
    overview = Section(
        heading="Relationship health",
        paragraphs=(
            "Mean sentiment rose for the second wave running and is now clearly positive.",
            "Delivery concerns fell from 31% to 22% of comments since the previous wave.",
        ),
        charts=(
            Chart("Sentiment", sentiment_by_wave(WAVES, (-0.21, -0.12, 0.02, 0.17),
                                                 (-0.30, -0.21, -0.07, 0.09), (-0.12, -0.03, 0.11, 0.25),
                                                 events=(WORKSHOP,)),
                  caption="Shaded band and bars: 95% bootstrap interval."),
            Chart("NPS", nps_by_wave(WAVES, (-14, -6, None, 12))),
        ),
        tables=(Table(("Wave", "Responses", "Mean rating", "NPS"),
                      (("2025 Q2", 112, 3.12, -14), ("2025 Q3", 97, 3.31, -6), ("2025 Q4", 4, None, None),
                       ("2026 Q1", 131, 3.64, 12)), caption="Responses per wave"),),
    )
    themes = Section(
        heading="Concern themes",
        paragraphs=("Support and service desk is rising; trust and blame is falling.",),
        charts=(
            Chart("Theme volume", theme_volume_by_wave(WAVES, {
                "Delivery on time, cost and scope": (0.33, 0.31, 0.27, 0.22),
                "Communication and transparency": (0.21, 0.24, None, 0.19),
                "Support and service desk": (0.10, 0.12, 0.16, 0.21),
                "Trust and blame": (0.09, 0.07, 0.05, 0.04),
            })),
            Chart("Heat map", segment_theme_heatmap(SEGMENTS, THEMES, SHARES)),
        ),
        quotes=("The new release calendar helps, but we still hear about outages from [NAME] first.",
                "IT listened this quarter <and> it showed."),
    )
    language = Section(
        heading="Siloing language",
        paragraphs=("Flags per 1,000 words fell after the language workshop in September.",),
        charts=(Chart("Silo rate", silo_rate_by_wave(WAVES, {
            "All segments": (4.8, 4.5, 3.1, 2.6),
            "Finance": (6.2, 5.9, 3.8, None),
            "Sales": (3.9, 4.1, 2.7, 2.2),
        }, events=(WORKSHOP,))),),
    )
    return ReportDocument("Partner pulse: wave report", "IT partnership survey · 2026 Q1",
                          date(2026, 4, 2), (overview, themes, language))


def main(argv: list[str] | None = None) -> None:
    """Write the sample report as HTML and PDF into the given directory and print timings and sizes."""
    from reports.html import render_html
    from reports.pdf import render_pdf

    directory = Path((argv or sys.argv[1:] or ["."])[0])
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    document = sample_report()
    charts_done = time.perf_counter()
    page = render_html(document)
    html_done = time.perf_counter()
    pdf = render_pdf(document)
    pdf_done = time.perf_counter()
    (directory / "sample-report.html").write_text(page, encoding="utf-8")
    (directory / "sample-report.pdf").write_bytes(pdf)
    print(f"{len(document.charts)} charts in {charts_done - started:.2f} s "
          f"(matplotlib import included); HTML in {html_done - charts_done:.2f} s, "
          f"{len(page.encode()) / 1024:.0f} KiB; PDF in {pdf_done - html_done:.2f} s "
          f"(ReportLab import included), {len(pdf) / 1024:.0f} KiB")
    print(f"wrote {directory / 'sample-report.html'} and {directory / 'sample-report.pdf'}")


if __name__ == "__main__":
    main()
