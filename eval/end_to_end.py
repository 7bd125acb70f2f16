"""End to end, from raw texts: Rapport's ``cluster_concerns`` against BERTopic with its defaults.

``python -m eval.clustering --bertopic PYTHON [--parts heldout]`` runs both on each data set's
part: Rapport in this process, BERTopic through ``eval/bertopic_baseline.py`` in the interpreter
``PYTHON`` of a separate virtualenv (BERTopic, UMAP and HDBSCAN are not Rapport dependencies; that
file says how to make one). Both embed the raw texts with the same all-MiniLM-L6-v2 weights
(Rapport through its default embedder, BERTopic through sentence-transformers), with the model
loaded before the clock starts; k counts clusters (noise and outliers not counted), NMI and ARI
count noise / outliers as one cluster of their own. Each BERTopic run's figures are kept in
``eval/out/bertopic-<set>-<part>.json``; ``--reuse-bertopic`` prints those (with their date)
instead of running BERTopic again, which takes tens of minutes on a loaded machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

ROOT = Path(__file__).resolve().parent.parent
BERTOPIC_CACHE = ROOT / "eval" / "out"


def raw_part(data_dir: Path, dataset: str, part: str) -> tuple[list[str], list[str]]:
    """Texts and gold labels of one part (``full``, ``heldout``, ``dev``), split as
    :func:`eval.clustering.dataset_parts` splits them."""
    from eval.clustering import load_banking77, load_complaints, load_stackoverflow

    if dataset == "banking77":
        if part == "full":
            return load_banking77(data_dir)
        return load_banking77(data_dir, ("test",) if part == "heldout" else ("train",))
    texts, gold = load_stackoverflow(data_dir) if dataset == "stackoverflow" else load_complaints(data_dir)
    rows = slice(None) if part == "full" else slice(1, None, 2) if part == "heldout" else slice(0, None, 2)
    return texts[rows], gold[rows]


def rapport_figures(texts: list[str], gold: list[str]) -> dict:
    """Time ``cluster_concerns(texts)`` (embedding included, nothing cached) and score it."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from nlp.embeddings import default_embedder
    from nlp.themes import UNASSIGNED, cluster_concerns

    embedder = default_embedder()
    embedder.embed(["warm up the model"])
    started, cpu_started = time.perf_counter(), time.process_time()
    labels = cluster_concerns(texts)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    noise = float(np.mean([label == UNASSIGNED for label in labels]))
    return {"k": len(set(labels) - {UNASSIGNED}), "noise_share": noise,
            "nmi": float(normalized_mutual_info_score(gold, labels)),
            "ari": float(adjusted_rand_score(gold, labels)), "wall_seconds": wall, "cpu_seconds": cpu}


def bertopic_figures(python: str, data_dir: Path, dataset: str, part: str, reuse: bool = False) -> dict:
    """Run ``eval/bertopic_baseline.py --json`` in ``python`` and read its figures; with ``reuse``,
    read the last run's figures from :data:`BERTOPIC_CACHE` when there are any."""
    kept = BERTOPIC_CACHE / f"bertopic-{dataset}-{part}.json"
    if reuse and kept.exists():
        return json.loads(kept.read_text(encoding="utf-8"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(
        [python, "-m", "eval.bertopic_baseline", str(data_dir), "--dataset", dataset, "--part", part,
         "--json"],
        capture_output=True, text=True, cwd=ROOT, env=env)
    if result.returncode:
        raise RuntimeError(f"BERTopic failed on {dataset}/{part}: {result.stderr.strip()[-600:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["measured"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    kept.parent.mkdir(parents=True, exist_ok=True)
    kept.write_text(json.dumps(figures), encoding="utf-8")
    return figures


def compare(python: str, data_dir: Path, datasets: tuple[str, ...], part: str,
            reuse: bool = False) -> dict[str, dict]:
    """Print Rapport and BERTopic side by side per data set; returns both figures."""
    print(f"End to end on the {part} parts, raw texts, embedding included (load average "
          f"{os.getloadavg()[0]:.1f} at the start):")
    times = f"{'wall s':>7s} {'cpu s':>6s}"
    print(f"{'set':14s} {'n':>6s} {'gold':>4s} | {'Rapport k':>9s} {'NMI':>6s} {'ARI':>6s} {times} | "
          f"{'BERTopic k':>10s} {'outl.':>6s} {'NMI':>6s} {'ARI':>6s} {times}")
    figures = {}
    for dataset in datasets:
        texts, gold = raw_part(data_dir, dataset, part)
        ours = rapport_figures(texts, gold)
        try:
            theirs = bertopic_figures(python, data_dir, dataset, part, reuse)
            right = (f"{theirs['topics']:10d} {theirs['outlier_share']:6.1%} {theirs['nmi']:6.3f} "
                     f"{theirs['ari']:6.3f} {theirs['wall_seconds']:7.1f} {theirs['cpu_seconds']:6.1f}"
                     f" (measured {theirs.get('measured', 'now')})")
        except (RuntimeError, OSError, ValueError) as error:
            theirs, right = {"error": str(error)}, f"not run: {error}"
        print(f"{dataset:14s} {len(texts):6d} {len(set(gold)):4d} | {ours['k']:9d} {ours['nmi']:6.3f} "
              f"{ours['ari']:6.3f} {ours['wall_seconds']:7.1f} {ours['cpu_seconds']:6.1f} | {right}",
              flush=True)
        figures[dataset] = {"rapport": ours, "bertopic": theirs, "n": len(texts), "gold_k": len(set(gold))}
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return figures
