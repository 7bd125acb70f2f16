"""Read queries behind the responses browser, the segment x theme heat map and the analysis runs list.

Everything reads stored analysis results and never runs a model. Verbatim text is only returned from
groups at or above the quote threshold (DESIGN.md section 3, rule 5): units of a wave x segment group
with fewer respondents are never listed, and a filter that narrows to fewer respondents returns no
text at all. Heat-map cells come from ``trend_points``, where complementary suppression is already
applied; a suppressed cell comes back as ``None``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import sqlite_utils

from nlp.suppression import DEFAULT_MIN_GROUP_SIZE
from survey.store.result_cells import hidden_segment_theme_cells
from survey.store.taxonomies import dismissed_theme_ids

#: The analysis's five sentiment labels (``nlp.sentiment.LABELS``; not imported here because that
#: package loads scikit-learn and the models, which web workers must not).
SENTIMENT_LABELS = ("very negative", "negative", "neutral", "positive", "very positive")
#: Units per page of the responses browser.
PAGE_SIZE = 25
#: Deepest page offered: beyond it the user narrows the filter (keeps OFFSET scans short).
MAX_PAGE = 40
#: Above this many matching units a search is listed newest wave first instead of by relevance:
#: ranking computes a score for every match, which takes seconds for a common word in a million.
MAX_RANKED_MATCHES = 5000


@dataclass(frozen=True)
class UnitFilter:
    """What the BRM asked for; ``None`` or ``""`` means "any"."""

    query: str = ""
    wave_id: int | None = None
    segment: str | None = None
    theme_id: str | None = None
    sentiment_label: str | None = None
    flagged: bool | None = None


@dataclass(frozen=True)
class FlagMark:
    """A silo-language flag inside a unit's text (character offsets)."""

    start: int
    end: int
    category: str
    suggestion: str


@dataclass(frozen=True)
class TextPiece:
    """A run of a unit's text, flagged (with its flag) or plain, for highlighting in a template."""

    text: str
    flag: FlagMark | None = None


@dataclass(frozen=True)
class BrowsedUnit:
    """A redacted unit with its wave, segment, theme, sentiment label and flags."""

    unit_id: str
    text: str
    wave: str
    segment: str | None
    theme_id: str | None
    theme_name: str | None
    sentiment_label: str
    flags: tuple[FlagMark, ...] = ()

    def pieces(self) -> list[TextPiece]:
        """The text cut at flag boundaries, so each flagged phrase can be highlighted."""
        pieces, cursor = [], 0
        for flag in sorted(self.flags, key=lambda f: f.start):
            if flag.start < cursor or flag.end > len(self.text):
                continue
            if flag.start > cursor:
                pieces.append(TextPiece(self.text[cursor:flag.start]))
            pieces.append(TextPiece(self.text[flag.start:flag.end], flag))
            cursor = flag.end
        if cursor < len(self.text):
            pieces.append(TextPiece(self.text[cursor:]))
        return pieces


@dataclass(frozen=True)
class UnitPage:
    """One page of browsed units; ``too_few`` means the filter matched fewer respondents than allowed."""

    units: tuple[BrowsedUnit, ...]
    page: int
    has_next: bool
    too_few: bool
    matches: int | None = None  # units matching, counted up to ``match_cap``
    match_cap: int = PAGE_SIZE * MAX_PAGE
    searched: bool = False
    ranked: bool = False  # searched and sorted by relevance

    @property
    def more_than_cap(self) -> bool:
        return self.matches is not None and self.matches > self.match_cap


@dataclass(frozen=True)
class BrowseOptions:
    """Choices for the browser's filter form."""

    waves: tuple[tuple[int, str], ...]
    segments: tuple[str, ...]
    themes: tuple[tuple[str, str], ...]
    sentiment_labels: tuple[str, ...] = SENTIMENT_LABELS


