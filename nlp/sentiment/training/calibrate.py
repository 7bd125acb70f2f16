"""Fit the shipped semantic model on dev rows: ``python -m nlp.sentiment.training.calibrate [DATA_DIR]``.

Model 2 reads only the three logits of the sentiment encoder (``text_features="head_logits"``,
lexical weight 0), so its label depends on the encoder's tokens of the canonical text alone
(:func:`nlp.sentiment.encoder.canonical_text`): letter case, whitespace and the final stop cannot
change it. The logistic regression over the logits is fitted on dev rows the encoder never trained
on (TweetEval val, the ``devselect`` halves of DynaSent round-1 and round-2 dev, the domain and
hard-shape ``dev`` rows at the commit the training manifest pins), each source's classes balanced
and the sources weighted equally. The class bias is chosen on 5-fold out-of-fold predictions of
those rows: the one with the best objective (mean of TweetEval val macro recall and the other sets'
accuracy) minus the mean over sources of the largest gap between a class's predicted and gold
share, weighted one to one (a point of share gap costs as much as a point of accuracy; issue 12
targets both). The continuous score blends
``P(positive) - P(negative)`` with VADER's compound; the blend and gain are chosen by Pearson r on
the training half of the VADER tweets file (its held-out half is evaluated).
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import numpy as np
from scipy.stats import pearsonr
from sklearn.metrics import accuracy_score, recall_score
from sklearn.model_selection import StratifiedKFold

from nlp.sentiment.encoder import SentimentLogits
from nlp.sentiment.features import lexical_features
from nlp.sentiment.model import SentimentModel
from nlp.sentiment.storage import SHIPPED_MODELS, save_model
from nlp.sentiment.training.corpus import (
    DOMAIN_SET,
    LABELS,
    LabelledTexts,
    cached_embeddings,
    read_domain_set,
    read_public_file,
)
from nlp.sentiment.training.real_corpus import read_real_set, sample_rows
from nlp.sentiment.training.real_voices import MANIFEST_PATH, file_at_commit, read_manifest

REPO_ROOT = Path(__file__).resolve().parents[3]
CACHE_DIR = REPO_ROOT / "eval" / "out" / "sentiment"
HARD_FILE = REPO_ROOT / "nlp" / "data" / "sentiment" / "domain_hard.csv"
DEV_SETS = ("tweeteval-val", "dynasent-r1-devselect", "dynasent-r2-devselect")
BIASES = np.round(np.arange(-0.6, 0.61, 0.1), 2)
BLENDS = np.round(np.arange(0.0, 1.01, 0.1), 2)
BLEND_FILES = ("tweets",)
GAINS = (1.0, 1.25, 1.5, 2.0, 2.5, 3.0)
#: How much a point of mean largest share gap costs in the bias choice, in points of dev objective.
SHARE_GAP_WEIGHT = 1.0


def as_pinned(path: Path, manifest: dict) -> Path:
    """``path``, a domain set of this repository, as the manifest's sources pin it (the file at the
    commit they name, checked by digest): the shipped head is then refitted on the dev rows it was
    fitted on, whatever rows were added since. ``path`` itself when no source pins it."""
    try:
        relative = path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path
    for source in manifest["sources"]:
        if source.get("commit") and source["path"] == relative:
            return file_at_commit(source)
    return path


def calibration_rows(data_dir: Path, hard_path: Path | None, max_rows: int = 0,
                     manifest: dict | None = None) -> dict[str, LabelledTexts]:
    """The dev rows the classifier is fitted on, by source (a seeded sample of ``max_rows`` per source
    when given); the domain sets as ``manifest`` (the training manifest by default) pins them."""
    manifest = read_manifest() if manifest is None else manifest
    rows = {name: sample_rows(read_real_set(data_dir, name), max_rows) for name in DEV_SETS}
    rows["domain-dev"] = read_domain_set("dev", as_pinned(DOMAIN_SET, manifest))
    if hard_path is not None and hard_path.exists():
        rows["hard-dev"] = read_domain_set("dev", as_pinned(hard_path, manifest))
    return rows


def balanced_weights(sources: dict[str, LabelledTexts]) -> np.ndarray:
    """Per row: classes balanced within its source, every source the same total weight."""
    weights = []
    for rows in sources.values():
        labels = np.array(rows.labels)
        counts = {label: np.sum(labels == label) for label in LABELS}
        weights += [1.0 / (len(LABELS) * counts[label]) for label in labels]
    return np.array(weights) * len(weights) / len(sources)


def source_figures(sources: dict[str, LabelledTexts], predicted: np.ndarray) -> dict[str, float]:
    """Per source: TweetEval macro recall, accuracy for the others."""
    figures, start = {}, 0
    for name, rows in sources.items():
        part = predicted[start:start + len(rows.texts)]
        start += len(rows.texts)
        if name.startswith("tweeteval"):
            figures[name] = float(recall_score(rows.labels, part, average="macro"))
        else:
            figures[name] = float(accuracy_score(rows.labels, part))
    return figures


def dev_objective(sources: dict[str, LabelledTexts], predicted: np.ndarray) -> float:
    """Mean over sources of TweetEval macro recall / accuracy of the others."""
    return float(np.mean(list(source_figures(sources, predicted).values())))


def out_of_fold_proba(model: SentimentModel, texts: list[str], labels: list[str], logits: np.ndarray,
                      lexical: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """5-fold out-of-fold class probabilities."""
    proba = np.zeros((len(texts), len(LABELS)))
    X = model.features(texts, logits, lexical)
    for fit, held in StratifiedKFold(5, shuffle=True, random_state=0).split(logits, labels):
        fold = SentimentModel(**model.get_params()).fit(X[fit], [labels[i] for i in fit], weights[fit])
        proba[held] = fold.predict_proba(X[held])
    return proba


def mean_share_gap(sources: dict[str, LabelledTexts], predicted: np.ndarray) -> float:
    """Mean over sources of the largest gap between a class's predicted and gold share."""
    gaps, start = [], 0
    for rows in sources.values():
        part, gold = predicted[start:start + len(rows.texts)], np.array(rows.labels)
        start += len(rows.texts)
        gaps.append(max(abs(np.mean(part == label) - np.mean(gold == label)) for label in LABELS))
    return float(np.mean(gaps))


