"""Lexical stacking on the sentiment encoder's logits (issue 12 experiment).

``python -m eval.experiments.sentiment_lexical_stack DATA [--max-rows 1000] [--real-sample 2000]``

A TF-IDF word uni/bigram logistic regression is trained on the encoder's own training rows (the
training manifest's sources, each weighted by its ``repeat`` and classes balanced; dev and test
rows are never read by it) over :func:`nlp.sentiment.encoder.canonical_text`, lower-cased. Its
three decision values are stacked next to the shipped adapter's three head logits in the
calibrated head of :mod:`nlp.sentiment.training.calibrate`, fitted on the same dev rows with the
same 5-fold out-of-fold objective and class-bias choice. The script prints, for the logits alone
and for each stacking scale, the out-of-fold dev objective; then, for the best scale, the test
figures of both heads (TweetEval macro recall, accuracy elsewhere; the real sets as the seeded
sample ``python -m eval.sentiment --real-sample`` reads) with exact McNemar p-values, and Pearson r
on the held-out half of the VADER tweets (blend chosen on the training half, as calibrate does).
Test rows are read only after the choice, to report it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.stats import binomtest, pearsonr
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, recall_score
from sklearn.pipeline import make_pipeline

from nlp.sentiment.encoder import SentimentLogits, canonical_text
from nlp.sentiment.features import lexical_features
from nlp.sentiment.model import SentimentModel
from nlp.sentiment.training.calibrate import (
    CACHE_DIR,
    HARD_FILE,
    balanced_weights,
    calibration_rows,
    choose_bias,
    dev_objective,
    out_of_fold_proba,
)
from nlp.sentiment.training.corpus import LABELS, cached_embeddings, read_domain_set, read_public_file
from nlp.sentiment.training.real_corpus import read_real_set, sample_rows
from nlp.sentiment.training.real_voices import DEFAULT_DATA_DIR, class_weights, read_manifest, read_source

SCALES = (0.25, 0.5, 1.0, 2.0)
TEST_SETS = ("tweeteval-test", "dynasent-r1-test", "dynasent-r2-test", "fpb-allagree")


def lexical_text(text: str) -> str:
    """What the lexical model reads: the encoder's canonical text, lower-cased."""
    return canonical_text(text).lower()


def train_lexical(data_dir: Path, C: float = 1.0):
    """TF-IDF + logistic regression on the manifest's training sources (repeat = sample weight)."""
    manifest = read_manifest()
    texts: list[str] = []
    gold: list[int] = []
    weights: list[float] = []
    for source in manifest["sources"]:
        rows = read_source(source, data_dir)
        texts += rows.texts
        gold += [LABELS.index(label) for label in rows.labels]
        weights += [float(source.get("repeat", 1))] * len(rows.texts)
    gold_array = np.array(gold)
    weight_array = np.array(weights) * class_weights(gold_array, 1.0)[gold_array]
    model = make_pipeline(
        TfidfVectorizer(preprocessor=lexical_text, ngram_range=(1, 2), min_df=2, sublinear_tf=True,
                        token_pattern=r"(?u)\b\w[\w']*\b"),
        LogisticRegression(C=C, max_iter=3000))
    model.fit(texts, gold_array, logisticregression__sample_weight=weight_array)
    print(f"lexical model: {len(texts)} training rows, {len(model[0].vocabulary_)} n-grams, C={C}",
          flush=True)
    return model


def stacked(logits: np.ndarray, lexical_model, texts, scale: float) -> np.ndarray:
    """Encoder logits next to ``scale`` times the lexical model's decision values."""
    if scale == 0:
        return logits
    return np.hstack([logits, scale * lexical_model.decision_function(list(texts))]).astype(np.float32)


def dev_choice(sources, logits, lexical_model, scale: float) -> tuple[float, tuple, float]:
    """(objective, class bias, objective without bias) out of fold on the dev rows."""
    texts = [text for rows in sources.values() for text in rows.texts]
    labels = [label for rows in sources.values() for label in rows.labels]
    model = SentimentModel(text_features="head_logits", C=1.0, lexical_weight=0.0)
    vectors = stacked(logits, lexical_model, texts, scale)
    proba = out_of_fold_proba(model, texts, labels, vectors, lexical_features(texts),
                              balanced_weights(sources))
    model.classes_ = np.array(LABELS)
    unbiased = dev_objective(sources, model.labels_from_proba(proba))
    objective, bias = choose_bias(model, sources, proba)
    return objective, bias, unbiased


def fitted_head(sources, logits, lexical_model, scale: float, bias) -> SentimentModel:
    texts = [text for rows in sources.values() for text in rows.texts]
    labels = [label for rows in sources.values() for label in rows.labels]
    model = SentimentModel(text_features="head_logits", C=1.0, lexical_weight=0.0, class_bias=bias)
    vectors = stacked(logits, lexical_model, texts, scale)
    return model.fit(model.features(texts, vectors), labels, balanced_weights(sources))


