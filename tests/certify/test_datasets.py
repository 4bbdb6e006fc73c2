"""[data] sources and options (certify/datasets.py, certify/data.py): files, scikit-learn sets,
standardize / labels / subsample, exactness, merged and contradictory rows, and the CLI's exit
codes and messages."""

from __future__ import annotations

import json
import math
import re
import sys
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.config import config_from_dict
from certify.data import data_sha256, load_dataset
from certify.errors import BadInput, NoInterpolation

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def _load(data: dict, tmp_path=None, echo=None):
    return load_dataset(config_from_dict({"data": data}, base_dir=tmp_path or "."), echo=echo or (lambda s: None))


# ------------------------------------------------------------------ sources
@pytest.mark.parametrize("name,n,d", [("wine", 178, 13), ("iris", 150, 4), ("breast_cancer", 569, 30)])
def test_sklearn_sets_are_the_bundled_arrays(name, n, d):
    bunch = getattr(sklearn_datasets, f"load_{name}")()
    ds = _load({"source": f"sklearn:{name}"})
    dup = n - ds.n                                   # merged rows (iris: 101 and 142 are identical)
    assert ds.d == d and ds.n + dup == n
    assert np.array_equal(ds.X, bunch.data[ds.rows]) and np.array_equal(ds.y, bunch.target[ds.rows])
    assert ds.sha256 == data_sha256(bunch.data[ds.rows], bunch.target[ds.rows].astype(float))
    assert ds.provenance["rows_read"] == n


def test_iris_duplicate_is_merged_and_reported():
    lines = []
    ds = _load({"source": "sklearn:iris"}, echo=lines.append)
    merged = ds.provenance["merged_rows"]
    assert {"kept": 101, "merged": [142], "kind": "identical"} in merged
    assert 142 not in ds.rows.tolist() and 101 in ds.rows.tolist()
    assert any("101" in line and "142" in line for line in lines)


def test_csv_with_and_without_header(tmp_path):
    (tmp_path / "h.csv").write_text("a,b,target\n1,2,1\n3,-4.5,0\n0.25,1e-3,1\n")
    ds = _load({"path": "h.csv", "label_column": "target"}, tmp_path)
    assert ds.X.tolist() == [[1, 2], [3, -4.5], [0.25, 0.001]] and ds.y.tolist() == [1, 0, 1]
    (tmp_path / "n.csv").write_text("1,1,2\n0,3,-4.5\n")
    ds = _load({"path": "n.csv", "label_column": 0}, tmp_path)
    assert ds.X.tolist() == [[1, 2], [3, -4.5]] and ds.y.tolist() == [1, 0]
    ds = _load({"path": "n.csv", "label_column": -1}, tmp_path)
    assert ds.y.tolist() == [2, -4.5]


def test_npy_pair_and_int_npz(tmp_path):
    X = np.array([[1, 2], [3, 5], [-1, 4]], dtype=np.int64)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", np.array([1, -1, 1], dtype=np.int32))
    ds = _load({"path": "X.npy", "labels_path": "y.npy"}, tmp_path)
    assert ds.X.dtype == np.float64 and ds.X.tolist() == X.tolist() and ds.y.tolist() == [1, -1, 1]


