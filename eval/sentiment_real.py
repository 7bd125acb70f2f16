"""Sentiment on real, human-labelled test sets (issue 12), for :mod:`eval.sentiment`.

For TweetEval test, DynaSent round-1 and round-2 test and Financial PhraseBank (AllAgree): macro
recall, accuracy, the confusion matrix and each class's predicted share next to its gold share,
for the shipped model and VADER; the previous model's figures on the same rows are read from
``eval/data/sentiment_previous_model.json`` (written by ``--record-previous`` before the model
changed). Also the label-invariance suite: the share of labels that change when only punctuation,
letter case or whitespace changes. Nothing here is tuned on: these are test splits.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, recall_score

from nlp.sentiment.training.corpus import LABELS, cached_embeddings, read_domain_set
from nlp.sentiment.training.real_corpus import read_real_set, sample_rows

REAL_TEST_SETS = ("tweeteval-test", "dynasent-r1-test", "dynasent-r2-test", "fpb-allagree")
PREVIOUS_MODEL_FILE = Path(__file__).resolve().parent / "data" / "sentiment_previous_model.json"
#: Where the issue asks for the previous model's figures (DynaSent), recorded once.
PREVIOUS_MODEL_SETS = ("dynasent-r1-test", "dynasent-r2-test")
#: Seed of the invariance suite's sample of evaluation texts (when one is asked for).
INVARIANCE_SEED = 12
#: Issue 12's calibration tolerance: predicted share of each class within this of the gold share.
SHARE_TOLERANCE = 0.05


def semantic_inputs(texts, key: str, cache_dir: Path, general=None) -> np.ndarray:
    """What the shipped semantic model reads, cached under ``key``: the sentiment head's logits,
    preceded by the general vectors (``general``, or computed) only if the model reads those too."""
    from nlp.sentiment import load_shipped_model
    from nlp.sentiment.encoder import SentimentLogits

    logits = _memoised_logits(list(texts), key, cache_dir, SentimentLogits())
    if load_shipped_model("semantic").text_features == "head_logits":
        return logits
    general = cached_embeddings(texts, key, cache_dir) if general is None else general
    return np.hstack([general, logits])


#: Logits computed in this process, by embedder name and text: the sets overlap (the invariance
#: suite reads the texts the other figures read), and the encoder pass is the slow part.
_LOGITS: dict[tuple[str, str], np.ndarray] = {}


def _memoised_logits(texts: list[str], key: str, cache_dir: Path, embedder) -> np.ndarray:
    """Logits of ``texts``: from this process's memo, else from the on-disk cache under ``key``."""
    missing = list(dict.fromkeys(text for text in texts if (embedder.name, text) not in _LOGITS))
    if missing:
        for text, row in zip(missing, cached_embeddings(missing, key, cache_dir, embedder=embedder),
                             strict=True):
            _LOGITS[(embedder.name, text)] = row
    return np.array([_LOGITS[(embedder.name, text)] for text in texts], dtype=np.float32).reshape(
        len(texts), -1)


def model_labels(texts: list[str], key: str, cache_dir: Path) -> list[str]:
    """The shipped semantic model's three-class labels (its inputs cached under ``key``)."""
    from nlp.sentiment import load_shipped_model

    if not texts:
        return []
    model = load_shipped_model("semantic")
    return list(model.predict(model.features(texts, semantic_inputs(texts, key, cache_dir))))


def vader_labels(texts: list[str]) -> list[str]:
    """VADER's usual three-class reading: compound <= -0.05 negative, >= 0.05 positive."""
    from nlp.sentiment.features import vader_analyzer

    compounds = [vader_analyzer().polarity_scores(text)["compound"] for text in texts]
    return ["negative" if c <= -0.05 else "positive" if c >= 0.05 else "neutral" for c in compounds]


def label_figures(gold: list[str], predicted: list[str]) -> dict:
    """Accuracy, macro recall, confusion matrix (rows gold, columns predicted) and class shares."""
    matrix = confusion_matrix(gold, predicted, labels=list(LABELS))
    gold_share = matrix.sum(1) / matrix.sum()
    predicted_share = matrix.sum(0) / matrix.sum()
    return {"n": len(gold), "accuracy": float(accuracy_score(gold, predicted)),
            "macro_recall": float(recall_score(gold, predicted, labels=list(LABELS), average="macro")),
            "confusion": matrix.tolist(), "gold_share": gold_share.round(4).tolist(),
            "predicted_share": predicted_share.round(4).tolist(),
            "max_share_gap": float(np.abs(predicted_share - gold_share).max())}


def evaluate_real_sets(data_dir: Path, cache_dir: Path, names: tuple[str, ...] = REAL_TEST_SETS,
                       sample: int = 0) -> dict:
    """Figures of the shipped model and VADER on each real test set (or a seeded sample of ``sample``
    rows of each), plus the recorded previous model (on the whole set)."""
    previous = json.loads(PREVIOUS_MODEL_FILE.read_text()) if PREVIOUS_MODEL_FILE.exists() else {}
    results = {}
    for name in names:
        rows = sample_rows(read_real_set(data_dir, name), sample)
        texts, gold = list(rows.texts), list(rows.labels)
        results[name] = {"model": label_figures(gold, model_labels(texts, name, cache_dir)),
                         "vader": label_figures(gold, vader_labels(texts))}
        if name in previous.get("sets", {}):
            results[name]["previous"] = previous["sets"][name]
    return {"sets": results, "previous_model": previous.get("model", ""), "sample": sample}


