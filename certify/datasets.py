"""Tabular data sources of ``[data]``: .npz, .npy pairs, .csv files and scikit-learn's bundled data
sets, read exactly, then subsampled, standardized and relabelled as the config says.

Every reader returns a :class:`Table`: float64 arrays that equal the stored values exactly (a value
float64 cannot represent is refused, naming the array or column and the entry), and the original
row numbers. docs/datasets.md describes the sources, the options and the exactness rules.
"""

from __future__ import annotations

import csv
import math
import re
import zipfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from certify.errors import BadInput
from numerics.arith.dyadic import InexactConversion, exact_float64

SKLEARN_SETS = ("digits", "breast_cancer", "wine", "iris", "diabetes")
EXTRA_HINT = 'scikit-learn, the optional extra: pip install "dl-certify[datasets]"'
MAX_EXACT_DIGITS = 15
"""A decimal with at most 15 significant digits is the only such decimal that rounds to its
nearest float64 (DBL_DIG = 15), so the float64 it is read as determines it uniquely."""


@dataclass(frozen=True)
class Table:
    """Rows ``X`` (n, d) and labels ``y`` (n,) as float64, ``rows`` the original row numbers
    (0-based, in the source), ``columns`` the feature names when the source has them."""

    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    columns: tuple[str, ...] = ()


# ------------------------------------------------------------------ exact arrays
def exact_array(arr, field: str) -> np.ndarray:
    """``arr`` as float64 when the conversion is exact; BadInput naming ``field`` and the entry."""
    arr = np.asarray(arr)
    if arr.dtype.kind not in "biuf":
        raise BadInput(field, f"dtype {arr.dtype}", "a real numeric array (integers or floats)")
    try:
        return exact_float64(arr)
    except InexactConversion as exc:
        raise BadInput(f"{field}[{', '.join(map(str, exc.index))}]", exc.value,
                       f"values float64 represents exactly (this {exc.dtype} value would be rounded: "
                       "integers up to 2^53 in magnitude, floats with at most 53 significant bits)") from None


def _table(X, y, where_x: str, where_y: str, columns=()) -> Table:
    X = exact_array(X, where_x)
    y = exact_array(y, where_y)
    if X.ndim != 2:
        raise BadInput(where_x, f"array of shape {X.shape}", "a 2-D array of shape (n, d)")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise BadInput(where_y, f"array of shape {y.shape}",
                       f"a 1-D array of shape ({X.shape[0]},), one label per row of X")
    return Table(X, y, np.arange(X.shape[0], dtype=np.int64), tuple(columns))


# ------------------------------------------------------------------ files
def resolve(path: str, base_dir, field: str, what: str) -> Path:
    p = Path(path)
    if not p.is_absolute():
        p = Path(base_dir) / p
    if not p.is_file():
        raise BadInput(field, path, f"an existing {what}")
    return p


def read_npz(path: Path, field: str) -> Table:
    try:
        with np.load(path, allow_pickle=False) as npz:
            names = set(npz.files)
            missing = {"X", "y"} - names
            if missing:
                raise BadInput(field, str(path), f"an .npz with arrays named X and y; found {sorted(names)}, "
                                                 f"missing {sorted(missing)}")
            X, y = npz["X"], npz["y"]
    except BadInput:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise BadInput(field, str(path), f"a readable .npz file ({exc})") from None
    return _table(X, y, "data.X", "data.y")


def _read_npy(path: Path, field: str) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise BadInput(field, str(path), f"a readable .npy file holding one array ({exc})") from None


def read_npy_pair(path: Path, labels_path: Path) -> Table:
    return _table(_read_npy(path, "data.path"), _read_npy(labels_path, "data.labels_path"),
                  "data.path", "data.labels_path")


_NUMBER = re.compile(r"^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$")
_TINY = float(np.finfo(np.float64).tiny)          # 2^-1022: below it float64 has fewer bits


def _is_number(text: str) -> bool:
    m = _NUMBER.match(text.strip())
    return bool(m and (m.group(2) or m.group(3)))


