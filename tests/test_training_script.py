"""Take it home: the generated script builds the same model, picks the same images, and really trains."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import data
from core.architecture import Architecture
from core.presets import NOTEBOOK_CNN, WORKSHOP_CNN
from core.shapes import trace
from core.training import TrainSettings
from core.training.script import training_script

ROOT = Path(__file__).resolve().parents[1]
MIXED = Architecture.from_url(
    "bnorm-conv(6,5,tanh,2,same)-act(relu)-avgpool-dropout(0.25)-flatten-dense(10,softmax)"
)
ACCURACY = re.compile(r"^Test accuracy: (\d\.\d{4})$", re.MULTILINE)


def _load(source: str) -> dict:
    """The script's functions and constants, without running its main()."""
    namespace: dict = {"__name__": "layer_by_layer_script"}
    exec(compile(source, "layer_by_layer_run1.py", "exec"), namespace)  # noqa: S102 - our own output
    return namespace


@pytest.mark.parametrize(
    "arch", [NOTEBOOK_CNN, WORKSHOP_CNN, MIXED], ids=["notebook", "workshop", "mixed"]
)
def test_the_script_builds_the_same_model(arch):
    script = _load(training_script(arch, TrainSettings()))
    model = script["build_model"]()
    assert model.count_params() == trace(arch).total_params
    assert [type(layer).__name__ for layer in model.layers] == [s.kind for s in arch.layers]
    assert tuple(model.compute_output_shape((None, 28, 28, 1))) == trace(arch).output_shape


@pytest.mark.parametrize(
    "settings",
    [
        TrainSettings("sgd", 0.05, 0.9, 64, 2, 2_000, 7),
        TrainSettings("adam", 0.002, 0.5, 128, 1, 6_000, 3),
    ],
    ids=["sgd-momentum", "adam"],
)
def test_the_script_trains_with_the_runs_settings_on_the_same_images(settings):
    script = _load(training_script(WORKSHOP_CNN, settings))
    assert (script["BATCH_SIZE"], script["EPOCHS"], script["N_TRAIN"], script["SEED"]) == (
        settings.batch_size,
        settings.epochs,
        settings.n_train,
        settings.seed,
    )
    optimizer = script["make_optimizer"]()
    assert type(optimizer).__name__ == {"sgd": "SGD", "adam": "Adam"}[settings.optimizer]
    config = optimizer.get_config()
    assert config["learning_rate"] == pytest.approx(settings.learning_rate)
    if settings.optimizer == "sgd":
        assert config["momentum"] == pytest.approx(settings.momentum)
    else:
        assert "momentum" not in config  # Adam has none: the run's momentum setting did not apply
    mnist = data.load_mnist()
    x, y = script["training_subset"](mnist.x_train, mnist.y_train, settings.n_train, settings.seed)
    app_x, app_y = data.subset(mnist, settings.n_train, settings.seed)  # what the app trained on
    np.testing.assert_array_equal(x, app_x)
    np.testing.assert_array_equal(y, app_y)


def _small_npz(folder: Path, keys=("x_train", "y_train", "x_test", "y_test")) -> Path:
    """500 training and 300 test images in MNIST's layout (the keys of data/mnist.npz)."""
    with np.load(ROOT / "data" / "mnist.npz") as full:
        assert sorted(full.files) == sorted(("x_train", "y_train", "x_test", "y_test"))
        arrays = {"x_train": full["x_train"][:500], "y_train": full["y_train"][:500]}
        arrays |= {"x_test": full["x_test"][:300], "y_test": full["y_test"][:300]}
    path = folder / "small_mnist.npz"
    np.savez(path, **{k: arrays[k] for k in keys})
    return path


def _run(source: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    script = folder / "layer_by_layer_run1.py"
    script.write_text(source)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "KERAS_HOME": str(folder / "keras")}
    return subprocess.run(
        [sys.executable, str(script), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "arch, settings",
    [
        (WORKSHOP_CNN, TrainSettings("sgd", 0.05, 0.9, 64, 1, 500, 0)),
        (NOTEBOOK_CNN, TrainSettings("adam", 0.001, 0.0, 32, 1, 500, 0)),
    ],
    ids=["workshop-sgd", "notebook-adam"],
)
def test_the_downloaded_script_runs_and_trains_on_500_images(tmp_path, arch, settings):
    source = training_script(arch, settings, title="run #1", file_name="layer_by_layer_run1.py")
    done = _run(source, tmp_path, "--data", str(_small_npz(tmp_path)))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "500 training and 300 test images, shape (28, 28, 1)" in done.stdout
    (accuracy,) = ACCURACY.findall(done.stdout)
    assert float(accuracy) > 0.2, done.stdout[-2000:]  # chance is 0.1: it learnt something


@pytest.mark.slow
def test_a_data_file_without_mnists_arrays_is_refused_in_one_sentence(tmp_path):
    source = training_script(WORKSHOP_CNN, TrainSettings(n_train=500, epochs=1))
    done = _run(source, tmp_path, "--data", str(_small_npz(tmp_path, keys=("x_train", "y_train"))))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "has no x_test, y_test: it needs the arrays" in done.stderr.strip().splitlines()[-1]
