"""`certify check` recomputes instance certificates from config, data and the weights file."""

import json

import numpy as np
import pytest

from certify.certificate import seal


def test_untouched_instance_certificate_checks(instance_dir, run_cli):
    cert = json.loads((instance_dir / "certificate.json").read_text())
    assert cert["kind"] == "instance" and cert["weights"]["file"] == "weights.npz"
    code, out, err = run_cli("check", instance_dir / "certificate.json")
    assert code == 0, err


def test_resealed_tampering_is_caught_by_recomputation(instance_dir, run_cli, tmp_path):
    cert = json.loads((instance_dir / "certificate.json").read_text())
    body = {k: v for k, v in cert.items() if k != "content_sha256"}
    body["instance"]["sqrt_m_distance"]["hi"] = repr(float(body["instance"]["sqrt_m_distance"]["hi"]) / 2)
    (tmp_path / "certificate.json").write_text(json.dumps(seal(body)))
    (tmp_path / "weights.npz").write_bytes((instance_dir / "weights.npz").read_bytes())
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    assert code == 1 and "instance.sqrt_m_distance" in err


def test_changed_weights_are_caught(instance_dir, run_cli, tmp_path):
    (tmp_path / "certificate.json").write_text((instance_dir / "certificate.json").read_text())
    with np.load(instance_dir / "weights.npz") as w:
        W, a, W0 = w["W"].copy(), w["a"], w["W0"]
    W[0, 0] += 1e-6
    np.savez(tmp_path / "weights.npz", W=W, a=a, W0=W0)
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    assert code == 1 and "weights.sha256" in err


def test_missing_weights_file_is_bad_input(instance_dir, run_cli, tmp_path):
    (tmp_path / "certificate.json").write_text((instance_dir / "certificate.json").read_text())
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    assert code == 2 and "weights" in err


def _resealed(instance_dir, tmp_path, edit):
    cert = json.loads((instance_dir / "certificate.json").read_text())
    edit(cert)
    body = {k: v for k, v in cert.items() if k != "content_sha256"}
    (tmp_path / "certificate.json").write_text(json.dumps(seal(body)))
    (tmp_path / "weights.npz").write_bytes((instance_dir / "weights.npz").read_bytes())
    return tmp_path / "certificate.json"


def test_a_point_status_changed_is_rejected(instance_dir, run_cli, tmp_path):
    def flip(c):
        p = c["instance_points"][0]
        p["status"] = "not-certified" if p["status"] == "certified" else "certified"
    code, _, err = run_cli("check", _resealed(instance_dir, tmp_path, flip))
    assert code == 1 and "instance_points[0].status" in err


@pytest.mark.parametrize("edit, field", [
    (lambda c: c["instance"].update(reviewer="me"), "instance.reviewer: unknown key"),
    (lambda c: c["instance_points"].append(dict(c["instance_points"][-1])), "instance_points: 2 entries recorded"),
    (lambda c: c["theorems"][0].update(title="x"), "theorems[0].title"),
    (lambda c: c["instance"].update(m=401), "instance.m"),
])
def test_structural_tampering_is_rejected(instance_dir, run_cli, tmp_path, edit, field):
    code, _, err = run_cli("check", _resealed(instance_dir, tmp_path, edit))
    assert code == 1 and field in err, err


def test_the_witness_is_stored_and_replayed(instance_dir):
    cert = json.loads((instance_dir / "certificate.json").read_text())
    with np.load(instance_dir / "weights.npz") as w:
        names = set(w.files)
    for p in cert["instance_points"]:
        assert ({f"S_{p['point']}", f"c_{p['point']}"} <= names) == (p["status"] == "certified")


def test_an_instance_certificate_from_another_machine_checks(instance_dir, monkeypatch):
    """Every interval product widened by a few ulps (as another BLAS gives): the recorded witness
    gives the same W*, and every recorded enclosure still meets the recomputed one."""
    import numerics.instance.lazy_minimizer as lm
    from certify.commands.instance import check_instance_certificate

    product = lm.matmul_enclosure

    def wider(A, B):
        P = product(A, B)
        lo, hi = P.lo, P.hi
        for _ in range(8):
            lo, hi = np.nextafter(lo, -np.inf), np.nextafter(hi, np.inf)
        return type(P)(lo, hi)

    monkeypatch.setattr(lm, "matmul_enclosure", wider)
    cert = json.loads((instance_dir / "certificate.json").read_text())
    result = check_instance_certificate(cert, instance_dir)
    assert result.problems == [], result.problems
