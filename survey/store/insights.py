"""Read queries behind the BRM overview and themes pages.

Everything here reads stored responses and the results of the last analysis run; nothing runs a
model. Figures over fewer respondents than the reporting threshold come back as ``None`` so the
pages print "fewer than N" instead of a number (DESIGN.md section 3, rule 5).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from survey.errors import NotFound
from survey.store.aggregates import wave_scores
from survey.store.invitations import released_invitation_counts
from survey.store.result_cells import trend_cells
from survey.store.surveys import response_counts, waves_for
from survey.store.taxonomies import dismissed_theme_ids


@dataclass(frozen=True)
class WaveHealth:
    """One wave at a glance; ``None`` figures are suppressed or not applicable."""

    wave_id: int
    label: str
    access: str
    responses: int | None
    codes_issued: int | None
    response_rate: float | None
    mean_rating: float | None
    nps: float | None
    sentiment_mean: float | None
    sentiment_low: float | None
    sentiment_high: float | None
    scores_analysed: bool = False  # mean rating and NPS exist for this wave as of the last analysis
    commenters: int | None = None  # responses with at least one comment, as of the last analysis
    comments_analysed: bool = False  # whether the last analysis covered this wave's comments


def shown_count(count: int, min_group_size: int) -> int | None:
    """A count as pages may show it: ``None`` (printed "fewer than N") when 0 < count < the threshold."""
    return count if count >= min_group_size or count == 0 else None


@dataclass(frozen=True)
class StoredTheme:
    """A theme as the last analysis stored it; ``None`` figures are below the threshold."""

    id: str
    name: str
    description: str
    kind: str
    units: int | None
    responses: int | None
    share: float | None
    mean_sentiment: float | None
    key_phrases: tuple[str, ...]
    quote_unit_ids: tuple[str, ...]
    marker: str | None = None
    #: Per quote, how many other comments of the theme are nearest to it ("and 14 like it").
    quote_like_it: tuple[int, ...] = ()


@dataclass(frozen=True)
class ThemeCell:
    """A theme in one wave (and optionally one segment) from ``trend_points``."""

    wave_id: int
    wave: str
    segment: str
    theme_id: str
    responses: int | None
    share: float | None
    sentiment_mean: float | None
    change_p_value: float | None
    marker: str | None
    suppressed: bool


@dataclass(frozen=True)
class TopTheme:
    """A theme of the latest wave with its share then and in the wave before, and its mean sentiment
    then (None when suppressed)."""

    theme_id: str
    name: str
    kind: str
    share: float | None
    previous_share: float | None
    marker: str | None
    wave: str = ""
    sentiment: float | None = None


@dataclass(frozen=True)
class Quote:
    """A redacted unit of text with where it came from."""

    unit_id: str
    text: str
    wave: str
    segment: str | None
    sentiment_label: str


def wave_health(db: sqlite_utils.Database, survey_id: int, min_group_size: int) -> list[WaveHealth]:
    """Responses, response rate, mean rating, NPS and mean sentiment for every wave of a survey.

    Responses and codes are current; mean rating and NPS come from ``wave_scores`` and sentiment from
    ``trend_points``, both as of the last analysis run (reading every answer per page view would not
    scale to a million responses). NPS is the percentage of promoters (9-10) minus the percentage of
    detractors (0-6).
    """
    counts = response_counts(db, survey_id)
    scores = wave_scores(db, survey_id)
    sentiment = {
        row[0]: row[1:] for row in db.execute(
            "SELECT wave_id, suppressed, sentiment_mean, sentiment_low, sentiment_high, responses "
            "FROM trend_points "
            "WHERE survey_id = ? AND segment = '' AND theme_id = ''", [survey_id])
    }
    result = []
    for wave in waves_for(db, survey_id):
        responses = counts.get(wave.id, 0)
        issued, used = released_invitation_counts(db, wave.id) if wave.access == "invitation" else (0, 0)
        rating, nps = scores.get((wave.id, "rating")), scores.get((wave.id, "nps"))
        suppressed, mean, low, high, commenters = sentiment.get(wave.id, (1, None, None, None, None))
        result.append(WaveHealth(
            wave_id=wave.id, label=wave.label, access=wave.access,
            responses=shown_count(responses, min_group_size),
            codes_issued=issued if wave.access == "invitation" else None,
            response_rate=used / issued if issued and used >= min_group_size else None,
            mean_rating=rating.mean if rating and rating.respondents >= min_group_size else None,
            nps=nps.nps if nps and nps.respondents >= min_group_size else None,
            sentiment_mean=None if suppressed else mean,
            sentiment_low=None if suppressed else low, sentiment_high=None if suppressed else high,
            scores_analysed=rating is not None or nps is not None,
            commenters=None if commenters is None else shown_count(commenters, min_group_size),
            comments_analysed=wave.id in sentiment,
        ))
    return result


def has_analysis(db: sqlite_utils.Database, survey_id: int) -> bool:
    """Whether an analysis run has stored results for the survey."""
    return db.execute("SELECT 1 FROM trend_points WHERE survey_id = ? LIMIT 1", [survey_id]).fetchone() \
        is not None


def stored_themes(db: sqlite_utils.Database, survey_id: int, min_group_size: int) -> list[StoredTheme]:
    """The survey's themes (dismissed proposals left out), largest first, with the latest marker."""
    dismissed = dismissed_theme_ids(db, survey_id)
    markers = {cell.theme_id: cell.marker for cell in latest_theme_cells(db, survey_id, min_group_size)}
    rows = db.execute(
        "SELECT id, name, description, kind, units, responses, share, mean_sentiment, key_phrases, "
        "quote_unit_ids, quote_like_it FROM themes WHERE survey_id = ? ORDER BY units DESC, name",
        [survey_id])
    return [_stored_theme(row, min_group_size, markers.get(row[0]))
            for row in rows if row[0] not in dismissed]


