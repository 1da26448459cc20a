"""Nothing a user sends is executed: no unpickling, no Lambda layers, no user ``.keras``, no eval.

The behavioural tests feed the two loaders that read files (MNIST's ``.npz``, the pretrained
``.keras``) payloads that would run code, and check that they are refused and the code never ran.
The uploaders' accepted types are checked on the pages (tests/test_page_bad_input.py).
"""

from __future__ import annotations

import ast
import inspect
import os
import pickle
from pathlib import Path

import keras
import numpy as np
import pytest

from core import predict
from core.data import load_mnist

ROOT = Path(__file__).resolve().parents[1]

# Names that deserialise or run code wherever they appear (called or passed around).
FORBIDDEN_NAMES = {"eval", "exec", "__import__", "Unpickler", "enable_unsafe_deserialization"}
# Attributes that do so on these modules only (``np.load`` is fine: allow_pickle is checked below).
FORBIDDEN_ATTRIBUTES = {
    "pickle": {"load", "loads"},
    "marshal": {"load", "loads"},
    "yaml": {"load", "unsafe_load"},
    "joblib": {"load"},
    "torch": {"load"},
    "os": {"system", "popen"},
}
# Calls that are forbidden by name: user-supplied models and Keras Lambda layers.
FORBIDDEN_CALLS = {"load_model", "Lambda"}
# Keyword arguments that switch a safety off.
FORBIDDEN_KEYWORDS = {("allow_pickle", True), ("safe_mode", False), ("shell", True)}
# (file, name) pairs that are legitimate, each with why. A pair no longer found fails the scan too.
ALLOWED = {
    # Builds data/mnist.npz from a pinned, hash-checked wheel with an unpickler that admits only
    # NumPy's array constructors; never run by the app.
    ("scripts/build_mnist.py", "pickle.Unpickler"),
    # The one model file the app loads: the shipped models/pretrained.keras, in safe mode.
    ("core/predict.py", "load_model"),
}


def _code_files() -> list[Path]:
    skip = {"tests", ".git", ".venv", ".venv-ci", "node_modules"}
    return [p for p in ROOT.rglob("*.py") if not skip & set(p.relative_to(ROOT).parts)]


def _findings(tree: ast.AST) -> set[str]:
    """The forbidden names, attributes, calls and keywords used in one module's syntax tree."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.add(node.id)
        elif isinstance(node, ast.ImportFrom):
            names = FORBIDDEN_ATTRIBUTES.get(node.module, set()) | FORBIDDEN_NAMES
            found.update(f"{node.module}.{a.name}" for a in node.names if a.name in names)
        elif isinstance(node, ast.Attribute):
            owner = node.value.id if isinstance(node.value, ast.Name) else None
            if node.attr in FORBIDDEN_NAMES or node.attr in FORBIDDEN_ATTRIBUTES.get(owner, ()):
                found.add(node.attr if owner is None else f"{owner}.{node.attr}")
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called in FORBIDDEN_CALLS:
                found.add(called)
            if called == "load_pretrained" and (node.args or node.keywords):
                found.add("load_pretrained(another file)")  # the app loads the shipped file only
            for keyword in node.keywords:
                value = keyword.value
                if (
                    isinstance(value, ast.Constant)
                    and (keyword.arg, value.value) in FORBIDDEN_KEYWORDS
                ):
                    found.add(f"{keyword.arg}={value.value}")
    return found


def test_the_scan_finds_each_kind_of_forbidden_code():
    source = (
        "import pickle\nfrom marshal import loads\npickle.loads(b'')\neval('1')\n"
        "np.load(f, allow_pickle=True)\nkeras.saving.load_model(p, safe_mode=False)\n"
        "layers.Lambda(f)\nsubprocess.run(c, shell=True)\nload_pretrained('x.keras')\n"
        "text = 'pickle.loads(eval(x))'  # a string is not code\n"
    )
    assert _findings(ast.parse(source)) == {
        "marshal.loads",
        "pickle.loads",
        "eval",
        "allow_pickle=True",
        "load_model",
        "safe_mode=False",
        "Lambda",
        "shell=True",
        "load_pretrained(another file)",
    }


def test_no_code_outside_tests_unpickles_evals_or_loads_unsafe_models():
    """Scan the syntax of every module outside tests/ for code that could run user data.

    A behavioural test can only try the inputs and the code paths we think of; a single
    ``pickle.loads`` or ``eval`` added anywhere later would run whatever a user sends. So this
    scan (of the parsed code, not its text: strings such as the notebook's Keras 1 listing or
    help text that names ``load_model`` are not code) is the guard, with ``ALLOWED`` as the
    explicit, reasoned exceptions.
    """
    seen = set()
    bad = []
    for path in _code_files():
        rel = path.relative_to(ROOT).as_posix()
        for name in _findings(ast.parse(path.read_text(errors="replace"))):
            seen.add((rel, name))
            if (rel, name) not in ALLOWED:
                bad.append(f"{rel}: {name}")
    assert not bad, "code that could execute user data:\n" + "\n".join(sorted(bad))
    assert seen >= ALLOWED, f"stale ALLOWED entries: {sorted(ALLOWED - seen)}"


class _RunsCode:
    """Unpickling this makes a directory: proof that the pickle was executed."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_the_data_loader_refuses_pickled_objects_without_running_them(tmp_path: Path):
    marker = tmp_path / "unpickled"
    arrays = {
        "x_train": np.zeros((2, 28, 28), np.uint8),
        "y_train": np.zeros(2, np.uint8),
        "x_test": np.array([_RunsCode(marker)], dtype=object),
        "y_test": np.zeros(1, np.uint8),
    }
    np.savez(tmp_path / "mnist.npz", allow_pickle=True, **arrays)
    with pytest.raises(ValueError, match="Object arrays cannot be loaded"):
        load_mnist(tmp_path / "mnist.npz")
    assert not marker.exists()


def test_the_model_loader_refuses_a_lambda_layer(tmp_path: Path):
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Flatten()]
    )
    model.save(tmp_path / "lambda.keras")
    with pytest.raises(ValueError, match="Lambda"):
        predict.load_pretrained(tmp_path / "lambda.keras")


def test_the_model_loader_refuses_a_pickle_without_running_it(tmp_path: Path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "model.keras"
    path.write_bytes(pickle.dumps(_RunsCode(marker)))
    with pytest.raises(ValueError):
        predict.load_pretrained(path)
    assert not marker.exists()


def test_the_app_loads_the_shipped_model_by_default():
    assert predict.MODEL_PATH == ROOT / "models" / "pretrained.keras"
    default = inspect.signature(predict.load_pretrained).parameters["path"].default
    assert default == predict.MODEL_PATH
