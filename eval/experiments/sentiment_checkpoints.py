"""Calibrate saved adapter checkpoints on dev rows, to choose the stop step of a training run.

``python -m eval.experiments.sentiment_checkpoints DATA ADAPTER.npz [ADAPTER.npz ...] [--max-rows 1000]``

For each adapter file (a checkpoint of ``python -m nlp.sentiment.training.real_voices``, or the
shipped one), the encoder is pointed at it in this process (the shipped file is not touched) and
:func:`nlp.sentiment.training.calibrate.calibrate` fits the logits-only head on the dev rows, printing
the out-of-fold dev objective (mean of TweetEval val macro recall and the other dev sets' accuracy),
the class bias and the mean largest class-share gap. The calibrated head of each adapter is written
next to it (``<adapter>.model_semantic.npz``), so the chosen one can be shipped with its adapter.
Only dev/val rows and the training half of the VADER tweets are read: no test split.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nlp.sentiment import encoder
from nlp.sentiment.training.calibrate import CACHE_DIR, HARD_FILE, calibrate
from nlp.sentiment.training.real_voices import DEFAULT_DATA_DIR, file_digest


def calibrate_adapter(data_dir: Path, adapter: Path, max_rows: int) -> Path:
    """Calibrate the head of one adapter file; returns the model file written next to it."""
    encoder.use_adapter(adapter)
    out = adapter.with_suffix(".model_semantic.npz")
    print(f"== {adapter} (sha256 {file_digest(adapter)[:12]})", flush=True)
    calibrate(data_dir, HARD_FILE, out, CACHE_DIR, max_rows)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("adapters", nargs="+", type=Path)
    parser.add_argument("--max-rows", type=int, default=1000, help="dev rows per real source (as make)")
    args = parser.parse_args(argv)
    for adapter in args.adapters:
        calibrate_adapter(args.data_dir, adapter, args.max_rows)


if __name__ == "__main__":
    main()
