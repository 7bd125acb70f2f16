"""Reading the figures a page states: ``<data class="figure">`` marks and the report's tables."""

from __future__ import annotations

from html.parser import HTMLParser


class _Figures(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "data" and "figure" in found.get("class", "").split():
            self.found.append((found["data-figure"], found["data-wave"], found["value"]))


def page_figures(html: str) -> list[tuple[str, str, str]]:
    """(figure, wave, value) of every marked figure of a page, in order."""
    parser = _Figures()
    parser.feed(html)
    parser.close()
    return parser.found


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.tables and self.tables[-1]:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[list[list[str]]]:
    """Every table of a page as rows of cell texts (header row included)."""
    parser = _Tables()
    parser.feed(html)
    parser.close()
    return parser.tables
