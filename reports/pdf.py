"""Render a :class:`~reports.document.ReportDocument` to PDF with ReportLab, charts kept as vectors.

Why ReportLab + svglib: both install from PyPI wheels alone (WeasyPrint needs the system's Pango,
which an air-gapped PyPI mirror cannot supply), and svglib turns the very SVG strings the HTML
report inlines into ReportLab vector drawings, so both formats show the same charts. fpdf2 was
measured too but misplaces matplotlib's raster and rotated-anchor elements. Text uses the DejaVu
Sans font that matplotlib ships, so the charts' own metrics hold and any Unicode text prints.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

import matplotlib

from reports.document import Chart, ReportDocument, Section, Table
from reports.errors import DocumentError, PdfBackendMissing
from reports.formatting import date_text

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import BaseDocTemplate

try:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable
    from svglib.fonts import register_font
    from svglib.svglib import svg2rlg
except ImportError as error:  # pragma: no cover - depends on the install
    raise PdfBackendMissing(
        "PDF reports need reportlab and svglib: pip install reportlab==5.1.0 svglib==2.3.2"
    ) from error

FONT = "RapportSans"
ACCENT = colors.HexColor("#0072B2")
MUTED = colors.HexColor("#57606a")
RULE = colors.HexColor("#d0d7de")
_MARGIN = 16 * mm
_MAX_CHART_HEIGHT = 150 * mm
# (ReportLab name suffix, SVG font-weight, SVG font-style, file in matplotlib's fonts/ttf)
_FONT_VARIANTS = (
    ("", "normal", "normal", "DejaVuSans.ttf"),
    ("-Bold", "bold", "normal", "DejaVuSans-Bold.ttf"),
    ("-Bold", "700", "normal", "DejaVuSans-Bold.ttf"),
    ("-Italic", "normal", "italic", "DejaVuSans-Oblique.ttf"),
    ("-BoldItalic", "bold", "italic", "DejaVuSans-BoldOblique.ttf"),
)


@functools.cache
def _register_fonts() -> None:
    font_directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for suffix, weight, style, filename in _FONT_VARIANTS:
        # Registers the TTF with ReportLab and maps the charts' 'DejaVu Sans' onto it for svglib.
        register_font("DejaVu Sans", str(font_directory / filename), weight=weight, style=style,
                      rlgFontName=FONT + suffix)
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic",
                                  boldItalic=f"{FONT}-BoldItalic")


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14.5, spaceAfter=6)
    return {
        "body": body,
        "title": ParagraphStyle("title", body, fontName=f"{FONT}-Bold", fontSize=22, leading=27,
                                spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", body, fontSize=13, leading=17, textColor=MUTED),
        "generated": ParagraphStyle("generated", body, fontSize=9, textColor=MUTED, spaceAfter=10),
        "heading": ParagraphStyle("heading", body, fontName=f"{FONT}-Bold", fontSize=14, leading=18,
                                  spaceBefore=14, spaceAfter=8, textColor=colors.black,
                                  borderPadding=(0, 0, 3, 0)),  # type: ignore[arg-type]  # reportlab takes tuples; stubs say float
        "chart_title": ParagraphStyle("chart_title", body, fontName=f"{FONT}-Bold", fontSize=10.5,
                                      spaceBefore=6, spaceAfter=3, keepWithNext=True),
        "caption": ParagraphStyle("caption", body, fontSize=8.5, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", body, fontSize=8.5, leading=11, spaceAfter=0),
        "number_cell": ParagraphStyle("number_cell", body, fontSize=8.5, leading=11, spaceAfter=0,
                                      alignment=TA_RIGHT),
        "header_cell": ParagraphStyle("header_cell", body, fontName=f"{FONT}-Bold", fontSize=8.5,
                                      leading=11, spaceAfter=0),
        "quote": ParagraphStyle("quote", body, fontName=f"{FONT}-Italic", leftIndent=10,
                                borderPadding=(4, 6),  # type: ignore[arg-type]  # a tuple, as above
                                borderColor=ACCENT, borderWidth=0, backColor=colors.HexColor("#f6f8fa"),
                                spaceBefore=4, spaceAfter=8),
    }


def render_pdf(doc: ReportDocument) -> bytes:
    """Render the report as an A4 PDF with vector charts, page numbers and document metadata.

    Parameters
    ----------
    doc : ReportDocument
        The report; text is escaped, so markup in it prints literally.

    Returns
    -------
    bytes
        The PDF file. The same document gives the same bytes (ReportLab's invariant mode).
    """
    _register_fonts()
    buffer = io.BytesIO()
    template = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=_MARGIN, rightMargin=_MARGIN, topMargin=_MARGIN,
        bottomMargin=_MARGIN + 4 * mm, title=doc.title, subject=doc.subtitle, author="Rapport",
        creator="Rapport", invariant=True,
    )
    story = _front_matter(doc)
    for section in doc.sections:
        story.extend(_section(section, template.width))
    footer = functools.partial(_draw_footer, text=f"{doc.title} · {doc.subtitle}".strip(" ·"))
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _text(value: str, style: str) -> Flowable:
    return Paragraph(escape(value).replace("\n", "<br/>"), _styles()[style])


def _front_matter(doc: ReportDocument) -> list[Flowable]:
    story: list[Flowable] = [_text(doc.title, "title")]
    if doc.subtitle:
        story.append(_text(doc.subtitle, "subtitle"))
    story.append(_text(f"Generated on {date_text(doc.generated_on)}", "generated"))
    return story


def _section(section: Section, width: float) -> list[Flowable]:
    """Each chart, table and quote is kept whole; the heading stays with the first of them."""
    introduction: list[Flowable] = [_text(section.heading, "heading"),
                                    *(_text(p, "body") for p in section.paragraphs)]
    blocks: list[list[Flowable]] = [
        *(_chart(chart, width) for chart in section.charts),
        *(_table(table, width) for table in section.tables),
        *([_text(f"\u201c{quote}\u201d", "quote")] for quote in section.quotes),
    ]
    if not blocks:
        return introduction
    blocks[0] = introduction + blocks[0]
    return [KeepTogether(block) for block in blocks]


def _chart(chart: Chart, width: float) -> list[Flowable]:
    drawing = svg2rlg(io.BytesIO(chart.svg.encode("utf-8")))
    if drawing is None or not drawing.width:
        raise DocumentError(f"chart {chart.title!r} could not be converted for the PDF")
    # Never enlarge: at natural size every chart prints its text at the same point size.
    scale = min(1.0, width / drawing.width, _MAX_CHART_HEIGHT / drawing.height)
    drawing.scale(scale, scale)
    drawing.width, drawing.height = drawing.width * scale, drawing.height * scale
    caption = [_text(chart.caption, "caption")] if chart.caption else []
    return [drawing, *caption, Spacer(1, 6)]


def _table(table: Table, width: float) -> list[Flowable]:
    header = [_text(column, "header_cell") for column in table.columns]
    body = [
        [_text(table.format_cell(cell), "cell" if isinstance(cell, str) else "number_cell") for cell in row]
        for row in table.rows
    ]
    pdf_table = PdfTable([header, *body], colWidths=[width / len(table.columns)] * len(table.columns),
                         repeatRows=1, hAlign="LEFT")
    style: list[Any] = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6f8fa")),
        ("LINEBELOW", (0, 0), (-1, 0), 1, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    for row_number, row in enumerate(table.rows, start=1):
        for column_number, cell in enumerate(row):
            if cell is None:
                style.append(("BACKGROUND", (column_number, row_number), (column_number, row_number),
                              colors.HexColor("#eeeeee")))
    pdf_table.setStyle(TableStyle(style))
    caption = [_text(table.caption, "chart_title")] if table.caption else []
    return [*caption, pdf_table, Spacer(1, 8)]


def _draw_footer(canvas: Canvas, template: BaseDocTemplate, *, text: str) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(_MARGIN, 9 * mm, text)
    canvas.drawRightString(A4[0] - _MARGIN, 9 * mm, f"Page {template.page}")
    canvas.restoreState()