# ------------------------------------------------------------------ exactness
def test_int64_beyond_float64_is_refused_naming_the_entry(tmp_path):
    v = np.array([1, 2 ** 53 + 3, 5], dtype=np.int64)
    np.savez(tmp_path / "d.npz", X=np.stack([v, 3 * v, np.array([2, 1, 1])]), y=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(BadInput) as exc:
        _load({"path": "d.npz"}, tmp_path)
    assert exc.value.field == "data.X[0, 1]" and exc.value.value == str(2 ** 53 + 3)


def test_exact_large_integers_are_kept_and_parallel_rows_found(tmp_path):
    v = np.array([1, 2 ** 60, 5], dtype=np.int64)          # 2^60 is a float64
    np.savez(tmp_path / "d.npz", X=np.stack([v, 4 * v, np.array([2, 1, 1])]), y=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(NoInterpolation, match="inputs 0 and 1 are parallel"):
        _load({"path": "d.npz"}, tmp_path)


@pytest.mark.skipif(np.finfo(np.longdouble).nmant <= 52, reason="long double is float64 on this platform")
def test_float128_that_float64_rounds_is_refused(tmp_path):
    X = np.array([[1.0, 2.0], [3.0, 1.0]], dtype=np.longdouble)
    X[1, 1] = np.longdouble(1) + np.longdouble(2) ** -60
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", np.array([1.0, -1.0]))
    with pytest.raises(BadInput) as exc:
        _load({"path": "X.npy", "labels_path": "y.npy"}, tmp_path)
    assert exc.value.field == "data.path[1, 1]"


def test_csv_cells_with_more_digits_than_float64(tmp_path):
    (tmp_path / "a.csv").write_text("x,y,t\n1,9007199254740995,1\n2,3,-1\n")
    with pytest.raises(BadInput) as exc:
        _load({"path": "a.csv", "label_column": "t"}, tmp_path)
    assert "line 2" in exc.value.field and "'y'" in exc.value.field and exc.value.value == "9007199254740995"
    (tmp_path / "b.csv").write_text("x,y,t\n1,9007199254740992,1\n0.5000000000000000000,0.1,-1\n")
    ds = _load({"path": "b.csv", "label_column": "t"}, tmp_path)
    assert ds.X[0, 1] == 2 ** 53 and ds.X[1, 1] == 0.1


# ------------------------------------------------------------------ options
def test_standardize_columns_exactly_rounded_statistics():
    ds = _load({"source": "sklearn:wine", "standardize": True})
    raw = sklearn_datasets.load_wine().data[ds.rows]
    for k in range(ds.d):
        col = [Fraction(v) for v in raw[:, k].tolist()]
        mean = sum(col) / len(col)
        var = sum((c - mean) ** 2 for c in col) / len(col)
        expected = [float((c - mean) / Fraction(math.sqrt(var))) for c in col]
        assert np.allclose(ds.X[:, k], expected, rtol=1e-13, atol=1e-13)
    assert abs(ds.X.mean(axis=0)).max() < 1e-12 and abs(ds.X.std(axis=0) - 1).max() < 1e-12


def test_standardize_constant_column_becomes_zero(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.array([[1.0, 7.0, 2.0], [2.0, 7.0, 1.0], [4.0, 7.0, 0.0]]),
             y=np.array([1.0, -1.0, 1.0]))
    ds = _load({"path": "d.npz", "standardize": True}, tmp_path)
    assert (ds.X[:, 1] == 0).all() and np.isfinite(ds.X).all()


def test_labels_rules():
    target = sklearn_datasets.load_digits().target
    ds = _load({"source": "sklearn:digits", "labels": "parity", "subsample": 200, "seed": 3})
    assert ds.y.tolist() == [1.0 if t % 2 == 0 else -1.0 for t in target[ds.rows]]
    ds = _load({"source": "sklearn:wine", "labels": "one-vs-rest:2"})
    assert ds.y.tolist() == [1.0 if t == 2 else -1.0 for t in sklearn_datasets.load_wine().target[ds.rows]]
    ds = _load({"source": "sklearn:breast_cancer", "labels": "sign"})
    assert set(ds.y.tolist()) == {-1.0, 1.0}
    assert ds.y.tolist() == [1.0 if t == 1 else -1.0 for t in sklearn_datasets.load_breast_cancer().target[ds.rows]]
    ds = _load({"source": "sklearn:diabetes", "labels": "standardize", "standardize": True})
    assert abs(ds.y.mean()) < 1e-12 and abs(ds.y.std() - 1) < 1e-12


def test_subsample_is_seeded_and_records_original_rows():
    a = _load({"source": "sklearn:wine", "subsample": 40, "seed": 7})
    b = _load({"source": "sklearn:wine", "subsample": 40, "seed": 7})
    c = _load({"source": "sklearn:wine", "subsample": 40, "seed": 8})
    assert a.sha256 == b.sha256 != c.sha256
    assert a.n == 40 and list(a.rows) == sorted(a.rows) and len(set(a.rows.tolist())) == 40
    assert np.array_equal(a.X, sklearn_datasets.load_wine().data[a.rows])
    assert a.provenance["subsample"] == 40 and a.provenance["seed"] == 7


# ------------------------------------------------------------------ same inputs
@st.composite
def contradictory(draw):
    n = draw(st.integers(3, 12))
    d = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2 ** 31))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.choice([-1.0, 1.0], size=n)
    src = draw(st.integers(0, n - 1))
    scale = draw(st.sampled_from([1.0, 2.0, 2.0 ** -1000, 2.0 ** 600, 0.25]))
    X = np.vstack([X, scale * X[src]])
    y = np.append(y, -y[src])
    order = rng.permutation(n + 1)
    return X[order], y[order], int(np.argsort(order)[src]), int(np.argsort(order)[n])


