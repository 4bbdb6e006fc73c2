"""The five scikit-learn datasets the benchmarks use, prepared as `certify instance` expects them.

Columns standardized (zero mean, unit variance; constant columns left at 0), rows then on the unit
sphere (the proof normalizes them exactly again), labels: +-1 by class parity (digits, wine, iris),
+-1 by class (breast_cancer), the standardized regression target (diabetes). Rows that become
identical after this preparation are merged when their labels agree (reported); identical rows
with different labels would make every zero-loss claim impossible and raise ValueError.
Needs scikit-learn (the optional extra ``datasets``); nothing is downloaded.
"""

from __future__ import annotations

import numpy as np

NAMES = ("digits", "breast_cancer", "wine", "iris", "diabetes")


def _labels(name: str, target: np.ndarray) -> np.ndarray:
    if name == "diabetes":
        t = target.astype(float)
        return (t - t.mean()) / t.std()
    if name == "breast_cancer":
        return np.where(target > 0, 1.0, -1.0)
    return np.where(target.astype(int) % 2 == 0, 1.0, -1.0)


def merge_duplicates(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """Drop rows identical (as floats) to an earlier row with the same label; returns the kept
    rows and the merged pairs (kept index, dropped index). ValueError names a contradictory pair."""
    seen: dict[bytes, int] = {}
    keep, merged = [], []
    for i in range(len(y)):
        key = np.ascontiguousarray(X[i]).tobytes()
        j = seen.get(key)
        if j is None:
            seen[key] = i
            keep.append(i)
        elif y[j] == y[i]:
            merged.append((j, i))
        else:
            raise ValueError(f"rows {j} and {i} are identical with labels {y[j]} and {y[i]}: no network "
                             "interpolates them")
    return X[keep], y[keep], merged


def load_real(name: str, report: bool = False):
    """(X, y) of the prepared dataset ``name`` (module docstring); with ``report`` also the merged
    duplicate pairs."""
    from sklearn import datasets

    if name not in NAMES:
        raise ValueError(f"name: got {name!r}; allowed: {', '.join(NAMES)}")
    b = getattr(datasets, f"load_{name}")()
    X = np.asarray(b.data, dtype=np.float64)
    sd = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    y = _labels(name, np.asarray(b.target))
    X, y, merged = merge_duplicates(X, y)
    return (X, y, merged) if report else (X, y)
