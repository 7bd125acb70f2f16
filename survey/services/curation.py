"""BRM curation of a survey's concern themes, Flask-free.

Each operation loads the survey's taxonomy, applies the matching :mod:`nlp.themes` operation,
saves the taxonomy (so the next analysis run keeps ids, curated names and moved units), and then
updates the stored rows (``units.theme_id``, ``themes``, theme cells of ``trend_points``) so the
change shows at once, before the next run. The taxonomy is the one record of curation: moved
units are its ``overrides`` (keyed by unit text), merges its ``aliases``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import sqlite_utils

from nlp.errors import TaxonomyError
from nlp.summary import compute_trends
from survey.errors import InvalidInput, NotFound
from survey.services.thresholds import DEFAULT_THRESHOLDS, Thresholds
from survey.store import analysis as units_store
from survey.store import runs, theme_redirects, themes, trends
from survey.store.taxonomies import load_taxonomy, save_taxonomy

if TYPE_CHECKING:
    from nlp.themes import ClusterSummary, Taxonomy

#: Ward-tree cut (in noise radii) a requested split falls back to: discovery's former default.
SPLIT_MERGE_THRESHOLD = 1.25
#: Seed of the sub-clustering and of the trend intervals recomputed after a curation.
RANDOM_STATE = 0


@contextmanager
def _curating(db: sqlite_utils.Database, survey_id: int) -> Iterator[Taxonomy]:
    """Yield the survey's taxonomy; turn the library's curation errors into :class:`InvalidInput`."""
    try:
        yield load_taxonomy(db, survey_id)
    except TaxonomyError as error:
        raise InvalidInput(str(error)) from error


def _theme_kind(db: sqlite_utils.Database, survey_id: int, theme_id: str) -> str:
    return str(themes.stored_theme_row(db, survey_id, theme_id)["kind"])


def _finish(db: sqlite_utils.Database, survey_id: int, taxonomy: Taxonomy, thresholds: Thresholds,
            changed: Iterable[str], phrases: Sequence[str] = ()) -> None:
    save_taxonomy(db, survey_id, taxonomy)
    refresh_theme_figures(db, survey_id, taxonomy, thresholds, changed, phrases)


def _stored_phrases(db: sqlite_utils.Database, survey_id: int, theme_ids: Iterable[str]) -> list[str]:
    """The key phrases the last analysis stored for these themes (those that exist), in order."""
    stored = themes.theme_kinds(db, survey_id)
    found = [json.loads(themes.stored_theme_row(db, survey_id, theme_id)["key_phrases"])
             for theme_id in dict.fromkeys(theme_ids) if theme_id in stored]
    return list(dict.fromkeys(phrase for phrases in found for phrase in phrases))


def rename_theme(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, name: str, description: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> None:
    """Give a seeded theme a new name and description; its id and units stay."""
    if _theme_kind(db, survey_id, theme_id) == "emerging":
        raise InvalidInput("Accept the proposal as a theme first, then rename it.")
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.rename(theme_id, name.strip(), description.strip())
    _finish(db, survey_id, taxonomy, thresholds, ())


def merge_theme(
    db: sqlite_utils.Database, survey_id: int, source_id: str, into_id: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
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
    phrases = _stored_phrases(db, survey_id, (into_id, source_id))
    units_store.move_theme_units(db, survey_id, source_id, into_id)
    with db.conn:  # the merged theme's old link leads to where its comments went
        themes.delete_theme(db, survey_id, source_id)
        theme_redirects.record_redirects(db, survey_id, [(source_id, into_id)])
    _finish(db, survey_id, taxonomy, thresholds, (into_id,), phrases)


def move_unit(
    db: sqlite_utils.Database, survey_id: int, unit_id: str, theme_id: str,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> None:
    """Pin one unit (and any unit with the same text) to the seeded theme ``theme_id``."""
    text_key = units_store.unit_text_key(db, survey_id, unit_id)
    if text_key is None:
        raise NotFound("That comment is not part of this survey.")
    previous = units_store.themes_of_text(db, survey_id, text_key)
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.move_unit(text_key, theme_id)
    phrases = _stored_phrases(db, survey_id, [*previous, taxonomy.resolve(theme_id)])
    units_store.pin_texts_to_theme(db, survey_id, [text_key], taxonomy.resolve(theme_id))
    _finish(db, survey_id, taxonomy, thresholds, {*previous, taxonomy.resolve(theme_id)}, phrases)


def split_theme(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, *, name: str = "",
    unit_ids: Sequence[str] = (), thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str:
    """Carve a new theme out of a seeded one; return the new theme's id.

    With ``unit_ids`` the selected units form the new theme (their texts are its seeds). Without,
    the theme's units are sub-clustered on their cached embeddings and the second-largest part
    becomes the new theme, named ``name`` or after its key phrases.
    """
    if _theme_kind(db, survey_id, theme_id) == "emerging":
        raise InvalidInput("Accept the proposal as a theme first, then split it.")
    rows = units_store.theme_unit_rows(db, survey_id, theme_id)
    if unit_ids:
        chosen = [row for row in rows if row[0] in set(unit_ids)]
        if not chosen or len(chosen) == len(rows):
            raise InvalidInput("Select some, but not all, of the theme's comments to split off.")
        if not name.strip():
            raise InvalidInput("Name the new theme.")
        examples = list(dict.fromkeys(row[1] for row in chosen))[:10]
        keys = [row[2] for row in chosen]
    else:
        # nlp.themes pulls in scikit-learn (~90 MB): web workers load it only when a page curates.
        from nlp.themes.curation import proposal_name

        summary, keys = _second_subcluster(db, survey_id, theme_id, rows)
        examples, name = list(summary.quotes), name.strip() or proposal_name(summary)
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.split(theme_id, name.strip(), examples, keys)
    new_id = taxonomy.themes[-1].id
    units_store.pin_texts_to_theme(db, survey_id, keys, new_id)
    phrases = _stored_phrases(db, survey_id, [theme_id])
    _finish(db, survey_id, taxonomy, thresholds, (theme_id, new_id), phrases)
    return new_id


def _second_subcluster(db: sqlite_utils.Database, survey_id: int, theme_id: str,
                       rows: list[tuple]) -> tuple[ClusterSummary, list[str]]:
    """Sub-cluster a theme's units; return the second-largest part's summary and unit keys."""
    # nlp.themes pulls in scikit-learn (~90 MB): web workers load it only when a page curates.
    from nlp.themes import ConcernClusterer
    from nlp.themes.redescribe import describe_groups

    texts = [row[1] for row in rows]
    vectors = cached_vectors(db, survey_id, [row[2] for row in rows])
    clusterer = ConcernClusterer(min_cluster_size=3, random_state=RANDOM_STATE).fit(vectors)
    if clusterer.n_clusters_ < 2:
        # The BRM asked for a split: discovery's cautious choice of k (one group) gives way to the
        # finer cut at SPLIT_MERGE_THRESHOLD noise radii before the split is refused.
        clusterer = ConcernClusterer(min_cluster_size=3, merge_threshold=SPLIT_MERGE_THRESHOLD,
                                     random_state=RANDOM_STATE).fit(vectors)
    labels = clusterer.labels_
    if clusterer.n_clusters_ < 2:  # still one group: the BRM asked, so cut it in two (Ward)
        from sklearn.cluster import AgglomerativeClustering

        if len(rows) < 6:
            raise InvalidInput("This theme has too few comments to split: select comments to split off.")
        labels = AgglomerativeClustering(n_clusters=2, linkage="ward").fit_predict(vectors)
    taken = set(load_taxonomy(db, survey_id).ids)
    described = describe_groups(texts, labels, vectors, _stored_phrases(db, survey_id, [theme_id]),
                                prefix="", taken_ids=taken)
    if len(described) < 2:
        raise InvalidInput("This theme's comments form one group: select comments to split off instead.")
    second = described[1]
    members = np.flatnonzero(labels == second.label)
    return second, [rows[int(i)][2] for i in members]


def accept_proposal(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, name: str = "",
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> None:
    """Make an emerging proposal a seeded theme; its representative comments become its seeds."""
    stored = _proposal(db, survey_id, theme_id, "accepted")
    phrases = json.loads(stored["key_phrases"])
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.add_theme(
            name.strip() or stored["name"].capitalize(), _proposal_examples(db, survey_id, theme_id),
            description="Key phrases: " + ", ".join(phrases) if phrases else "", theme_id=theme_id,
        )
    _finish(db, survey_id, taxonomy, thresholds, ())


def dismiss_proposal(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> None:
    """Reject an emerging proposal: its comments go back to "no theme" and look-alikes are not proposed."""
    stored = _proposal(db, survey_id, theme_id, "dismissed")
    with _curating(db, survey_id) as taxonomy:
        taxonomy = taxonomy.dismiss(theme_id, stored["name"], _proposal_examples(db, survey_id, theme_id))
    units_store.move_theme_units(db, survey_id, theme_id, None)
    with db.conn:
        themes.delete_theme(db, survey_id, theme_id)
    _finish(db, survey_id, taxonomy, thresholds, ())


def _proposal(db: sqlite_utils.Database, survey_id: int, theme_id: str, verb: str) -> dict[str, Any]:
    """The stored row of an emerging proposal, or :class:`InvalidInput` for a seeded theme."""
    stored = themes.stored_theme_row(db, survey_id, theme_id)
    if stored["kind"] != "emerging":
        raise InvalidInput(f"Only an emerging proposal can be {verb}.")
    return stored


def _proposal_examples(
    db: sqlite_utils.Database, survey_id: int, theme_id: str, count: int = 8
) -> list[str]:
    """Seed texts for a proposal: its representative quotes, topped up with its most central comments."""
    quote_ids = json.loads(themes.stored_theme_row(db, survey_id, theme_id)["quote_unit_ids"])
    rows = units_store.theme_unit_rows(db, survey_id, theme_id)
    if not rows:
        raise InvalidInput("This proposal has no comments left.")
    texts = [row[1] for row in rows if row[0] in set(quote_ids)]
    if len(texts) < count:
        # nlp.themes pulls in scikit-learn (~90 MB): web workers load it only when a page curates.
        from nlp.themes.labels import representative_quotes

        vectors = cached_vectors(db, survey_id, [row[2] for row in rows])
        central = representative_quotes([row[1] for row in rows], vectors, np.arange(len(rows)), count)
        texts = list(dict.fromkeys([*texts, *central]))
    return texts[:count]


def cached_vectors(db: sqlite_utils.Database, survey_id: int, keys: Sequence[str]) -> np.ndarray:
    """Embeddings of unit texts from the analysis cache (no model is loaded), one row per key."""
    found = units_store.load_embeddings(db, keys, runs.last_embedder_name(db, survey_id))
    missing = [key for key in keys if key not in found]
    if missing:
        raise InvalidInput("Some comments have no cached embedding: run the analysis, then try again.")
    return np.vstack([found[key] for key in keys])


def refresh_theme_figures(
    db: sqlite_utils.Database, survey_id: int, taxonomy: Taxonomy, thresholds: Thresholds,
    changed: Iterable[str] = (), phrases: Sequence[str] = (),
) -> None:
    """Bring the stored themes and theme trend cells in line with the curated taxonomy and units.

    Names, descriptions and kinds come from the taxonomy; sizes, shares and sentiment from the
    units; key phrases and quotes are recomputed for the ``changed`` themes only, without spaCy
    (:mod:`nlp.themes.redescribe`: candidates are ``phrases``, the key phrases the analysis stored for
    the themes involved, else the changed themes' own); trend cells are recomputed with the
    analysis's own :func:`nlp.summary.compute_trends` (suppression included).
    """
    active = [(theme.id, theme.name, theme.description) for theme in taxonomy.active]
    changed = set(changed)
    phrases = list(phrases) or _stored_phrases(db, survey_id, changed)
    descriptions = {theme_id: _description(db, survey_id, theme_id, thresholds, phrases)
                    for theme_id in changed}
    with db.conn:
        themes.sync_seeded_themes(db, survey_id, active)
        themes.refresh_theme_sizes(db, survey_id, thresholds.min_quote_group_size)
        for theme_id, (phrases, quote_ids, like_it) in descriptions.items():
            themes.set_theme_description(db, survey_id, theme_id, phrases, quote_ids, like_it)
    _refresh_trend_cells(db, survey_id, thresholds)


def _description(db: sqlite_utils.Database, survey_id: int, theme_id: str, thresholds: Thresholds,
                 phrases_pool: Sequence[str]) -> tuple[tuple[str, ...], list[str], tuple[int, ...]]:
    """Key phrases and (above the quote threshold) representative quote ids of one theme, with
    how many similar comments each quote stands for; no spaCy (a web request runs this)."""
    # nlp.themes pulls in scikit-learn (~90 MB): web workers load it only when a page curates.
    from nlp.themes.redescribe import describe_groups

    rows = units_store.theme_unit_rows(db, survey_id, theme_id)
    phrases: tuple[str, ...] = ()
    quote_ids: list[str] = []
    like_it: tuple[int, ...] = ()
    if rows:
        vectors = cached_vectors(db, survey_id, [row[2] for row in rows])
        described = describe_groups([row[1] for row in rows], np.zeros(len(rows), dtype=int), vectors,
                                    phrases_pool)
        if described:
            phrases = described[0].key_phrases
            if len({row[3] for row in rows}) >= thresholds.min_quote_group_size:
                by_text = {row[1]: row[0] for row in reversed(rows)}
                quote_ids = [by_text[text] for text in described[0].quotes]
                like_it = tuple(described[0].quote_like_it)
    return phrases, quote_ids, like_it


def _refresh_trend_cells(db: sqlite_utils.Database, survey_id: int, thresholds: Thresholds) -> None:
    """Recompute every trend cell of the survey from the stored units (silo points are untouched)."""
    labels = units_store.wave_labels(db, survey_id)
    units = units_store.stored_units(db, survey_id, with_flags=False)
    points = compute_trends(units, list(labels.values()), thresholds.min_group_size, RANDOM_STATE)
    with db.conn:
        trends.replace_trend_points(db, survey_id, {label: wave_id for wave_id, label in labels.items()},
                                    points)
