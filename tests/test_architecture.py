"""The layout holds (docs/architecture.md): layers point one way, no cycles, SQL only in the store,
one writer per table, small pieces, documented views, and importing the libraries stays cheap."""

from __future__ import annotations

import ast
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SURVEY = ROOT / "survey"
FORBIDDEN = {
    "nlp": {"flask", "survey", "reports", "flask_wtf", "flask_login", "werkzeug"},
    "reports": {"flask", "survey", "flask_wtf", "flask_login", "werkzeug"},
}
#: What ``grep`` calls SQL (issue 9): statements, sqlite-utils table access.
SQL = re.compile(r"execute\(|\.query\(|\.table\(|db\[")
#: Where SQL may run: the store, the migrations, and the connection's PRAGMAs in db.py.
SQL_HOMES = ("survey/store/", "survey/migrations/")
#: A write to a table, as the store spells it.
WRITE = re.compile(r'(?:INSERT(?: OR [A-Z]+)? INTO|(?<!DO )UPDATE|DELETE FROM)\s+"?(\w+)'
                   r'|\bdb(?:\.table\("|\[")(\w+)"\)?\]?\.(?:insert|update|delete|upsert)')


def _survey_files() -> list[pathlib.Path]:
    return sorted(SURVEY.rglob("*.py"))


def _relative(path: pathlib.Path) -> str:
    return str(path.relative_to(ROOT))


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


def test_the_import_contracts_hold():
    """Layers (web | cli -> jobs -> services -> store -> db), Flask-free core, libraries, no cycles.

    In a subprocess, as ``make lint`` runs it: import-linter reconfigures logging in its process.
    """
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='setup.cfg', no_cache=True, no_logo=True))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sql_runs_only_in_the_store_and_the_migrations():
    outside = [
        f"{_relative(path)}:{number}: {line.strip()}"
        for path in _survey_files() if not _relative(path).startswith(SQL_HOMES)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if SQL.search(line) and not (_relative(path) == "survey/db.py" and "PRAGMA" in line)
    ]
    assert outside == []


def test_every_table_has_one_writer_module():
    """A writer is one module of ``survey/store/``, or one package there (an entity with several
    ways in, such as responses: submission, import and release)."""
    writers: dict[str, set[str]] = {}
    store = SURVEY / "store"
    for path in store.rglob("*.py"):
        writer = path.relative_to(store).parts[0]
        for match in WRITE.finditer(path.read_text(encoding="utf-8")):
            writers.setdefault(match.group(1) or match.group(2), set()).add(writer)
    assert len(writers) >= 20, "the pattern must still find the store's writes"
    assert {table: sorted(modules) for table, modules in writers.items() if len(modules) > 1} == {}


def test_survey_modules_and_functions_stay_small():
    too_big = []
    for path in _survey_files():
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 400:
            too_big.append(f"{_relative(path)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            function = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if function and node.end_lineno - node.lineno >= 60:
                too_big.append(f"{_relative(path)}:{node.lineno} {node.name}()")
    assert too_big == []


def test_every_view_has_a_docstring():
    undocumented = [
        f"{_relative(path)}:{node.lineno} {node.name}"
        for path in (SURVEY / "web").rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and not ast.get_docstring(node) and any(
            isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "route" for d in node.decorator_list)
    ]
    assert undocumented == []


def test_forms_live_only_in_forms_modules():
    elsewhere = [
        f"{_relative(path)}: {node.name}"
        for path in _survey_files() if path.name != "forms.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "id", "") in {"FlaskForm", "Form"} for base in node.bases)
    ]
    assert elsewhere == []


def test_importing_nlp_and_the_app_does_not_load_heavy_models():
    code = (
        "import sys, nlp, survey; survey.create_app({'SECRET_KEY': 'x'}); "
        "print(sorted(m for m in ('torch', 'spacy', 'sentence_transformers') if m in sys.modules))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip()
    assert output == "[]"
