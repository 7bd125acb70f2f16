"""Per dev split: macro recall and predicted against gold class shares, for the shipped sentiment
model and candidates, so a class lean shows before any test split is read.

``python -m eval.experiments.sentiment_dev_shares [DATA] [--model NAME=ADAPTER[,HEAD][@B0:B1:B2] ...]``

Each model is an encoder adapter with its calibrated head (by default ``<adapter>.model_semantic.npz``,
as ``eval.experiments.sentiment_checkpoints`` writes it), optionally with its class bias replaced
(``@-0.3:0:0``, negative / neutral / positive: how much of a lean is the head's). ``shipped`` (the
files in ``nlp/data/sentiment/``) is always the first; the others are compared with it. For every
real dev split (TweetEval val whole, the ``devselect`` halves of DynaSent round-1 and round-2 dev)
and the domain and hard-shape ``dev`` rows (the file as it is now, the same rows for every model)
it prints macro recall, accuracy, predicted and gold class shares (negative / neutral / positive)
and the share of each gold class read as each other class.

Why more than accuracy: a split's class mix need not be the test's (TweetEval val is 16/43/41
negative / neutral / positive, its test 32/48/19), so a predicted-share gap on dev can hide a lean
that shows on test. The per-gold-class rates do not depend on the mix: ``lean`` is, per predicted
class, its mean rate over the three gold classes minus a third (the predicted share the model would
show on a balanced mix); ``neutral->negative`` is the share of gold-neutral rows read negative, the
mistake that cost the model 2.5 candidates TweetEval test macro recall. ``tweeteval-val (unfitted)``
is the part of TweetEval val that ``calibrate --max-rows 1000`` did not fit the head on.

Only dev/val rows are read: no test split.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, recall_score

from nlp.sentiment import encoder
from nlp.sentiment.encoder import SentimentLogits
from nlp.sentiment.storage import SHIPPED_MODELS, load_model
from nlp.sentiment.training.calibrate import CACHE_DIR, HARD_FILE
from nlp.sentiment.training.corpus import (
    DOMAIN_SET,
    LABELS,
    LabelledTexts,
    cached_embeddings,
    read_domain_set,
)
from nlp.sentiment.training.real_corpus import read_real_set, sample_rows
from nlp.sentiment.training.real_voices import DEFAULT_DATA_DIR

REAL_DEV = ("tweeteval-val", "dynasent-r1-devselect", "dynasent-r2-devselect")
CALIBRATION_ROWS = 1000  # calibrate's --max-rows in make sentiment-model


def dev_splits(data_dir: Path) -> dict[str, LabelledTexts]:
    """Name -> rows of every dev split the check reads."""
    splits = {name: read_real_set(data_dir, name) for name in REAL_DEV}
    fitted = set(sample_rows(splits["tweeteval-val"], CALIBRATION_ROWS).texts)
    val = splits["tweeteval-val"]
    keep = [i for i, text in enumerate(val.texts) if text not in fitted]
    splits["tweeteval-val (unfitted)"] = LabelledTexts(
        name="tweeteval-val-unfitted", texts=tuple(val.texts[i] for i in keep),
        labels=tuple(val.labels[i] for i in keep))
    splits["domain-dev"] = read_domain_set("dev", DOMAIN_SET)
    splits["hard-dev"] = read_domain_set("dev", HARD_FILE)
    return splits


def share_figures(gold: np.ndarray, predicted: np.ndarray) -> dict:
    """Macro recall, accuracy, shares and per-gold-class rates (percent) of one split."""
    rates = np.array([[np.mean(predicted[gold == g] == p) if np.any(gold == g) else np.nan for p in LABELS]
                      for g in LABELS])
    return {
        # over the classes the split holds (a class with no gold row has no recall)
        "macro_recall": float(recall_score(gold, predicted, labels=sorted(set(gold)), average="macro")),
        "accuracy": float(accuracy_score(gold, predicted)),
        "predicted": [100 * float(np.mean(predicted == label)) for label in LABELS],
        "gold": [100 * float(np.mean(gold == label)) for label in LABELS],
        "rates": 100 * rates,
        "lean": [100 * (float(np.nanmean(rates[:, j])) - 1 / len(LABELS)) for j in range(len(LABELS))],
    }


def model_labels(adapter: Path, head: Path, splits: dict[str, LabelledTexts],
                 bias: tuple[float, ...] | None = None) -> dict[str, np.ndarray]:
    """Labels of every split by one adapter and its head (with ``bias`` as its class bias if given)."""
    encoder.use_adapter(adapter)
    model = load_model(head)
    if bias is not None:
        model.set_params(class_bias=list(bias))
    labels = {}
    for name, rows in splits.items():
        logits = cached_embeddings(rows.texts, f"devshares-{rows.name}", CACHE_DIR,
                                   embedder=SentimentLogits())
        labels[name] = np.asarray(model.predict(model.features(list(rows.texts), logits)))
    return labels


def _shares(values: list[float]) -> str:
    return "/".join(f"{value:.1f}" for value in values)


def report(name: str, figures: dict, base: dict | None) -> str:
    """One line of figures for a model on a split, with differences to the first model."""
    rates = figures["rates"]
    text = (f"  {name:<14} macro recall {figures['macro_recall']:.3f} acc {figures['accuracy']:.3f}  "
            f"predicted {_shares(figures['predicted'])} (gold {_shares(figures['gold'])})  "
            f"lean {'/'.join(f'{v:+.1f}' for v in figures['lean'])}  "
            f"neu->neg {rates[1, 0]:.1f} neu->pos {rates[1, 2]:.1f} pos->neu {rates[2, 1]:.1f}")
    if base is not None:
        text += (f"  | vs shipped: recall {figures['macro_recall'] - base['macro_recall']:+.3f}, "
                 f"predicted negative {figures['predicted'][0] - base['predicted'][0]:+.1f}, "
                 f"neu->neg {rates[1, 0] - base['rates'][1, 0]:+.1f}")
    return text


def parse_model(value: str) -> tuple[str, Path, Path, tuple[float, ...] | None]:
    """``NAME=ADAPTER[,HEAD][@B0:B1:B2]`` -> (name, adapter, head, class bias or None)."""
    name, _, rest = value.partition("=")
    files, _, bias = rest.partition("@")
    adapter, _, head = files.partition(",")
    adapter_path = Path(adapter)
    return (name, adapter_path, Path(head) if head else adapter_path.with_suffix(".model_semantic.npz"),
            tuple(float(part) for part in bias.split(":")) if bias else None)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--model", action="append", default=[], type=parse_model,
                        help="NAME=ADAPTER.npz[,HEAD.npz][@B0:B1:B2] (head default: "
                             "ADAPTER.model_semantic.npz; @: replace its class bias)")
    args = parser.parse_args(argv)
    shipped = ("shipped", encoder.ADAPTER_PATH, SHIPPED_MODELS["semantic"], None)
    splits = dev_splits(args.data_dir)
    figures = {}
    for name, adapter, head, bias in [shipped, *args.model]:
        labels = model_labels(adapter, head, splits, bias)
        figures[name] = {split: share_figures(np.array(rows.labels), labels[split])
                         for split, rows in splits.items()}
    print("shares and lean in percent, classes negative/neutral/positive; "
          "lean = mean rate per gold class - 33.3")
    for split, rows in splits.items():
        print(f"== {split} ({len(rows.texts)} rows)")
        for name, by_split in figures.items():
            base = None if name == "shipped" else figures["shipped"][split]
            print(report(name, by_split[split], base))


if __name__ == "__main__":
    main()