def browse_options(db: sqlite_utils.Database, survey_id: int) -> BrowseOptions:
    """Waves (newest first), segments and themes of a survey's stored analysis."""
    waves = db.execute(
        "SELECT id, label FROM waves WHERE survey_id = ? ORDER BY opens_on DESC, label DESC", [survey_id]
    ).fetchall()
    segments = [row[0] for row in db.execute(
        "SELECT DISTINCT segment FROM trend_points WHERE survey_id = ? AND segment != '' ORDER BY segment",
        [survey_id])]
    themes = db.execute(
        "SELECT id, name FROM themes WHERE survey_id = ? ORDER BY kind DESC, name", [survey_id]
    ).fetchall()
    return BrowseOptions(tuple(map(tuple, waves)), tuple(segments), tuple(map(tuple, themes)))


#: SQL condition: the unit's wave x segment group has enough respondents to quote from. Group sizes
#: come from the ``trend_points`` the last analysis stored (respondents with text per wave and
#: segment; units without a segment count against the partners who gave none: the wave's row minus
#: the named segments' rows); units of a group the analysis has not summarised yet are left out.
_QUOTABLE_GROUP = """EXISTS (
    SELECT 1 FROM trend_points AS tp
    WHERE tp.survey_id = units.survey_id AND tp.wave_id = units.wave_id AND tp.theme_id = ''
      AND tp.segment = coalesce(units.segment, '')
      AND tp.responses - CASE WHEN tp.segment != '' THEN 0 ELSE (
          SELECT coalesce(sum(named.responses), 0) FROM trend_points AS named
          WHERE named.survey_id = tp.survey_id AND named.wave_id = tp.wave_id
            AND named.theme_id = '' AND named.segment != '') END >= :min_quote)"""


#: SQL condition: the unit's (wave, segment) is not one of ``:hidden_cells`` (a JSON list of
#: ``"<wave id>|<segment>"`` keys whose cell of the chosen theme the segment x theme table hides).
_OUTSIDE_HIDDEN_CELLS = ("units.wave_id || '|' || coalesce(units.segment, '') "
                         "NOT IN (SELECT value FROM json_each(:hidden_cells))")


def _filter_sql(survey_id: int, chosen: UnitFilter, min_quote_group_size: int,
                hidden: set[tuple[int, str | None, str]]) -> tuple[str, dict]:
    """WHERE clause (on ``units``) and its named parameters for everything but the text query.

    A theme filter leaves out the units of the cells of that theme the table hides (``hidden``),
    as exports leave their theme out, so counting a filtered list cannot undo the suppression.
    """
    clauses = ["units.survey_id = :survey_id", _QUOTABLE_GROUP]
    params: dict = {"survey_id": survey_id, "min_quote": min_quote_group_size}
    for column, value in (("wave_id", chosen.wave_id), ("segment", chosen.segment),
                          ("theme_id", chosen.theme_id), ("sentiment_label", chosen.sentiment_label)):
        if value is not None and value != "":
            clauses.append(f"units.{column} = :{column}")
            params[column] = value
    if chosen.theme_id:
        clauses.append(_OUTSIDE_HIDDEN_CELLS)
        params["hidden_cells"] = json.dumps(sorted(
            f"{wave}|{segment or ''}" for wave, segment, theme_id in hidden if theme_id == chosen.theme_id))
    if chosen.flagged is not None:
        clauses.append("units.flag_count > 0" if chosen.flagged else "units.flag_count = 0")
    return " AND ".join(clauses), params


def _matching_sql(db: sqlite_utils.Database, where: str, params: dict, query: str,
                  common: bool = False) -> tuple[str, dict]:
    """SELECT of matching units' ``id, response_id`` (joined to the FTS index when searching).

    For a ``common`` query (many matches) the units index drives the loop and the matches are a set
    to test against, which stops sooner when other filters (a wave) select a small part of them.
    """
    if not query:
        return f"SELECT units.id, units.response_id FROM units WHERE {where}", params
    if common:
        return (f"SELECT units.id, units.response_id FROM units WHERE {_IN_MATCHES} AND {where}",
                {**params, "query": db.quote_fts(query)})
    return (
        "SELECT units.id, units.response_id FROM units_fts JOIN units ON units.id = units_fts.unit_id "
        f"WHERE units_fts MATCH :query AND {where}", {**params, "query": db.quote_fts(query)},
    )


