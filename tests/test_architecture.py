"""Layers point one way (STYLE.md habit 1) and importing the libraries stays cheap."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "nlp": {"flask", "survey", "reports", "flask_wtf", "flask_login", "werkzeug"},
    "reports": {"flask", "survey", "flask_wtf", "flask_login", "werkzeug"},
}


def _imported_top_level_modules(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_library_packages_do_not_import_upper_layers(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imported_top_level_modules(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_importing_nlp_and_the_app_does_not_load_heavy_models():
    code = (
        "import sys, nlp, survey; survey.create_app({'SECRET_KEY': 'x'}); "
        "print(sorted(m for m in ('torch', 'spacy', 'sentence_transformers') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip()
    assert output == "[]"
