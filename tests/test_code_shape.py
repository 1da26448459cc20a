"""The house rules that keep the code easy to carry on: small modules, short functions, one-way imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 60
# path -> why it may be longer (one line each); empty today.
LONG_ALLOWED: dict[str, str] = {}
SKIP_DIRS = {".git", ".venv", ".venv-ci", "node_modules", "__pycache__"}


def _sources() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(ROOT).parts))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_scan_sees_the_app():
    names = {_rel(p) for p in _sources()}
    assert {"app.py", "core/architecture.py", "ui/state.py", "pages/build.py"} <= names


@pytest.mark.parametrize("path", _sources(), ids=_rel)
def test_module_and_functions_are_small(path: Path):
    if _rel(path) in LONG_ALLOWED:
        return
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= MAX_MODULE_LINES, (
        f"{_rel(path)} has more than {MAX_MODULE_LINES} lines"
    )
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not long, f"{_rel(path)}: functions over {MAX_FUNCTION_LINES} lines: {long}"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "core").rglob("*.py")), ids=_rel)
def test_core_imports_neither_streamlit_nor_ui(path: Path):
    assert not _imports(path) & {"streamlit", "ui", "pages"}


@pytest.mark.parametrize("path", sorted((ROOT / "ui").rglob("*.py")), ids=_rel)
def test_ui_never_imports_pages(path: Path):
    assert "pages" not in _imports(path)
