"""`certify sweep CONFIG --out DIR [--scheduler ADDR] [--resume]`."""

import json

import pytest
import torch

from certify.cli import main

CONFIG = """
[data]
source = "sphere"
n = 10
d = 4
seed = 1

[train]
step_size = 0.5

[empirical]
widths = [16, 64]
seeds = [0, 1]
steps = 40
device = "{device}"
"""


def _config(tmp_path, device="cpu", extra=""):
    p = tmp_path / "c.toml"
    p.write_text(CONFIG.format(device=device) + extra)
    return p


def _exit_code(argv):
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code
    return 0


def test_sweep_writes_runs_summary_and_figures_and_resumes(tmp_path, capsys):
    cfg, out = _config(tmp_path), tmp_path / "out"
    assert _exit_code(["sweep", str(cfg), "--out", str(out), "--no-progress"]) == 0
    lines = (out / "runs.jsonl").read_text().splitlines()
    assert len(lines) == 4 and {json.loads(x)["width"] for x in lines} == {16, 64}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 4 and summary["device"] == "cpu" and summary["dtype"] == "float64"
    assert set(summary["movement_slope"]) >= {"estimate", "lo", "hi"}
    assert summary["bound_violations"] == 0
    # the rigorous layer says the theorem needs an astronomically wide net: not certified at 16 or 64
    assert summary["theory"]["certified_at_width"] == {"16": False, "64": False}
    assert summary["theory"]["theorem_width"] > 64
    for name in ("loss_vs_bound", "movement_vs_width", "flips_vs_width", "arora_trajectory"):
        assert (out / "figures" / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "4 runs" in capsys.readouterr().out
    # figures are reproducible: the same summary renders to the same bytes
    from certify.empirical_figures import empirical_figures

    assert empirical_figures(summary)["movement_vs_width"] == (out / "figures" / "movement_vs_width.png").read_bytes()
    assert empirical_figures({}) == {}
    # resume: nothing rerun, nothing duplicated, same summary
    assert _exit_code(["sweep", str(cfg), "--out", str(out), "--resume", "--no-progress"]) == 0
    assert (out / "runs.jsonl").read_text().splitlines() == lines
    assert json.loads((out / "summary.json").read_text())["curves"] == summary["curves"]


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA GPU is present")
def test_cuda_without_gpu_exits_2_naming_the_field(tmp_path, capsys):
    assert _exit_code(["sweep", str(_config(tmp_path, device="cuda")), "--out", str(tmp_path / "o")]) == 2
    assert "empirical.device" in capsys.readouterr().err


def test_bad_config_and_resume_without_runs_exit_2(tmp_path, capsys):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(CONFIG.format(device="cpu").replace("widths = [16, 64]", "widths = []"))
    assert _exit_code(["sweep", str(cfg), "--out", str(tmp_path / "o")]) == 2
    assert "empirical.widths" in capsys.readouterr().err
    assert _exit_code(["sweep", str(_config(tmp_path)), "--out", str(tmp_path / "none"), "--resume"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_sweep_through_a_dask_scheduler(tmp_path):
    distributed = pytest.importorskip("dask.distributed", reason="dask.distributed is not installed")
    out = tmp_path / "out"
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster:
        assert _exit_code(["sweep", str(_config(tmp_path)), "--out", str(out), "--scheduler",
                           cluster.scheduler_address, "--no-progress"]) == 0
    assert len((out / "runs.jsonl").read_text().splitlines()) == 4