def choose_bias(model: SentimentModel, sources: dict[str, LabelledTexts], proba: np.ndarray) -> tuple:
    """(objective, bias): the class bias (negative, neutral; positive fixed at 0) with the best
    out-of-fold objective minus :data:`SHARE_GAP_WEIGHT` times :func:`mean_share_gap`, the smallest
    bias on ties."""
    scored = []
    for negative, neutral in itertools.product(BIASES, BIASES):
        model.class_bias = (float(negative), float(neutral), 0.0)
        predicted = model.labels_from_proba(proba)
        objective, gap = dev_objective(sources, predicted), mean_share_gap(sources, predicted)
        scored.append((round(objective - SHARE_GAP_WEIGHT * gap, 10), -(abs(negative) + abs(neutral)),
                       objective, gap, model.class_bias))
    best = max(objective for *_, objective, _, _ in scored)
    score, _, objective, gap, bias = max(scored)
    print(f"class bias {bias}: objective {objective:.4f} (best {best:.4f}), mean largest share gap "
          f"{gap * 100:.1f} points, objective - {SHARE_GAP_WEIGHT} x gap {score:.4f}", flush=True)
    model.class_bias = bias
    by_source = source_figures(sources, model.labels_from_proba(proba))
    shown = ", ".join(f"{name} {figure:.4f}" for name, figure in by_source.items())
    print(f"  by source: {shown}", flush=True)
    return objective, bias


