"""Loading the user's dataset (an .npz file or a seeded generator), with validation.

The certificate is about the normalized inputs x_i = v_i/||v_i|| of the stored float rows v_i;
the labels y are used as given. `sha256` hashes the exact bytes of X and y (dtype, shape, values)
so that `certify check` detects altered data.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from certify.config import Config, DataConfig
from certify.errors import BadInput


@dataclass(frozen=True)
class Dataset:
    X: np.ndarray
    y: np.ndarray
    source: str
    sha256: str

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


def data_sha256(X: np.ndarray, y: np.ndarray) -> str:
    h = hashlib.sha256()
    for arr in (X, y):
        a = np.ascontiguousarray(arr, dtype=np.float64)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _validate(X, y, where: str) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise BadInput(f"{where}.X", f"array of shape {X.shape}", "a 2-D array of shape (n, d)")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise BadInput(f"{where}.y", f"array of shape {y.shape}", f"a 1-D array of shape ({X.shape[0]},), one label per row of X")
    if not (np.issubdtype(X.dtype, np.floating) or np.issubdtype(X.dtype, np.integer)):
        raise BadInput(f"{where}.X", f"dtype {X.dtype}", "a real numeric array")
    if not (np.issubdtype(y.dtype, np.floating) or np.issubdtype(y.dtype, np.integer)):
        raise BadInput(f"{where}.y", f"dtype {y.dtype}", "a real numeric array")
    if X.shape[0] < 2:
        raise BadInput(f"{where}.X", f"n = {X.shape[0]} rows", "at least 2 inputs (n >= 2)")
    if X.shape[1] < 1:
        raise BadInput(f"{where}.X", f"d = {X.shape[1]} columns", "at least 1 feature")
    Xf = X.astype(np.float64)
    yf = y.astype(np.float64)
    if not np.all(np.isfinite(Xf)):
        i, j = np.argwhere(~np.isfinite(Xf))[0]
        raise BadInput(f"{where}.X[{i}, {j}]", float(Xf[i, j]), "finite values (no NaN or inf)")
    if not np.all(np.isfinite(yf)):
        i = int(np.argwhere(~np.isfinite(yf))[0][0])
        raise BadInput(f"{where}.y[{i}]", float(yf[i]), "finite values (no NaN or inf)")
    zero = np.flatnonzero(~np.any(Xf != 0, axis=1))
    if zero.size:
        raise BadInput(f"{where}.X[{zero[0]}]", "a zero vector", "nonzero inputs (each row is normalized to unit length)")
    return Xf, yf


def generate_sphere(n: int, d: int, seed: int, labels: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    if labels == "random-sign":
        y = rng.choice([-1.0, 1.0], size=n)
    elif labels == "random-uniform":
        y = rng.uniform(-1.0, 1.0, size=n)
    else:
        y = np.zeros(n)
    return X, y


def load_dataset(config: Config | DataConfig, base_dir: str | Path | None = None) -> Dataset:
    data = config.data if isinstance(config, Config) else config
    if base_dir is None:
        base_dir = config.base_dir if isinstance(config, Config) else "."
    if data.source == "sphere":
        X, y = generate_sphere(data.n, data.d, data.seed, data.labels)
        X, y = _validate(X, y, "data")
        src = f"sphere(n={data.n}, d={data.d}, seed={data.seed}, labels={data.labels})"
        return Dataset(X, y, src, data_sha256(X, y))
    path = Path(data.path)
    if not path.is_absolute():
        path = Path(base_dir) / path
    if not path.exists():
        raise BadInput("data.path", data.path, "an existing .npz file with arrays X (n, d) and y (n,)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = set(npz.files)
            missing = {"X", "y"} - names
            if missing:
                raise BadInput("data.path", data.path,
                               f"an .npz with arrays named X and y; found {sorted(names)}, missing {sorted(missing)}")
            X, y = npz["X"], npz["y"]
    except BadInput:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise BadInput("data.path", data.path, f"a readable .npz file ({exc})") from None
    X, y = _validate(X, y, "data")
    return Dataset(X, y, str(data.path), data_sha256(X, y))