def parse_cell(cell: str, field: str) -> tuple[float, int, int]:
    """A CSV cell as ``(float64, m, e)`` with the cell's exact value ``m 10^e`` (``m`` a signed
    integer): a decimal number, exactly representable or with at most 15 significant digits in
    the normal float64 range (then read as the nearest float64, which determines it); BadInput
    else."""
    text = cell.strip()
    match = _NUMBER.match(text)
    if not match or not (match.group(2) or match.group(3)):
        raise BadInput(field, cell, "a decimal number (no text, no empty cell, no inf or nan)")
    sign, whole, frac, exp = match.group(1), match.group(2), match.group(3) or "", match.group(4)
    digits = (whole + frac).lstrip("0")
    mantissa = int(digits) if digits else 0
    if sign == "-":
        mantissa = -mantissa
    e10 = (int(exp) if exp else 0) - len(frac) if mantissa else 0
    value = float(text)
    if not math.isfinite(value):
        raise BadInput(field, cell, "a number within the float64 range")
    short = len(digits.rstrip("0")) <= MAX_EXACT_DIGITS and (abs(value) >= _TINY or mantissa == 0)
    if not short and _decimal_fraction(mantissa, e10) != Fraction(value):
        raise BadInput(field, cell, f"at most {MAX_EXACT_DIGITS} significant digits in the normal float64 "
                                    f"range, or a value float64 represents exactly (this one would be "
                                    f"rounded to {value!r})")
    return value, mantissa, e10


def _decimal_fraction(mantissa: int, e10: int) -> Fraction:
    return Fraction(mantissa * 10 ** e10) if e10 >= 0 else Fraction(mantissa, 10 ** -e10)


def read_csv(path: Path, label_column) -> Table:
    """Numeric columns, one of them the label (``label_column``: a header name or a 0-based index,
    negative counting from the end). The first line is a header when none of its cells is a
    number (a first line that mixes names and numbers is refused)."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            lines = [row for row in csv.reader(fh) if any(c.strip() for c in row)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BadInput("data.path", str(path), f"a readable UTF-8 CSV file ({exc})") from None
    if not lines:
        raise BadInput("data.path", str(path), "a CSV file with at least one data row")
    header: list[str] | None = None
    numeric = [_is_number(c) for c in lines[0]]
    if not any(numeric):
        header, lines = [c.strip() for c in lines[0]], lines[1:]
    elif not all(numeric):
        k = numeric.index(False)
        raise BadInput(f"data.path line 1, column {k}", lines[0][k],
                       "a header line of names only, or a data line of numbers only")
    width = len(header) if header is not None else len(lines[0]) if lines else 0
    for r, row in enumerate(lines):
        if len(row) != width:
            raise BadInput(f"data.path line {r + 1 + (header is not None)}", f"{len(row)} cells",
                           f"{width} cells in every row (as the first row)")
    label = _label_index(label_column, header, width)
    keep = [k for k in range(width) if k != label]
    names = header if header is not None else [str(k) for k in range(width)]
    first_line = 1 + (header is not None)
    values = np.empty((len(lines), width))
    written = []                                     # the feature cells' exact values (m, e)
    for r, row in enumerate(lines):
        parsed = [parse_cell(cell, f"data.path line {r + first_line}, column {names[k]!r}")
                  for k, cell in enumerate(row)]
        values[r] = [p[0] for p in parsed]
        written.append([parsed[k][1:] for k in keep])
    X = values[:, keep]
    if not all(e >= 0 for row in written for _, e in row) or np.abs(X).max(initial=0) > 2.0 ** 53:
        _same_directions_as_written(written, X, first_line)      # some cell may have been rounded
    cols = tuple(header[k] for k in keep) if header is not None else ()
    return Table(X, values[:, label], np.arange(len(lines), dtype=np.int64), cols)


def _decimal_ray(row: list[tuple[int, int]]) -> tuple[int, ...]:
    """Exact ray of a row of decimals ``m 10^e``: the integers scaled to the smallest exponent,
    divided by their gcd (the sign kept, so positive multiples share the ray)."""
    nonzero = [e for m, e in row if m]
    if not nonzero:
        return ()
    low = min(nonzero)
    ints = [m * 10 ** (e - low) if m else 0 for m, e in row]
    g = math.gcd(*ints)
    return tuple(v // g for v in ints)


def _same_directions_as_written(written: list, X: np.ndarray, first_line: int) -> None:
    """Rows that are positive multiples of each other as written must stay so once read as
    float64, and conversely (else the certificate would be about other data): BadInput naming
    the two lines."""
    from numerics.kernels.input_rays import ray_classes

    if not np.any(X != 0, axis=1).all():
        return                                   # zero rows are refused later, naming the row
    as_read = {}
    for g, members in enumerate(ray_classes(X)):
        for i in members:
            as_read[i] = g
    as_written: dict[tuple, int] = {}
    for r, row in enumerate(written):
        j = as_written.setdefault(_decimal_ray(row), r)
        if j != r and as_read[j] != as_read[r]:
            _direction_changed(j, r, first_line, "parallel as written but not once rounded")
    for members in ray_classes(X):
        for r in members[1:]:
            if _decimal_ray(written[members[0]]) != _decimal_ray(written[r]):
                _direction_changed(members[0], r, first_line, "parallel once rounded but not as written")


def _direction_changed(i: int, j: int, first_line: int, how: str) -> None:
    raise BadInput(f"data.path lines {i + first_line} and {j + first_line}", how,
                   "rows whose directions float64 keeps: write these values exactly (at most 53 "
                   "significant bits), or scale the rows")


def _label_index(label_column, header, width: int) -> int:
    if label_column is None:
        raise BadInput("data.label_column", None, "the label column of the CSV: a header name or a 0-based index")
    if isinstance(label_column, str):
        if header is None or label_column not in header:
            found = header if header is not None else "no header row"
            raise BadInput("data.label_column", label_column, f"a column name of the header ({found})")
        return header.index(label_column)
    if not -width <= label_column < width:
        raise BadInput("data.label_column", label_column, f"a column index in [-{width}, {width - 1}]")
    if width < 2:
        raise BadInput("data.path", "1 column", "at least one feature column besides the labels")
    return label_column % width


# ------------------------------------------------------------------ scikit-learn
def read_sklearn(name: str) -> Table:
    """One of scikit-learn's bundled data sets (read from the installed package, offline)."""
    if name not in SKLEARN_SETS:
        raise BadInput("data.source", f"sklearn:{name}", "one of " + ", ".join(f"sklearn:{s}" for s in SKLEARN_SETS)
                       + " (or \"sphere\")")
    try:
        import sklearn.datasets as skd
    except ImportError:
        raise BadInput("data.source", f"sklearn:{name}", f"needs {EXTRA_HINT}") from None
    bunch = skd.load_diabetes(scaled=False) if name == "diabetes" else getattr(skd, f"load_{name}")()
    names = tuple(str(c) for c in getattr(bunch, "feature_names", ()))
    return _table(bunch.data, bunch.target, f"sklearn:{name}.data", f"sklearn:{name}.target", names)


