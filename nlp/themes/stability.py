"""Keep emerging-theme proposals stable across runs: same units, same id and name.

A new run's clusters are matched one to one (Hungarian algorithm) to the previous run's proposals
by how many units they share; a matched cluster takes over the previous id and name. A previous
proposal left without a match has been merged away (or dissolved): :func:`carry_over` says where
most of its units went, so its old link can redirect there.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
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