def _has_quotable_group(db: sqlite_utils.Database, survey_id: int, chosen: UnitFilter,
                        min_quote_group_size: int) -> bool:
    """Whether the wave and segment filters leave any group big enough to quote (a cheap check that
    spares scanning every unit of a small segment only to find none may be shown)."""
    sql = ("SELECT 1 FROM trend_points WHERE survey_id = :survey_id AND theme_id = '' "
           "AND responses >= :min_quote")
    params: dict = {"survey_id": survey_id, "min_quote": min_quote_group_size}
    if chosen.wave_id is not None:
        sql += " AND wave_id = :wave_id"
        params["wave_id"] = chosen.wave_id
    if chosen.segment:
        sql += " AND segment = :segment"
        params["segment"] = chosen.segment
    return db.execute(sql + " LIMIT 1", params).fetchone() is not None


def count_respondents(db: sqlite_utils.Database, survey_id: int, chosen: UnitFilter,
                      min_quote_group_size: int, hidden: set[tuple[int, str | None, str]], *,
                      up_to: int, common: bool = False) -> int:
    """Distinct respondents whose quotable units match (leaving out the ``hidden`` cells' units
    under a theme filter), counted only up to ``up_to`` (stops early)."""
    where, params = _filter_sql(survey_id, chosen, min_quote_group_size, hidden)
    sql, params = _matching_sql(db, where, params, chosen.query.strip(), common)
    return db.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT response_id FROM ({sql}) LIMIT :up_to)",
                      {**params, "up_to": up_to}).fetchone()[0]


def browse_units(
    db: sqlite_utils.Database, survey_id: int, chosen: UnitFilter, *, min_quote_group_size: int,
    page: int = 1,
) -> UnitPage:
    """One page of redacted units matching ``chosen``, never from fewer respondents than allowed.

    Searched units come by relevance (FTS5 rank), then newest wave and unit id; unsearched ones, and
    searches matching more than ``MAX_RANKED_MATCHES`` units, by newest wave and unit id. Unit ids
    derive from random response ids, so no order says anything about when a response arrived.
    """
    page = min(max(page, 1), MAX_PAGE)
    query = chosen.query.strip()
    if not _has_quotable_group(db, survey_id, chosen, min_quote_group_size):
        return UnitPage((), page, False, True, searched=bool(query))
    common = bool(query) and _fts_matches(db, query) > MAX_RANKED_MATCHES
    # Counting walks the units index only when a filter picks a slice of the units; otherwise the
    # first matches in the FTS index already fill the (early-stopping) counts.
    sliced = common and bool(chosen.wave_id or chosen.segment or chosen.theme_id)
    hidden = hidden_segment_theme_cells(db, survey_id, min_quote_group_size, chosen.wave_id)
    if count_respondents(db, survey_id, chosen, min_quote_group_size, hidden, up_to=min_quote_group_size,
                         common=sliced) < min_quote_group_size:
        return UnitPage((), page, False, True, searched=bool(query))
    where, params = _filter_sql(survey_id, chosen, min_quote_group_size, hidden)
    rows = _page_rows(db, where, params, query, page, ranked=not common)
    units = _with_flags(db, rows[:PAGE_SIZE], hidden)
    return UnitPage(tuple(units), page, len(rows) > PAGE_SIZE and page < MAX_PAGE, False,
                    matches=_count_matches(db, where, params, query, sliced), searched=bool(query),
                    ranked=bool(query) and not common)


