"""Snapshot of what the shipped sentiment models say about fixed inputs, and the command that rewrites it.

The snapshot pins the shipped weights and the feature code together: a changed lexicon, cue list,
n-gram hashing or model file shows up as a changed score. After an intended change (a retrained
model, a new lexicon entry), check the differences and rewrite it:

    .venv/bin/python tests/sentiment_snapshot.py

The semantic model reads seeded synthetic vectors here (unit vectors plus head logits), so the
snapshot needs no embedding model and does not move with ONNX Runtime or torch versions.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = Path(__file__).resolve().parent / "data" / "sentiment_snapshot.json"
TEXTS = (
    "The service desk ignored my ticket for three weeks.",
    "Kudos to the team, smooth go-live!",
    "The audit is in May.",
    "Great, another outage.",
    "Helpful but understaffed.",
    "No complaints this quarter.",
    "Not bad at all, and better than last year.",
    "The data migration took seven months.",
    "They treat us as an internal customer rather than a partner.",
    "We were consulted early and the plan changed because of our input.",
    "Although it was late, the result is excellent.",
    "ok",
)
SEED = 20260301
#: Scores may move by this much (floating point on other CPUs or BLAS builds), no more.
TOLERANCE = 1e-6


def synthetic_semantic_features(count: int, width: int = 384, head_width: int = 3) -> np.ndarray:
    """Seeded unit vectors of ``width`` followed by ``head_width`` logits in about [-4, 4]."""
    rng = np.random.default_rng(SEED)
    vectors = rng.normal(size=(count, width))
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    return np.hstack([vectors, rng.normal(scale=2.0, size=(count, head_width))]).astype(np.float32)


def current_outputs() -> dict[str, dict[str, list]]:
    """Scores and labels of both shipped models on :data:`TEXTS`, as the snapshot stores them."""
    from nlp.sentiment import load_shipped_model

    texts = list(TEXTS)
    outputs = {}
    for kind in ("lexical", "semantic"):
        model = load_shipped_model(kind)
        vectors = None
        if kind == "semantic":  # the shipped model 2 reads only the head's logits (width 3)
            width = 0 if model.text_features == "head_logits" else model.embedding_width_ - 3
            vectors = synthetic_semantic_features(len(texts), width=width)
        features = model.features(texts, vectors)
        outputs[kind] = {"scores": [round(float(score), 9) for score in model.sentiment_scores(features)],
                         "labels": [str(label) for label in model.predict(features)]}
    return outputs


def main() -> None:
    """Rewrite :data:`SNAPSHOT` from the current models and print what changed."""
    sys.path.insert(0, str(ROOT))
    from nlp.sentiment import MODEL_VERSION

    previous = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}
    snapshot = {"model_version": MODEL_VERSION, "texts": list(TEXTS), **current_outputs()}
    for kind in ("lexical", "semantic"):
        for index, text in enumerate(TEXTS):
            old = previous.get(kind, {}).get("scores", [None] * len(TEXTS))[index]
            new = snapshot[kind]["scores"][index]
            if old is None or abs(old - new) > TOLERANCE:
                print(f"{kind}: {text!r}: {old} -> {new}")
    SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
    SNAPSHOT.write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT}")


if __name__ == "__main__":
    main()
