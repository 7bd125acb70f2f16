"""Errors raised by the reports library; the web app and CLI turn them into responses at the edge."""


class ReportError(Exception):
    """Root of every error the reports library raises on purpose."""


class ChartDataError(ReportError, ValueError):
    """Chart input is inconsistent, for example a series whose length differs from the wave labels."""


class ExportError(ReportError, ValueError):
    """A unit export row is missing a required field."""


class PdfBackendMissing(ReportError, ImportError):
    """The PDF library (``fpdf2``) is not installed, so a PDF report cannot be rendered."""


class DocumentError(ReportError, ValueError):
    """A report document is malformed, e.g. a table row of the wrong width or an unsafe chart SVG."""
