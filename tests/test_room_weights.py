"""Weights travel as plain arrays of our own architecture: round trip, and tampering refused."""

from __future__ import annotations

import io
import pickle
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from core.architecture import Architecture
from core.room import RoomError, model_from_entry, weights_to_bytes
from tests.hostile import assert_clear
from tests.room_helpers import TINY_LINK, joined

pytest_plugins = ["tests.room_fixtures"]

ARCH_JSON = Architecture.from_url(TINY_LINK).to_json()
ROOT = Path(__file__).resolve().parents[1]


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _arrays(model) -> dict[str, np.ndarray]:
    return {f"w{i}": w for i, w in enumerate(model.get_weights())}


def test_round_trip_gives_the_same_model(tiny_model):
    data = weights_to_bytes(tiny_model)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        assert npz.files == [f"w{i}" for i in range(len(tiny_model.get_weights()))]
    model = model_from_entry(ARCH_JSON, data)
    for mine, theirs in zip(model.get_weights(), tiny_model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    x = np.random.default_rng(0).integers(0, 256, (5, 28, 28, 1)).astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), tiny_model.predict(x, verbose=0))


def test_a_posted_run_comes_back_as_the_same_model(store, run_fields, tiny_model):
    _, _, ana = joined(store)
    entry = store.post_run(ana, **run_fields)
    model = model_from_entry(entry.arch_json, store.run_weights(entry.run_id))
    for mine, theirs in zip(model.get_weights(), tiny_model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def _tampered(tiny_model) -> dict[str, bytes]:
    good = _arrays(tiny_model)
    last = f"w{len(good) - 1}"
    pickled = io.BytesIO()
    with zipfile.ZipFile(pickled, "w") as archive:  # an .npz whose arrays are pickled objects
        for name, array in good.items():
            buffer = io.BytesIO()
            np.save(buffer, np.array([array, "x"], dtype=object), allow_pickle=True)
            archive.writestr(f"{name}.npy", buffer.getvalue())
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:  # unpacks to 20 MB
        for name, array in good.items():
            big = np.zeros(5_000_000 if name == "w0" else array.shape, array.dtype)
            buffer = io.BytesIO()
            np.save(buffer, big)
            archive.writestr(f"{name}.npy", buffer.getvalue())
    return {
        "wrong shape": _npz(**good | {"w0": np.zeros((5, 5, 1, 4), np.float32)}),
        "wrong dtype": _npz(**good | {"w0": good["w0"].astype(np.float64)}),
        "extra array": _npz(**good | {f"w{len(good)}": np.zeros(3, np.float32)}),
        "missing array": _npz(**{k: v for k, v in good.items() if k != last}),
        "renamed array": _npz(**{("kernel" if k == "w0" else k): v for k, v in good.items()}),
        "NaN": _npz(**good | {"w1": np.full_like(good["w1"], np.nan)}),
        "pickled object arrays": pickled.getvalue(),
        "a bare pickle": pickle.dumps(list(good.values())),
        "a single .npy": good["w0"].tobytes(),
        "an archive bomb": bomb.getvalue(),
        "empty": b"",
    }


def test_tampered_weights_are_refused(tiny_model, run_fields, store):
    _, _, ana = joined(store)
    for name, data in _tampered(tiny_model).items():
        with pytest.raises(RoomError) as err:
            model_from_entry(ARCH_JSON, data)
        assert_clear(err.value, "arrays")
        with pytest.raises(RoomError):
            store.post_run(ana, **run_fields | {"weights": data})
        assert store.runs(ana.room_code) == (), name


def test_weights_of_another_architecture_are_refused(tiny_model):
    other = Architecture.from_url("norm-conv(8,3)-flatten-dense(10,softmax)").to_json()
    with pytest.raises(RoomError) as err:
        model_from_entry(other, weights_to_bytes(tiny_model))
    assert_clear(err.value, "w0", "float32")


@pytest.mark.parametrize(
    "arch_json, words",
    [
        ("{", ["architecture", "JSON"]),
        ('{"layers": []}', ["architecture", "no layers"]),
        ('{"layers": [{"kind": "Lambda"}]}', ["architecture", "Lambda"]),
        (None, ["architecture"]),
    ],
)
def test_bad_architectures_are_refused(tiny_model, arch_json, words):
    with pytest.raises(RoomError) as err:
        model_from_entry(arch_json, weights_to_bytes(tiny_model))
    assert_clear(err.value, *words)


def test_importing_the_store_does_not_import_keras():
    code = "import sys, core.room, core.room.scoring; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["False", "False"]