def choose_blend(model: SentimentModel, data_dir: Path, cache_dir: Path,
                 names: tuple[str, ...] = BLEND_FILES, max_rows: int = 0) -> tuple[float, float, float]:
    """(vader weight, gain, mean r) maximising Pearson r on the VADER files' training halves."""
    public = [sample_rows(read_public_file(data_dir, name, part="train"), max_rows) for name in names]
    parts = []
    for rows in public:
        logits = cached_embeddings(rows.texts, f"{rows.name}", cache_dir, embedder=SentimentLogits())
        parts.append((rows, *model.components_and_proba(model.features(list(rows.texts), logits))))
    best = (-1.0, 0.0, 1.0)
    for vader_weight, gain in itertools.product(BLENDS, GAINS):
        model.set_params(vader_weight=float(vader_weight), score_gain=gain)
        rs = [pearsonr(model.blended_scores(components, proba), rows.ratings)[0]
              for rows, components, proba in parts]
        best = max(best, (float(np.mean(rs)), float(vader_weight), gain))
    print(f"blend: VADER weight {best[1]}, gain {best[2]}: mean r on the training halves of {names} "
          f"{best[0]:.3f}", flush=True)
    return best[1], best[2], best[0]


def calibrate(data_dir: Path, hard_path: Path | None, out: Path, cache_dir: Path = CACHE_DIR,
              max_rows: int = 0, blend_files: tuple[str, ...] = BLEND_FILES,
              manifest: dict | None = None) -> SentimentModel:
    """Fit, choose bias and blend, write the model (the domain dev rows as ``manifest``, the training
    manifest by default, pins them)."""
    manifest = read_manifest() if manifest is None else manifest
    sources = calibration_rows(data_dir, hard_path, max_rows, manifest)
    texts = [text for rows in sources.values() for text in rows.texts]
    labels = [label for rows in sources.values() for label in rows.labels]
    logits = np.vstack([cached_embeddings(rows.texts, name, cache_dir, embedder=SentimentLogits())
                        for name, rows in sources.items()])
    lexical = lexical_features(texts)
    weights = balanced_weights(sources)
    model = SentimentModel(text_features="head_logits", C=1.0, lexical_weight=0.0)
    proba = out_of_fold_proba(model, texts, labels, logits, lexical, weights)
    model.classes_ = np.array(LABELS)  # the column order of out_of_fold_proba (sorted class names)
    unbiased = dev_objective(sources, model.labels_from_proba(proba))
    objective, bias = choose_bias(model, sources, proba)
    print(f"out of fold on {len(texts)} dev rows: objective {unbiased:.4f} without bias, {objective:.4f} "
          f"with class bias {bias}", flush=True)
    model = SentimentModel(text_features="head_logits", C=1.0, lexical_weight=0.0, class_bias=bias)
    model.fit(model.features(texts, logits, lexical), labels, weights)
    vader_weight, gain, public_r = choose_blend(model, data_dir, cache_dir, blend_files, max_rows)
    model.set_params(vader_weight=vader_weight, score_gain=gain)
    rows = {name: len(part.texts) for name, part in sources.items()}
    save_model(model, out, {"vectors": SentimentLogits().name, "rows": rows,
                            "out_of_fold_dev_objective": round(objective, 4),
                            "public_train_r": round(public_r, 4)})
    print(f"wrote {out}: {json.dumps(model.get_params())}")
    return model


def main(argv: list[str] | None = None) -> None:
    """Calibrate the shipped semantic model on dev rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=REPO_ROOT.parent / "shared" / "data")
    parser.add_argument("--hard", type=Path, default=HARD_FILE)
    parser.add_argument("--out", type=Path, default=SHIPPED_MODELS["semantic"])
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--max-rows", type=int, default=0,
                        help="fit on a seeded sample of this many rows per dev source (0: all)")
    parser.add_argument("--blend-files", nargs="+", default=list(BLEND_FILES))
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH,
                        help="training manifest: the domain dev rows as its sources pin them")
    args = parser.parse_args(argv)
    calibrate(args.data_dir, args.hard, args.out, args.cache_dir, args.max_rows, tuple(args.blend_files),
              read_manifest(args.manifest))


if __name__ == "__main__":
    main()
