"""The PDF report is a valid, deterministic A4 file with the report's text and its charts as vectors."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from reports.charts import segment_theme_heatmap, sentiment_by_wave
from reports.document import Chart, ReportDocument, Section, Table
from reports.pdf import render_pdf
from reports.sample import sample_report

ATTACK = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def document() -> ReportDocument:
    sentiment = sentiment_by_wave(["2025 Q4", "2026 Q1"], [-0.1, 0.2], [-0.2, 0.1], [0.0, 0.3])
    heatmap = segment_theme_heatmap(["Finance", "HR"], ["Tools and systems"], [[0.4], [None]])
    return ReportDocument(
        title="Partner pulse: wave report",
        subtitle="IT partnership survey · 2026 Q1",
        generated_on=date(2026, 4, 2),
        sections=[
            Section("Relationship health", paragraphs=[f"Sentiment rose, Zoë said {ATTACK} & more."],
                    charts=[Chart("Sentiment", sentiment, caption="Bars: 95% interval.")]),
            Section("Themes", charts=[Chart("Heat map", heatmap)],
                    tables=[Table(["Theme", "Units"], [["Trust and blame", None], ["Tools", 14]],
                                  caption="Themes of the wave")],
                    quotes=["The release calendar helps [NAME] a lot."]),
        ],
    )


@pytest.fixture(scope="module")
def pdf(document) -> bytes:
    return render_pdf(document)


@pytest.fixture(scope="module")
def text(pdf) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_a_valid_a4_file_with_metadata(pdf):
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    assert 1 <= len(reader.pages) <= 3
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)
    assert reader.metadata.title == "Partner pulse: wave report"


def test_pdf_holds_the_report_text_escaped_not_interpreted(text):
    for expected in ("Partner pulse: wave report", "IT partnership survey · 2026 Q1",
                     "Generated on 2 April 2026", "Relationship health", f"Zoë said {ATTACK} & more.",
                     "Themes of the wave", "fewer than 5", "The release calendar helps [NAME] a lot.",
                     "Bars: 95% interval."):
        assert expected in text


def test_pdf_charts_are_vector_drawings_with_their_text(text):
    # The charts' titles, axis labels and values come from the SVG <text> elements, so they are
    # only in the PDF if the chart itself was drawn.
    for expected in ("Mean sentiment by wave", "Sentiment score", "2025 Q4", "+0.20",
                     "Theme share by segment", "40%", "<5"):
        assert expected in text


def test_pdf_pages_are_numbered(text):
    assert "Page 1" in text


def test_pdf_embeds_its_fonts(pdf):
    assert b"DejaVuSans" in pdf and b"/FontFile2" in pdf


def test_same_document_gives_identical_bytes(document, pdf):
    assert render_pdf(document) == pdf


@pytest.mark.slow
def test_sample_report_renders_every_chart_to_pdf():
    document = sample_report()
    reader = PdfReader(io.BytesIO(render_pdf(document)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 3
    for title in ("Mean sentiment by wave", "Net Promoter Score by wave", "Concern themes by wave",
                  "Theme share by segment", "Siloing language by wave"):
        assert title in text