def get_stored_theme(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, min_group_size: int
) -> StoredTheme:
    """One stored theme, or :class:`NotFound`."""
    row = db.execute(
        "SELECT id, name, description, kind, units, responses, share, mean_sentiment, key_phrases, "
        "quote_unit_ids, quote_like_it FROM themes WHERE survey_id = ? AND id = ?",
        [survey_id, theme_id]).fetchone()
    if row is None or theme_id in dismissed_theme_ids(db, survey_id):
        raise NotFound(f"There is no theme {theme_id!r} in this survey.")
    return _stored_theme(row, min_group_size, None)


def _stored_theme(row: tuple, min_group_size: int, marker: str | None) -> StoredTheme:
    (theme_id, name, description, kind, units, responses, share, sentiment, phrases, quotes, like_it) = row
    shown = responses >= min_group_size or responses == 0
    return StoredTheme(
        id=theme_id, name=name, description=description, kind=kind,
        units=units if shown else None, responses=responses if shown else None,
        share=share if shown else None, mean_sentiment=sentiment if shown and responses else None,
        key_phrases=tuple(json.loads(phrases)), quote_unit_ids=tuple(json.loads(quotes)), marker=marker,
        quote_like_it=tuple(json.loads(like_it)),
    )


def theme_cells(
    db: sqlite_utils.Database, survey_id: int, theme_id: str | None = None, *, wave_id: int | None = None,
) -> list[ThemeCell]:
    """Theme cells of ``trend_points`` in wave order, all segments together: every theme or one,
    every wave or one (per segment: :func:`theme_cells_by_segment`)."""
    sql = """
        SELECT trend_points.wave_id, waves.label, segment, theme_id, responses, share, sentiment_mean,
               change_p_value, marker, suppressed
        FROM trend_points JOIN waves ON waves.id = trend_points.wave_id
        WHERE trend_points.survey_id = ? AND theme_id != ''
    """
    params: list = [survey_id]
    if theme_id is not None:
        sql += " AND theme_id = ?"
        params.append(theme_id)
    sql += " AND segment = ''"
    if wave_id is not None:
        sql += " AND trend_points.wave_id = ?"
        params.append(wave_id)
    sql += " ORDER BY waves.opens_on, waves.label, segment, theme_id"
    return [
        ThemeCell(wave_id, wave, segment, theme, None if suppressed else responses,
                  None if suppressed else share, None if suppressed else sentiment,
                  None if suppressed else p_value, None if suppressed else marker, bool(suppressed))
        for wave_id, wave, segment, theme, responses, share, sentiment, p_value, marker, suppressed
        in db.execute(sql, params)
    ]


