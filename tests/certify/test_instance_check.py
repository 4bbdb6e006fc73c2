"""`certify check` recomputes instance certificates from config, data and the weights file."""

import json
import textwrap

import numpy as np
import pytest

from certify.certificate import seal


@pytest.fixture(scope="module")
def instance_dir(tmp_path_factory):
    from certify.cli import main

    d = tmp_path_factory.mktemp("inst")
    cfg = d / "c.toml"
    cfg.write_text(textwrap.dedent("""
        [data]
        source = "sphere"
        n = 6
        d = 3
        [model]
        width = 400
        [train]
        steps = 100
    """))
    with pytest.raises(SystemExit):
        main(["instance", str(cfg), "--out", str(d / "out")])
    return d / "out"


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
    assert code == 1 and "weights sha256" in err


def test_missing_weights_file_is_bad_input(instance_dir, run_cli, tmp_path):
    (tmp_path / "certificate.json").write_text((instance_dir / "certificate.json").read_text())
    code, _, err = run_cli("check", tmp_path / "certificate.json")
    assert code == 2 and "weights" in err
