"""Choose the score blend by cross-validation on training data: ``python -m nlp.sentiment.tuning``.

Every training row (domain ``train`` split plus the public training halves) gets out-of-fold score
components (classifier, ridge regression, VADER) from a stratified k-fold; the blend weights are
then picked on a grid by out-of-fold domain 3-class accuracy plus out-of-fold Pearson r on tweets.
Nothing held out (domain ``test``, public held-out halves) is read.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlp.sentiment.model import SentimentModel
from nlp.sentiment.train import (
    DEFAULT_CACHE_DIR,
    DEFAULT_DATA_DIR,
    MODEL_PARAMS,
    SEED,
    TRAINING_PUBLIC,
    TrainingSet,
    load_training_set,
)


@dataclass(frozen=True)
class BlendResult:
    """Out-of-fold quality of one blend: weights (classifier, regression, VADER), gain and figures."""

    weights: tuple[float, float, float]
    gain: float
    domain_accuracy: float
    pearson: dict[str, float]

    @property
    def objective(self) -> float:
        """What the grid maximises: domain accuracy plus Pearson r on tweets."""
        return self.domain_accuracy + self.pearson.get("tweets", 0.0)


def _rows(training: TrainingSet, index: np.ndarray) -> dict:
    return {"texts": [training.texts[i] for i in index], "vectors": training.vectors[index],
            "lexical": training.lexical[index]}


def out_of_fold_components(training: TrainingSet, params: dict, folds: int = 5) -> np.ndarray:
    """Score components of every training row from a model that did not see it, shape ``(n, 3)``.

    Parameters
    ----------
    training
        The training rows (see :func:`nlp.sentiment.train.load_training_set`).
    params
        :class:`~nlp.sentiment.model.SentimentModel` arguments.
    folds
        Number of folds, stratified by source and label.
    """
    from sklearn.model_selection import StratifiedKFold

    strata = [f"{source}:{label}" for source, label in zip(training.sources, training.labels, strict=True)]
    components = np.zeros((len(training.texts), 3))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for fit_index, score_index in splitter.split(np.zeros(len(strata)), strata):
        fit_rows = _rows(training, fit_index)
        model = SentimentModel(**{**params, "random_state": SEED}).fit(
            fit_rows["texts"], [training.labels[i] for i in fit_index], vectors=fit_rows["vectors"],
            sample_weight=training.weights[fit_index], lexical=fit_rows["lexical"],
            targets=training.targets[fit_index])
        components[score_index] = model.score_components(**_rows(training, score_index))
    return components


def three_class_from_scores(scores: np.ndarray) -> np.ndarray:
    """Negative / neutral / positive as :func:`nlp.sentiment.sentiment_label` collapses them."""
    return np.where(scores < -0.2, "negative", np.where(scores > 0.2, "positive", "neutral"))


def _pearson(scores: np.ndarray, targets: np.ndarray, rows: np.ndarray) -> float:
    return float(np.corrcoef(scores[rows], targets[rows])[0, 1])


def evaluate_blends(components: np.ndarray, training: TrainingSet, step: float = 0.1,
                    gains: tuple[float, ...] = (0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5)) -> list[BlendResult]:
    """Out-of-fold figures of every blend on a grid of ``step`` and every gain, best objective first."""
    sources = np.array(training.sources)
    domain = sources == "domain"
    labels = np.array(training.labels)
    grid = np.round(np.arange(0.0, 1.0 + step / 2, step), 6)
    results = []
    for regression in grid:
        for vader in grid[grid <= 1.0 - regression + 1e-9]:
            weights = (float(1.0 - regression - vader), float(regression), float(vader))
            for gain in gains:
                scores = np.clip(gain * (components @ np.array(weights)), -1, 1)
                accuracy = float(np.mean(three_class_from_scores(scores[domain]) == labels[domain]))
                pearson = {name: _pearson(scores, training.targets, sources == name)
                           for name in sorted(set(training.sources) - {"domain"})}
                results.append(BlendResult(weights, gain, accuracy, pearson))
    return sorted(results, key=lambda result: -result.objective)


def main(argv: list[str] | None = None) -> None:
    """Print the out-of-fold figures of the best blends for one model kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=sorted(MODEL_PARAMS), default="semantic")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--C", type=float, default=None, help="override the model's C")
    parser.add_argument("--public", nargs="*", default=list(TRAINING_PUBLIC), help="public files to use")
    parser.add_argument("--top", type=int, default=8)
    args = parser.parse_args(argv)
    training = load_training_set(args.data_dir, args.cache_dir, public_names=tuple(args.public))
    params = {**MODEL_PARAMS[args.kind], **({"C": args.C} if args.C else {})}
    cache = args.cache_dir / f"oof-{args.kind}-{'-'.join(args.public)}-C{params['C']}.npy"
    if cache.exists():
        components = np.load(cache)
    else:
        components = out_of_fold_components(training, params)
        np.save(cache, components)
    print(f"{args.kind} {params}: {len(training.texts)} training rows, 5-fold out-of-fold figures")
    for result in evaluate_blends(components, training)[: args.top]:
        pearson = " ".join(f"{name} {value:.3f}" for name, value in result.pearson.items())
        weights = "/".join(f"{weight:.1f}" for weight in result.weights)
        print(f"  weights clf/reg/vader {weights} gain {result.gain:.2f}"
              f"  domain acc {result.domain_accuracy:.3f}  r: {pearson}")


if __name__ == "__main__":
    main()
