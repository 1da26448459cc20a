"""core.projection against NumPy and Keras: PCA, aligned frames, the layer before the last, and the
frames a training job keeps (the job's test is marked slow: it trains)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from core import projection as proj
from core.architecture import Architecture
from core.evaluation import predict_probs
from core.keras_model import build_model
from core.presets import WORKSHOP_CNN
from core.training import TrainingJob, TrainSettings
from core.training.record import JobRecord, thinned
from core.training.snapshot import FeatureFrame
from tests.helpers_training import TINY, small_mnist

RNG = np.random.default_rng(0)
# 300 points in 6-D with clearly different variances along random directions
BASIS = np.linalg.qr(RNG.normal(size=(6, 6)))[0]
DATA = (RNG.normal(size=(300, 6)) * [5.0, 3.0, 1.0, 0.5, 0.2, 0.1]) @ BASIS.T + 7.0


def same_up_to_sign(a: np.ndarray, b: np.ndarray) -> None:
    for k in range(a.shape[1]):
        sign = np.sign(a[:, k] @ b[:, k])
        np.testing.assert_allclose(a[:, k], sign * b[:, k], atol=1e-8)


def test_pca_axes_are_the_covariance_eigenvectors_and_the_svd() -> None:
    axes = proj.fit(DATA)
    values, vectors = np.linalg.eigh(np.cov(DATA, rowvar=False))
    top = np.argsort(values)[::-1][:2]
    same_up_to_sign(axes.components, vectors[:, top])
    np.testing.assert_allclose(axes.share, values[top] / values.sum(), rtol=1e-9)
    _, _, vt = np.linalg.svd(DATA - DATA.mean(axis=0), full_matrices=False)
    same_up_to_sign(axes.components, vt[:2].T)
    np.testing.assert_allclose(axes.mean, DATA.mean(axis=0))
    coords = proj.project(DATA, axes)
    assert coords.shape == (300, 2) and coords.dtype == np.float32
    np.testing.assert_allclose(coords.mean(axis=0), 0, atol=1e-4)
    np.testing.assert_allclose(coords.var(axis=0, ddof=1), values[top], rtol=1e-5)
    # the same data always gives the same picture: each axis's largest loading is positive
    biggest = np.abs(axes.components).argmax(axis=0)
    assert (axes.components[biggest, [0, 1]] > 0).all()


def test_degenerate_data_gives_zeros_not_errors() -> None:
    flat = proj.fit(np.ones((5, 3)))
    assert (flat.share == 0).all() and (proj.project(np.ones((5, 3)), flat) == 0).all()
    one_column = proj.fit(np.arange(4.0)[:, None])
    assert one_column.components.shape == (1, 2) and one_column.share.tolist() == [1.0, 0.0]


def test_aligned_frames_keep_the_final_frame_fixed_on_its_own_axes() -> None:
    frames = [DATA * 0.1 + RNG.normal(size=DATA.shape), DATA * 0.5, DATA]
    coords, axes = proj.aligned(frames)
    assert coords.shape == (3, 300, 2)
    final_axes = proj.fit(DATA)
    np.testing.assert_allclose(coords[-1], proj.project(DATA, final_axes), atol=1e-5)
    np.testing.assert_allclose(axes.components, final_axes.components)
    # every earlier frame on those same axes and centre, not on its own
    expected = (frames[0] - DATA.mean(axis=0)) @ final_axes.components
    np.testing.assert_allclose(coords[0], expected, rtol=1e-5, atol=1e-4)
    with pytest.raises(ValueError, match="no frames"):
        proj.aligned([])
    with pytest.raises(ValueError, match="one shape"):
        proj.aligned([DATA, DATA[:10]])


def test_fold_keeps_narrow_layers_and_sketches_wide_ones() -> None:
    narrow = RNG.normal(size=(4, proj.MAX_WIDTH))
    assert proj.fold(narrow) is narrow
    wide = RNG.normal(size=(50, 20_000)).astype(np.float32)
    folded = proj.fold(wide)
    assert folded.shape == (50, proj.MAX_WIDTH)
    np.testing.assert_array_equal(folded, proj.fold(wide))  # fixed: the same every time
    # each input value lands, with a sign, in exactly one bucket
    one_hot = np.eye(20_000, dtype=np.float32)[:300]
    assert (np.abs(proj.fold(one_hot)).sum(axis=1) == 1).all()
    # and distances are kept close
    d_wide = np.linalg.norm(wide[:25] - wide[25:], axis=1)
    d_folded = np.linalg.norm(folded[:25] - folded[25:], axis=1)
    assert np.abs(d_folded / d_wide - 1).max() < 0.15


def test_the_layer_before_the_last_against_keras() -> None:
    model = build_model(WORKSHOP_CNN, seed=3).model
    images = small_mnist().x_test[:40]
    seen = []
    features, outputs = proj.penultimate(
        model, images, batch=16, progress=lambda d, t: seen.append(d)
    )
    x = images.astype(np.float32)[..., None]
    sub = keras.Model(model.inputs[0], model.layers[-2].output)
    np.testing.assert_allclose(features, np.asarray(sub(x)), atol=1e-5)
    np.testing.assert_allclose(outputs, np.asarray(model(x)), atol=1e-6)
    assert features.shape == (40, 64) and seen == [16, 32, 40]


def test_a_wide_layer_is_folded_batch_by_batch() -> None:
    arch = Architecture.from_url("conv(8,3)-flatten-dense(10,softmax)")  # Flatten: 5,408 values
    model = build_model(arch, seed=0).model
    images = small_mnist().x_test[:30]
    seen = []
    features, outputs = proj.penultimate(
        model, images, batch=8, progress=lambda d, t: seen.append(d)
    )
    flat = np.asarray(keras.Model(model.inputs[0], model.layers[-2].output)(images[..., None]))
    assert flat.shape == (30, 5_408) and features.shape == (30, proj.MAX_WIDTH)
    np.testing.assert_allclose(features, proj.fold(flat), rtol=1e-4, atol=1e-3)
    assert seen == [8, 16, 24, 30] and outputs.shape == (30, 10)
    empty, none = proj.penultimate(model, images[:0])
    assert empty.shape == (0, proj.MAX_WIDTH) and none.shape == (0, 10)


def test_sample_and_compact() -> None:
    sample = proj.sample_indices(10_000)
    assert len(sample) == len(np.unique(sample)) == 2_000 and (np.diff(sample) > 0).all()
    np.testing.assert_array_equal(sample, proj.sample_indices(10_000))
    assert proj.sample_indices(300).tolist() == list(range(300))
    half = proj.compact(np.array([[1.5, -2.25]]))
    assert half.dtype == np.float16 and half.tolist() == [[1.5, -2.25]]
    assert proj.compact(np.array([[np.inf]])).dtype == np.float32


def test_a_recorder_takes_its_frame_from_the_test_pass(monkeypatch) -> None:
    model = build_model(WORKSHOP_CNN, seed=0).model
    x_test = small_mnist().x_test[:120]
    kept: list[FeatureFrame] = []
    recorder = proj.FrameRecorder(kept.append)
    recorder.sample = proj.sample_indices(len(x_test), n=50)
    probs = recorder.test_probs(model, x_test, epoch=3)
    np.testing.assert_allclose(probs, predict_probs(model, x_test), atol=1e-6)
    (frame,) = kept
    assert frame.epoch == 3 and frame.features.shape == (50, 64)
    assert frame.features.dtype == np.float16 and not frame.features.flags.writeable
    np.testing.assert_array_equal(frame.predicted, probs[recorder.sample].argmax(axis=1))

    def broken(*args, **kwargs):
        raise RuntimeError("no")

    monkeypatch.setattr(proj, "penultimate", broken)  # a failure ends the frames, not the run
    np.testing.assert_allclose(recorder.test_probs(model, x_test, epoch=4), probs, atol=1e-6)
    assert recorder.sample is None and len(kept) == 1
    off = proj.FrameRecorder(kept.append, on=False)
    assert off.start(10_000) is None and off.frame(model, x_test, 0) is None


def test_a_recorder_on_a_wide_layer_takes_the_sample_apart() -> None:
    model = build_model(Architecture.from_url("conv(8,3)-flatten-dense(10,softmax)"), seed=0).model
    x_test = small_mnist().x_test[:90]
    kept: list[FeatureFrame] = []
    recorder = proj.FrameRecorder(kept.append)
    recorder.sample = proj.sample_indices(len(x_test), n=40)
    probs = recorder.test_probs(model, x_test, epoch=1)
    np.testing.assert_allclose(probs, predict_probs(model, x_test), atol=1e-6)
    assert kept[0].features.shape == (40, proj.MAX_WIDTH)


def test_a_record_keeps_frames_within_its_budget() -> None:
    record = JobRecord(TrainSettings())
    frame = lambda e: FeatureFrame(e, np.zeros((10, 10), np.float16), np.zeros(10, np.uint8))  # noqa: E731
    for epoch in range(9):
        record.add_frame(frame(epoch), budget=5 * 210)  # room for five frames
    assert [f.epoch for f in record.get("feature_frames")] == [0, 2, 4, 6, 8]
    record.add_frame(frame(8))  # the same epoch again replaces it
    assert [f.epoch for f in record.get("feature_frames")] == [0, 2, 4, 6, 8]
    assert [f.epoch for f in thinned([frame(0), frame(1)], 0)] == [0, 1]


@pytest.mark.slow
def test_a_training_job_keeps_a_frame_before_training_and_after_each_epoch() -> None:
    settings = TrainSettings("adam", 0.003, 0.0, 64, 2, 600, 0)
    mnist = small_mnist()
    job = TrainingJob(build_model(TINY, seed=0), settings)
    job.start(mnist)
    assert job.wait(120)
    snap = job.snapshot()
    assert snap.status == "finished", snap.message
    assert [f.epoch for f in snap.feature_frames] == [0, 1, 2]
    np.testing.assert_array_equal(snap.feature_sample, np.arange(300))  # all of a small test set
    assert {f.features.shape for f in snap.feature_frames} == {(300, 784)}  # Flatten's 784
    final = predict_probs(job.built.model, mnist.x_test)
    np.testing.assert_allclose(snap.test_probs, final, atol=1e-5)
    np.testing.assert_array_equal(snap.feature_frames[-1].predicted, final.argmax(axis=1))
    assert not np.array_equal(snap.feature_frames[0].predicted, snap.feature_frames[-1].predicted)

    plain = TrainingJob(build_model(TINY, seed=0), settings, frames=False)
    plain.start(mnist)
    assert plain.wait(120)
    assert plain.snapshot().feature_frames == () and plain.snapshot().feature_sample is None
