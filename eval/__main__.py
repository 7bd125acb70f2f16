"""``python -m eval [DATA_DIR] [--only MODULE ...]`` (``make eval``): run every quality evaluation, print
the figures, and write them with the data each one used to ``eval/RESULTS.md``.

``--only eval.sentiment`` re-runs the named evaluations and replaces only their sections of
``eval/RESULTS.md`` (the others, and the header's date line, stay as they were written).

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
    # seeded samples of the big real test sets: the full run (no options) takes hours on two busy cores
    ("eval.sentiment --real-sample 2000 --invariance-sample 1000 --public-files tweets"
     " --max-rows 1000", True),
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


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=pathlib.Path, default=DEFAULT_DATA)
    parser.add_argument("--only", nargs="+", choices=sorted({module.split()[0] for module, _ in EVALUATIONS}),
                        help="re-run these evaluations (module names) and replace only their sections")
    args = parser.parse_args(argv)
    data_dir = args.data_dir
    results_path = ROOT / "eval" / "RESULTS.md"
    written = section_texts(results_path.read_text(encoding="utf-8")) if args.only else {}
    header = written.pop("", None) or "\n".join([
        "# Evaluation results",
        "",
        f"Written by `python -m eval {data_dir}` on {dt.date.today().isoformat()}. "
        "Public data from `../shared/data` (see eval/README.md for where to get it); "
        "labelled domain sets from `eval/data/` and `nlp/data/sentiment/`.",
    ])
    sections = [header.rstrip("\n")]
    failures = 0
    for module, takes_data in EVALUATIONS:
        title = f"## `python -m {module}`" + (f" `{data_dir}`" if takes_data else "")
        if args.only and module.split()[0] not in args.only:
            kept = kept_section(written, module)
            sections += ["", kept.rstrip("\n")] if kept else []
            continue
        print(f"== {module}", flush=True)
        output, code, seconds = run(module, data_dir if takes_data else None)
        print(output, flush=True)
        failures += code != 0
        when = f" (re-run alone on {dt.date.today().isoformat()})" if args.only else ""
        sections += ["", title, "", f"Exit code {code}, {seconds:.0f} s wall{when}.", "", "```",
                     output.rstrip(), "```"]
    results_path.write_text("\n".join(sections) + "\n", encoding="utf-8")
    print(f"Wrote eval/RESULTS.md ({failures} evaluation(s) failed).")
    return 1 if failures else 0


def kept_section(written: dict[str, str], module: str) -> str | None:
    """The written section of ``module``: the one with its exact command, else one of the same module
    whose command is no longer an evaluation here (its options changed)."""
    if module in written:
        return written[module]
    current = {entry for entry, _ in EVALUATIONS}
    return next((text for key, text in written.items()
                 if key.split()[0] == module.split()[0] and key not in current), None)


def section_texts(markdown: str) -> dict[str, str]:
    """The sections of a written ``RESULTS.md`` by module (``""``: the header before the first one)."""
    sections: dict[str, str] = {}
    key, lines = "", list[str]()
    for line in markdown.splitlines(keepends=True):
        if line.startswith("## `python -m "):
            sections[key] = "".join(lines)
            key, lines = line.split("`")[1].removeprefix("python -m "), []
        lines.append(line)
    sections[key] = "".join(lines)
    return sections


if __name__ == "__main__":
    raise SystemExit(main())
