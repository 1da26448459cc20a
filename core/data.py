"""MNIST from data/mnist.npz: read-only uint8 arrays, statistics, one-hot labels, sample picks."""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from core.pixel_stats import mean_and_std, pixel_value_counts

DATA_PATH = Path(__file__).resolve().parent.parent / "data" / "mnist.npz"
KEYS = ("x_train", "y_train", "x_test", "y_test")
NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)

__all__ = ["DATA_PATH", "Mnist", "load_mnist", "one_hot", "random_indices", "sample_indices"]
__all__ += ["subset", "to_model_input"]


def _check_split(name: str, x: np.ndarray, y: np.ndarray) -> None:
    """Raise ValueError unless x is (N, 28, 28) uint8 and y is (N,) uint8 digits."""
    if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            f"x_{name} must be uint8 of shape (N, 28, 28); received {x.dtype} {x.shape}"
        )
    if y.dtype != np.uint8 or y.shape != (len(x),):
        raise ValueError(
            f"y_{name} must be uint8 of shape ({len(x)},) to match x_{name}; "
            f"received {y.dtype} {y.shape}"
        )
    if len(y) and y.max() >= NUM_CLASSES:
        raise ValueError(f"y_{name} must hold digits 0..9; received a label {y.max()}")


def _read_only(array: np.ndarray) -> np.ndarray:
    """Return a read-only view of array (the caller's array keeps its own flags)."""
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True, eq=False)
class Mnist:
    """The MNIST arrays, read-only, with statistics computed once.

    Attributes:
        x_train: (N, 28, 28) uint8 training images, pixels 0..255.
        y_train: (N,) uint8 training labels 0..9.
        x_test: (M, 28, 28) uint8 test images.
        y_test: (M,) uint8 test labels.

    Raises:
        ValueError: if an array has the wrong dtype or shape, or a label is not a digit.

    Example:
        >>> m = Mnist(*(np.zeros(s, np.uint8) for s in [(2, 28, 28), 2, (1, 28, 28), 1]))
        >>> m.label_counts("train").tolist()
        [2, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __post_init__(self) -> None:
        """Validate the arrays and store read-only views of them."""
        _check_split("train", self.x_train, self.y_train)
        _check_split("test", self.x_test, self.y_test)
        for key in KEYS:
            object.__setattr__(self, key, _read_only(getattr(self, key)))

    @cached_property
    def pixel_counts(self) -> np.ndarray:
        """(256,) read-only counts of each pixel value over the training images, counted once."""
        counts = pixel_value_counts(self.x_train)
        counts.flags.writeable = False
        return counts

    @property
    def pixel_mean(self) -> float:
        """Mean training pixel value in 0..255 units (exact, from ``pixel_counts``)."""
        return mean_and_std(self.pixel_counts)[0]

    @property
    def pixel_std(self) -> float:
        """Population standard deviation of the training pixels in 0..255 units (exact)."""
        return mean_and_std(self.pixel_counts)[1]

    def label_counts(self, split: str = "train") -> np.ndarray:
        """Count the examples of each digit.

        Args:
            split: "train" or "test".

        Returns:
            (10,) int64 array; entry d is the number of examples labelled d.

        Raises:
            ValueError: if split is not "train" or "test".
        """
        if split not in ("train", "test"):
            raise ValueError(f'split must be "train" or "test"; received {split!r}')
        labels = self.y_train if split == "train" else self.y_test
        return np.bincount(labels, minlength=NUM_CLASSES).astype(np.int64)


def load_mnist(path: str | Path = DATA_PATH) -> Mnist:
    """Load MNIST from an .npz holding x_train, y_train, x_test and y_test.

    Args:
        path: the .npz file; defaults to data/mnist.npz in the repository.

    Returns:
        A validated Mnist with read-only arrays.

    Raises:
        FileNotFoundError: if the file does not exist (says how to rebuild it).
        ValueError: if the file is not an .npz, lacks an array, or an array has the
            wrong dtype or shape.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"MNIST data not found at {path}. Rebuild it from the repository root with "
            "`python scripts/build_mnist.py`."
        )
    try:
        return Mnist(**_read_npz(path))
    except ValueError as err:
        raise ValueError(f"{path} is not a valid MNIST .npz: {err}") from err


