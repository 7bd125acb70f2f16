"""A report as plain data: title, sections, paragraphs, tables, charts and quotes.

The same :class:`ReportDocument` renders to self-contained HTML (:func:`reports.html.render_html`)
and to PDF (:func:`reports.pdf.render_pdf`). Sequences given as lists are stored as tuples, so a
document is immutable and hashable once built.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from reports.errors import DocumentError
from reports.formatting import thousands
from reports.svg_safety import check_inline_svg

CellValue = str | int | float | None
DEFAULT_SUPPRESSED_TEXT = "fewer than 5"


def _freeze(instance: object, name: str) -> None:
    object.__setattr__(instance, name, tuple(getattr(instance, name)))


@dataclass(frozen=True)
class Chart:
    """A chart as produced by :mod:`reports.charts`.

    Attributes
    ----------
    title : str
        Heading shown above the chart (the SVG carries its own accessible title too).
    svg : str
        The SVG document, starting with ``<svg``; refused (:class:`DocumentError`) if it could
        run code or fetch anything, see :func:`reports.svg_safety.check_inline_svg`.
    caption : str
        Optional sentence under the chart saying how to read it.
    """

    title: str
    svg: str
    caption: str = ""

    def __post_init__(self) -> None:
        if not self.svg.lstrip().startswith("<svg"):
            raise DocumentError(f"chart {self.title!r} is not an SVG document")
        check_inline_svg(self.svg)


@dataclass(frozen=True)
class Table:
    """A table of already-aggregated figures.

    Attributes
    ----------
    columns : tuple of str
        Column headings.
    rows : tuple of tuples
        Cells: text, numbers (floats are shown with two decimals), or ``None`` for a suppressed
        figure, rendered as ``suppressed_text``.
    caption : str
        Optional caption.
    suppressed_text : str
        What a suppressed cell says, e.g. "fewer than 5".
    """

    columns: Sequence[str]
    rows: Sequence[Sequence[CellValue]]
    caption: str = ""
    suppressed_text: str = DEFAULT_SUPPRESSED_TEXT

    def __post_init__(self) -> None:
        _freeze(self, "columns")
        object.__setattr__(self, "rows", tuple(tuple(row) for row in self.rows))
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise DocumentError(f"table {self.caption!r}: row {number} has {len(row)} cells"
                                    f" for {len(self.columns)} columns")

    def formatted_rows(self) -> tuple[tuple[str, ...], ...]:
        """Rows as display text: suppressed cells spelled out, floats rounded to two decimals."""
        return tuple(tuple(self.format_cell(cell) for cell in row) for row in self.rows)

    def format_cell(self, cell: CellValue) -> str:
        """Display text of one cell."""
        if cell is None:
            return self.suppressed_text
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return thousands(cell)
        return str(cell)


@dataclass(frozen=True)
class Section:
    """One titled part of a report; its content renders in the order paragraphs, charts, tables, quotes.

    Attributes
    ----------
    heading : str
        Section heading.
    paragraphs : tuple of str
        Plain-text paragraphs (never markup: renderers escape them).
    tables : tuple of Table
    charts : tuple of Chart
    quotes : tuple of str
        Redacted verbatim comments, already cleared by the quote threshold.
    """

    heading: str
    paragraphs: Sequence[str] = field(default=())
    tables: Sequence[Table] = field(default=())
    charts: Sequence[Chart] = field(default=())
    quotes: Sequence[str] = field(default=())

    def __post_init__(self) -> None:
        for name in ("paragraphs", "tables", "charts", "quotes"):
            _freeze(self, name)


@dataclass(frozen=True)
class ReportDocument:
    """A whole report, e.g. the wave report of one survey.

    Attributes
    ----------
    title : str
    subtitle : str
        E.g. the survey name and wave label.
    generated_on : datetime.date
        Date only, printed on the report.
    sections : tuple of Section
    """

    title: str
    subtitle: str
    generated_on: date
    sections: Sequence[Section] = field(default=())

    def __post_init__(self) -> None:
        _freeze(self, "sections")

    @property
    def charts(self) -> tuple[Chart, ...]:
        """Every chart of the report, in reading order."""
        return tuple(chart for section in self.sections for chart in section.charts)
