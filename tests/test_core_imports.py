"""core/ is pure logic: every module imports on its own, and none of them brings in Streamlit.

``python -m pytest`` also runs core's docstring examples (``--doctest-modules`` in pyproject.toml),
which imports every core module the same way; this checks it in a clean interpreter.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """
import importlib, json, pkgutil, sys
import core
names = sorted(m.name for m in pkgutil.walk_packages(core.__path__, "core."))
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "streamlit" or m.startswith("streamlit."))
print(json.dumps({"modules": names, "streamlit": loaded}))
"""


def test_every_core_module_imports_without_streamlit():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"core.data", "core.layers", "core.figures.mnist"} <= set(found["modules"])
    assert found["streamlit"] == [], f"core imports Streamlit: {found['streamlit'][:5]}"
