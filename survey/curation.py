"""BRM curation of a survey's concern themes, Flask-free.

Each operation loads the survey's taxonomy, applies the matching :mod:`nlp.themes` operation,
saves the taxonomy (so the next analysis run keeps ids, curated names and moved units), and then
updates the stored rows (``units.theme_id``, ``themes``, theme cells of ``trend_points``) so the
change shows at once, before the next run. The taxonomy is the one record of curation: moved
units are its ``overrides`` (keyed by unit text), merges its ``aliases``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import sqlite_utils

from survey.analysis_runner import load_taxonomy, save_taxonomy
from survey.errors import InvalidInput, NotFound
from survey.store import analysis as analysis_store


@dataclass(frozen=True)
class Limits:
    """Reporting thresholds and seed used when stored figures are refreshed after a curation."""

    min_group_size: int = 5
    min_quote_group_size: int = 5
    random_state: int = 0


@contextmanager
def _curating(db: sqlite_utils.Database, survey_id: int):
    """Yield the survey's taxonomy; turn the library's curation errors into :class:`InvalidInput`."""
    from nlp.errors import TaxonomyError

    try:
        yield load_taxonomy(db, survey_id)
    except TaxonomyError as error:
        raise InvalidInput(str(error)) from error


def _stored_theme(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> dict:
    """The stored ``themes`` row, or :class:`NotFound`."""
    for row in db["themes"].rows_where("survey_id = ? AND id = ?", [survey_id, theme_id]):
        return row
    raise NotFound(f"There is no theme {theme_id!r} in this survey.")


def _theme_kind(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> str:
    return _stored_theme(db, survey_id, theme_id)["kind"]


def _theme_units(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> list[tuple]:
    """``(id, text, text_key, response_id)`` of a theme's units, by unit id."""
    return db.execute(
        "SELECT id, text, text_key, response_id FROM units WHERE survey_id = ? AND theme_id = ? ORDER BY id",
        [survey_id, theme_id]).fetchall()


def _finish(db: sqlite_utils.Database, survey_id: int, taxonomy, limits: Limits,
            changed: Iterable[str]) -> None:
    save_taxonomy(db, survey_id, taxonomy)
    refresh_theme_figures(db, survey_id, taxonomy, limits, changed)


def rename_theme(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, name: str, description: str,
    limits: Limits = Limits(),
) -> None:
    """Give a seeded theme a new name and description; its id and units stay."""
    if _theme_kind(db, survey_id, theme_id) == "emerging":
        raise InvalidInput("Accept the proposal as a theme first, then rename it.")
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.rename(theme_id, name.strip(), description.strip())
    _finish(db, survey_id, taxonomy, limits, ())


def merge_theme(
    db: sqlite_utils.Database, survey_id: int, source_id: str, into_id: str, limits: Limits = Limits()
) -> None:
    """Fold ``source_id`` (a theme or a proposal) into the seeded theme ``into_id``."""
    if _theme_kind(db, survey_id, into_id) == "emerging":
        raise InvalidInput("Merge into a theme, not into a proposal: accept the proposal first.")
    if source_id == into_id:
        raise InvalidInput("Choose a different theme to merge into.")
    with _curating(db, survey_id) as taxonomy:
        if _theme_kind(db, survey_id, source_id) == "emerging":
            taxonomy = taxonomy.add_theme(source_id, _proposal_examples(db, survey_id, source_id),
                                          theme_id=source_id)
        taxonomy = taxonomy.merge([source_id], into_id)
    with db.conn:
        db.conn.execute("UPDATE units SET theme_id = ? WHERE survey_id = ? AND theme_id = ?",
                        [into_id, survey_id, source_id])
    _finish(db, survey_id, taxonomy, limits, (into_id,))


