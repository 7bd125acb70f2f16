"""``python -m eval [DATA_DIR]`` (``make eval``): run every quality evaluation, print the figures,
and write them with the data each one used to ``eval/RESULTS.md``.

Each evaluation is its own module (``eval.redaction``, ``eval.silo``, ``eval.sentiment``,
``eval.themes``, ``eval.clustering``) and runs in a subprocess, so one failing evaluation is
reported without hiding the others.
"""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"

#: (module and options, whether it takes the public data directory as its argument)
EVALUATIONS = (
    ("eval.redaction", False),
    ("eval.silo", False),
    ("eval.themes", False),
    ("eval.sentiment", True),
    ("eval.corrections", True),
    ("eval.clustering", True),
    ("eval.clustering --end-to-end", True),
)


def run(module: str, data_dir: pathlib.Path | None) -> tuple[str, int, float]:
    """Run one evaluation module; return its output, exit code and wall time."""
    command = [sys.executable, "-m", *module.split()] + ([str(data_dir)] if data_dir else [])
    started = time.perf_counter()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env)
    return result.stdout + (result.stderr if result.returncode else ""), result.returncode, (
        time.perf_counter() - started)


def main() -> int:
    data_dir = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    sections = [
        "# Evaluation results",
        "",
        f"Written by `python -m eval {data_dir}` on {dt.date.today().isoformat()}. "
        "Public data from `../shared/data` (see eval/README.md for where to get it); "
        "labelled domain sets from `eval/data/` and `nlp/data/sentiment/`.",
    ]
    failures = 0
    for module, takes_data in EVALUATIONS:
        print(f"== {module}", flush=True)
        output, code, seconds = run(module, data_dir if takes_data else None)
        print(output, flush=True)
        failures += code != 0
        sections += ["", f"## `python -m {module}`" + (f" `{data_dir}`" if takes_data else ""),
                     "", f"Exit code {code}, {seconds:.0f} s wall.", "", "```", output.rstrip(), "```"]
    (ROOT / "eval" / "RESULTS.md").write_text("\n".join(sections) + "\n", encoding="utf-8")
    print(f"Wrote eval/RESULTS.md ({failures} evaluation(s) failed).")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