@settings(max_examples=40, deadline=None)
@given(case=contradictory())
def test_a_duplicated_or_scaled_row_with_a_flipped_label_is_never_certified(case, tmp_path_factory):
    X, y, i, j = case
    d = tmp_path_factory.mktemp("c")
    np.savez(d / "d.npz", X=X, y=y)
    with pytest.raises(NoInterpolation) as exc:
        _load({"path": "d.npz"}, d)
    a, b = map(int, re.search(r"inputs (\d+) and (\d+) are", str(exc.value)).groups())
    if X.shape[1] > 1:
        assert (a, b) == (min(i, j), max(i, j))
    # whatever pair is named is a genuine contradiction: positive multiples, different labels
    u, v = [Fraction(t) for t in X[a].tolist()], [Fraction(t) for t in X[b].tolist()]
    k = next(k for k in range(len(u)) if u[k] != 0)
    assert all(u[p] * v[k] == v[p] * u[k] for p in range(len(u))) and v[k] / u[k] > 0
    assert y[a] != y[b]


def test_positive_multiples_with_equal_labels_are_merged(tmp_path):
    X = np.array([[1.0, 2.0], [3.0, -1.0], [2.0 ** -1000, 2.0 ** -999], [-1.0, -2.0]])
    np.savez(tmp_path / "d.npz", X=X, y=np.array([1.0, -1.0, 1.0, -1.0]))
    ds = _load({"path": "d.npz"}, tmp_path)
    assert ds.rows.tolist() == [0, 1, 3]                    # the antiparallel row 3 stays
    assert ds.provenance["merged_rows"] == [{"kept": 0, "merged": [2], "kind": "positive multiples"}]


def test_subnormal_parallel_rows_with_different_labels(tmp_path):
    r0 = np.array([2.3e-308, 2.2e-308, 0.0])
    X = np.array([r0, 2 * r0, [1.0, 2.0, 3.0], [0.5, -1.0, 2.0], [3.0, 1.0, 1.0]])
    np.savez(tmp_path / "d.npz", X=X, y=np.array([1.0, -1.0, 1.0, -1.0, 1.0]))
    with pytest.raises(NoInterpolation, match="inputs 0 and 1 are parallel"):
        _load({"path": "d.npz"}, tmp_path)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("data,field", [
    ({"source": "sklearn:mnist"}, "data.source"),
    ({"source": "sklearn:wine", "subsample": 500}, "data.subsample"),
    ({"source": "sklearn:wine", "labels": "random-sign"}, "data.labels"),
    ({"source": "sphere", "n": 4, "d": 2, "labels": "parity"}, "data.labels"),
    ({"source": "sphere", "n": 4, "d": 2, "standardize": True}, "data.standardize"),
    ({"source": "sklearn:diabetes", "labels": "sign"}, "data.labels"),
    ({"source": "sklearn:iris", "labels": "sign"}, "data.labels"),
    ({"source": "sklearn:diabetes", "labels": "one-vs-rest:1"}, "data.labels"),
    ({"source": "sklearn:wine", "labels": "one-vs-rest:7"}, "data.labels"),
    ({"source": "sklearn:wine", "labels": "two-vs-one"}, "data.labels"),
    ({"path": "x.csv"}, "data.label_column"),
    ({"path": "x.npy"}, "data.labels_path"),
    ({"path": "x.txt"}, "data.path"),
])
def test_bad_data_options_name_the_key(data, field):
    with pytest.raises(BadInput) as exc:
        _load(data)
    assert exc.value.field == field


