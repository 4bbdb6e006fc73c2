"""`certify check --independent` on run and instance certificates: genuine ones replay, and
tampered claims are caught, including a false lambda0 bound that the recomputing check cannot
refute (it still meets the recomputed enclosure)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from certify.certificate import seal

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from certify.cli import main

    out = tmp_path_factory.mktemp("run")
    with pytest.raises(SystemExit):
        main(["run", str(ROOT / "examples" / "two_layer_relu.toml"), "--out", str(out), "--no-empirical"])
    return out


def _resealed(src: Path, tmp_path: Path, edit) -> Path:
    cert = json.loads((src / "certificate.json").read_text())
    edit(cert)
    (tmp_path / "certificate.json").write_text(json.dumps(seal({k: v for k, v in cert.items()
                                                                 if k != "content_sha256"})))
    if (src / "weights.npz").exists():
        (tmp_path / "weights.npz").write_bytes((src / "weights.npz").read_bytes())
    return tmp_path / "certificate.json"


def test_a_run_certificate_replays(run_dir, run_cli):
    code, out, err = run_cli("check", "--independent", run_dir / "certificate.json")
    assert code == 0, out + err
    for claim in ("theorems[0].quantities.lambda0.lo", "theorems[0].hypotheses[1]", "theorems[2].hypotheses[2]",
                  "theorems[2].hypotheses[4]", "theorems[2].constants.width", "verdict"):
        assert f"[replayed] {claim}" in out
    assert "[false]" not in out and "[not replayed]" not in out


def test_a_false_lower_bound_that_meets_the_recomputed_enclosure(run_dir, run_cli, tmp_path):
    """lambda0 >= hi is false (the Rayleigh quotient is below hi), yet [hi, hi] meets the recomputed
    enclosure, so `certify check` cannot refute it; the independent checker does."""
    def edit(c):
        lam = c["theorems"][0]["quantities"]["lambda0"]
        lam["lo"] = lam["hi"]
    path = _resealed(run_dir, tmp_path, edit)
    code, _, _ = run_cli("check", path)
    assert code == 0
    code, out, _ = run_cli("check", "--independent", path)
    assert code == 1 and "[false] theorems[0].quantities.lambda0.lo" in out


@pytest.mark.parametrize("edit, line", [
    (lambda c: c["theorems"][2]["hypotheses"][2].update(verdict="fails"), "[false] theorems[2].hypotheses[2]"),
    (lambda c: c["theorems"][2]["parameters"].update(m=1000), "[false] theorems[2].hypotheses[2]"),
    (lambda c: c["theorems"][2]["parameters"].update(eta="0.001"), "[false] theorems[2].hypotheses[4]"),
    (lambda c: c["theorems"][1].update(status="not-certified"), "[false] theorems[1].status"),
    (lambda c: c.update(verdict="not-certified"), "[false] verdict"),
    (lambda c: c["theorems"][2]["constants"]["width"].update(hi="10000000000.0"), "[false] theorems[2].constants.width"),
    (lambda c: c["config"]["data"].update(seed=1), "[false] data.sha256"),
    (lambda c: c["theorems"][0]["hypotheses"][1]["evidence"].update(parallel_pairs=[[0, 1]]),
     "[false] theorems[0].hypotheses[1].evidence"),
])
def test_tampered_run_claims_fail(run_dir, run_cli, tmp_path, edit, line):
    code, out, _ = run_cli("check", "--independent", _resealed(run_dir, tmp_path, edit))
    assert code == 1 and line in out, out


def test_an_instance_certificate_replays(instance_dir, run_cli):
    code, out, err = run_cli("check", "--independent", instance_dir / "certificate.json")
    assert code == 0, out + err
    assert "[replayed] weights.sha256" in out and "sqrt_m_distance" in out and "[replayed] verdict" in out


def test_a_changed_weights_file_fails(instance_dir, run_cli, tmp_path):
    path = _resealed(instance_dir, tmp_path, lambda c: None)
    with np.load(instance_dir / "weights.npz") as w:
        arrays = {k: w[k].copy() for k in w.files}
    arrays["W"][0, 0] += 1e-3
    np.savez(tmp_path / "weights.npz", **arrays)
    code, out, _ = run_cli("check", "--independent", path)
    assert code == 1 and "[false] weights.sha256" in out


def test_a_missing_witness_is_not_replayed(instance_dir, run_cli, tmp_path):
    path = _resealed(instance_dir, tmp_path, lambda c: None)
    with np.load(instance_dir / "weights.npz") as w:
        arrays = {k: w[k] for k in w.files if not k.startswith(("S_", "c_"))}
    np.savez(tmp_path / "weights.npz", **arrays)
    code, out, _ = run_cli("check", "--independent", path)
    assert code == 1 and "[not replayed]" in out and "witness" in out


def test_a_shrunk_distance_fails(instance_dir, run_cli, tmp_path):
    def edit(c):
        c["instance"]["distance_from_init_max"]["hi"] = c["instance"]["distance_from_init_max"]["lo"]
        c["instance_points"][-1] = copy.deepcopy(c["instance"])
    code, out, _ = run_cli("check", "--independent", _resealed(instance_dir, tmp_path, edit))
    assert code == 1 and "distance_from_init_max" in out


def test_a_certificate_without_two_layer_claims_is_bad_input(run_cli, tmp_path):
    cert = {"schema": "dl-certify/certificate/1", "config": {"data": {"source": "sphere", "n": 4, "d": 2, "seed": 0,
                                                                      "labels": "zeros"}},
            "data": {"sha256": "0" * 64}, "verdict": "not-certified", "theorems": [{"id": "dllwz2019-fc"}]}
    p = tmp_path / "c.json"
    p.write_text(json.dumps(cert))
    code, _, err = run_cli("check", "--independent", p)
    assert code == 2 and "two-layer" in err