_COLUMNS = ("id", "text", "wave_id", "segment", "theme_id", "sentiment_label", "flag_count")


#: Units whose text matches ``:query``, as a set; the unary + keeps SQLite from driving the loop by
#: id (which would sort every match) so the browse index gives the order.
_IN_MATCHES = "+units.id IN (SELECT unit_id FROM units_fts WHERE units_fts MATCH :query)"


def _fts_matches(db: sqlite_utils.Database, query: str) -> int:
    """Units whose text matches the query, in the whole index (an index-only count)."""
    return db.execute("SELECT COUNT(*) FROM units_fts WHERE units_fts MATCH ?",
                      [db.quote_fts(query)]).fetchone()[0]


def _page_rows(db: sqlite_utils.Database, where: str, params: dict, query: str, page: int,
               ranked: bool) -> list[dict]:
    """PAGE_SIZE + 1 rows of the page (the extra row tells whether a next page exists)."""
    offset = (page - 1) * PAGE_SIZE
    if query and not ranked:  # too many matches to rank: walk the browse index, keep the matching ones
        where = f"{_IN_MATCHES} AND {where}"
        params = {**params, "query": db.quote_fts(query)}
    elif query:
        cursor = db.execute(
            f"SELECT {', '.join('units.' + column for column in _COLUMNS)} FROM units_fts "
            f"JOIN units ON units.id = units_fts.unit_id WHERE units_fts MATCH :query AND {where} "
            "ORDER BY units_fts.rank, units.wave_id DESC, units.id DESC LIMIT :limit OFFSET :offset",
            {**params, "query": db.quote_fts(query), "limit": PAGE_SIZE + 1, "offset": offset})
        return [dict(zip(_COLUMNS, row, strict=True)) for row in cursor]
    cursor = db.execute(
        f"SELECT {', '.join(_COLUMNS)} FROM units WHERE {where} "
        "ORDER BY units.wave_id DESC, units.id DESC LIMIT :limit OFFSET :offset",
        {**params, "limit": PAGE_SIZE + 1, "offset": offset})
    return [dict(zip(_COLUMNS, row, strict=True)) for row in cursor]


def _count_matches(db: sqlite_utils.Database, where: str, params: dict, query: str,
                   common: bool = False) -> int:
    """Matching units, counted up to one past the deepest page (a bounded scan)."""
    sql, params = _matching_sql(db, where, params, query, common)
    return db.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT :cap)",
                      {**params, "cap": PAGE_SIZE * MAX_PAGE + 1}).fetchone()[0]


def _with_flags(db: sqlite_utils.Database, rows: list[dict],
                hidden: set[tuple[int, str | None, str]]) -> list[BrowsedUnit]:
    """Attach wave labels, theme names and silo flags to a page of unit rows; a unit whose segment x
    theme cell the table hides is shown without its theme (as in exports)."""
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    marks = ",".join("?" * len(ids))
    flags: dict[str, list[FlagMark]] = {}
    for unit_id, start, end, category, suggestion in db.execute(
        f'SELECT unit_id, start, "end", category, suggestion FROM unit_flags WHERE unit_id IN ({marks}) '
        "ORDER BY unit_id, start", ids,
    ):
        flags.setdefault(unit_id, []).append(FlagMark(start, end, category, suggestion))
    waves = dict(db.execute(
        f"SELECT id, label FROM waves WHERE id IN ({marks})", [row["wave_id"] for row in rows]).fetchall())
    survey_themes = dict(db.execute(
        "SELECT themes.id, themes.name FROM themes JOIN units ON units.survey_id = themes.survey_id "
        "WHERE units.id = ?", [ids[0]]).fetchall())
    def theme_of(row: dict) -> str | None:
        shown = (row["wave_id"], row["segment"] or None, row["theme_id"]) not in hidden
        return row["theme_id"] if shown else None

    return [BrowsedUnit(row["id"], row["text"], waves.get(row["wave_id"], ""), row["segment"],
                        theme_of(row), survey_themes.get(theme_of(row) or ""), row["sentiment_label"],
                        tuple(flags.get(row["id"], ()))) for row in rows]