def move_unit(
    db: sqlite_utils.Database, survey_id: int, unit_id: str, theme_id: str, limits: Limits = Limits()
) -> None:
    """Pin one unit (and any unit with the same text) to the seeded theme ``theme_id``."""
    row = db.execute("SELECT text_key FROM units WHERE survey_id = ? AND id = ?",
                     [survey_id, unit_id]).fetchone()
    if row is None:
        raise NotFound("That comment is not part of this survey.")
    previous = {theme for (theme,) in db.execute(
        "SELECT DISTINCT theme_id FROM units WHERE survey_id = ? AND text_key = ? AND theme_id IS NOT NULL",
        [survey_id, row[0]])}
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.move_unit(row[0], theme_id)
    with db.conn:
        db.conn.execute("UPDATE units SET theme_id = ?, theme_confidence = 1.0 WHERE survey_id = ? "
                        "AND text_key = ?", [taxonomy.resolve(theme_id), survey_id, row[0]])
    _finish(db, survey_id, taxonomy, limits, {*previous, taxonomy.resolve(theme_id)})


def split_theme(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, *, name: str = "",
    unit_ids: Sequence[str] = (), limits: Limits = Limits(),
) -> str:
    """Carve a new theme out of a seeded one; return the new theme's id.

    With ``unit_ids`` the selected units form the new theme (their texts are its seeds). Without,
    the theme's units are sub-clustered on their cached embeddings and the second-largest part
    becomes the new theme, named ``name`` or after its key phrases.
    """
    from nlp.themes.curation import proposal_name

    if _theme_kind(db, survey_id, theme_id) == "emerging":
        raise InvalidInput("Accept the proposal as a theme first, then split it.")
    rows = _theme_units(db, survey_id, theme_id)
    if unit_ids:
        chosen = [row for row in rows if row[0] in set(unit_ids)]
        if not chosen or len(chosen) == len(rows):
            raise InvalidInput("Select some, but not all, of the theme's comments to split off.")
        if not name.strip():
            raise InvalidInput("Name the new theme.")
        examples = list(dict.fromkeys(row[1] for row in chosen))[:10]
        keys = [row[2] for row in chosen]
    else:
        summary, keys = _second_subcluster(db, survey_id, theme_id, rows, limits.random_state)
        examples, name = list(summary.quotes), name.strip() or proposal_name(summary)
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.split(theme_id, name.strip(), examples, keys)
    new_id = taxonomy.themes[-1].id
    with db.conn:
        db.conn.executemany("UPDATE units SET theme_id = ?, theme_confidence = 1.0 WHERE survey_id = ? "
                            "AND text_key = ?", [(new_id, survey_id, key) for key in set(keys)])
    _finish(db, survey_id, taxonomy, limits, (theme_id, new_id))
    return new_id


def _second_subcluster(db, survey_id: int, theme_id: str, rows: list, random_state: int):
    """Sub-cluster a theme's units; return the second-largest part's summary and unit keys."""
    from nlp.themes import ConcernClusterer, describe_clusters

    texts = [row[1] for row in rows]
    vectors = cached_vectors(db, survey_id, [row[2] for row in rows])
    clusterer = ConcernClusterer(min_cluster_size=3, random_state=random_state).fit(vectors)
    if clusterer.n_clusters_ < 2:
        raise InvalidInput("This theme's comments form one group: select comments to split off instead.")
    taken = set(load_taxonomy(db, survey_id).ids)
    second = describe_clusters(texts, clusterer.labels_, vectors, prefix="", taken_ids=taken)[1]
    members = np.flatnonzero(clusterer.labels_ == second.label)
    return second, [rows[int(i)][2] for i in members]


def accept_proposal(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, name: str = "", limits: Limits = Limits()
) -> None:
    """Make an emerging proposal a seeded theme; its representative comments become its seeds."""
    if _theme_kind(db, survey_id, theme_id) != "emerging":
        raise InvalidInput("Only an emerging proposal can be accepted.")
    stored = _stored_theme(db, survey_id, theme_id)
    phrases = json.loads(stored["key_phrases"])
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.add_theme(
            name.strip() or stored["name"].capitalize(), _proposal_examples(db, survey_id, theme_id),
            description="Key phrases: " + ", ".join(phrases) if phrases else "", theme_id=theme_id,
        )
    _finish(db, survey_id, taxonomy, limits, ())


