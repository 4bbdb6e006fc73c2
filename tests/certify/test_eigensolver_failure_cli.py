"""Every float eigensolver failing (monkeypatched LAPACK/ARPACK calls) makes the affected
verdicts undecided with the reason naming the failure: `certify run` exits 1, never 3 (internal
error); the deep instance certificate says why lambda_min(K~) is not proved positive."""

import json

import numpy as np
import pytest

from eigensolver_failure import disable_eigensolvers, internal_error


@pytest.fixture
def no_eigensolver(monkeypatch):
    disable_eigensolvers(monkeypatch)


def test_certify_run_is_undecided_naming_the_failure(run_cli, tmp_path, no_eigensolver):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[data]\nsource = "sphere"\nn = 6\nd = 3\nseed = 0\n[model]\nwidth = 200\n[train]\nsteps = 10\n'
                   '[certify]\ntheorems = ["dzps2019-two-layer-gd"]\n')
    code, out, err = run_cli("run", cfg, "--out", tmp_path / "o")
    assert code == 1, err
    cert = json.loads((tmp_path / "o" / "certificate.json").read_text())
    (gd,) = cert["theorems"]
    hyp = {h["id"]: h for h in gd["hypotheses"]}
    assert hyp["lambda0-positive"]["verdict"] == "undecided"
    assert "float eigensolver failed" in hyp["lambda0-positive"]["message"]
    assert "Internal Error (test)" in hyp["lambda0-positive"]["message"]
    assert "float eigensolver failed" in gd["quantities"]["lambda0"]["method"]
    assert "float eigensolver failed" in out


def test_deep_instance_reason_names_the_failure(run_cli, tmp_path, no_eigensolver):
    cfg = tmp_path / "d.toml"
    cfg.write_text('[data]\nsource = "sphere"\nn = 8\nd = 5\nseed = 0\n[model]\nkind = "resnet"\ndepth = 2\n'
                   'width = 24\n[train]\nsteps = 0\n')
    code, _, err = run_cli("instance", cfg, "--out", tmp_path / "o", "--quiet")
    assert code == 1, err
    inst = json.loads((tmp_path / "o" / "certificate.json").read_text())["instance"]
    assert inst["status"] != "certified" and "float eigensolver failed" in inst["reason"]


def test_certify_saddle_points_are_undecided_naming_the_failure(run_cli, tmp_path, monkeypatch):
    """Two irrational critical points whose Hessians [[2x, 3], [3, 6]] are not diagonally
    dominant: with the eigensolvers the local minimum and the strict saddle are proved; without
    them Gershgorin and the diagonal decide neither kind: undecided, exit 1, the reason named."""
    args = ("saddle", "--expr", "x^3/3 + 0.35*x + 3*x*y + 3*y^2", "--box", "x=-2:2,y=-2:2", "--no-empirical")
    code, _, err = run_cli(*args, "--out", tmp_path / "ok")
    assert code == 0, err
    kinds = sorted(p["kind"] for p in json.loads((tmp_path / "ok" / "certificate.json").read_text())["critical_points"])
    assert kinds == ["local-min", "strict-saddle"]
    import scipy.linalg

    monkeypatch.setattr(scipy.linalg, "eigh", internal_error)
    monkeypatch.setattr(np.linalg, "eigh", internal_error)      # the census's float test vectors too
    code, _, err = run_cli(*args, "--out", tmp_path / "failed")
    assert code == 1, err
    cert = json.loads((tmp_path / "failed" / "certificate.json").read_text())
    assert cert["strict_saddle_property"] == "undecided"
    for p in cert["critical_points"]:
        assert p["kind"] == "undecided" and "float eigensolver failed" in p["evidence"]["undecided_because"]
