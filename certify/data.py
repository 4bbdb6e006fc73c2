"""The data set a certificate is about: read (certify/datasets.py), subsampled, standardized,
relabelled, checked and merged, with a record of every step.

The certificate is about the normalized inputs x_i = v_i/||v_i|| of the final float64 rows v_i and
the final labels y. `sha256` hashes the exact bytes of those final arrays (shape and float64
values, X then y): the data that was certified, which `certify check` recomputes from the recorded
[data] section and compares.

Rows with the same normalized input (identical rows, or positive multiples) are decided exactly
(numerics/kernels/input_rays.py). With equal labels they are merged, keeping the first, and the
merge is recorded and printed; with different labels no network of the model interpolates them
(both get the same output), so nothing is certified: :class:`NoInterpolation` (exit 1) names the
two original rows. docs/datasets.md has the details.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from certify.config import Config, DataConfig
from certify.errors import BadInput, NoInterpolation


@dataclass(frozen=True)
class Dataset:
    """The final arrays (float64), where they came from (`source`, `provenance`), their sha256,
    and `rows`: the original row number (in the source, 0-based) of each final row."""

    X: np.ndarray
    y: np.ndarray
    source: str
    sha256: str
    rows: np.ndarray | None = None
    provenance: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])

    def original_row(self, i: int) -> int:
        """The source's row number of final row ``i``."""
        return int(self.rows[i]) if self.rows is not None else int(i)

    def record(self) -> dict:
        """The certificate's ``data`` object (without the normalization note); ``provenance`` only
        when a step changed the arrays read (a subsample, standardization, relabelling, a merge)."""
        return {"source": self.source, "sha256": self.sha256, "n": self.n, "d": self.d,
                **({"provenance": self.provenance} if changed(self.provenance) else {})}


def changed(provenance: dict) -> bool:
    """Whether the recorded steps changed the arrays that were read."""
    p = provenance or {}
    return bool(p.get("subsample") or p.get("standardize") or p.get("labels", "as-is") != "as-is"
                or p.get("merged_rows") or p.get("duplicates", "merge") != "merge")


def data_sha256(X: np.ndarray, y: np.ndarray) -> str:
    """sha256 of the shape and float64 bytes of X, then of y (the arrays are exact float64)."""
    h = hashlib.sha256()
    for arr in (X, y):
        a = np.ascontiguousarray(arr, dtype=np.float64)
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def _validate(X: np.ndarray, y: np.ndarray, rows: np.ndarray, where: str) -> None:
    if X.shape[0] < 2:
        raise BadInput(f"{where}.X", f"n = {X.shape[0]} rows", "at least 2 inputs (n >= 2)")
    if X.shape[1] < 1:
        raise BadInput(f"{where}.X", f"d = {X.shape[1]} columns", "at least 1 feature")
    if not np.all(np.isfinite(X)):
        i, j = np.argwhere(~np.isfinite(X))[0]
        raise BadInput(f"{where}.X[{rows[i]}, {j}]", float(X[i, j]), "finite values (no NaN or inf)")
    if not np.all(np.isfinite(y)):
        i = int(np.argwhere(~np.isfinite(y))[0][0])
        raise BadInput(f"{where}.y[{rows[i]}]", float(y[i]), "finite values (no NaN or inf)")
    zero = np.flatnonzero(~np.any(X != 0, axis=1))
    if zero.size:
        raise BadInput(f"{where}.X[{rows[zero[0]]}]", "a zero vector",
                       "nonzero inputs (each row is normalized to unit length; after `standardize` a row "
                       "equal to the column means is zero)")


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


# ------------------------------------------------------------------ same inputs
def merge_same_inputs(X: np.ndarray, y: np.ndarray, rows: np.ndarray):
    """Merge rows with the same normalized input and the same label (keep the first); returns
    ``(X, y, rows, merged)``, ``merged`` a list of {kept, merged, kind} in original row numbers.
    NoInterpolation when two such rows have different labels."""
    from numerics.kernels.input_rays import ray_classes

    keep = np.ones(X.shape[0], dtype=bool)
    merged = []
    for group in ray_classes(X):
        if len(group) == 1:
            continue
        first = group[0]
        for j in group[1:]:
            if y[j] != y[first]:
                raise NoInterpolation(_contradiction(X, y, rows, first, j))
        keep[group[1:]] = False
        identical = all(np.array_equal(X[j], X[first]) for j in group[1:])
        merged.append({"kept": int(rows[first]), "merged": [int(rows[j]) for j in group[1:]],
                       "kind": "identical" if identical else "positive multiples"})
    return X[keep], y[keep], rows[keep], merged