def _read_npz(path: Path) -> dict[str, np.ndarray]:
    """Read the four arrays from an .npz without unpickling; ValueError otherwise."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":
        raise ValueError(f"not a zip archive: received first bytes {head!r}")
    try:
        loaded = np.load(path, allow_pickle=False)
    except (OSError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(f"unreadable ({err})") from err
    with loaded as npz:
        missing = [key for key in KEYS if key not in npz.files]
        if missing:
            raise ValueError(f"missing arrays {missing}; received {sorted(npz.files)}")
        try:
            return {key: npz[key] for key in KEYS}
        except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as err:
            raise ValueError(f"corrupt archive ({err})") from err


def one_hot(labels: np.ndarray, num_classes: int = NUM_CLASSES) -> np.ndarray:
    """Encode integer labels as one-hot rows.

    Args:
        labels: (N,) integer labels in 0..num_classes-1.
        num_classes: the number of columns.

    Returns:
        (N, num_classes) float32 array with a single 1.0 per row.

    Raises:
        ValueError: if labels are not 1-D integers in range.

    Example:
        >>> one_hot(np.array([2, 0]), 3).tolist()
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"labels must be a 1-D integer array; received {labels.dtype} {labels.shape}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"labels must be in 0..{num_classes - 1}; "
            f"received min {labels.min()}, max {labels.max()}"
        )
    out = np.zeros((labels.size, num_classes), dtype=np.float32)
    out[np.arange(labels.size), labels] = 1.0
    return out


def to_model_input(images: np.ndarray) -> np.ndarray:
    """Shape images as the model's input, keeping pixel values 0..255.

    Args:
        images: one (28, 28) image, or a batch (N, 28, 28) or (N, 28, 28, 1), of any
            real dtype (usually uint8). Scaling is left to the model's Normalization.

    Returns:
        (N, 28, 28, 1) float32 array, a new copy.

    Raises:
        ValueError: for any other shape or a non-numeric dtype.

    Example:
        >>> to_model_input(np.zeros((28, 28), np.uint8)).shape
        (1, 28, 28, 1)
    """
    images = np.asarray(images)
    if not np.issubdtype(images.dtype, np.number) or np.iscomplexobj(images):
        raise ValueError(f"images must be real numbers; received dtype {images.dtype}")
    if images.shape == IMAGE_SHAPE:
        images = images[np.newaxis]
    if images.ndim == 4 and images.shape[1:] == (*IMAGE_SHAPE, 1):
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise ValueError(
            "images must have shape (28, 28), (N, 28, 28) or (N, 28, 28, 1); "
            f"received {images.shape}"
        )
    return images.astype(np.float32)[..., np.newaxis]


def random_indices(n_total: int, n: int, seed: int) -> np.ndarray:
    """Pick n distinct indices from range(n_total), the same ones for the same seed.

    For one seed, a smaller n gives a prefix of a larger n's pick, so subsets nest.

    Args:
        n_total: the size of the population.
        n: how many to pick, 0..n_total.
        seed: the random seed.

    Returns:
        (n,) int64 array of distinct indices, in random order.

    Raises:
        ValueError: if n is outside 0..n_total.

    Example:
        >>> bool((random_indices(100, 20, seed=1)[:5] == random_indices(100, 5, seed=1)).all())
        True
    """
    if not 0 <= n <= n_total:
        raise ValueError(f"n must be in 0..{n_total}; received {n}")
    return np.random.default_rng(seed).permutation(n_total)[:n].astype(np.int64)


def sample_indices(labels: np.ndarray, per_class: int, seed: int) -> np.ndarray:
    """Pick per_class examples of each digit, the same ones for the same seed.

    Args:
        labels: (N,) labels 0..9.
        per_class: how many examples of each digit, at least 1.
        seed: the random seed.

    Returns:
        (10 * per_class,) int64 indices: per_class indices of digit 0, then of 1, ...

    Raises:
        ValueError: if per_class < 1 or a digit has fewer than per_class examples.
    """
    labels = np.asarray(labels)
    counts = np.bincount(labels, minlength=NUM_CLASSES)[:NUM_CLASSES]
    if per_class < 1 or per_class > counts.min():
        raise ValueError(f"per_class must be in 1..{counts.min()}; received {per_class}")
    rng = np.random.default_rng(seed)
    picks = [
        rng.choice(np.flatnonzero(labels == d), per_class, replace=False)
        for d in range(NUM_CLASSES)
    ]
    return np.concatenate(picks).astype(np.int64)


def subset(mnist: Mnist, n_train: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Take a deterministic random subset of the training set, as uint8.

    Args:
        mnist: the data.
        n_train: the subset size, 1..len(mnist.y_train) (60000 for the shipped file).
        seed: the random seed; subsets of one seed nest (see random_indices).

    Returns:
        (x, y): read-only (n_train, 28, 28) uint8 images and (n_train,) uint8 labels in
        the training set's order. The whole set is returned as is, without a copy.

    Raises:
        ValueError: if n_train is outside 1..len(mnist.y_train).
    """
    total = len(mnist.y_train)
    if not 1 <= n_train <= total:
        raise ValueError(f"n_train must be in 1..{total}; received {n_train}")
    if n_train == total:
        return mnist.x_train, mnist.y_train
    idx = np.sort(random_indices(total, n_train, seed))
    return _read_only(mnist.x_train[idx]), _read_only(mnist.y_train[idx])