def theme_cells_by_segment(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, min_group_size: int
) -> list[ThemeCell]:
    """A theme's cells in wave order, all segments together and per segment, suppressed exactly as
    the API's (:func:`survey.store.result_cells.trend_cells`): with today's threshold, complementary
    suppression of each wave's segment x theme table, and a hidden cell for every segment of the
    wave that never named the theme (leaving its row out would say that nobody did)."""
    return [ThemeCell(cell.wave_id, cell.wave, cell.segment or "", theme_id, cell.respondents, cell.share,
                      cell.sentiment_mean, cell.change_p_value, cell.marker, cell.suppressed)
            for cell in trend_cells(db, survey_id, min_group_size, theme_id=theme_id)]


def analysed_wave_ids(db: sqlite_utils.Database, survey_id: int) -> list[int]:
    """Waves with analysis results, oldest first."""
    sql = """
        SELECT DISTINCT trend_points.wave_id FROM trend_points JOIN waves ON waves.id = trend_points.wave_id
        WHERE trend_points.survey_id = ? ORDER BY waves.opens_on, waves.label
    """
    return [row[0] for row in db.execute(sql, [survey_id])]


def latest_theme_cells(db: sqlite_utils.Database, survey_id: int, min_group_size: int) -> list[ThemeCell]:
    """Theme cells (all segments together) of the latest analysed wave, largest share first."""
    waves = analysed_wave_ids(db, survey_id)
    if not waves:
        return []
    cells = theme_cells(db, survey_id, wave_id=waves[-1])
    return sorted(cells, key=lambda cell: (cell.share is None, -(cell.share or 0), cell.theme_id))


def top_themes(
    db: sqlite_utils.Database, survey_id: int, min_group_size: int, limit: int = 5
) -> list[TopTheme]:
    """The latest wave's largest reportable themes, with the previous wave's share and the marker."""
    waves = analysed_wave_ids(db, survey_id)
    themes = {theme.id: theme for theme in stored_themes(db, survey_id, min_group_size)}
    before = {cell.theme_id: cell for cell in theme_cells(db, survey_id, wave_id=waves[-2])} \
        if len(waves) > 1 else {}
    result = []
    for cell in latest_theme_cells(db, survey_id, min_group_size):
        if cell.theme_id not in themes or cell.suppressed:
            continue
        previous = before.get(cell.theme_id)
        result.append(TopTheme(cell.theme_id, themes[cell.theme_id].name, themes[cell.theme_id].kind,
                               cell.share, previous.share if previous else None, cell.marker, cell.wave,
                               cell.sentiment_mean))
    return result[:limit]


def quotes(db: sqlite_utils.Database, unit_ids: tuple[str, ...] | list[str]) -> list[Quote]:
    """The redacted texts of the given units, in the given order."""
    if not unit_ids:
        return []
    marks = ",".join("?" * len(unit_ids))
    rows = {row[0]: Quote(*row) for row in db.execute(
        f"SELECT units.id, text, waves.label, segment, sentiment_label FROM units "
        f"JOIN waves ON waves.id = units.wave_id WHERE units.id IN ({marks})", list(unit_ids))}
    return [rows[unit_id] for unit_id in unit_ids if unit_id in rows]


def theme_units(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, *, limit: int = 40
) -> list[Quote]:
    """Units of a theme for curation, least certain fit first (never in arrival order)."""
    rows = db.execute(
        "SELECT units.id, text, waves.label, segment, sentiment_label FROM units "
        "JOIN waves ON waves.id = units.wave_id WHERE units.survey_id = ? AND theme_id = ? "
        "ORDER BY theme_confidence, units.id LIMIT ?", [survey_id, theme_id, limit])
    return [Quote(*row) for row in rows]


