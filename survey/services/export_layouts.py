"""Reading the response exports of LimeSurvey and Qualtrics: their layout, columns and rows.

**Qualtrics** ("Export data" > CSV) writes three header rows: column ids (``StartDate``, ``Q1``,
``Q2_1``, ``Q3_TEXT``...), the question texts, and ``{"ImportId":"QID1"}`` JSON (older exports lack
the third). **LimeSurvey** ("Export responses" > CSV, question codes as headings) writes one:
``id, submitdate, lastpage, startlanguage, seed, token, ...`` then question codes (``Q1``,
``Q2[SQ001]``), maybe ``Q1. text`` with "question code & text" headings. Both carry metadata
(address, e-mail, names, token, geolocation, response ids, timings): :data:`METADATA` marks it,
and such a column can never be mapped to a question, so it is never stored. Only the date of the
submission is read from it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from survey.errors import InvalidInput

QUALTRICS, LIMESURVEY, PLAIN = "qualtrics", "limesurvey", "plain"
LAYOUT_NAMES = {QUALTRICS: "Qualtrics", LIMESURVEY: "LimeSurvey", PLAIN: "plain CSV"}

#: Metadata columns of each layout, lower-cased: dropped, never mappable, never stored.
METADATA = {
    QUALTRICS: frozenset(
        name.lower()
        for name in (
            "StartDate",
            "EndDate",
            "Status",
            "IPAddress",
            "Progress",
            "Duration (in seconds)",
            "Finished",
            "RecordedDate",
            "ResponseId",
            "RecipientLastName",
            "RecipientFirstName",
            "RecipientEmail",
            "ExternalReference",
            "ExternalDataReference",
            "LocationLatitude",
            "LocationLongitude",
            "DistributionChannel",
            "UserLanguage",
        )
    ),
    LIMESURVEY: frozenset(
        (
            "id",
            "submitdate",
            "lastpage",
            "startlanguage",
            "seed",
            "token",
            "startdate",
            "datestamp",
            "ipaddr",
            "refurl",
            "interviewtime",
            "firstname",
            "lastname",
            "email",
            "optout",
            "emailstatus",
        )
    ),
}
#: Patterns of metadata columns beyond the fixed names (Qualtrics internals, LimeSurvey timings
#: and participant attributes, and anything that names an address, e-mail or position).
METADATA_PATTERNS = {
    QUALTRICS: re.compile(r"^(Q_|Recipient|Location|IP)|email|latitude|longitude", re.IGNORECASE),
    LIMESURVEY: re.compile(r"^(attribute_|groupTime)|Time$|email|ipaddr|latitude|longitude", re.IGNORECASE),
}
#: The column each layout keeps the submission date in (only the date part is kept).
DATE_COLUMNS = {QUALTRICS: "recordeddate", LIMESURVEY: "submitdate"}
_IMPORT_ID = re.compile(r'^\{"ImportId":')
#: Qualtrics ``Status`` values of responses that are not real (previews, tests, spam), as codes or words.
NOT_REAL = frozenset(("1", "4", "8", "survey preview", "survey test", "spam"))


@dataclass(frozen=True)
class ExportColumn:
    """A column of an export: its key (id or code), the question text if given, and whether it is
    metadata that is dropped."""

    key: str
    label: str
    metadata: bool


@dataclass(frozen=True)
class ParsedExport:
    """An export read into columns and complete responses (unfinished ones are counted, not kept)."""

    layout: str
    columns: tuple[ExportColumn, ...]
    records: tuple[dict[str, str], ...]
    lines: tuple[int, ...]
    dates: tuple[str | None, ...]
    unfinished: int

    @property
    def mappable(self) -> tuple[ExportColumn, ...]:
        """The columns that may be mapped to a question (everything but metadata)."""
        return tuple(column for column in self.columns if not column.metadata)

    @property
    def dropped(self) -> tuple[ExportColumn, ...]:
        """The metadata columns, dropped on the way in."""
        return tuple(column for column in self.columns if column.metadata)


def is_metadata(layout: str, key: str) -> bool:
    """Whether ``key`` is a metadata column of ``layout`` (dropped, never stored)."""
    return key.strip().lower() in METADATA[layout] or bool(METADATA_PATTERNS[layout].search(key.strip()))


def _delimiter(first_line: str) -> str:
    return max((",", ";", "\t"), key=first_line.count)


def _rows(text: str) -> tuple[list[list[str]], list[int]]:
    """Every record of ``text`` with the line number it ends on; a clear error for broken quoting."""
    if "\x00" in text:
        raise InvalidInput("The file contains NUL bytes; it does not look like a CSV export.")
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text.split("\n", 1)[0]), strict=True
    )
    rows, lines = [], []
    try:
        for row in reader:
            rows.append([cell.strip() for cell in row])
            lines.append(reader.line_num)
    except csv.Error as error:
        unclosed = "end of data" in str(error) or "EOF" in str(error)
        problem = (
            "a quote opened in a cell is never closed (the file ends inside quotes)"
            if unclosed
            else f"the CSV could not be read ({error})"
        )
        raise InvalidInput(
            f"Nothing was imported: line {reader.line_num}: {problem}; check for a stray \" character."
        ) from None
    return rows, lines


def detect_layout(header: list[str], second: list[str] | None) -> str:
    """``qualtrics``, ``limesurvey`` or ``plain``, from the first row (and the second for Qualtrics)."""
    names = {name.strip().lower() for name in header}
    if {"responseid", "startdate"} <= names and second is not None:
        return QUALTRICS
    if {"submitdate", "lastpage", "startlanguage"} <= names:
        return LIMESURVEY
    return PLAIN


def _qualtrics_columns(rows: list[list[str]]) -> tuple[tuple[ExportColumn, ...], int]:
    keys, labels = rows[0], rows[1] + [""] * (len(rows[0]) - len(rows[1]))
    has_import_ids = len(rows) > 2 and all(_IMPORT_ID.match(cell) for cell in rows[2] if cell)
    columns = tuple(
        ExportColumn(key, label or key, is_metadata(QUALTRICS, key))
        for key, label in zip(keys, labels, strict=False)
    )
    return columns, 3 if has_import_ids else 2


def _limesurvey_columns(header: list[str]) -> tuple[ExportColumn, ...]:
    columns = []
    for heading in header:
        code, _, text = heading.partition(". ")  # "Q1. What should IT change?" headings
        key = code if text and re.fullmatch(r"[A-Za-z][\w\[\]#]*", code) else heading
        columns.append(ExportColumn(key, text or heading, is_metadata(LIMESURVEY, key)))
    return tuple(columns)


def _finished(layout: str, record: dict[str, str]) -> bool:
    if layout == QUALTRICS:
        return (
            record.get("Finished", "1").strip().lower() not in ("0", "false")
            and record.get("Status", "0").strip().lower() not in NOT_REAL
        )
    return bool(record.get("submitdate", "").strip())


def parse_export(text: str) -> ParsedExport:
    """Read a LimeSurvey or Qualtrics export (``layout`` is ``plain`` for anything else).

    Raises
    ------
    InvalidInput
        When the CSV cannot be read, a header repeats a column, or no response follows the headers.
    """
    rows, lines = _rows(text)
    if not rows:
        raise InvalidInput("The file is empty.")
    layout = detect_layout(rows[0], rows[1] if len(rows) > 1 else None)
    if layout == PLAIN:
        return ParsedExport(PLAIN, tuple(ExportColumn(key, key, False) for key in rows[0]), (), (), (), 0)
    columns, first = _qualtrics_columns(rows) if layout == QUALTRICS else (_limesurvey_columns(rows[0]), 1)
    keys = [column.key for column in columns]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise InvalidInput(
            f"The header names {', '.join(repeated)} twice; keep one of each and import again."
        )
    records, record_lines, dates, unfinished = [], [], [], 0
    date_key = next((key for key in keys if key.lower() == DATE_COLUMNS[layout]), None)
    for row, line in zip(rows[first:], lines[first:], strict=True):
        if not any(row):
            continue
        if len(row) > len(keys):
            raise InvalidInput(
                f"Nothing was imported: line {line} has more cells than the header has columns."
            )
        record = dict(zip(keys, row + [""] * (len(keys) - len(row)), strict=True))
        if not _finished(layout, record):
            unfinished += 1
            continue
        records.append(record)
        record_lines.append(line)
        dates.append(record.get(date_key) if date_key else None)
    if not records:
        raise InvalidInput(
            f"This {LAYOUT_NAMES[layout]} export holds no completed response below its "
            f"header{f' ({unfinished} unfinished ones are never imported)' if unfinished else ''}."
        )
    return ParsedExport(layout, columns, tuple(records), tuple(record_lines), tuple(dates), unfinished)
