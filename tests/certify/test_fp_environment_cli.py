"""A checked floating-point environment in every certificate (issue 15 item 2 and its adversarial
finding): with flush-to-zero on, `certify run` certified two exactly parallel rows whose entries are
subnormal-scale (lambda0 = 0). Now nothing is computed in such a process: exit 2 naming
flush-to-zero, no output directory."""

import json

import numpy as np
import pytest

from flush_to_zero import flush_denormal

torch = pytest.importorskip("torch")


def parallel_tiny_rows(tmp_path):
    r0 = np.array([2.3e-308, 2.2e-308, 0.0])
    X = np.array([r0, 2 * r0, [1.0, 0.3, -0.2], [-0.5, 1.0, 0.4], [0.2, -0.7, 1.0]])
    y = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    np.savez(tmp_path / "data.npz", X=X, y=y)
    cfg = tmp_path / "cfg.toml"
    cfg.write_text('[data]\npath = "data.npz"\n[certify]\ndelta = 0.1\n')
    return cfg


def test_flush_to_zero_run_exits_2_naming_it(tmp_path, run_cli):
    cfg = parallel_tiny_rows(tmp_path)
    out = tmp_path / "out"
    with flush_denormal():
        code, stdout, err = run_cli("run", cfg, "--out", out)
    assert code == 2
    assert "flush-to-zero" in err and "torch.set_flush_denormal(True)" in err
    assert "environment.subnormals" in err
    assert "certified" not in stdout
    assert not out.exists()


def test_same_data_in_a_sane_process_is_not_certified(tmp_path, run_cli):
    cfg = parallel_tiny_rows(tmp_path)
    out = tmp_path / "out"
    code, _, err = run_cli("run", cfg, "--out", out)
    assert code == 1 and "inputs 0 and 1" in err and not out.exists()
    with np.load(tmp_path / "data.npz") as z:                     # the same rows, equal labels, kept
        np.savez(tmp_path / "data.npz", X=z["X"], y=np.where(np.arange(5) == 1, 1.0, z["y"]))
    cfg.write_text(cfg.read_text().replace('[data]\n', '[data]\nduplicates = "keep"\n'))
    code, _, _ = run_cli("run", cfg, "--out", out, "--no-empirical")
    assert code == 1
    cert = json.loads((out / "certificate.json").read_text())
    lam = cert["theorems"][0]
    assert {h["id"]: h["verdict"] for h in lam["hypotheses"]}["no-parallel-inputs"] == "fails"
    assert float(lam["quantities"]["lambda0"]["hi"]) == 0.0


def test_every_certificate_records_the_probed_environment():
    from certify.certificate import environment

    env = environment()
    assert env["rounding"].startswith("nearest-even")
    assert env["subnormals"].startswith("gradual")
    assert "numpy arrays" in env["blas"] and "torch cpu" in env["blas"]
    assert env["device"].startswith("cpu")
    assert env["elementary"]
    with flush_denormal(), pytest.raises(Exception) as exc:
        environment()
    assert "flush-to-zero" in str(exc.value)


def test_check_refuses_in_a_flush_to_zero_process(tmp_path, run_cli):
    cert = {"schema": "dl-certify/certificate/1", "config": {}, "theorems": []}
    path = tmp_path / "certificate.json"
    path.write_text(json.dumps(cert))
    with flush_denormal():
        code, _, err = run_cli("check", path)
    assert code == 2 and "flush-to-zero" in err


def test_python_api_refuses_too(tmp_path):
    from certify.errors import BadInput
    from certify.pipeline import run

    cfg = parallel_tiny_rows(tmp_path)
    with flush_denormal(), pytest.raises(BadInput) as exc:
        run(cfg, empirical=False)
    assert exc.value.field == "environment.subnormals"


def test_torch_cpu_products_are_probed_when_torch_is_imported():
    from certify.fp_environment import check_torch_environment

    check = check_torch_environment()
    assert check.safe and "torch cpu" in check.backends
    with flush_denormal():
        bad = check_torch_environment()
    assert not bad.safe
    # the element-wise probes run on this thread, whose flush-to-zero flag is set; a product may
    # run on torch's worker threads, whose flag is not (then it is exact and its probe passes)
    assert any(f.backend == "torch cpu" and not f.probe.startswith("matmul") for f in bad.failures)


def test_flush_to_zero_instance_exits_2_before_computing(tmp_path, run_cli):
    cfg = parallel_tiny_rows(tmp_path)
    out = tmp_path / "inst"
    with flush_denormal():
        code, _, err = run_cli("instance", cfg, "--out", out)
    assert code == 2 and "flush-to-zero" in err
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["widths", "{cfg}"],
    ["subgradient", "--expr", "relu(x) - relu(-x)", "--at", "x=0"],
    ["saddle", "--expr", "x^2 - y^2", "--box", "x=-1:1,y=-1:1", "--out", "{out}"],
    ["landscape", "--list"],
    ["critical", "{cfg}", "--at", "zero", "--out", "{out}"],
], ids=lambda a: a[0])
def test_every_rigorous_verb_refuses_in_a_flush_to_zero_process(tmp_path, run_cli, args):
    cfg = parallel_tiny_rows(tmp_path)
    out = tmp_path / "verb-out"
    argv = [a.format(cfg=cfg, out=out) for a in args]
    with flush_denormal():
        code, _, err = run_cli(*argv)
    assert code == 2 and "flush-to-zero" in err
    assert not out.exists()
