"""Train the learned name tagger (:mod:`nlp.redaction.tagger`) and choose its threshold on dev splits.

Run ``python -m eval.redaction_model [--c C ...]`` (``make redaction-model``). Training data: the
WNUT-17 train and dev splits and the Broad Twitter Corpus train split (:mod:`eval.conll`, CC BY 4.0;
``--hold-out-wnut-dev`` keeps WNUT-17 dev for tuning instead), person spans against everything
else, on the words the tagger would score at run time (``@handles`` left out, as in scoring), plus
templated feedback sentences (:mod:`eval.redaction_synthetic`). Model:
scikit-learn ``LogisticRegression`` on the hashed features of :mod:`nlp.redaction.features`. For each
regularisation strength the weights are written to ``nlp/data/redaction_tagger.npz`` and the whole
redaction (rules, NER, tagger) is scored on the DEV splits only (informal feedback and BTC)
over a grid of thresholds; the setting kept maximises :func:`dev_objective`. Test splits are never
read here.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
from scipy import sparse

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from nlp.redaction import features, tagger

OUTPUT = Path(__file__).resolve().parents[1] / "nlp" / "data" / "redaction_tagger.npz"
BUCKETS = 1 << 18
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4)
VETOES = (0.05, 0.1)
#: Informal-set dev precision below this rules a setting out: the target is 0.90 on test, and the rules
#: alone lost 0.03 from dev to test before the tagger (0.942 -> 0.911), so dev keeps a margin.
PRECISION_FLOOR = 0.94


def training_rows(examples: list[dict]) -> tuple[list[list[int]], list[int]]:
    """Hashed feature rows and 0/1 labels of every scored word of ``examples``."""
    lexicons = tagger.lexicons()
    rows, labels = [], []
    for example in examples:
        text, golds = example["text"], example["spans"]
        ignored = example.get("ignore", ())
        tokens = features.tokenize(text)
        writing = features.text_case(text)
        for index, token in enumerate(tokens):
            if not features.worth_scoring(tokens, index, lexicons, shouting=writing == "upper",
                                          lowercase_writer=writing == "lower"):
                continue
            if any(start < token.end and token.start < end for start, end in ignored):
                continue
            rows.append(features.hashed(features.token_features(tokens, index, lexicons, writing), BUCKETS))
            labels.append(int(any(g["start"] < token.end and token.start < g["end"] for g in golds)))
    return rows, labels


def synthetic_training(public: list[dict], count: int) -> list[dict]:
    """Templated feedback sentences filled with gazetteer names and the public train splits' person words."""
    from eval.redaction_synthetic import synthetic_examples

    lexicons = tagger.lexicons()
    persons = sorted({word for example in public for span in example["spans"]
                      for word in example["text"][span["start"]:span["end"]].split() if word.isalpha()})
    given = sorted(lexicons.given)
    given = given + persons * max(1, len(given) // max(len(persons), 1))
    word_names = sorted(name for name in lexicons.given if lexicons.common(name) and len(name) > 2)
    return synthetic_examples(given, sorted(lexicons.surnames), count, word_names=word_names)


def fit(rows: list[list[int]], labels: list[int], strength: float) -> tuple[np.ndarray, float]:
    """Logistic-regression weights per bucket and intercept."""
    from sklearn.linear_model import LogisticRegression

    indptr = np.cumsum([0] + [len(row) for row in rows])
    indices = np.fromiter((bucket for row in rows for bucket in row), dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), BUCKETS))
    matrix.sum_duplicates()
    model = LogisticRegression(C=strength, max_iter=2000, solver="liblinear", random_state=0)
    model.fit(matrix, np.asarray(labels))
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def save(weights: np.ndarray, intercept: float, threshold: float, veto: float, path: Path = OUTPUT) -> None:
    """Write the plain arrays the tagger reads, and drop the process's cached copy."""
    np.savez_compressed(path, weights=weights, intercept=np.float32(intercept),
                        threshold=np.float32(threshold), veto=np.float32(veto))
    tagger.tagger_model.cache_clear()


def dev_sets(wnut_dev_trains: bool = False) -> dict[str, list[dict]]:
    """The dev splits the threshold is chosen on (WNUT-17 dev only when it is not trained on)."""
    from eval.conll import load_set
    from eval.redaction import informal_splits

    informal = informal_splits(test=None)["dev"]
    public = {} if wnut_dev_trains else {"wnut17": load_set("wnut17", "dev")}
    return {"informal": informal, **public, "btc": load_set("btc", "dev")}


def dev_objective(scores: dict[str, dict]) -> float:
    """Half informal-set F2 (recall counts double: a missed name in partner feedback is a leak; it is
    the first target) and half the mean F1 of the public sets (their targets ask for precision as
    much as recall), minus 1 if informal precision is under :data:`PRECISION_FLOOR`."""
    public = [_f_beta(row, 1.0) for name, row in scores.items() if name != "informal"]
    objective = 0.5 * _f_beta(scores["informal"], 2.0) + 0.5 * sum(public) / max(len(public), 1)
    return objective - (1.0 if (scores["informal"]["precision"] or 0.0) < PRECISION_FLOOR else 0.0)


def _f_beta(row: dict, beta: float) -> float:
    recall, precision = row["recall"] or 0.0, row["precision"] or 0.0
    if not precision + recall:
        return 0.0
    return (1 + beta**2) * precision * recall / (beta**2 * precision + recall)


def main(argv: list[str] | None = None) -> None:
    """Train for each strength, score every threshold on dev, keep and write the best."""
    from eval.conll import load_set
    from eval.redaction import score_split

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, nargs="+", default=[0.3, 1.0, 3.0])
    parser.add_argument("--synthetic", type=int, default=12000, help="templated feedback sentences added")
    parser.add_argument("--hold-out-wnut-dev", action="store_true",
                        help="tune on WNUT-17 dev instead of training on it (default: train on it, tune on "
                             "the informal and BTC dev splits)")
    args = parser.parse_args(argv)
    train_on_wnut_dev = not args.hold_out_wnut_dev
    public = load_set("wnut17", "train") + load_set("btc", "train")
    public += load_set("wnut17", "dev") if train_on_wnut_dev else []
    train = public + synthetic_training(public, args.synthetic)
    rows, labels = training_rows(train)
    print(f"training: WNUT-17 train{' + dev' if train_on_wnut_dev else ''} + BTC train ({len(public)} "
          f"posts) + {args.synthetic} templated sentences (eval.redaction_synthetic): {len(rows)} scored "
          f"words, {sum(labels)} in person names")
    dev = dev_sets(train_on_wnut_dev)
    best: tuple[float, float, float, float] | None = None
    for strength in args.c:
        weights, intercept = fit(rows, labels, strength)
        for threshold in THRESHOLDS:
            for veto in VETOES:
                save(weights, intercept, threshold, veto)
                scores = {name: score_split(examples)["labels"]["NAME"] for name, examples in dev.items()}
                objective = dev_objective(scores)
                print(f"C={strength} threshold={threshold} veto={veto}: " + "  ".join(
                    f"{name} R {row['recall']} P {row['precision']}" for name, row in scores.items())
                    + f"  objective {objective:.3f}", flush=True)
                if best is None or objective > best[0]:
                    best = (objective, strength, threshold, veto)
    assert best is not None
    _, strength, threshold, veto = best
    weights, intercept = fit(rows, labels, strength)
    save(weights, intercept, threshold, veto)
    print(f"kept C={strength} threshold={threshold} veto={veto}; wrote {OUTPUT}")


if __name__ == "__main__":
    main()
