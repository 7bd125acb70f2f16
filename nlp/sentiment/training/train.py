"""Train the shipped lexical fallback model: ``python -m nlp.sentiment.training.train [--data-dir DIR]``.

The shipped semantic model (model 2) reads only the sentiment encoder's logits and is fitted on dev
rows by :mod:`nlp.sentiment.training.calibrate` (``make sentiment-model`` runs both); ``--kinds
semantic`` still trains the model-1 design (general vectors + logits + n-grams) for comparison.

Training data: the ``train`` split of the labelled domain set (weighted up, it is what Rapport
scores; their sentiment-head logits are the cross-fitted ones of :mod:`nlp.sentiment.training.finetune`)
plus the training half of the four public human-rated files (see
:mod:`nlp.sentiment.training.corpus`). The domain ``test`` split and the public held-out halves are never
read here. Writes ``model_semantic.npz`` (embeddings + hashed n-grams + lexical features) and
``model_lexical.npz`` (hashed n-grams + lexical features) next to the training data, each with the
settings that ``python -m nlp.sentiment.training.tuning --write`` recorded in ``tuned.json`` (defaults below
if there are none).
Deterministic: fixed splits, a deterministic solver, fixed ``random_state``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nlp.errors import SentimentModelError
from nlp.sentiment.encoder import SentimentLogits
from nlp.sentiment.features import lexical_features
from nlp.sentiment.model import SentimentModel
from nlp.sentiment.storage import MODEL_DIR, SHIPPED_MODELS, save_model
from nlp.sentiment.training.corpus import (
    DEFAULT_CACHE_DIR,
    DOMAIN_SET,
    REPO_ROOT,
    cached_embeddings,
    public_split_mask,
    read_domain_set,
    read_public_file,
)

DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"
SEED = 0
#: Public files trained on (their training halves only). Movie and NYT are supported (pass
#: ``--public``) but not used for the shipped model: embedding their ~8,000 training snippets did not
#: finish on the shared CPU in the time available, so they are only evaluated on.
TRAINING_PUBLIC = ("tweets", "amazon")
#: Each domain sentence counts this many times next to one public snippet.
DOMAIN_WEIGHT = 8.0
#: Default score blend (classifier / ridge regression / VADER = 0.5 / 0.2 / 0.3, gain 1.0), used when
#: :data:`TRAINED_SETTINGS` has no entry for a model.
BLEND = {"regression_weight": 0.2, "vader_weight": 0.3, "score_gain": 1.0}
#: Default hyper-parameters per shipped model, the starting point of
#: ``python -m nlp.sentiment.training.tuning``.
MODEL_PARAMS = {
    "semantic": {"text_features": "embeddings+ngrams", "C": 4.0, "lexical_weight": 1.0, **BLEND},
    "lexical": {"text_features": "hashed_ngrams", "C": 4.0, "lexical_weight": 1.0, **BLEND},
}

#: Settings chosen out-of-fold by ``python -m nlp.sentiment.training.tuning --write`` (parameters, domain
#: weight and public files per model kind); they override the defaults above.
TRAINED_SETTINGS = MODEL_DIR / "tuned.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingSet:
    """Texts, labels, per-text sample weights, embeddings, lexical features, regression targets
    (rating / 4, NaN for domain rows) and the source of each row, row-aligned."""

    texts: tuple[str, ...]
    labels: tuple[str, ...]
    weights: np.ndarray
    vectors: np.ndarray
    lexical: np.ndarray
    targets: np.ndarray
    sources: tuple[str, ...]


def load_training_set(data_dir: Path | None, cache_dir: Path, domain_weight: float = DOMAIN_WEIGHT,
                      public_names: tuple[str, ...] = TRAINING_PUBLIC,
                      with_vectors: bool = True) -> TrainingSet:
    """Domain ``train`` rows plus, if ``data_dir`` is given, the public training halves (``vectors``
    is empty, width 0, without ``with_vectors``: the lexical model reads none)."""
    domain = read_domain_set("train")
    texts, labels = list(domain.texts), list(domain.labels)
    weights = [np.full(len(texts), domain_weight)]
    vectors = [_domain_vectors(domain.texts, domain.labels, cache_dir) if with_vectors
               else np.zeros((len(texts), 0), dtype=np.float32)]
    targets, sources = [np.full(len(texts), np.nan)], ["domain"] * len(texts)
    public_sets = {} if data_dir is None else {
        name: read_public_file(data_dir, name) for name in public_names}
    for name, public in public_sets.items():
        mask = public_split_mask(len(public.texts))
        all_vectors = np.hstack([
            cached_embeddings(public.texts, f"public-{name}", cache_dir),
            cached_embeddings(public.texts, f"public-{name}", cache_dir, embedder=SentimentLogits()),
        ]) if with_vectors else np.zeros((len(public.texts), 0), dtype=np.float32)
        texts += [text for text, kept in zip(public.texts, mask, strict=True) if kept]
        labels += [label for label, kept in zip(public.labels, mask, strict=True) if kept]
        weights.append(np.ones(int(mask.sum())))
        vectors.append(all_vectors[mask])
        targets.append(np.array(public.ratings)[mask] / 4.0)
        sources += [name] * int(mask.sum())
    return TrainingSet(tuple(texts), tuple(labels), np.concatenate(weights), np.vstack(vectors),
                       lexical_features(texts), np.concatenate(targets), tuple(sources))


def _domain_vectors(texts: tuple[str, ...], labels: tuple[str, ...], cache_dir: Path) -> np.ndarray:
    """General vectors and cross-fitted head logits of the domain ``train`` rows."""
    domain_all = read_domain_set()
    keep = np.isin(np.array(domain_all.texts), np.array(texts))
    general = cached_embeddings(domain_all.texts, "domain", cache_dir)[keep]
    return np.hstack([general, crossfitted_logits(texts, labels, cache_dir)])


def crossfitted_logits(texts: tuple[str, ...], labels: tuple[str, ...], cache_dir: Path) -> np.ndarray:
    """Sentiment-head logits of the domain ``train`` rows, each from an adapter that did not see it.

    The shipped adapter was trained on these rows, so its own logits for them are too confident to
    fit and tune the classifier on; :mod:`nlp.sentiment.training.finetune` saves cross-fitted ones (logits,
    not vectors: the five fold models' vector spaces differ, their class logits mean the same).

    Raises
    ------
    SentimentModelError
        If they were not computed for these rows and the current fine-tuning settings.
    """
    from nlp.sentiment.training.finetune import crossfit_path

    path = crossfit_path(texts, labels, cache_dir)
    if not path.exists():
        raise SentimentModelError(f"{path} is missing; run: python -m nlp.sentiment.training.finetune")
    return np.load(path, allow_pickle=False)


def with_domain_weight(training: TrainingSet, domain_weight: float) -> TrainingSet:
    """``training`` with every domain row weighted ``domain_weight`` (public rows keep weight 1)."""
    domain = np.array(training.sources) == "domain"
    return dataclasses.replace(training, weights=np.where(domain, float(domain_weight), training.weights))


def chosen_settings(kind: str, path: Path = TRAINED_SETTINGS) -> dict:
    """Parameters, domain weight and public files for ``kind``: the tuned ones if recorded, else defaults."""
    defaults = {"params": MODEL_PARAMS[kind], "domain_weight": DOMAIN_WEIGHT, "public": list(TRAINING_PUBLIC)}
    if not Path(path).exists():
        return defaults
    tuned = json.loads(Path(path).read_text(encoding="utf-8")).get(kind, {})
    return {**defaults, **tuned, "params": {**MODEL_PARAMS[kind], **tuned.get("params", {})}}


def train_model(kind: str, training: TrainingSet, **overrides: Any) -> SentimentModel:
    """Fit the ``kind`` model (``semantic`` or ``lexical``) on ``training`` with its chosen settings."""
    params = {**chosen_settings(kind)["params"], **overrides, "random_state": SEED}
    params["class_bias"] = tuple(params.get("class_bias", (0.0, 0.0, 0.0)))
    model = SentimentModel(**params)
    X = model.features(training.texts, training.vectors, training.lexical)
    return model.fit(X, list(training.labels), sample_weight=training.weights, targets=training.targets)


def _digest(path: Path) -> str:
    return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]


def main(argv: list[str] | None = None) -> None:
    """Train both shipped models with their chosen settings and write them to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR,
                        help="directory holding sentiment/*_GroundTruth.txt (default: ../shared/data)")
    parser.add_argument("--no-public", action="store_true", help="train on the domain set only")
    parser.add_argument("--public", nargs="*", default=None,
                        help=f"public files (default: as in {TRAINED_SETTINGS.name}, else tweets amazon)")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="embedding cache")
    parser.add_argument("--out", type=Path, default=None, help="output directory (default: shipped)")
    parser.add_argument("--kinds", nargs="+", default=["lexical"], choices=["semantic", "lexical"],
                        help="models to train (default: lexical; the semantic one comes from calibrate)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    loaded: dict[tuple[tuple[str, ...], bool], TrainingSet] = {}
    for kind in args.kinds:
        settings = chosen_settings(kind)
        public = () if args.no_public else tuple(settings["public"] if args.public is None else args.public)
        key = (public, kind == "semantic")
        if key not in loaded:
            loaded[key] = load_training_set(args.data_dir if public else None, args.cache_dir,
                                            public_names=public, with_vectors=kind == "semantic")
        training = with_domain_weight(loaded[key], settings["domain_weight"])
        print(f"{kind}: {len(training.texts)} training rows (domain weight {settings['domain_weight']:g})")
        model = train_model(kind, training)
        path = SHIPPED_MODELS[kind] if args.out is None else args.out / SHIPPED_MODELS[kind].name
        path.parent.mkdir(parents=True, exist_ok=True)
        save_model(model, path, metadata={
            "seed": SEED, "domain_weight": settings["domain_weight"], "rows": len(training.texts),
            "domain_set_sha1": _digest(DOMAIN_SET), "public_data": list(public),
            "vectors": SentimentLogits().name if kind == "semantic" else "",
        })
        print(f"wrote {path} ({path.stat().st_size // 1024} KiB)")
    print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