def dismiss_proposal(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, limits: Limits = Limits()
) -> None:
    """Reject an emerging proposal: its comments go back to "no theme" and look-alikes are not proposed."""
    if _theme_kind(db, survey_id, theme_id) != "emerging":
        raise InvalidInput("Only an emerging proposal can be dismissed.")
    stored = _stored_theme(db, survey_id, theme_id)
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.dismiss(theme_id, stored["name"], _proposal_examples(db, survey_id, theme_id))
    with db.conn:
        db.conn.execute("UPDATE units SET theme_id = NULL WHERE survey_id = ? AND theme_id = ?",
                        [survey_id, theme_id])
        db.conn.execute("DELETE FROM themes WHERE survey_id = ? AND id = ?", [survey_id, theme_id])
    _finish(db, survey_id, taxonomy, limits, ())


def _proposal_examples(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, count: int = 8
) -> list[str]:
    """Seed texts for a proposal: its representative quotes, topped up with its most central comments."""
    quote_ids = json.loads(_stored_theme(db, survey_id, theme_id)["quote_unit_ids"])
    rows = _theme_units(db, survey_id, theme_id)
    if not rows:
        raise InvalidInput("This proposal has no comments left.")
    texts = [row[1] for row in rows if row[0] in set(quote_ids)]
    if len(texts) < count:
        from nlp.themes.labels import representative_quotes

        vectors = cached_vectors(db, survey_id, [row[2] for row in rows])
        central = representative_quotes([row[1] for row in rows], vectors, np.arange(len(rows)), count)
        texts = list(dict.fromkeys([*texts, *central]))
    return texts[:count]


def cached_vectors(db: sqlite_utils.Database, survey_id: int, keys: Sequence[str]) -> np.ndarray:
    """Embeddings of unit texts from the analysis cache (no model is loaded), one row per key."""
    record = db.execute("SELECT record FROM analysis_runs WHERE survey_id = ? AND status = 'done' "
                        "ORDER BY id DESC LIMIT 1", [survey_id]).fetchone()
    model = json.loads(record[0]).get("embedder", "") if record else ""
    found = analysis_store.load_embeddings(db, keys, model)
    missing = [key for key in keys if key not in found]
    if missing:
        raise InvalidInput("Some comments have no cached embedding: run the analysis, then try again.")
    return np.vstack([found[key] for key in keys])


def refresh_theme_figures(
    db: sqlite_utils.Database, survey_id: int, taxonomy, limits: Limits, changed: Iterable[str] = ()
) -> None:
    """Bring the stored themes and theme trend cells in line with the curated taxonomy and units.

    Names, descriptions and kinds come from the taxonomy; sizes, shares and sentiment from the
    units; key phrases and quotes are recomputed for the ``changed`` themes only; trend cells are
    recomputed with the analysis's own :func:`nlp.summary.compute_trends` (suppression included).
    """
    rows = dict(db.execute("SELECT id, kind FROM themes WHERE survey_id = ?", [survey_id]).fetchall())
    active = {theme.id: theme for theme in taxonomy.active}
    with db.conn:
        for theme_id, kind in rows.items():
            if theme_id not in active and kind == "seeded":
                db.conn.execute("DELETE FROM themes WHERE survey_id = ? AND id = ?", [survey_id, theme_id])
        for theme in active.values():
            db.conn.execute(
                "INSERT INTO themes (survey_id, id, name, description, kind) VALUES (?, ?, ?, ?, 'seeded') "
                "ON CONFLICT (survey_id, id) DO UPDATE SET name = excluded.name, "
                "description = excluded.description, kind = 'seeded'",
                [survey_id, theme.id, theme.name, theme.description])
        _refresh_sizes(db, survey_id, limits.min_quote_group_size)
        for theme_id in set(changed):
            _refresh_description(db, survey_id, theme_id, limits)
    _refresh_trend_cells(db, survey_id, limits)


