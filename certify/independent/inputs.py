"""Reading what a certificate is about: the data rows and labels, the network's weights and the
witness, with the hashes the certificate records (re-implemented here, not imported).

Arrays are taken exactly as stored: a float64 array as is; an array of another dtype only when
every value converts to float64 exactly (float16/float32 always, integers up to 2^53 in
magnitude), otherwise the replay refuses it. Derived data (a .csv, .npy or scikit-learn source,
or any subsampling, standardization, relabelling or merge) are read from the final arrays the
producer wrote beside the certificate (:data:`DATA_FILE`). The generated "sphere" data set is re-generated
with numpy's seeded generator, as `certify run` does; the recorded sha256 confirms that the
rows are the same bytes.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import numpy as np


class ReplayError(ValueError):
    """The certificate or a file it names cannot be replayed: field, value, what is allowed."""

    def __init__(self, field: str, value, allowed: str):
        self.field, self.value, self.allowed = field, value, allowed
        super().__init__(f"{field}: got {value!r}; {allowed}")


def exact_float64(arr: np.ndarray, field: str) -> np.ndarray:
    """arr as float64 when that conversion is exact (ReplayError otherwise)."""
    arr = np.asarray(arr)
    if arr.dtype == np.float64:
        out = arr
    elif arr.dtype.kind == "f" and arr.dtype.itemsize <= 8:
        out = arr.astype(np.float64)
    elif arr.dtype.kind in "iu":
        if arr.size and np.abs(arr.astype(object)).max() > 2 ** 53:
            raise ReplayError(field, f"integers up to {np.abs(arr.astype(object)).max()}",
                              "integers of magnitude at most 2^53 (exact in float64)")
        out = arr.astype(np.float64)
    elif arr.dtype.kind == "f":
        out = arr.astype(np.float64)
        if not (out.astype(arr.dtype) == arr).all():
            raise ReplayError(field, f"dtype {arr.dtype}", "values that float64 represents exactly")
    else:
        raise ReplayError(field, f"dtype {arr.dtype}", "a real numeric array")
    if not np.isfinite(out).all():
        raise ReplayError(field, "a non-finite value", "finite values")
    return out


def _sphere(n: int, d: int, seed: int, labels: str) -> tuple[np.ndarray, np.ndarray]:
    """The generated data set of `certify run` ([data] source = "sphere")."""
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


def _npz(path: Path, field: str, names: tuple[str, ...]) -> dict:
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in names if k not in npz.files]
            if missing:
                raise ReplayError(field, str(path), f"an .npz with arrays {list(names)}; missing {missing}")
            return {k: np.asarray(npz[k]) for k in npz.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        if isinstance(exc, ReplayError):
            raise
        raise ReplayError(field, str(path), f"a readable .npz file ({exc})") from None


def data_hash(X: np.ndarray, y: np.ndarray) -> str:
    """sha256 of shape and float64 bytes of X, then y (the certificate's data.sha256)."""
    h = hashlib.sha256()
    for arr in (X, y):
        a = np.ascontiguousarray(arr, dtype=np.float64)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def weights_hash(W: np.ndarray, a: np.ndarray, W0: np.ndarray) -> str:
    """sha256 of the network's arrays (the certificate's weights.sha256)."""
    h = hashlib.sha256()
    for key, arr in (("W", W), ("a", a), ("W0", W0)):
        arr = np.ascontiguousarray(arr, dtype=np.float64)
        h.update(key.encode() + str(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def load_data(cert: dict, directory=None) -> tuple[np.ndarray, np.ndarray]:
    """(X, y) of the certificate's [data] section; a relative path is looked up under the recorded
    config_base_dir, then beside the certificate (its sha256 is compared anyway)."""
    data = (cert.get("config") or {}).get("data")
    if not isinstance(data, dict):
        raise ReplayError("CERT.config.data", data, "the recorded [data] section")
    if data.get("source") == "sphere":
        try:
            n, d, seed = int(data["n"]), int(data["d"]), int(data["seed"])
        except (KeyError, TypeError, ValueError):
            raise ReplayError("CERT.config.data", data, "n, d and seed of the generated data set") from None
        return _sphere(n, d, seed, str(data.get("labels")))
    if derived_data(cert):
        return _final_arrays(cert, directory)
    if not isinstance(data.get("path"), str):
        raise ReplayError("CERT.config.data.path", data.get("path"), "the path of an .npz with X and y")
    path = Path(data["path"])
    if not path.is_absolute():
        recorded = Path(str(cert.get("config_base_dir", "."))) / path
        beside = Path(directory) / path if directory is not None else recorded
        path = recorded if recorded.exists() or not beside.exists() else beside
    arrays = _npz(path, "CERT.config.data.path", ("X", "y"))
    X = exact_float64(arrays["X"], "data.X")
    y = exact_float64(arrays["y"], "data.y")
    if X.ndim != 2 or y.shape != (X.shape[0],) or (~X.any(axis=1)).any():
        raise ReplayError("data.X", f"shape {X.shape}", "n nonzero rows and one label per row")
    return X, y


DATA_FILE = "data.npz"
"""The final arrays X, y of a certificate whose data were derived (a .csv, .npy or scikit-learn
source, or an .npz with subsampling, standardization, relabelling or merged rows), written beside
the certificate by the producer. This checker replays the claims about exactly these arrays (the
recorded sha256 binds them to the certificate); re-deriving them from the source is the job of
`certify check`."""


def derived_data(cert: dict) -> bool:
    """Whether the certificate's final arrays differ from what its [data] section names directly."""
    data = (cert.get("config") or {}).get("data") or {}
    if data.get("source") == "sphere":
        return False
    path = data.get("path")
    if not (isinstance(path, str) and path.lower().endswith(".npz")):
        return True
    return bool((cert.get("data") or {}).get("provenance"))   # recorded only when a step changed the arrays


def _final_arrays(cert: dict, directory) -> tuple[np.ndarray, np.ndarray]:
    path = Path(directory if directory is not None else ".") / DATA_FILE
    if not path.is_file():
        raise ReplayError("CERT.data", str(path), f"the final arrays in {DATA_FILE} beside the certificate "
                          "(written by `certify run` / `certify instance` for derived data)")
    arrays = _npz(path, f"CERT.data ({DATA_FILE})", ("X", "y"))
    X = exact_float64(arrays["X"], "data.X")
    y = exact_float64(arrays["y"], "data.y")
    if X.ndim != 2 or y.shape != (X.shape[0],) or (~X.any(axis=1)).any():
        raise ReplayError("data.X", f"shape {X.shape}", "n nonzero rows and one label per row")
    return X, y


def load_weights(path: Path, d: int) -> dict:
    """W, a, W0 and every witness array of an instance certificate's weights file."""
    arrays = _npz(path, "CERT.weights.file", ("W", "a"))
    out = dict(arrays)
    out["W"] = exact_float64(arrays["W"], "weights.W")
    out["a"] = exact_float64(arrays["a"], "weights.a")
    out["W0"] = exact_float64(arrays.get("W0", arrays["W"]), "weights.W0")
    m = out["W"].shape[0]
    if out["W"].shape != (m, d) or out["a"].shape != (m,) or out["W0"].shape != (m, d):
        raise ReplayError("CERT.weights.file", str(path), f"W and W0 of shape (m, {d}) and a of shape (m,)")
    return out
