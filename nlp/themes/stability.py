"""Keep emerging-theme proposals stable across runs: same units, same id and name.

A new run's clusters are matched one to one (Hungarian algorithm) to the previous run's proposals
by how many units they share; a matched cluster takes over the previous id and name. A previous
proposal left without a match has been merged away (or dissolved): :func:`carry_over` says where
most of its units went, so its old link can redirect there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

from nlp.themes.labels import ClusterSummary

#: Least share of a previous proposal's (still present) units a new cluster must hold to inherit
#: its id, and of the new cluster's units that must come from it.
MIN_SHARED = 0.5


@dataclass(frozen=True)
class PreviousProposal:
    """A proposal of an earlier run: its id, the name shown, and the text keys of its units."""

    id: str
    name: str
    unit_keys: frozenset[str]


@dataclass(frozen=True)
class CarriedOver:
    """Proposals after matching, and where each unmatched previous proposal's units went."""

    summaries: list[ClusterSummary]
    redirects: dict[str, str]


def carry_over(
    summaries: Sequence[ClusterSummary], member_keys: Mapping[int, set[str]],
    previous: Sequence[PreviousProposal], present_keys: set[str] | None = None,
) -> CarriedOver:
    """Give new clusters the ids and names of the previous proposals they continue.

    Parameters
    ----------
    summaries
        This run's clusters.
    member_keys
        Per cluster label, the text keys of its units.
    previous
        The previous run's proposals.
    present_keys
        Keys of all units in this run's pool; previous units not in it (moved to a theme,
        deleted) are ignored when measuring overlap. ``None``: all count.

    Returns
    -------
    CarriedOver
        ``redirects`` maps an unmatched previous id to the new id that holds most of its units
        (only when that cluster holds at least :data:`MIN_SHARED` of them).
    """
    if not previous or not summaries:
        return CarriedOver(list(summaries), {})
    old_sets = [p.unit_keys & present_keys if present_keys is not None else p.unit_keys for p in previous]
    new_sets = [member_keys.get(s.label, set()) for s in summaries]
    shared = np.array([[len(o & n) for n in new_sets] for o in old_sets], dtype=float)
    old_sizes = np.array([max(len(o), 1) for o in old_sets], dtype=float)[:, None]
    new_sizes = np.array([max(len(n), 1) for n in new_sets], dtype=float)[None, :]
    score = np.minimum(shared / old_sizes, shared / new_sizes)
    rows, columns = linear_sum_assignment(-score)
    result = list(summaries)
    taken = {s.id for s in summaries}
    matched_old: set[int] = set()
    for row, column in zip(rows, columns, strict=True):
        if score[row, column] < MIN_SHARED:
            continue
        old = previous[row]
        if old.id != result[column].id and old.id in taken:
            continue  # another new cluster already carries that id by content
        taken.discard(result[column].id)
        taken.add(old.id)
        result[column] = dataclasses.replace(result[column], id=old.id, name=old.name)
        matched_old.add(row)
    redirects = {}
    for row, old in enumerate(previous):
        if row in matched_old:
            continue
        best = int(np.argmax(shared[row]))
        if shared[row, best] / old_sizes[row, 0] >= MIN_SHARED:
            redirects[old.id] = result[best].id
    return CarriedOver(result, redirects)


#: A new unit joins a continuing proposal when its cosine to the proposal's centroid reaches this
#: quantile of the cosines of the proposal's own units (so it sits no further out than most of them).
JOIN_QUANTILE = 0.25


def continue_proposals(keys: Sequence[str], vectors: np.ndarray, previous: Sequence[PreviousProposal],
                       new_keys: Collection[str] | None = None) -> tuple[np.ndarray, list[PreviousProposal]]:
    """Keep the previous run's proposals together instead of clustering their units afresh.

    A previous proposal continues when at least :data:`MIN_SHARED` of its units are still in the
    pool (``keys``); its units keep their proposal, and a new unit (in ``new_keys``; ``None``: any
    unit in no continuing proposal) joins the continuing proposal whose centroid it is closest to
    when that cosine reaches the :data:`JOIN_QUANTILE` of the proposal's own units. Units the last
    run left out stay out, so the shared units keep their grouping. Re-clustering everything would
    let a 1% growth of the data reshuffle every proposal (ids, names and links with them).

    Returns
    -------
    tuple
        Per key, the index of its continuing proposal or ``-1`` (left for discovery), and the
        continuing proposals in index order.
    """
    labels = np.full(len(keys), -1, dtype=int)
    position = {key: i for i, key in enumerate(keys)}
    continuing: list[PreviousProposal] = []
    for proposal in previous:
        rows = [position[key] for key in proposal.unit_keys if key in position and labels[position[key]] < 0]
        if rows and len(rows) >= MIN_SHARED * len(proposal.unit_keys):
            labels[rows] = len(continuing)
            continuing.append(proposal)
    if not continuing:
        return labels, continuing
    unit = np.asarray(vectors, dtype=np.float32)
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    centroids = np.vstack([unit[labels == index].mean(axis=0) for index in range(len(continuing))])
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    floors = np.array([np.quantile(unit[labels == index] @ centroids[index], JOIN_QUANTILE)
                       for index in range(len(continuing))])
    joinable = labels < 0
    if new_keys is not None:
        joinable &= np.isin(np.asarray(keys, dtype=object), list(new_keys))
    free = np.flatnonzero(joinable)
    if free.size:
        similarity = unit[free] @ centroids.T
        best = similarity.argmax(axis=1)
        joins = similarity[np.arange(free.size), best] >= floors[best]
        labels[free[joins]] = best[joins]
    return labels, continuing


def discover_with_previous(
    texts: Sequence[str], keys: Sequence[str], vectors: np.ndarray, previous: Sequence[PreviousProposal],
    random_state: int, taken_ids: set[str], embed: Callable[[list[str]], np.ndarray] | None = None,
    min_cohesion: float | None = None, new_keys: Collection[str] | None = None,
) -> tuple[np.ndarray, list[ClusterSummary]]:
    """Proposals for the unassigned pool: the previous run's proposals continue
    (:func:`continue_proposals`), and a cluster of a fresh discovery over the whole pool becomes a
    new proposal when most of its units are in no continuing one (those units form it).

    The fresh discovery runs over the whole pool, as the first run's did, so the same data gives
    the same new proposals (clustering only the leftovers would find groups the first run did
    not). Labels ``0..len(continuing)-1`` are continuing proposals, new ones follow. Summaries are
    not yet renamed: :func:`carry_over` gives continuing ones their old id and name.
    """
    from nlp.themes.concerns import MIN_PROPOSAL_SIZE, discover_clusters
    from nlp.themes.labels import describe_clusters

    vectors = np.asarray(vectors, dtype=np.float32)
    labels, continuing = continue_proposals(keys, vectors, previous, new_keys)
    taken = set(taken_ids) | {proposal.id for proposal in previous}
    fresh, summaries = discover_clusters(texts, vectors, random_state, "emerging-", MIN_PROPOSAL_SIZE,
                                         set(taken), embed, min_cohesion=min_cohesion)
    if not continuing:
        return fresh, summaries
    next_label = len(continuing)
    for cluster in sorted(int(c) for c in set(fresh.tolist()) if c >= 0):
        members = fresh == cluster
        free = members & (labels < 0)
        if free.sum() >= max(MIN_PROPOSAL_SIZE, MIN_SHARED * members.sum()):
            labels[free] = next_label
            next_label += 1
    return labels, describe_clusters(texts, labels, vectors, "emerging-", taken, embed)