def perturbations(text: str) -> list[str]:
    """Variants of ``text`` that change only punctuation, letter case or whitespace."""
    stripped = text.rstrip()
    ends_in_mark = stripped[-1:] in ".!?"
    variants = [
        stripped.rstrip(".!?") if ends_in_mark else stripped + ".",  # final stop removed or added
        text.lower(),
        text[:1].swapcase() + text[1:],  # first letter's case toggled
        re.sub(r" ", "  ", text.strip()),  # every space doubled
        " " + text.strip() + " \n",  # surrounding whitespace
    ]
    return [variant for variant in dict.fromkeys(variants) if variant != text and variant.strip()]


def token_ids(texts: list[str]) -> list[tuple[int, ...]]:
    """The token ids the sentiment encoder reads for each text (its :func:`canonical_text`, through the
    packaged MiniLM tokenizer, which is uncased)."""
    from transformers import AutoTokenizer

    from nlp.embeddings import packaged_model_dir
    from nlp.sentiment.encoder import canonical_text

    tokenizer = AutoTokenizer.from_pretrained(str(packaged_model_dir()))
    canonical = [canonical_text(text) for text in texts]
    return [tuple(ids) for ids in tokenizer(canonical, truncation=True, max_length=256)["input_ids"]]


def invariance_suite(texts: list[str]) -> tuple[list, set, list[str]]:
    """(text, variant) pairs, the pairs whose variant tokenises exactly as its text (only when the
    shipped label reads nothing but the encoder's logits), and the variants left to run."""
    from nlp.sentiment import load_shipped_model

    pairs = [(text, variant) for text in texts for variant in perturbations(text)]
    model = load_shipped_model("semantic")
    same_tokens: set[tuple[str, str]] = set()
    if model.text_features == "head_logits" and model.lexical_weight == 0:
        ids = dict(zip(texts, token_ids(texts), strict=True))
        variant_ids = token_ids([variant for _, variant in pairs])
        same_tokens = {pair for pair, tokens in zip(pairs, variant_ids, strict=True)
                       if ids[pair[0]] == tokens}
    variants = list(dict.fromkeys(variant for text, variant in pairs if (text, variant) not in same_tokens))
    return pairs, same_tokens, variants


def invariance_texts(data_dir: Path, sample: int = 0, real_sample: int = 0) -> list[str]:
    """Every evaluation text once: the domain test split, then the real test sets (the seeded samples
    of ``real_sample`` rows the real-set figures read, when given), in file order; with ``sample`` >
    0, a seeded sample of that many of them (in the same order)."""
    texts = list(read_domain_set("test").texts)
    for name in REAL_TEST_SETS:
        texts += sample_rows(read_real_set(data_dir, name), real_sample).texts
    texts = list(dict.fromkeys(texts))
    if 0 < sample < len(texts):
        keep = np.sort(np.random.default_rng(INVARIANCE_SEED).choice(len(texts), sample, replace=False))
        texts = [texts[i] for i in keep]
    return texts


def evaluate_invariance(data_dir: Path, cache_dir: Path, sample: int = 0, real_sample: int = 0) -> dict:
    """Share of (text, variant) pairs whose label differs, over the domain test split and the real tests
    (all of them, or a seeded sample of ``sample`` texts).

    When the shipped label reads only the encoder's logits (model 2), a variant with the same token
    ids as its text has the same label by construction and is not run through the model.
    """
    texts = invariance_texts(data_dir, sample, real_sample)
    originals = dict(zip(texts, model_labels(texts, "invariance-originals", cache_dir), strict=True))
    pairs, same_tokens, variants = invariance_suite(list(originals))
    labelled = dict(zip(variants, model_labels(variants, "invariance-variants", cache_dir), strict=True))
    changed = [(text, variant) for text, variant in pairs
               if (text, variant) not in same_tokens and originals[text] != labelled[variant]]
    return {"texts": len(originals), "sample": sample, "pairs": len(pairs), "same_tokens": len(same_tokens),
            "changed": len(changed), "share": len(changed) / max(1, len(pairs)), "examples": changed[:5]}


def record_previous(data_dir: Path, cache_dir: Path, model: str, path: Path = PREVIOUS_MODEL_FILE) -> None:
    """Write the shipped model's real-set figures to ``path`` (run before the model is replaced)."""
    figures = evaluate_real_sets(data_dir, cache_dir, PREVIOUS_MODEL_SETS)
    sets = {name: result["model"] for name, result in figures["sets"].items()}
    path.write_text(json.dumps({"model": model, "sets": sets}, indent=1) + "\n")


def print_real_sets(results: dict, data_dir: Path) -> None:
    """Print the real-set figures with the data they come from."""
    scope = f", seeded samples of {results['sample']} rows per set" if results.get("sample") else ""
    print(f"Real test sets ({data_dir}/sentiment{scope}; never trained or tuned on; previous model on"
          " the whole set):")
    for name, figures in results["sets"].items():
        print(f"  {name} (n={figures['model']['n']}):")
        for scorer in ("model", "previous", "vader"):
            if scorer not in figures:
                continue
            f = figures[scorer]
            title = {"model": "shipped model", "previous": results["previous_model"] or "previous",
                     "vader": "VADER"}[scorer]
            print(f"    {title[:40]:40s} accuracy {f['accuracy']:.3f}  macro recall {f['macro_recall']:.3f}"
                  f"  predicted shares {_shares(f['predicted_share'])} (gold {_shares(f['gold_share'])},"
                  f" largest gap {f['max_share_gap'] * 100:.1f} points)")
        matrix = figures["model"]["confusion"]
        print("    shipped model confusion (rows gold neg/neu/pos, columns predicted): "
              + " | ".join(" ".join(f"{cell:5d}" for cell in row) for row in matrix))


def _shares(shares: list[float]) -> str:
    return "/".join(f"{share * 100:.0f}" for share in shares)