def check_labels_consistent(X: np.ndarray, y: np.ndarray, rows: np.ndarray) -> None:
    """NoInterpolation when two rows with the same normalized input have different labels."""
    from numerics.kernels.input_rays import ray_classes

    for group in ray_classes(X):
        for j in group[1:]:
            if y[j] != y[group[0]]:
                raise NoInterpolation(_contradiction(X, y, rows, group[0], j))


def _contradiction(X, y, rows, i: int, j: int) -> str:
    how = "identical" if np.array_equal(X[i], X[j]) else \
        "parallel (one is a positive multiple of the other: the same normalized input)"
    return (f"inputs {rows[i]} and {rows[j]} are {how} with different labels (y = {float(y[i])!r} and {float(y[j])!r}): "
            "no network interpolates them (both get the same output), so no zero-loss point exists; "
            "no certificate written (row numbers count from 0 in the source)")


# ------------------------------------------------------------------ loading
def load_dataset(config: Config | DataConfig, base_dir: str | Path | None = None, *, echo=None) -> Dataset:
    """The final data set of a config's [data] section (BadInput, exit 2, for anything unusable;
    NoInterpolation, exit 1, for rows no network can fit). ``echo``: where merges are reported
    (default: stderr)."""
    data = config.data if isinstance(config, Config) else config
    if base_dir is None:
        base_dir = config.base_dir if isinstance(config, Config) else "."
    if data.source == "sphere":
        X, y = generate_sphere(data.n, data.d, data.seed, data.labels or "random-sign")
        rows = np.arange(X.shape[0], dtype=np.int64)
        _validate(X, y, rows, "data")
        check_labels_consistent(X, y, rows)
        src = f"sphere(n={data.n}, d={data.d}, seed={data.seed}, labels={data.labels or 'random-sign'})"
        return Dataset(X, y, src, data_sha256(X, y), rows)
    table, src = _read(data, base_dir)
    n_read = table.X.shape[0]
    if data.subsample is not None:
        from certify.datasets import subsample

        table = subsample(table, data.subsample, data.seed)
    X, y, rows = table.X, table.y, table.rows
    if data.standardize:
        from certify.datasets import standardize_columns

        X = standardize_columns(X)
    if data.labels not in (None, "as-is"):
        from certify.datasets import relabel

        y = relabel(y, data.labels)
    _validate(X, y, rows, "data")
    if data.duplicates == "keep":
        check_labels_consistent(X, y, rows)
        merged = []
    else:
        X, y, rows, merged = merge_same_inputs(X, y, rows)
    if X.shape[0] < 2:
        raise BadInput("data", f"{X.shape[0]} distinct input(s) after merging", "at least 2 distinct inputs")
    provenance = {"rows_read": int(n_read), "subsample": data.subsample,
                  "seed": data.seed if data.subsample is not None else None,
                  "standardize": bool(data.standardize), "labels": data.labels or "as-is",
                  "duplicates": data.duplicates, "merged_rows": merged}
    if merged:
        _report_merges(merged, echo)
    return Dataset(np.ascontiguousarray(X), np.ascontiguousarray(y), src, data_sha256(X, y), rows, provenance)


def _read(data: DataConfig, base_dir):
    from certify.datasets import read_csv, read_npy_pair, read_npz, read_sklearn, resolve

    if data.source is not None:
        return read_sklearn(data.source.split(":", 1)[1]), data.source
    suffix = Path(data.path).suffix.lower()
    if suffix == ".npz":
        return read_npz(resolve(data.path, base_dir, "data.path", ".npz file with arrays X (n, d) and y (n,)"),
                        "data.path"), str(data.path)
    if suffix == ".csv":
        return read_csv(resolve(data.path, base_dir, "data.path", "CSV file"), data.label_column), str(data.path)
    path = resolve(data.path, base_dir, "data.path", ".npy file with the rows X (n, d)")
    labels = resolve(data.labels_path, base_dir, "data.labels_path", ".npy file with the labels y (n,)")
    return read_npy_pair(path, labels), f"{data.path} + {data.labels_path}"


def _report_merges(merged: list[dict], echo) -> None:
    if echo is None:
        import click

        def echo(text):
            click.echo(text, err=True)
    count = sum(len(m["merged"]) for m in merged)
    echo(f"data: merged {count} row(s) with the same normalized input and the same label into the first "
         "of each group (recorded in the certificate's data.provenance.merged_rows):")
    for m in merged[:10]:
        echo(f"  row {m['kept']} kept; {m['kind']}: {m['merged']}")
    if len(merged) > 10:
        echo(f"  ... {len(merged) - 10} more group(s)")
