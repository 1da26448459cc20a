"""How the network groups digits: a projection frame, a run's frames, and what recording them costs training.

- Look inside, live: the pretrained model's layer before the last for the 2,000 sampled test digits
  (``penultimate``), PCA and the Plotly figure, beside bare ``model.predict`` on the same digits;
- a frame from recorded features: 11 frames of 2,000 × 512 float16 values (as a 10-epoch run
  keeps) aligned on the final one's axes and drawn with a slider; per frame (target ≤ 1 s);
- training: the notebook's CNN, Adam, batch 128, 2 epochs of 6,000 images, each epoch tested on
  all 10,000 test digits, with frames (``TrainingJob(frames=True)``, the default) and without,
  taking turns in the same process. A frame costs only in the test pass it is taken from (and
  frame 0 before training), so those are timed, per run: whole runs on this shared machine vary
  by more than the difference. Prints the extra seconds per epoch, and the frames' memory.

    python bench/experiments/projection.py   # or: python bench/bench_experiments.py projection
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.timing import median_ms  # noqa: E402
from core import predict  # noqa: E402
from core import projection as proj  # noqa: E402
from core.data import load_mnist  # noqa: E402
from core.figures.projection import scatter  # noqa: E402
from core.keras_model import build_model  # noqa: E402
from core.presets import NOTEBOOK_CNN  # noqa: E402
from core.training import TrainingJob, TrainSettings  # noqa: E402

REPEATS = 3
FRAME_TARGET_S = 1.0
TRAIN = TrainSettings("adam", 0.001, 0.0, 128, 2, 6_000, 0)
TRAIN_PAIRS = 3  # runs with and without frames, taking turns


def median_s(fn, repeats: int = REPEATS) -> float:
    """``bench.timing.median_ms`` in seconds."""
    return median_ms(fn, repeats) / 1000


def _live_rows(mnist, model) -> tuple[list[tuple[str, str, str]], np.ndarray]:
    sample = proj.sample_indices(len(mnist.y_test))
    images, labels = mnist.x_test[sample], mnist.y_test[sample]
    x = images.astype(np.float32)[..., np.newaxis]

    def frame() -> object:
        features, outputs = proj.penultimate(model, images)
        axes = proj.fit(features)
        coords = proj.project(features, axes)
        return scatter(coords, labels, sample, outputs.argmax(axis=1), title="t")

    bare = median_s(lambda: model.predict(x, batch_size=500, verbose=0))
    live = median_s(frame)
    features, _ = proj.penultimate(model, images)
    pca = median_s(lambda: proj.project(features, proj.fit(features)))
    return [
        ("pretrained: bare model.predict, 2,000 digits", f"{bare:.2f} s", "baseline"),
        (
            "Look inside, live: forward + PCA + figure, 2,000 digits",
            f"{live:.2f} s ({live / bare:.2f}× bare)",
            "once per model and session",
        ),
        ("PCA (SVD) + projection alone, 2,000 × 512", f"{pca * 1000:.0f} ms", "part of it"),
    ], features


def _frames_rows(mnist, final: np.ndarray) -> list[tuple[str, str, str]]:
    sample = proj.sample_indices(len(mnist.y_test))
    labels = mnist.y_test[sample]
    rng = np.random.default_rng(0)
    noise = rng.normal(size=final.shape).astype(np.float32) * final.std()
    frames = [proj.compact((e / 10) * final + (1 - e / 10) * noise) for e in range(11)]
    said = np.tile(labels, (11, 1))

    def draw() -> object:
        coords, axes = proj.aligned(frames)
        names = [f"epoch {e}" for e in range(11)]
        return scatter(coords, labels, sample, said, title="t", frame_names=names)

    total = median_s(draw)
    size = len(draw().to_json()) / 2**20
    per = total / len(frames)
    met = "met" if per <= FRAME_TARGET_S else "NOT met"
    return [
        (
            "a run's 11 frames: align on the final + figure with slider",
            f"{total:.2f} s ({per * 1000:.0f} ms per frame)",
            f"≤ {FRAME_TARGET_S:.0f} s per frame: {met}",
        ),
        ("  its figure JSON", f"{size:.1f} MB", "sent once per run"),
    ]


class TimedJob(TrainingJob):
    """A TrainingJob that times its test passes (with frames, each also takes its epoch's frame)
    and its frame 0 (the bench reaches into the job's recorder for that one call)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.test_s: list[float] = []
        self.frame0_s = 0.0
        recorder = self._frames
        take = recorder.frame

        def timed(model, x_test, epoch):
            start = time.perf_counter()
            result = take(model, x_test, epoch)
            if epoch == 0:
                self.frame0_s = time.perf_counter() - start
            return result

        recorder.frame = timed

    def evaluate(self) -> tuple[float, float]:
        start = time.perf_counter()
        result = super().evaluate()
        self.test_s.append(time.perf_counter() - start)
        return result


def _train(mnist, frames: bool) -> TimedJob:
    job = TimedJob(build_model(NOTEBOOK_CNN, seed=0), TRAIN, frames=frames)
    job.start(mnist)
    job.wait()
    assert job.snapshot().status == "finished", job.snapshot().message
    return job


def _training_rows(mnist) -> list[tuple[str, str, str]]:
    """Per run: frame 0 and the test passes, with frames and without (runs taking turns).

    Without frames the first test pass traces the model's predict function; with frames, frame 0
    traces the two-output model that every test pass then uses: so whole runs are compared.
    """
    runs: dict[bool, list[float]] = {True: [], False: []}
    frame0: list[float] = []
    epochs: list[float] = []
    kept: tuple = ()
    for _ in range(TRAIN_PAIRS):
        for frames in (False, True):
            job = _train(mnist, frames)
            runs[frames].append(job.frame0_s + sum(job.test_s))
            frame0 += [job.frame0_s] if frames else []
            epochs += [e.seconds for e in job.snapshot().epochs]
            kept = job.snapshot().feature_frames or kept
    without, with_ = (statistics.median(runs[k]) for k in (False, True))
    epoch = statistics.median(epochs) + without / TRAIN.epochs
    extra = (with_ - without) / TRAIN.epochs
    mb = sum(f.features.nbytes + f.predicted.nbytes for f in kept) / 2**20
    n = TRAIN.epochs
    return [
        ("training the notebook CNN: one epoch (6,000 images + test)", f"{epoch:.1f} s", "scale"),
        (f"  {n} test passes of 10,000 digits, without frames", f"{without:.2f} s", "baseline"),
        (f"  frame 0 + {n} test passes taking the frames", f"{with_:.2f} s", "same run, turns"),
        ("  of which frame 0 (before training)", f"{statistics.median(frame0):.2f} s", "once"),
        (
            "  extra per epoch from recording activations",
            f"{extra:+.2f} s ({extra / epoch:+.1%} of an epoch)",
            "small",
        ),
        (
            "  frames kept",
            f"{len(kept)} × {kept[-1].features.shape} {kept[-1].features.dtype}, {mb:.1f} MB",
            "~2 MB per epoch",
        ),
    ]


def run() -> list[tuple[str, str, str]]:
    """The figures, as (what, figure, target) rows."""
    mnist = load_mnist()
    model = predict.load_pretrained().built.model
    rows, features = _live_rows(mnist, model)
    rows += _frames_rows(mnist, features)
    rows += _training_rows(mnist)
    return rows


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