def test_csv_defects_name_the_cell_or_column(tmp_path):
    (tmp_path / "a.csv").write_text("a,b,t\n1,two,1\n3,4,0\n")
    with pytest.raises(BadInput, match="column 'b'"):
        _load({"path": "a.csv", "label_column": "t"}, tmp_path)
    (tmp_path / "b.csv").write_text("a,b,t\n1,2,1\n3,4,0\n")
    with pytest.raises(BadInput) as exc:
        _load({"path": "b.csv", "label_column": "label"}, tmp_path)
    assert exc.value.field == "data.label_column"
    with pytest.raises(BadInput) as exc:
        _load({"path": "b.csv", "label_column": 5}, tmp_path)
    assert exc.value.field == "data.label_column"


def test_missing_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(BadInput, match=r'pip install "dl-certify\[datasets\]"') as exc:
        _load({"source": "sklearn:wine"})
    assert exc.value.field == "data.source"


# ------------------------------------------------------------------ CLI
RUN = """
[data]
source = "sklearn:iris"
labels = "one-vs-rest:0"
standardize = true
subsample = 40
seed = 1
[model]
width = 1000
[certify]
theorems = ["dzps2019-lambda0-positive"]
"""


def test_run_check_and_independent_check_of_sklearn_data(run_cli, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(RUN)
    out = tmp_path / "out"
    code, stdout, err = run_cli("run", cfg, "--out", out, "--no-empirical")
    assert code == 0, err
    cert = json.loads((out / "certificate.json").read_text())
    prov = cert["data"]["provenance"]
    assert prov["subsample"] == 40 and prov["standardize"] is True and prov["labels"] == "one-vs-rest:0"
    assert cert["data"]["n"] == 40 and (out / "data.npz").is_file()
    with np.load(out / "data.npz") as z:
        assert data_sha256(z["X"], z["y"]) == cert["data"]["sha256"]
    assert run_cli("check", out / "certificate.json")[0] == 0
    code, stdout, _ = run_cli("check", "--independent", out / "certificate.json")
    assert code == 0 and "[replayed] data.sha256" in stdout
    md = (out / "report.md").read_text()
    assert "data steps: 150 rows read, subsample 40 (seed 1), columns standardized, labels one-vs-rest:0" in md
    # the recorded options are compared: a certificate claiming other provenance fails
    from certify.certificate import seal
    cert["data"]["provenance"]["standardize"] = False
    cert.pop("content_sha256")
    (out / "certificate.json").write_text(json.dumps(seal(cert)))
    assert run_cli("check", out / "certificate.json")[0] == 1


def test_contradictory_rows_exit_1_without_a_certificate(run_cli, tmp_path):
    X = np.array([[1.0, 2.0], [3.0, 1.0], [2.0, 4.0], [1.0, -1.0]])
    np.savez(tmp_path / "d.npz", X=X, y=np.array([1.0, -1.0, -1.0, 1.0]))
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\npath = "d.npz"\n[model]\nwidth = 100\n[train]\nsteps = 5\n')
    for verb in ("run", "instance"):
        code, _, err = run_cli(verb, cfg, "--out", tmp_path / verb)
        assert code == 1
        assert "inputs 0 and 2 are parallel" in err and "different labels" in err
        assert not (tmp_path / verb).exists()


def test_bad_data_exits_2_naming_the_key(run_cli, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\nsource = "sklearn:wine"\nsubsample = 1000\n[model]\nwidth = 100\n')
    code, _, err = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 2 and "data.subsample" in err and "n = 178" in err


def test_instance_with_a_row_scaled_by_2_pow_minus_1000(run_cli, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((6, 3))
    X[2] *= 2.0 ** -1000
    np.savez(tmp_path / "d.npz", X=X, y=rng.choice([-1.0, 1.0], 6))
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\npath = "d.npz"\n[model]\nwidth = 400\n[train]\nsteps = 30\nstep_size = "auto"\n')
    code, _, err = run_cli("instance", cfg, "--out", tmp_path / "o")
    assert code in (0, 1), err
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    assert cert["instance_points"][-1]["training"]["step_size"] not in ("nan", "inf")


def test_csv_rows_parallel_as_written_must_stay_parallel(tmp_path):
    # 0.1 : 0.7 = 0.3 : 2.1 as decimals, but the nearest float64 values are not proportional
    assert Fraction(0.3) * Fraction(0.7) != Fraction(0.1) * Fraction(2.1)
    (tmp_path / "p.csv").write_text("a,b,t\n0.1,0.7,1\n0.3,2.1,-1\n1,5,1\n")
    with pytest.raises(BadInput) as exc:
        _load({"path": "p.csv", "label_column": "t"}, tmp_path)
    assert exc.value.field == "data.path lines 2 and 3"
    # 0.2 = 2 x 0.1 and 0.6 = 2 x 0.3 also hold for the floats: parallel both ways, contradictory labels
    (tmp_path / "q.csv").write_text("a,b,t\n0.1,0.3,1\n0.2,0.6,-1\n1,5,1\n")
    with pytest.raises(NoInterpolation, match="inputs 0 and 1"):
        _load({"path": "q.csv", "label_column": "t"}, tmp_path)


INSTANCE = """
[data]
source = "sklearn:iris"
standardize = true
labels = "one-vs-rest:0"
subsample = 8
seed = 5
[model]
width = 400
[train]
steps = 100
step_size = "auto"
"""


def test_instance_certificate_on_sklearn_data_checks_both_ways(run_cli, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(INSTANCE)
    out = tmp_path / "out"
    code, _, err = run_cli("instance", cfg, "--out", out)
    cert = json.loads((out / "certificate.json").read_text())
    assert cert["data"]["source"] == "sklearn:iris" and cert["data"]["n"] == 8
    assert code == (0 if cert["verdict"] == "certified" else 1)
    assert run_cli("check", out / "certificate.json")[0] == 0
    code, stdout, _ = run_cli("check", "--independent", out / "certificate.json")
    assert code == 0 and "[replayed] data.sha256" in stdout
    # other data under the same certificate: the independent checker refuses the hash
    with np.load(out / "data.npz") as z:
        X, y = z["X"].copy(), z["y"].copy()
    y[0] = -y[0]
    np.savez(out / "data.npz", X=X, y=y)
    code, stdout, _ = run_cli("check", "--independent", out / "certificate.json")
    assert code == 1 and "[false] data.sha256" in stdout


def test_reasons_in_the_users_terms():
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    rng = np.random.default_rng(0)
    X = rng.standard_normal((12, 3))
    y = rng.choice([-1.0, 1.0], 12)
    W = rng.standard_normal((3, 3))
    res = certify_lazy_minimizer(X, y, W, np.ones(3))
    assert res.reason.startswith("m d = 9 < n = 12: no interpolating net of this width has a full-rank H_S")
    W = rng.standard_normal((40, 3))          # far from zero loss: the correction flips activations
    res = certify_lazy_minimizer(X, 50 * y, W, np.where(np.arange(40) % 2 == 0, 1.0, -1.0))
    assert not res.certified
    residual = float(np.linalg.norm(50 * y - np.maximum(W @ (X / np.linalg.norm(X, axis=1)[:, None]).T, 0).T
                                    @ np.where(np.arange(40) % 2 == 0, 1.0, -1.0) / np.sqrt(40)))
    assert res.reason.startswith(f"the point is not near zero loss (||y - u|| = {residual:.2g}): "
                                 "run the search or train longer")


def test_csv_underflow_and_mixed_first_line_are_refused(tmp_path):
    (tmp_path / "u.csv").write_text("a,b,t\n1,1e-400,1\n2,3,-1\n")
    with pytest.raises(BadInput, match="rounded to 0.0"):
        _load({"path": "u.csv", "label_column": "t"}, tmp_path)
    (tmp_path / "s.csv").write_text(f"a,b,t\n1,{Decimal(5e-324)},1\n2,3,-1\n")   # 2^-1074 written exactly: kept
    assert _load({"path": "s.csv", "label_column": "t"}, tmp_path).X[0, 1] == 5e-324
    (tmp_path / "m.csv").write_text("1,two,1\n2,3,-1\n")
    with pytest.raises(BadInput) as exc:
        _load({"path": "m.csv", "label_column": 2}, tmp_path)
    assert exc.value.field == "data.path line 1, column 1"


def test_kept_duplicates_give_lambda0_zero_in_every_check(run_cli, tmp_path):
    rng = np.random.default_rng(4)
    X = rng.standard_normal((6, 3))
    X[4] = X[1]
    y = rng.choice([-1.0, 1.0], 6)
    y[4] = y[1]
    np.savez(tmp_path / "d.npz", X=X, y=y)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\npath = "d.npz"\nduplicates = "keep"\n[model]\nwidth = 1000\n'
                   '[certify]\ntheorems = ["dzps2019-lambda0-positive", "dzps2019-two-layer-gd"]\n')
    code, _, _ = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 1
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    gd = {h["id"]: h for h in cert["theorems"][1]["hypotheses"]}
    assert gd["lambda0-positive"]["verdict"] == "fails" and "inputs 1 and 4" in gd["lambda0-positive"]["message"]
    assert run_cli("check", tmp_path / "o" / "certificate.json")[0] == 0
    code, stdout, _ = run_cli("check", "--independent", tmp_path / "o" / "certificate.json")
    assert code == 0, stdout
    assert "[replayed] theorems[1].hypotheses[1]: lambda0 > 0: fails" in stdout
    assert "[replayed] theorems[0].quantities.lambda0.hi" in stdout


def test_the_instance_verifier_names_rows_with_the_same_input():
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    rng = np.random.default_rng(1)
    X = rng.standard_normal((5, 3))
    X[3] = 0.5 * X[1]
    W = rng.standard_normal((200, 3))
    a = np.where(np.arange(200) % 2 == 0, 1.0, -1.0)
    y = np.array([1.0, 1.0, -1.0, -1.0, 1.0])
    res = certify_lazy_minimizer(X, y, W, a)
    assert not res.certified
    assert res.reason == "inputs 1 and 3 are parallel (the same normalized input) with different labels: " \
                         "no network interpolates them"
    y[3] = 1.0
    res = certify_lazy_minimizer(X, y, W, a)
    assert not res.certified and res.reason.startswith("inputs 1 and 3 are parallel (the same normalized input) "
                                                       "with the same label: H_S has two equal rows")


def test_check_rereads_the_csv_and_compares_the_hash(run_cli, tmp_path):
    rng = np.random.default_rng(6)
    X = rng.integers(-9, 10, size=(7, 3))
    rows = ["f1,f2,f3,label"] + [",".join(map(str, r)) + f",{1 if i % 2 else -1}" for i, r in enumerate(X)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\npath = "d.csv"\nlabel_column = "label"\n[model]\nwidth = 1000\n'
                   '[certify]\ntheorems = ["dzps2019-lambda0-positive"]\n')
    code, _, err = run_cli("run", cfg, "--out", tmp_path / "o", "--no-empirical")
    assert code in (0, 1), err
    assert run_cli("check", tmp_path / "o" / "certificate.json")[0] == 0
    rows[3] = rows[3].replace(rows[3].split(",")[0], str(int(rows[3].split(",")[0]) + 20), 1)
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n")
    code, _, err = run_cli("check", tmp_path / "o" / "certificate.json")
    assert code == 1 and "data.sha256" in err