@dataclass(frozen=True)
class HeatMap:
    """A wave's segment x theme table; ``values[row][column]`` is ``None`` when suppressed."""

    wave_id: int
    wave: str
    metric: str  # "share" | "sentiment"
    segments: tuple[str, ...]
    themes: tuple[tuple[str, str], ...]  # (theme id, name)
    values: tuple[tuple[float | None, ...], ...]
    suppressed: tuple[tuple[bool, ...], ...] = field(default=())


#: Themes drawn in the heat map (the wave's largest); more columns are unreadable.
HEATMAP_THEMES = 12


def analysed_waves(db: sqlite_utils.Database, survey_id: int) -> list[tuple[int, str]]:
    """(wave id, label) of the waves with stored trend points, newest first."""
    return [tuple(row) for row in db.execute(
        "SELECT waves.id, waves.label FROM waves WHERE waves.survey_id = ? AND EXISTS "
        "(SELECT 1 FROM trend_points WHERE trend_points.survey_id = waves.survey_id "
        "AND trend_points.wave_id = waves.id) ORDER BY waves.opens_on DESC, waves.label DESC",
        [survey_id])]


def segment_theme_cells(db: sqlite_utils.Database, survey_id: int, wave_id: int, metric: str,
                        min_group_size: int = DEFAULT_MIN_GROUP_SIZE) -> HeatMap:
    """The wave's segment x theme cells from ``trend_points`` (suppressed cells as ``None``).

    Columns are the wave's largest reportable themes (dismissed proposals left out); ``share`` is
    the theme's share of the segment's units, ``sentiment`` the mean sentiment of those units.
    """
    label_row = db.execute("SELECT label FROM waves WHERE id = ? AND survey_id = ?",
                           [wave_id, survey_id]).fetchone()
    dismissed = dismissed_theme_ids(db, survey_id)
    names = dict(db.execute("SELECT id, name FROM themes WHERE survey_id = ?", [survey_id]).fetchall())
    overall = db.execute(
        "SELECT theme_id FROM trend_points WHERE survey_id = ? AND wave_id = ? AND segment = '' "
        "AND theme_id != '' AND suppressed = 0 ORDER BY share DESC, theme_id", [survey_id, wave_id])
    theme_ids = [row[0] for row in overall if row[0] in names and row[0] not in dismissed]
    theme_ids = theme_ids[:HEATMAP_THEMES]
    cells = {(segment, theme_id): (suppressed, share, sentiment) for segment, theme_id, suppressed, share,
             sentiment in db.execute(
                 "SELECT segment, theme_id, suppressed, share, sentiment_mean FROM trend_points "
                 "WHERE survey_id = ? AND wave_id = ? AND segment != ''", [survey_id, wave_id])}
    hidden_pairs = hidden_segment_theme_cells(db, survey_id, min_group_size, wave_id)
    # Every segment of the wave is a row, also one whose cells are all missing (no theme, or too
    # small): a missing cell is shown like a suppressed one.
    segments = sorted({segment for segment, _ in cells})
    values, hidden = [], []
    for segment in segments:
        row_values, row_hidden = [], []
        for theme_id in theme_ids:
            suppressed, share, sentiment = cells.get((segment, theme_id), (1, None, None))
            suppressed = suppressed or (wave_id, segment, theme_id) in hidden_pairs
            row_hidden.append(bool(suppressed))
            row_values.append(None if suppressed else (share if metric == "share" else sentiment))
        values.append(tuple(row_values))
        hidden.append(tuple(row_hidden))
    return HeatMap(wave_id, label_row[0] if label_row else "", metric, tuple(segments),
                   tuple((theme_id, names[theme_id]) for theme_id in theme_ids), tuple(values),
                   tuple(hidden))
