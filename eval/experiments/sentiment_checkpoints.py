"""Calibrate saved adapter checkpoints on dev rows, to choose the stop step of a training run.

``python -m eval.experiments.sentiment_checkpoints DATA ADAPTER.npz [ADAPTER.npz ...] [--max-rows 1000]``

For each adapter file (a checkpoint of ``python -m nlp.sentiment.training.real_voices``, or the
shipped one), the encoder is pointed at it in this process (the shipped file is not touched) and
:func:`nlp.sentiment.training.calibrate.calibrate` fits the logits-only head on the dev rows, printing
the out-of-fold dev objective (mean of TweetEval val macro recall and the other dev sets' accuracy),
the class bias and the mean largest class-share gap. The calibrated head of each adapter is written
next to it (``<adapter>.model_semantic.npz``), so the chosen one can be shipped with its adapter.
``--average-with-init W`` also calibrates each adapter averaged with the manifest's ``init_adapter``
(``<adapter>.avgW.npz``: W of the init adapter's weight changes, 1 - W of the checkpoint's), the
file ``real_voices`` writes when the manifest sets ``settings.average_with_init``. ``--manifest``
names the run's manifest (its pinned domain dev rows and init adapter).
Only dev/val rows and the training half of the VADER tweets are read: no test split.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nlp.sentiment import encoder
from nlp.sentiment.training.calibrate import CACHE_DIR, HARD_FILE, calibrate
from nlp.sentiment.training.real_voices import (
    DEFAULT_DATA_DIR,
    MANIFEST_PATH,
    average_with_init,
    file_digest,
    read_manifest,
)


def calibrate_adapter(data_dir: Path, adapter: Path, max_rows: int, manifest: dict | None = None) -> Path:
    """Calibrate the head of one adapter file (the domain dev rows as ``manifest``, the training
    manifest by default, pins them); returns the model file written next to it."""
    encoder.use_adapter(adapter)
    out = adapter.with_suffix(".model_semantic.npz")
    print(f"== {adapter} (sha256 {file_digest(adapter)[:12]})", flush=True)
    calibrate(data_dir, HARD_FILE, out, CACHE_DIR, max_rows, manifest=manifest)
    return out


def averaged_with_init(adapter: Path, manifest: dict, init_weight: float) -> Path:
    """``adapter`` averaged with the manifest's ``init_adapter`` (``init_weight`` of it), as
    ``real_voices`` writes its output when ``settings.average_with_init`` is set; written next to it."""
    out = adapter.with_suffix(f".avg{init_weight:g}.npz")
    average_with_init(manifest["settings"]["init_adapter"], adapter, init_weight, out)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("adapters", nargs="+", type=Path)
    parser.add_argument("--max-rows", type=int, default=1000, help="dev rows per real source (as make)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST_PATH,
                        help="the run's manifest: the domain dev rows as its sources pin them")
    parser.add_argument("--average-with-init", type=float, nargs="*", default=[], metavar="WEIGHT",
                        help="also calibrate each adapter averaged with the manifest's init_adapter, "
                             "this share of it (settings.average_with_init)")
    args = parser.parse_args(argv)
    manifest = read_manifest(args.manifest)
    for adapter in args.adapters:
        calibrate_adapter(args.data_dir, adapter, args.max_rows, manifest)
        for init_weight in args.average_with_init:
            averaged = averaged_with_init(adapter, manifest, init_weight)
            calibrate_adapter(args.data_dir, averaged, args.max_rows, manifest)


if __name__ == "__main__":
    main()