def chosen_units(db: sqlite_utils.Database, survey_id: int, theme_id: str, text_keys: set[str], *,
                 limit: int = 40) -> list[Quote]:
    """Units of a theme that a BRM pinned to it by curation (their text keys), for the curation view."""
    rows = db.execute(
        "SELECT units.id, text, waves.label, segment, sentiment_label, text_key FROM units "
        "JOIN waves ON waves.id = units.wave_id WHERE units.survey_id = ? AND theme_id = ? "
        "ORDER BY units.id", [survey_id, theme_id])
    return [Quote(*row[:5]) for row in rows if row[5] in text_keys][:limit]


#: Below this p-value a change between two waves is called significant (as the analysis does).
SIGNIFICANCE_LEVEL = 0.05


def overall_sentiment(db: sqlite_utils.Database, survey_id: int,
                      wave_ids: list[int]) -> dict[int, tuple[float | None, float | None, bool]]:
    """(mean sentiment, p-value of the change, suppressed) of whole waves, by wave id."""
    marks = ", ".join("?" * len(wave_ids))
    return {row[0]: (row[1], row[2], bool(row[3])) for row in db.execute(
        "SELECT wave_id, sentiment_mean, change_p_value, suppressed FROM trend_points "
        f"WHERE survey_id = ? AND segment = '' AND theme_id = '' AND wave_id IN ({marks})",
        [survey_id, *wave_ids])}


@dataclass(frozen=True)
class SentimentPart:
    """Comments of a theme with one leaning; ``None`` figures are below the threshold."""

    leaning: str  # "complaints" | "neutral" | "praise"
    units: int | None
    responses: int | None
    share: float | None


#: Which unit sentiment labels count as complaints and as praise on a theme's page.
LEANINGS = {"very negative": "complaints", "negative": "complaints", "neutral": "neutral",
            "positive": "praise", "very positive": "praise"}


def theme_sentiment_split(db: sqlite_utils.Database, survey_id: int, theme_id: str,
                          min_group_size: int) -> list[SentimentPart]:
    """A theme's comments split into complaints, neutral remarks and praise.

    A part over fewer than ``min_group_size`` respondents is suppressed; when exactly one part is
    suppressed the next smallest is too, so it cannot be worked out from the theme's total.
    """
    units: dict[str, int] = {}
    people: dict[str, set[str]] = {}
    for label, response_id in db.execute(
            "SELECT sentiment_label, response_id FROM units WHERE survey_id = ? AND theme_id = ?",
            [survey_id, theme_id]):
        leaning = LEANINGS.get(label, "neutral")
        units[leaning] = units.get(leaning, 0) + 1
        people.setdefault(leaning, set()).add(response_id)
    total = sum(units.values())
    order = ("complaints", "neutral", "praise")
    hidden = {part for part in order if 0 < len(people.get(part, ())) < min_group_size}
    if len(hidden) == 1:
        shown = sorted((part for part in order if part not in hidden and units.get(part)),
                       key=lambda part: units[part])
        hidden.update(shown[:1])
    return [SentimentPart(part, None if part in hidden else units.get(part, 0),
                          None if part in hidden else len(people.get(part, ())),
                          None if part in hidden or not total else units.get(part, 0) / total)
            for part in order]


def theme_wave_sentiment(db: sqlite_utils.Database, survey_id: int, theme_id: str
                         ) -> list[tuple[str, float | None, float | None, float | None]]:
    """``(wave, mean, low, high)`` of a theme's sentiment per analysed wave (all segments together);
    ``None`` where the wave's cell is suppressed."""
    return [(wave, None if hidden else mean, None if hidden else low, None if hidden else high)
            for wave, mean, low, high, hidden in db.execute(
                "SELECT waves.label, sentiment_mean, sentiment_low, sentiment_high, suppressed "
                "FROM trend_points JOIN waves ON waves.id = trend_points.wave_id "
                "WHERE trend_points.survey_id = ? AND theme_id = ? AND segment = '' "
                "ORDER BY waves.opens_on, waves.label", [survey_id, theme_id])]
