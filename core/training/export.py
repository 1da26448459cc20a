"""A trained model as a file the user can download and load with Keras."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any


def model_file_bytes(built: Any) -> bytes:
    """The model as a ``.keras`` file (architecture, weights, optimizer state).

    Args:
        built: a BuiltModel (its ``.model`` is saved).

    Returns:
        The bytes of the zip archive ``keras.saving.load_model`` reads.
    """
    with tempfile.TemporaryDirectory(prefix="layer-by-layer-") as tmp:
        path = Path(tmp) / "model.keras"
        built.model.save(path)
        return path.read_bytes()
