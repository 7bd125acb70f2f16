"""Concern themes: a seeded taxonomy, similarity assignment, discovery of emerging clusters.

``cluster_concerns`` is the one-call entry point; ``assign_themes``, ``ConcernClusterer`` and
``describe_clusters`` are the stages the full analysis composes. Curation operations live on
:class:`Taxonomy` (and in :mod:`nlp.themes.curation` for the ones that need clustering).
"""

from __future__ import annotations

from nlp.themes.assign import Assignment, assign_themes
from nlp.themes.concerns import UNASSIGNED, cluster_concerns, discover_proposals
from nlp.themes.curation import accept_proposal, dismiss_proposal, split_by_subclusters
from nlp.themes.discover import ConcernClusterer, concern_features
from nlp.themes.labels import ClusterSummary, describe_clusters
from nlp.themes.taxonomy import Taxonomy, Theme, load_taxonomy

#: The shipped BRM taxonomy (``nlp/data/themes.json``); curation returns new objects.
DEFAULT_THEMES: Taxonomy = load_taxonomy()

__all__ = [
    "DEFAULT_THEMES",
    "UNASSIGNED",
    "Assignment",
    "ClusterSummary",
    "ConcernClusterer",
    "Taxonomy",
    "Theme",
    "accept_proposal",
    "assign_themes",
    "cluster_concerns",
    "concern_features",
    "describe_clusters",
    "discover_proposals",
    "dismiss_proposal",
    "load_taxonomy",
    "split_by_subclusters",
]
