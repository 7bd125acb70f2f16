"""Concern themes: taxonomy data and curation, seeded assignment, discovery, labels, stable ids."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
from scipy.cluster.hierarchy import ward
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score, homogeneity_score, silhouette_score

from nlp.embeddings import LexicalEmbedder, text_key
from nlp.errors import TaxonomyError
from nlp.themes import (
    DEFAULT_THEMES,
    UNASSIGNED,
    ConcernClusterer,
    Taxonomy,
    Theme,
    accept_proposal,
    assign_themes,
    cluster_concerns,
    describe_clusters,
    discover_proposals,
    dismiss_proposal,
    load_taxonomy,
    split_by_subclusters,
)
from nlp.themes.discover import _best_bic_cut, bic_score, simplified_silhouette

SEEDED_IDS = {"delivery", "communication", "listening", "support", "strategic-alignment", "skills",
              "trust", "value", "tools", "security", "praise"}

OBVIOUS = {
    "The ERP rollout was delivered eight months late and far over budget.": "delivery",
    "I waited five days for the service desk to answer my ticket.": "support",
    "My VPN login fails and I cannot get access to the shared folder.": "security",
    "We pay a fortune in IT recharges and get little value for money.": "value",
    "Nobody trained us on the new system before it went live.": "skills",
    "Thank you to the whole IT team for their brilliant work this year.": "praise",
}
UNRELATED = [
    "The canteen has run out of vegetarian lunches again.",
    "The canteen lunches are cold and the vegetarian option is always gone.",
    "Vegetarian food in the canteen is poor and runs out by noon.",
    "Lunch in the staff canteen is overpriced and the salad bar is empty.",
]


# -- taxonomy -------------------------------------------------------------------------------------
def test_default_taxonomy_loads_with_the_design_themes_and_seed_phrasings():
    assert set(DEFAULT_THEMES.ids) == SEEDED_IDS
    assert all(len(theme.examples) >= 5 and theme.description for theme in DEFAULT_THEMES.themes)
    assert 0 < DEFAULT_THEMES.threshold < 1
    assert load_taxonomy() == DEFAULT_THEMES


@pytest.mark.parametrize("themes, message", [
    ([{"id": "a", "name": "A"}, {"id": "a", "name": "B"}], "Duplicate"),
    ([{"id": "Not A Slug", "name": "A"}], "slug"),
    ([{"id": "a", "name": " "}], "no name"),
])
def test_malformed_taxonomies_are_rejected(themes, message):
    with pytest.raises(TaxonomyError, match=message):
        Taxonomy.from_dict({"themes": themes})


def test_taxonomy_is_immutable_and_curation_returns_new_objects():
    renamed = DEFAULT_THEMES.rename("support", "Help desk")
    assert renamed.get("support").name == "Help desk"
    assert DEFAULT_THEMES.get("support").name == "Support and service desk"
    assert renamed.version == DEFAULT_THEMES.version + 1
    with pytest.raises(TypeError):
        renamed.overrides["x"] = "support"  # type: ignore[index]


def test_merge_keeps_the_target_id_and_aliases_the_retired_ones():
    moved = DEFAULT_THEMES.move_unit("unit-1", "listening")
    merged = moved.merge(["listening"], into_id="communication")
    assert "listening" not in merged.ids
    assert merged.get("listening").id == "communication"
    assert merged.overrides["unit-1"] == "communication"
    assert set(DEFAULT_THEMES.get("listening").examples) <= set(merged.get("communication").examples)
    with pytest.raises(TaxonomyError):
        merged.merge(["communication"], into_id="communication")


def test_split_adds_a_theme_with_a_content_id_and_moves_the_named_units():
    split = DEFAULT_THEMES.split("tools", "Printers", ["The printer is jammed again."], ["key-7"])
    assert split.ids[:-1] == DEFAULT_THEMES.ids
    assert split.ids[-1] == "printers"
    assert split.overrides == {"key-7": "printers"}
    again = split.split("tools", "Printers", ["Printing fails."])
    assert again.ids[-1] == "printers-2"


def test_every_curation_step_survives_a_json_round_trip():
    curated = (
        DEFAULT_THEMES.rename("value", "Cost and value", "What IT costs.")
        .merge(["praise"], into_id="trust")
        .split("tools", "Laptops", ["My laptop is slow."], ["k1"])
        .move_unit("k2", "security")
        .dismiss("emerging-canteen-lunch", "Canteen", ["The canteen is closed."])
        .add_theme("Sustainability", ["Servers waste energy."])
    )
    restored = Taxonomy.from_json(curated.to_json())
    assert restored == curated
    assert json.loads(restored.to_json()) == json.loads(curated.to_json())
    assert pickle.loads(pickle.dumps(curated)) == curated
    assert restored.get("emerging-canteen-lunch").status == "dismissed"
    assert restored.resolve("praise") == "trust"


def test_curation_rejects_unknown_themes():
    with pytest.raises(TaxonomyError):
        DEFAULT_THEMES.rename("no-such-theme", "x")
    with pytest.raises(TaxonomyError):
        DEFAULT_THEMES.move_unit("k", "no-such-theme")
    with pytest.raises(TaxonomyError):
        DEFAULT_THEMES.dismiss("emerging-x")


# -- clustering ------------------------------------------------------------------------------------
@pytest.mark.parametrize("centers", [3, 6, 12])
def test_clusterer_chooses_the_number_of_blobs_itself(centers):
    vectors, truth = make_blobs(n_samples=60 * centers, centers=centers, n_features=16,
                                cluster_std=1.0, center_box=(-10, 10), random_state=centers)
    clusterer = ConcernClusterer(random_state=0).fit(vectors)
    # The cut prefers the finer of near-equal silhouettes, so one blob may come out in two parts.
    assert centers <= clusterer.n_clusters_ <= centers + 1
    assert homogeneity_score(truth, clusterer.labels_) > 0.99
    assert adjusted_rand_score(truth, clusterer.labels_) > 0.9
    assert (clusterer.labels_ == -1).mean() < 0.05


def test_clusterer_merges_many_micro_clusters_into_few_pure_clusters():
    vectors, truth = make_blobs(n_samples=600, centers=4, n_features=16, cluster_std=1.0, random_state=4)
    clusterer = ConcernClusterer(random_state=0).fit(vectors)
    assert clusterer.n_micro_clusters_ >= 40
    # Ward heights grow with cluster size, so a large blob may come out in two parts, never mixed.
    assert 4 <= clusterer.n_clusters_ <= 6
    assert homogeneity_score(truth, clusterer.labels_) > 0.99


@pytest.mark.parametrize("n_points, width", [(200, 32), (1500, 384)])
def test_clusterer_invents_no_clusters_in_structureless_noise(n_points, width):
    vectors = np.random.default_rng(0).normal(size=(n_points, width)).astype(np.float32)
    assert ConcernClusterer(random_state=0).fit(vectors).n_clusters_ <= 2


def test_more_of_the_same_comments_does_not_give_more_clusters():
    # Overlapping blobs: the BIC gain of finer cuts grows with the volume, its penalty only with log n.
    vectors, _ = make_blobs(n_samples=1200, centers=24, n_features=16, cluster_std=6.0,
                            center_box=(-10, 10), random_state=3)
    micro = KMeans(80, n_init=1, random_state=0).fit(vectors)
    tree = ward(micro.cluster_centers_)
    eight_times, eight_labels = np.vstack([vectors] * 8), np.tile(micro.labels_, 8)

    def chosen_k(points, labels, reference):
        return int(_best_bic_cut(tree, labels, points, None, reference).max()) + 1

    assert chosen_k(eight_times, eight_labels, None) > chosen_k(vectors, micro.labels_, None) + 5
    assert chosen_k(eight_times, eight_labels, 1200) == chosen_k(vectors, micro.labels_, 1200) \
        == chosen_k(vectors, micro.labels_, None)


def test_bic_below_the_reference_volume_is_plain_bic():
    vectors, truth = make_blobs(n_samples=300, centers=4, n_features=8, random_state=0)
    assert bic_score(vectors, truth, reference_points=300) == bic_score(vectors, truth)
    assert bic_score(vectors, truth, reference_points=5000) == bic_score(vectors, truth)
    assert bic_score(vectors, truth, reference_points=100) != bic_score(vectors, truth)


def test_simplified_silhouette_ranks_cuts_like_the_full_silhouette():
    vectors, truth = make_blobs(n_samples=300, centers=5, n_features=8, cluster_std=1.5, random_state=5)
    merged = np.where(truth == 4, 3, truth)  # two blobs glued together
    noise = np.random.default_rng(0).integers(0, 5, len(truth))
    ours = [simplified_silhouette(vectors, labels) for labels in (truth, merged, noise)]
    full = [silhouette_score(vectors, labels) for labels in (truth, merged, noise)]
    assert ours[0] > ours[1] > ours[2] and full[0] > full[1] > full[2]
    assert abs(ours[2]) < 0.1


def test_simplified_silhouette_scores_undersized_clusters_as_zero():
    vectors, truth = make_blobs(n_samples=63, centers=[[0, 0], [10, 0], [0, 10]], random_state=0)
    assert np.bincount(truth).min() == 21
    tiny = np.flatnonzero(truth == 2)[:3]
    vectors, truth = np.vstack([vectors[truth < 2], vectors[tiny]]), np.r_[truth[truth < 2], [2, 2, 2]]
    # A well-separated three-point cluster raises the score unless it counts as noise to be.
    assert simplified_silhouette(vectors, truth, min_size=5) < simplified_silhouette(vectors, truth, 1)
    assert simplified_silhouette(vectors, np.zeros(60, dtype=int)) == 0.0


def test_a_tighter_merge_threshold_gives_more_clusters():
    vectors, _ = make_blobs(n_samples=900, centers=30, n_features=16, cluster_std=2.5, random_state=7)
    counts = [ConcernClusterer(merge_threshold=threshold, random_state=0).fit(vectors).n_clusters_
              for threshold in (1.0, 3.0)]
    assert counts[0] > counts[1]


def test_clusterer_respects_max_clusters():
    vectors, _ = make_blobs(n_samples=600, centers=20, n_features=16, cluster_std=0.5, random_state=2)
    clusterer = ConcernClusterer(max_clusters=8, min_cluster_size=1, random_state=0).fit(vectors)
    assert clusterer.n_clusters_ == 8


def test_clusterer_is_deterministic_for_a_random_state():
    vectors, _ = make_blobs(n_samples=400, centers=5, n_features=8, cluster_std=2.5, random_state=1)
    first = ConcernClusterer(random_state=3).fit(vectors).labels_
    second = ConcernClusterer(random_state=3).fit(vectors).labels_
    assert np.array_equal(first, second)


def test_clusterer_treats_too_few_points_as_noise():
    clusterer = ConcernClusterer(min_cluster_size=5).fit(np.eye(3))
    assert clusterer.n_clusters_ == 0
    assert list(clusterer.labels_) == [-1, -1, -1]


def test_describe_clusters_gives_key_phrases_and_quotes_that_do_not_repeat_each_other():
    texts = ["printer jammed again", "the printer is jammed", "printer jammed on floor two",
             "paper jam in the printer", "vpn drops hourly", "vpn connection drops", "the vpn keeps dropping"]
    labels = np.array([0, 0, 0, 0, 1, 1, 1])
    vectors = LexicalEmbedder(n_components=4).embed(texts)
    summaries = describe_clusters(texts, labels, vectors)
    assert [s.size for s in summaries] == [4, 3]
    printer, vpn = summaries
    assert "printer" in printer.key_phrases[0] and "vpn" in vpn.key_phrases[0]
    assert printer.id.startswith("emerging-printer")
    # "printer jammed again" and "the printer is jammed" say the same thing: one quote for both.
    assert 1 <= len(printer.quotes) <= 3 and set(printer.quotes) <= set(texts[:4])
    assert sum(printer.quote_like_it) + len(printer.quotes) == 4


# -- assignment with the real model -----------------------------------------------------------------
@pytest.mark.slow
def test_obvious_sentences_land_in_their_seeded_theme_with_confidence(semantic_embedder):
    texts = list(OBVIOUS)
    assignment = assign_themes(semantic_embedder.embed(texts), DEFAULT_THEMES, semantic_embedder)
    assert list(assignment.theme_ids) == list(OBVIOUS.values())
    assert (assignment.confidence > 0.5).all()
    assert (assignment.scores >= DEFAULT_THEMES.threshold).all()


@pytest.mark.slow
def test_unrelated_text_is_unassigned_and_proposed_as_an_emerging_theme(semantic_embedder):
    texts = [*OBVIOUS, *UNRELATED]
    vectors = semantic_embedder.embed(texts)
    assignment = assign_themes(vectors, DEFAULT_THEMES, semantic_embedder)
    assert assignment.theme_ids[len(OBVIOUS):] == (None,) * len(UNRELATED)
    labels = cluster_concerns(texts, DEFAULT_THEMES, vectors=vectors)
    assert labels[: len(OBVIOUS)] == list(OBVIOUS.values())
    emerging = set(labels[len(OBVIOUS):])
    assert len(emerging) == 1 and emerging.pop().startswith("emerging-canteen")


@pytest.mark.slow
def test_ids_are_stable_across_runs_and_curation(semantic_embedder):
    texts = [*OBVIOUS, *UNRELATED]
    vectors = semantic_embedder.embed(texts)
    first = cluster_concerns(texts, DEFAULT_THEMES, vectors=vectors)
    assert cluster_concerns(texts, DEFAULT_THEMES, vectors=vectors) == first
    proposals = discover_proposals(texts, vectors, DEFAULT_THEMES, semantic_embedder)
    assert [p.id for p in proposals] == [first[-1]]
    # Renaming, reordering or adding themes never changes existing ids.
    reordered = Taxonomy(tuple(reversed(DEFAULT_THEMES.themes)), DEFAULT_THEMES.threshold)
    curated = accept_proposal(reordered.rename("support", "Help desk"), proposals[0], name="Canteen")
    again = cluster_concerns(texts, curated, vectors=vectors)
    assert again == first
    assert curated.get(first[-1]).name == "Canteen"


@pytest.mark.slow
def test_dismissed_proposals_are_not_proposed_again(semantic_embedder):
    texts = [*OBVIOUS, *UNRELATED]
    vectors = semantic_embedder.embed(texts)
    proposal, = discover_proposals(texts, vectors, DEFAULT_THEMES, semantic_embedder)
    curated = dismiss_proposal(DEFAULT_THEMES, proposal)
    labels = cluster_concerns(texts, curated, vectors=vectors)
    assert labels[len(OBVIOUS):] == [UNASSIGNED] * len(UNRELATED)
    assert discover_proposals(texts, vectors, curated, semantic_embedder) == []


@pytest.mark.slow
def test_moving_a_unit_overrides_its_assignment(semantic_embedder):
    texts = list(OBVIOUS)
    curated = DEFAULT_THEMES.move_unit(text_key(texts[0]), "trust")
    labels = cluster_concerns(texts, curated, vectors=semantic_embedder.embed(texts))
    assert labels[0] == "trust" and labels[1:] == list(OBVIOUS.values())[1:]


SMALL_SURVEY = {
    "vpn": ["The VPN drops every hour.", "I cannot connect to the VPN from home.",
            "VPN connections fail every morning.", "The VPN is too slow to work remotely.",
            "Remote access through the VPN keeps disconnecting.", "The VPN client crashes on my laptop."],
    "printer": ["The printer on our floor is jammed again.", "Printing to the shared printer fails.",
                "The printer keeps running out of toner.", "Our printer queue is stuck every day.",
                "Nobody fixes the broken printer.", "The new printers cannot scan to e-mail."],
    "canteen": ["The canteen food is cold.", "Canteen lunches are overpriced.",
                "The canteen runs out of vegetarian meals.", "The staff canteen closes too early.",
                "The canteen menu never changes.", "Lunch in the canteen is poor value."],
    "training": ["Nobody trained us on the new CRM.", "We need training before go-live.",
                 "The CRM training was cancelled twice.", "New staff get no system training.",
                 "Training on the reporting tool was far too short.",
                 "Please run refresher training on the ERP."],
}


@pytest.mark.slow
def test_discovery_on_a_small_survey_finds_its_few_topics(semantic_embedder):
    texts = [text for topic in SMALL_SURVEY.values() for text in topic]
    truth = [topic for topic, group in SMALL_SURVEY.items() for _ in group]
    labels = cluster_concerns(texts, vectors=semantic_embedder.embed(texts))
    assert 3 <= len(set(labels) - {UNASSIGNED}) <= 5
    assert labels.count(UNASSIGNED) <= 3
    assert adjusted_rand_score(truth, labels) > 0.7


@pytest.mark.slow
def test_split_by_subclusters_carves_out_a_coherent_part(semantic_embedder):
    texts = ["The printer on floor two is jammed.", "Printing to the shared printer fails.",
             "The printer keeps running out of toner.", "The printer queue is stuck again.",
             "Outlook crashes every morning.", "My e-mail client freezes when I open Outlook.",
             "Outlook is slow to load my mailbox.", "Outlook keeps crashing on startup."]
    curated = split_by_subclusters(DEFAULT_THEMES, "tools", texts, semantic_embedder.embed(texts))
    new_theme: Theme = curated.themes[-1]
    assert len(curated.themes) == len(DEFAULT_THEMES.themes) + 1
    assert len(curated.overrides) == 4 and set(curated.overrides.values()) == {new_theme.id}
    assert "tools" in curated.ids
