"""The HTML report is one self-contained, escaped file that makes no request when opened."""

from __future__ import annotations

import re
import shutil
from datetime import date
from html.parser import HTMLParser

import pytest

from reports.charts import segment_theme_heatmap, sentiment_by_wave
from reports.document import Chart, ReportDocument, Section, Table
from reports.errors import DocumentError
from reports.html import CONTENT_SECURITY_POLICY, check_inline_svg, render_html

ATTACK = '<script>alert("x")</script>'
PLAIN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>'


@pytest.fixture(scope="module")
def charts() -> tuple[Chart, ...]:
    return (
        Chart("Sentiment", sentiment_by_wave(["2025 Q4", "2026 Q1"], [-0.1, 0.2], [-0.2, 0.1], [0.0, 0.3]),
              caption="Bars: 95% interval.",
              narrow_svg=sentiment_by_wave(["2025 Q4", "2026 Q1"], [-0.1, 0.2], [-0.2, 0.1], [0.0, 0.3],
                                           narrow=True)),
        Chart("Heat map", segment_theme_heatmap(["Finance", "HR"], ["Tools"], [[0.4], [None]]),
              narrow_svg=segment_theme_heatmap(["Finance", "HR"], ["Tools"], [[0.4], [None]], narrow=True)),
    )


@pytest.fixture(scope="module")
def document(charts) -> ReportDocument:
    return ReportDocument(
        title=f"Wave report {ATTACK}",
        subtitle="IT partnership survey · 2026 Q1 & after",
        generated_on=date(2026, 4, 2),
        sections=[
            Section("Relationship health", paragraphs=[f"Sentiment rose {ATTACK}."], charts=charts),
            Section("Themes",
                    tables=[Table(["Theme", "Units", "Mean sentiment"],
                                  [[f"Tools {ATTACK}", 12, 0.123], ["Trust and blame", None, None]],
                                  caption="Themes of the wave")],
                    quotes=[f"They said {ATTACK} in the meeting"]),
        ],
    )


@pytest.fixture(scope="module")
def page(document) -> str:
    return render_html(document)


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def collected_tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = TagCollector()
    collector.feed(page)
    return collector.tags


def test_all_text_is_escaped(page):
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 5
    assert "2026 Q1 &amp; after" in page


def test_page_is_self_contained_and_forbids_requests(page):
    tags = collected_tags(page)
    names = {name for name, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object"}
    assert not [attrs for _, attrs in tags if "src" in attrs]
    external = [value for _, attrs in tags for key, value in attrs.items()
                if key in ("href", "xlink:href") and value and not value.startswith(("#", "data:"))]
    assert external == []
    assert f'content="{CONTENT_SECURITY_POLICY}"' in page.replace("&#39;", "'")
    assert "<style>" in page and "@media print" in page


def test_charts_are_inlined_with_captions(page):
    assert page.count('<svg role="img"') == 4  # each chart, and its drawing for phones
    assert page.count('<div class="chart-narrow">') == 2
    assert 'aria-label="Mean sentiment by wave"' in page
    assert "<figcaption>Bars: 95% interval.</figcaption>" in page


def test_tables_spell_out_suppressed_cells_and_round_numbers(page):
    assert page.count('<td class="suppressed">fewer than 5</td>') == 2
    assert '<td class="number">0.12</td>' in page
    assert '<th scope="col">Mean sentiment</th>' in page


def test_sections_have_headings_and_a_contents_list(page):
    assert re.search(r'<a href="#section-2">Themes</a>', page)
    assert '<h2 id="section-1-heading">Relationship health</h2>' in page
    assert "<time datetime=\"2026-04-02\">" in page


def test_rendering_is_deterministic(document, page):
    assert render_html(document) == page


@pytest.mark.parametrize(
    "svg",
    [
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<image xlink:href="https://example.org/pixel.png"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(https://example.org/x)"/></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        '<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>@import "https://example.org/a.css";</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url(https://e.org/x) }</style></svg>',
        '<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" to="https://example.org"/></svg>',
        '<div xmlns="http://www.w3.org/1999/xhtml">not svg</div>',
    ],
)
def test_unsafe_or_broken_chart_svg_is_refused(svg):
    with pytest.raises(DocumentError):
        check_inline_svg(svg)
    with pytest.raises(DocumentError):
        Chart("Unsafe", svg)


def test_plain_and_matplotlib_svgs_pass_the_check(charts):
    assert check_inline_svg(PLAIN_SVG) == PLAIN_SVG
    for chart in charts:
        check_inline_svg(chart.svg)


def test_a_chart_must_be_svg_and_table_rows_must_fit_the_columns():
    with pytest.raises(DocumentError):
        Chart("Not a chart", "<div>hello</div>")
    with pytest.raises(DocumentError):
        Table(["A", "B"], [["only one"]])


def test_document_parts_are_immutable_tuples(document):
    assert isinstance(document.sections, tuple)
    assert isinstance(document.sections[1].tables[0].rows[0], tuple)
    assert len(document.charts) == 2


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian chromium is not installed")
def test_report_opens_offline_in_chromium_without_any_request(page, tmp_path):
    from playwright.sync_api import sync_playwright

    report = tmp_path / "report.html"
    report.write_text(page, encoding="utf-8")
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        try:
            tab = browser.new_page(viewport={"width": 420, "height": 800})
            tab.on("request", lambda request: requests.append(request.url))
            tab.on("dialog", lambda dialog: requests.append(f"dialog {dialog.message}"))
            tab.goto(report.as_uri())
            widths = "nodes => nodes.map(node => node.getBoundingClientRect().width)"
            figure_widths = tab.eval_on_selector_all("figure.chart", widths)
            wide_widths = tab.eval_on_selector_all(".chart-wide svg", widths)
            chart_widths = tab.eval_on_selector_all(".chart-narrow svg", widths)
            page_width = tab.evaluate("document.documentElement.scrollWidth")
        finally:
            browser.close()
    assert requests == [report.as_uri()]
    # On a phone the page does not scroll sideways; each chart is shown in its drawing for a phone
    # (the narrow one, whose text stays legible at this width), never the wide one squeezed.
    assert page_width <= 420
    assert len(chart_widths) == 2 and all(width <= 420 for width in figure_widths)
    assert all(0 < width <= 420 for width in chart_widths) and wide_widths == [0, 0]