def _refresh_sizes(db: sqlite_utils.Database, survey_id: int, min_quote_group_size: int) -> None:
    total = db.execute("SELECT COUNT(*) FROM units WHERE survey_id = ?", [survey_id]).fetchone()[0] or 1
    db.conn.execute(
        """
        UPDATE themes SET
          units = (SELECT COUNT(*) FROM units u
                   WHERE u.survey_id = themes.survey_id AND u.theme_id = themes.id),
          responses = (SELECT COUNT(DISTINCT response_id) FROM units u
                       WHERE u.survey_id = themes.survey_id AND u.theme_id = themes.id),
          mean_sentiment = (SELECT AVG(sentiment) FROM units u
                            WHERE u.survey_id = themes.survey_id AND u.theme_id = themes.id)
        WHERE survey_id = ?
        """, [survey_id])
    db.conn.execute("UPDATE themes SET share = units * 1.0 / ? WHERE survey_id = ?", [total, survey_id])
    db.conn.execute("UPDATE themes SET quote_unit_ids = '[]' WHERE survey_id = ? AND responses < ?",
                    [survey_id, min_quote_group_size])


def _refresh_description(db: sqlite_utils.Database, survey_id: int, theme_id: str, limits: Limits) -> None:
    """Key phrases and (above the quote threshold) representative quotes of one theme."""
    from nlp.themes import describe_clusters

    rows = _theme_units(db, survey_id, theme_id)
    phrases: tuple[str, ...] = ()
    quote_ids: list[str] = []
    if rows:
        vectors = cached_vectors(db, survey_id, [row[2] for row in rows])
        described = describe_clusters([row[1] for row in rows], [0] * len(rows), vectors)
        if described:
            phrases = described[0].key_phrases
            if len({row[3] for row in rows}) >= limits.min_quote_group_size:
                by_text = {row[1]: row[0] for row in reversed(rows)}
                quote_ids = [by_text[text] for text in described[0].quotes]
    db.conn.execute("UPDATE themes SET key_phrases = ?, quote_unit_ids = ? WHERE survey_id = ? AND id = ?",
                    [json.dumps(list(phrases)), json.dumps(quote_ids), survey_id, theme_id])


def _refresh_trend_cells(db: sqlite_utils.Database, survey_id: int, limits: Limits) -> None:
    """Recompute every trend cell of the survey from the stored units (silo points are untouched)."""
    from nlp.results import UnitResult
    from nlp.summary import compute_trends

    labels = analysis_store.wave_labels(db, survey_id)
    units = [
        UnitResult(id=unit_id, response_id=response_id, question_id=0, position=0, wave=labels[wave_id],
                   segment=segment, text="", text_key="", sentiment=sentiment, sentiment_label="",
                   drivers=(), theme_id=theme_id, theme_confidence=0.0, flags=(), partnership_terms=0,
                   words=0)
        for unit_id, response_id, wave_id, segment, sentiment, theme_id in db.execute(
            "SELECT id, response_id, wave_id, segment, sentiment, theme_id FROM units WHERE survey_id = ? "
            "ORDER BY id", [survey_id])
    ]
    points = compute_trends(units, list(labels.values()), limits.min_group_size, limits.random_state)
    wave_ids = {label: wave_id for wave_id, label in labels.items()}
    with db.conn:
        db.conn.execute("DELETE FROM trend_points WHERE survey_id = ?", [survey_id])
        db.conn.executemany(
            "INSERT INTO trend_points (survey_id, wave_id, segment, theme_id, responses, units, share, "
            "sentiment_n, sentiment_mean, sentiment_low, sentiment_high, change_p_value, marker, "
            "suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(survey_id, wave_ids[p.wave], p.segment or "", p.theme_id or "", p.responses, p.units,
              p.share, p.sentiment.n, p.sentiment.mean, p.sentiment.low, p.sentiment.high,
              p.change_p_value, p.marker, int(p.suppressed)) for p in points],
        )
