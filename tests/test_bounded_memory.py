"""Look inside and Draw stay small whatever the model: peak allocations on a 401,408-input Dense stack.

``tracemalloc`` sees NumPy's allocations (and Plotly's, building a figure and its JSON), not
TensorFlow's: for the Keras side the tests check that every forward pass is cut into batches
whose activations fit ``core.batching.FORWARD_BYTES``.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.io as pio
import pytest

from core import predict
from core.activations import Inspector
from core.architecture import Architecture
from core.batching import FORWARD_BYTES, arch_step_values, batch_limit, model_step_values
from core.figures import inside as figs
from core.inside_caps import MAX_CELLS, channels_shown, strip_shown
from core.keras_model import build_model
from core.presets import NOTEBOOK_CNN
from core.top_patches import top_patches

MB = 2**20
WIDE = Architecture.from_url("norm-conv(512,3,relu,1,same)-flatten-dense(10,softmax)")
CONV, FLAT = 1, 2


@pytest.fixture(scope="module")
def wide():
    built = build_model(WIDE, seed=0)
    assert built.model.layers[FLAT].output.shape[1:] == (401_408,)
    return built


@pytest.fixture(scope="module")
def outputs(wide) -> list:
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12:16] = 255
    return Inspector(wide.model, WIDE).layer_outputs(image)


def peak_mb(work: Callable[[], Any]) -> float:
    """The peak of traced allocations while ``work`` runs a second time, in MB.

    The first run is a warm-up: Plotly and Keras fill their one-time caches then.
    """
    work()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        work()
        return tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()


def test_every_channel_view_draws_a_bounded_part(outputs):
    maps = outputs[CONV].array
    assert maps.shape == (28, 28, 512)
    shown = channels_shown(maps.shape, show_all=True)
    assert 32 <= shown < 512 and 28 * 28 * shown <= MAX_CELLS
    mb = peak_mb(lambda: pio.to_json(figs.feature_maps(maps, "t", max_tiles=shown)))
    assert mb < 8, f"{mb:.1f} MB"  # every channel: 31 MB


def test_the_flatten_strip_draws_a_bounded_part(outputs):
    flat = outputs[FLAT].array
    n = strip_shown(flat.size)
    assert flat.size == 401_408 and n < flat.size
    mb = peak_mb(lambda: pio.to_json(figs.flat_strip(flat[:n], "t", outputs[CONV].array.shape)))
    assert mb < 12, f"{mb:.1f} MB"  # the whole strip: 59 MB


def test_the_notebook_cnn_is_drawn_whole():
    for shape in [(28, 28, 32), (14, 14, 64), (7, 7, 64)]:
        assert channels_shown(shape, show_all=True) == shape[-1]
    assert strip_shown(3136) == 3136


def test_top_patches_is_bounded_and_its_batches_fit(wide):
    images = np.random.default_rng(0).integers(0, 256, (600, 28, 28), dtype=np.uint8)
    step = arch_step_values(WIDE, CONV)
    batch = batch_limit(step, 250)
    assert step == 784 + 401_408 and batch * 4 * step <= FORWARD_BYTES and batch < 250
    result = {}
    mb = peak_mb(lambda: result.update(top=top_patches(wide.model, WIDE, CONV, 7, images, k=9)))
    assert mb < 8, f"{mb:.1f} MB"
    assert result["top"].searched == 600 and result["top"].patches.shape == (9, 3, 3)


def test_top_patches_does_not_depend_on_the_batches(wide):
    images = np.random.default_rng(1).integers(0, 256, (50, 28, 28), dtype=np.uint8)
    one = top_patches(wide.model, WIDE, CONV, 3, images, k=5, batch_size=50)
    many = top_patches(wide.model, WIDE, CONV, 3, images, k=5, batch_size=7)
    np.testing.assert_array_equal(one.image_indices, many.image_indices)
    np.testing.assert_allclose(one.values, many.values, rtol=1e-5)


def test_occlusion_is_bounded_and_its_batches_fit(wide):
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 4:24] = 200  # ink everywhere: the most squares (144, and the intact image)
    step = model_step_values(wide.model)
    assert step == 2 * 401_408 and batch_limit(step, 145) * 4 * step <= FORWARD_BYTES
    result = {}
    mb = peak_mb(lambda: result.update(occ=predict.occlusion(wide.model, image, 3)))
    assert mb < 8, f"{mb:.1f} MB"
    assert result["occ"].patches == 144 and result["occ"].drop.shape == (28, 28)


def test_the_notebook_cnn_keeps_its_usual_batches():
    built = build_model(NOTEBOOK_CNN, seed=0)
    assert batch_limit(arch_step_values(NOTEBOOK_CNN), 250) == 250
    assert batch_limit(model_step_values(built.model), 146) == 146
