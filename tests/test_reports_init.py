"""The reports package stays Flask-free, imports cheaply, and exposes its public API."""

from __future__ import annotations

import subprocess
import sys

import pytest

import reports


def run_python(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_importing_reports_does_not_load_matplotlib_or_reportlab():
    loaded = run_python(
        "import sys, reports; print(sorted(m for m in ('matplotlib', 'reportlab', 'svglib', 'jinja2')"
        " if m in sys.modules))"
    )
    assert loaded == "[]"


@pytest.mark.slow
def test_no_module_of_reports_imports_flask_or_survey():
    loaded = run_python(
        "import sys, reports.charts, reports.html, reports.pdf, reports.exports, reports.sample;"
        " print(sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'survey', 'werkzeug')))"
    )
    assert loaded == "[]"


def test_public_api_resolves_lazily():
    for name in reports.__all__:
        assert getattr(reports, name) is not None
    assert reports.render_pdf.__module__ == "reports.pdf"


def test_errors_share_one_root_and_builtin_bases():
    assert issubclass(reports.ChartDataError, reports.ReportError)
    assert issubclass(reports.ChartDataError, ValueError)
    assert issubclass(reports.PdfBackendMissing, ImportError)
    assert issubclass(reports.DocumentError, reports.ReportError)
