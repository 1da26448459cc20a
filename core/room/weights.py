"""Weights as plain arrays: ``np.savez`` out, and in only into a model built from our own JSON.

Never a pickle and never a user's ``.keras`` file: the arrays are read with
``allow_pickle=False`` and must match the model's own weights in number, name, shape and dtype.
Keras is imported inside the functions, so ``import core.room`` never loads TensorFlow.
"""

from __future__ import annotations

import io
import threading
import zipfile
from typing import Any

import numpy as np

from core.architecture import Architecture, ArchitectureError
from core.room.errors import RoomError

NPY_HEADER = 4096  # room for one array's .npy header inside the archive
NOT_ARRAYS = "These weights are not plain arrays of this architecture"


def weights_to_bytes(model: Any) -> bytes:
    """``np.savez`` of ``model.get_weights()`` as ``w0, w1, ...`` (no pickle inside)."""
    buffer = io.BytesIO()
    np.savez(buffer, **{f"w{i}": np.asarray(w) for i, w in enumerate(model.get_weights())})
    return buffer.getvalue()


def expected(model: Any) -> list[tuple[tuple[int, ...], np.dtype]]:
    """The (shape, dtype) of each of ``model``'s weights, in ``get_weights`` order."""
    return [(tuple(int(d) for d in w.shape), np.dtype(w.dtype)) for w in model.weights]


# numpy reads each .npy header with ast.literal_eval, and CPython 3.11 keeps the AST builder's depth
# counter per interpreter: two threads parsing at once can fail with "SystemError: AST constructor
# recursion depth mismatch" (30 participants posting at once hit it). One archive is read at a time.
_READING = threading.Lock()


def load_arrays(data: object, wanted: list[tuple[tuple[int, ...], np.dtype]]) -> list[np.ndarray]:
    """The arrays in ``data`` when they are exactly ``wanted`` (shapes and dtypes), finite.

    Raises:
        RoomError: not an .npz, a pickled or object array, other names, count, shapes or
            dtypes, an archive that would unpack larger than the arrays, or NaN/infinity.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise RoomError(f"{NOT_ARRAYS}.")
    names = [f"w{i}" for i in range(len(wanted))]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
        if sorted(sizes) != sorted(f"{n}.npy" for n in names):
            raise RoomError(f"{NOT_ARRAYS}: it needs {len(names)} arrays w0…; got {len(sizes)}.")
        for name, (shape, dtype) in zip(names, wanted, strict=True):
            if sizes[f"{name}.npy"] > int(np.prod(shape)) * dtype.itemsize + NPY_HEADER:
                raise RoomError(f"{NOT_ARRAYS}: {name} is larger than its layer's weights.")
        with _READING, np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = [npz[name] for name in names]
    except RoomError:
        raise
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as err:
        raise RoomError(f"{NOT_ARRAYS} ({type(err).__name__}).") from None
    for name, array, (shape, dtype) in zip(names, arrays, wanted, strict=True):
        if array.shape != shape or array.dtype != dtype:
            raise RoomError(
                f"{NOT_ARRAYS}: {name} is {array.dtype}{list(array.shape)}; "
                f"the model needs {dtype}{list(shape)}."
            )
        if not np.isfinite(array).all():
            raise RoomError(f"{NOT_ARRAYS}: {name} holds NaN or infinity.")
    return arrays


def arch_of(arch_json: object) -> Architecture:
    """The validated architecture of a run.

    Raises:
        RoomError: the JSON is not one of our architectures (the reason says why).
    """
    if not isinstance(arch_json, (str, bytes)):
        raise RoomError("This run's architecture is not architecture JSON.")
    try:
        return Architecture.from_json(arch_json)
    except ArchitectureError as err:
        raise RoomError(f"This run's architecture cannot be used: {str(err)[:200]}") from None


def model_from_entry(arch_json: str, weights: bytes) -> Any:
    """A Keras model built from ``arch_json`` with the posted ``weights`` set into it.

    Raises:
        RoomError: the architecture does not validate or build, or the weights do not fit it.
    """
    from core.keras_model import build_model  # Keras only when a model is really needed

    arch = arch_of(arch_json)
    try:
        model = build_model(arch).model
    except ArchitectureError as err:
        raise RoomError(f"This run's architecture cannot be built: {str(err)[:200]}") from None
    model.set_weights(load_arrays(weights, expected(model)))
    return model