def test_sets(data_dir: Path, real_sample: int) -> dict:
    """The test rows reported on (the real sets as the seeded sample eval.sentiment reads)."""
    sets = {name: sample_rows(read_real_set(data_dir, name), real_sample) for name in TEST_SETS}
    sets["domain-test"] = read_domain_set("test")
    sets["hard-test"] = read_domain_set("test", HARD_FILE)
    return sets


def metric_name(name: str) -> str:
    return "macro recall" if name.startswith("tweeteval") else "accuracy"


def figure(name: str, gold: np.ndarray, predicted: np.ndarray) -> float:
    """TweetEval's leaderboard metric (macro recall) or accuracy."""
    if name.startswith("tweeteval"):
        return float(recall_score(gold, predicted, average="macro"))
    return float(accuracy_score(gold, predicted))


def compare_on_tests(data_dir: Path, real_sample: int, heads: dict, lexical_model, scale: float) -> None:
    """Each head's figure per test set, the rows only one of them gets right, exact McNemar p."""
    for name, rows in test_sets(data_dir, real_sample).items():
        texts, gold = list(rows.texts), np.array(rows.labels)
        logits = cached_embeddings(texts, name, CACHE_DIR, embedder=SentimentLogits())
        predicted = {}
        for label, (head, head_scale) in heads.items():
            vectors = stacked(logits, lexical_model, texts, head_scale)
            predicted[label] = np.asarray(head.predict(head.features(texts, vectors)))
        (a, first), (b, second) = predicted.items()
        only_a = int(np.sum((first == gold) & (second != gold)))
        only_b = int(np.sum((first != gold) & (second == gold)))
        p = binomtest(only_b, only_a + only_b).pvalue if only_a + only_b else 1.0
        print(f"test {name} ({len(gold)} rows, {metric_name(name)}): {a} {figure(name, gold, first):.4f},"
              f" {b} {figure(name, gold, second):.4f}; only {a} right {only_a}, only {b} right"
              f" {only_b}; exact McNemar p {p:.3f}", flush=True)


def vader_tweets_r(data_dir: Path, head: SentimentModel, lexical_model, scale: float, max_rows: int) -> float:
    """Blend chosen on the tweets' training half (lexical columns included), r on the held-out half."""
    from eval.sentiment import heldout_rows, heldout_vectors

    train = sample_rows(read_public_file(data_dir, "tweets", part="train"), max_rows)
    train_logits = cached_embeddings(train.texts, f"{train.name}", CACHE_DIR, embedder=SentimentLogits())
    components, proba = head.components_and_proba(
        head.features(list(train.texts), stacked(train_logits, lexical_model, train.texts, scale)))
    best = max((pearsonr(head.set_params(vader_weight=float(w), score_gain=g).blended_scores(
        components, proba), train.ratings)[0], float(w), g)
               for w in np.round(np.arange(0, 1.01, 0.1), 2) for g in (1.0, 1.25, 1.5, 2.0, 2.5, 3.0))
    head.set_params(vader_weight=best[1], score_gain=best[2])
    texts, ratings = heldout_rows(data_dir, "tweets", max_rows)
    logits = heldout_vectors(data_dir, "tweets", texts, CACHE_DIR, SentimentLogits())
    X = head.features(texts, stacked(logits, lexical_model, texts, scale))
    scores = np.clip(head.sentiment_scores(X), -1, 1)
    return float(pearsonr(scores, ratings)[0])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--max-rows", type=int, default=1000, help="dev rows per real source (calibrate's)")
    parser.add_argument("--real-sample", type=int, default=2000, help="seeded sample of each real test set")
    parser.add_argument("--C", type=float, default=1.0, help="the lexical model's inverse regularisation")
    args = parser.parse_args(argv)
    lexical_model = train_lexical(args.data_dir, args.C)
    sources = calibration_rows(args.data_dir, HARD_FILE, args.max_rows)
    logits = np.vstack([cached_embeddings(rows.texts, name, CACHE_DIR, embedder=SentimentLogits())
                        for name, rows in sources.items()])
    print(f"encoder: {SentimentLogits().name}; dev rows {({n: len(r.texts) for n, r in sources.items()})}")
    choices = {}
    for scale in (0.0, *SCALES):
        objective, bias, unbiased = dev_choice(sources, logits, lexical_model, scale)
        choices[scale] = (objective, bias)
        print(f"scale {scale}: out-of-fold dev objective {objective:.4f} (bias {bias}; "
              f"{unbiased:.4f} unbiased)", flush=True)
    scale = max(SCALES, key=lambda s: choices[s][0])
    print(f"chosen on dev: scale {scale} ({choices[scale][0]:.4f}) vs logits alone ({choices[0.0][0]:.4f})")
    heads = {"logits": (fitted_head(sources, logits, lexical_model, 0.0, choices[0.0][1]), 0.0),
             "stacked": (fitted_head(sources, logits, lexical_model, scale, choices[scale][1]), scale)}
    compare_on_tests(args.data_dir, args.real_sample, heads, lexical_model, scale)
    for label, (head, head_scale) in heads.items():
        r = vader_tweets_r(args.data_dir, head, lexical_model, head_scale, args.max_rows)
        print(f"VADER tweets held-out Pearson r, {label}: {r:.4f}")


if __name__ == "__main__":
    main()
