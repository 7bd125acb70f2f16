"""Inside ``nlp``: run-time code never reaches the training scripts, and nothing reads the environment.

The training modules (``nlp.sentiment.training``) pull in the labelled corpora, tuning grids and
torch training loops; the analysis must run without them. And ``nlp`` takes its model and cache
choices as parameters, so the process environment cannot change what an analysis does.
"""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRAINING = "nlp.sentiment.training"
RUN_TIME_PACKAGES = ("nlp", "reports", "survey")


def _imported_modules(path: pathlib.Path) -> set[str]:
    """Every absolute module name ``path`` imports, at top level or inside functions."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _run_time_files() -> list[pathlib.Path]:
    training = ROOT / "nlp" / "sentiment" / "training"
    return [path for package in RUN_TIME_PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
            if training not in path.parents]


def test_no_run_time_module_imports_the_training_package():
    offenders = {str(path.relative_to(ROOT)): sorted(name for name in _imported_modules(path)
                                                      if name == TRAINING or name.startswith(f"{TRAINING}."))
                 for path in _run_time_files()}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_above_sees_imports_inside_functions(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def late():\n    from nlp.sentiment.training.corpus import read_domain_set\n")
    assert "nlp.sentiment.training.corpus" in _imported_modules(sample)


def test_running_an_analysis_and_scoring_loads_no_training_module():
    code = (
        "import sys, nlp\n"
        "from nlp.embeddings import LexicalEmbedder\n"
        "from nlp.sentiment import score_sentiment\n"
        "answers = [nlp.AnswerInput(f'r{i}', 1, 'W1', 'Sales', text) for i, text in enumerate(\n"
        "    ['The service desk was quick and kind.', 'Projects land months late.',\n"
        "     'Business asked, IT said no again.', 'Laptops arrive slowly.'] * 3)]\n"
        "nlp.analyse(answers, embedder=LexicalEmbedder(n_components=4), min_group_size=1)\n"
        "score_sentiment(['Great, another outage.'])\n"
        "[getattr(nlp, name) for name in nlp.__all__]\n"
        f"print(sorted(m for m in sys.modules if m.startswith({TRAINING!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_nlp_neither_reads_nor_writes_the_process_environment():
    readers = {"environ", "getenv", "putenv", "unsetenv"}
    offenders = {}
    for path in sorted((ROOT / "nlp").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = sorted({node.attr for node in ast.walk(tree)
                        if isinstance(node, ast.Attribute) and node.attr in readers}
                       | {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                          for alias in node.names if alias.name in readers})
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}