# ------------------------------------------------------------------ options
def subsample(table: Table, count: int, seed: int) -> Table:
    """``count`` rows drawn without replacement (numpy's seeded generator), kept in source order."""
    n = table.X.shape[0]
    if count > n:
        raise BadInput("data.subsample", count, f"at most the number of rows, n = {n}")
    idx = np.sort(np.random.default_rng(seed).choice(n, size=count, replace=False))
    return Table(table.X[idx], table.y[idx], table.rows[idx], table.columns)


def standardize_columns(X: np.ndarray) -> np.ndarray:
    """Columns to mean 0 and variance 1 (population variance), computed with correctly rounded
    sums (math.fsum) so that every machine gets the same bits; a constant column becomes 0."""
    n, d = X.shape
    out = np.empty_like(X)
    for k in range(d):
        col = X[:, k].tolist()
        mean = math.fsum(col) / n
        centred = X[:, k] - mean
        std = math.sqrt(math.fsum((centred * centred).tolist()) / n)
        out[:, k] = centred / std if std > 0 else 0.0
    return out


LABEL_RULES = ("as-is", "sign", "parity", "one-vs-rest:K", "standardize")


def relabel(y: np.ndarray, rule: str) -> np.ndarray:
    """The labels the network is asked to fit (docs/datasets.md, "Labels")."""
    if rule == "as-is":
        return y
    if rule == "standardize":
        return standardize_columns(y[:, None])[:, 0]
    values = np.unique(y)
    if rule == "sign":
        if len(values) != 2:
            raise BadInput("data.labels", rule, f"exactly two distinct label values (found {len(values)}); "
                                                 "\"sign\" maps the smaller to -1 and the larger to +1")
        return np.where(y == values[1], 1.0, -1.0)
    if not np.all(values == np.round(values)):
        raise BadInput("data.labels", rule, "integer class labels (these labels are not all integers); "
                                             "use \"as-is\", \"sign\" or \"standardize\"")
    if rule == "parity":
        return np.where(np.mod(y, 2) == 0, 1.0, -1.0)
    k = int(rule.split(":", 1)[1])
    if k not in values:
        raise BadInput("data.labels", rule, f"one-vs-rest:K with K one of the labels {values.astype(int).tolist()}")
    return np.where(y == k, 1.0, -1.0)
