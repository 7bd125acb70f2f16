"""Paired check of two sentiment models on the test rows ``python -m eval.sentiment`` reads.

``python -m eval.experiments.sentiment_paired [DATA] [--commit a7a310b] [--real-sample N] [--max-rows N]``

Reads the shipped semantic model and adapter and those at a git commit (default ``a7a310b``, model
2.2), labels the same test rows with each from the encoder logits that ``python -m eval.sentiment``
cached in ``eval/out/sentiment/`` (run it with each model first, with the same ``--real-sample`` and
``--max-rows``), and prints per set both figures (TweetEval: macro recall, the leaderboard metric;
the others: accuracy), the rows only one of them gets right with the exact McNemar p-value, and a
paired-bootstrap 95% interval of the difference. The domain sets are read whole; the real sets
(TweetEval, DynaSent, Financial PhraseBank) as the seeded sample of ``--real-sample`` rows; the VADER
tweets' held-out half as the seeded sample of ``--max-rows`` rows, for the Pearson r of the scores.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from scipy.stats import binomtest, pearsonr
from sklearn.metrics import accuracy_score, recall_score

from nlp.sentiment.storage import load_model
from nlp.sentiment.training.corpus import read_domain_set
from nlp.sentiment.training.real_corpus import read_real_set, sample_rows

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "eval" / "out" / "sentiment"
DATA = "nlp/data/sentiment"
REAL_SETS = ("tweeteval-test", "dynasent-r1-test", "dynasent-r2-test", "fpb-allagree")
BOOTSTRAP, SEED = 2000, 12


def git_blob(commit: str, path: str) -> bytes:
    """A file's bytes at ``commit``."""
    command = ["git", "show", f"{commit}:{path}"]
    return subprocess.run(command, cwd=REPO, capture_output=True, check=True).stdout


def cached_logits(key: str, texts: list[str], adapter_bytes: bytes) -> np.ndarray:
    """The logits ``python -m eval.sentiment`` cached for these texts under ``key`` with this adapter."""
    adapter = hashlib.sha256(adapter_bytes).hexdigest()[:12]
    unique = list(dict.fromkeys(texts))  # eval.sentiment embeds each distinct text once
    for rows in (unique, texts):
        digest = hashlib.sha1("\n".join(rows).encode("utf-8")).hexdigest()[:12]
        cached = sorted(CACHE.glob(f"embeddings-{key}-*adapter-{adapter}_head*-{digest}.npy"))
        if cached:
            by_text = dict(zip(rows, np.load(cached[0]), strict=True))
            return np.array([by_text[text] for text in texts], dtype=np.float32)
    raise SystemExit(f"no cached logits of {key} for adapter {adapter}; run python -m eval.sentiment "
                     "with that model (same --real-sample / --max-rows) first")


def test_sets(data_dir: Path, real_sample: int) -> dict[str, tuple[str, list[str], np.ndarray]]:
    """Name -> (cache key, texts, gold labels) of every labelled test set."""
    sets = {}
    domain = (("domain test", f"{DATA}/domain_labelled.csv"), ("hard shapes test", f"{DATA}/domain_hard.csv"))
    for name, path in domain:
        rows = read_domain_set("test", REPO / path)
        sets[name] = (f"{Path(path).stem}-test", list(rows.texts), np.array(rows.labels))
    for name in REAL_SETS:
        rows = sample_rows(read_real_set(data_dir, name), real_sample)
        sets[name] = (name, list(rows.texts), np.array(rows.labels))
    return sets


def figure(name: str, gold: np.ndarray, predicted: np.ndarray) -> float:
    """Macro recall on TweetEval, accuracy elsewhere."""
    if name.startswith("tweeteval"):
        return float(recall_score(gold, predicted, average="macro"))
    return float(accuracy_score(gold, predicted))


def paired_interval(name: str, gold: np.ndarray, old: np.ndarray, new: np.ndarray) -> tuple[float, float]:
    """95% paired-bootstrap interval of figure(new) - figure(old)."""
    rng = np.random.default_rng(SEED)
    differences = []
    for _ in range(BOOTSTRAP):
        index = rng.integers(0, len(gold), len(gold))
        differences.append(figure(name, gold[index], new[index]) - figure(name, gold[index], old[index]))
    low, high = np.percentile(differences, [2.5, 97.5])
    return float(low), float(high)


def compare_labels(name: str, gold: np.ndarray, old: np.ndarray, new: np.ndarray, commit: str) -> None:
    only_old = int(np.sum((old == gold) & (new != gold)))
    only_new = int(np.sum((old != gold) & (new == gold)))
    p = binomtest(only_new, only_old + only_new).pvalue if only_old + only_new else 1.0
    low, high = paired_interval(name, gold, old, new)
    metric = "macro recall" if name.startswith("tweeteval") else "accuracy"
    print(f"{name} ({len(gold)} rows, {metric}): {commit} {figure(name, gold, old):.3f}, shipped "
          f"{figure(name, gold, new):.3f} (difference 95% CI {low:+.3f} to {high:+.3f}); only {commit} "
          f"right {only_old}, only shipped right {only_new}; exact McNemar p {p:.3f}")


def compare_tweets_r(data_dir: Path, models: dict, max_rows: int, commit: str) -> None:
    """Pearson r of both models' scores with the VADER tweets' held-out ratings, paired bootstrap."""
    from eval.sentiment import heldout_rows

    texts, ratings = heldout_rows(data_dir, "tweets", max_rows)
    scores = {}
    for label, (model, adapter) in models.items():
        logits = cached_logits("public-tweets-heldout", texts, adapter)
        scores[label] = np.clip(model.sentiment_scores(model.features(texts, logits)), -1, 1)
    rng = np.random.default_rng(SEED)
    differences = []
    for _ in range(BOOTSTRAP):
        index = rng.integers(0, len(texts), len(texts))
        differences.append(pearsonr(scores["new"][index], ratings[index])[0]
                           - pearsonr(scores["old"][index], ratings[index])[0])
    low, high = np.percentile(differences, [2.5, 97.5])
    old_r, new_r = (pearsonr(scores[label], ratings)[0] for label in ("old", "new"))
    print(f"VADER tweets held-out ({len(texts)} rows, Pearson r): {commit} {old_r:.3f}, shipped {new_r:.3f}"
          f" (difference 95% CI {low:+.3f} to {high:+.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--commit", default="a7a310b")
    parser.add_argument("--real-sample", type=int, default=2000)
    parser.add_argument("--max-rows", type=int, default=1000)
    args = parser.parse_args()
    shipped = REPO / DATA
    with tempfile.TemporaryDirectory() as folder:
        old_path = Path(folder) / "model_semantic.npz"
        old_path.write_bytes(git_blob(args.commit, f"{DATA}/model_semantic.npz"))
        models = {"old": (load_model(old_path), git_blob(args.commit, f"{DATA}/encoder_adapter.npz")),
                  "new": (load_model(shipped / "model_semantic.npz"),
                          (shipped / "encoder_adapter.npz").read_bytes())}
    for name, (key, texts, gold) in test_sets(args.data_dir, args.real_sample).items():
        old, new = (np.asarray(model.predict(model.features(texts, cached_logits(key, texts, adapter))))
                    for model, adapter in models.values())
        compare_labels(name, gold, old, new, args.commit)
    compare_tweets_r(args.data_dir, models, args.max_rows, args.commit)


if __name__ == "__main__":
    main()
