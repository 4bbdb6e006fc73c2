"""`certify widths CONFIG`: the literature's widths on the user's data, bad input exits 2."""

from __future__ import annotations

import json

import pytest

from certify.cli import main

BASE = """
[data]
source = "sphere"
n = 8
d = 4
seed = 2

[model]
kind = "{kind}"
depth = {depth}
activation = "{activation}"
{extra_model}

[empirical]
widths = [16, 64]
seeds = [0]
steps = 150
device = "cpu"
"""


def _config(tmp_path, kind="resnet", depth=3, activation="relu", extra_model="c_res = 0.5", extra=""):
    p = tmp_path / "c.toml"
    p.write_text(BASE.format(kind=kind, depth=depth, activation=activation, extra_model=extra_model) + extra)
    return p


def _exit_code(argv):
    try:
        main(argv)
    except SystemExit as exc:
        return exc.code
    return 0


def test_widths_table_json_and_figure(tmp_path, capsys):
    cfg = _config(tmp_path)
    out = tmp_path / "w.json"
    fig = tmp_path / "w.png"
    code = _exit_code(["widths", str(cfg), "--json", str(out), "--figure", str(fig), "--depths", "2,4,8"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "with unnamed constants = 1" in text and "explicit" in text
    assert "fitted exponent of H" in text
    rep = json.loads(out.read_text())
    rows = {r["id"]: r for r in rep["requirements"]}
    assert rows["dzps2019-gd"]["label"] == "explicit"
    assert rows["dllwz2019-resnet"]["label"] == "with unnamed constants = 1"
    assert rows["ji-telgarsky2019"]["hi"] is None                      # gamma not supplied
    fit = rep["depth_study"]["fitted_exponent"]
    assert -2.2 < fit["estimate"] < -1.8
    assert fig.stat().st_size > 1000


def test_widths_with_smooth_activation_labels_float(tmp_path, capsys):
    cfg = _config(tmp_path, activation="softplus", extra='\n[certify.constants]\ngamma = 0.1\n')
    out = tmp_path / "w.json"
    assert _exit_code(["widths", str(cfg), "--json", str(out)]) == 0
    rows = {r["id"]: r for r in json.loads(out.read_text())["requirements"]}
    assert rows["dllwz2019-resnet"]["label"].startswith("FLOAT")
    assert rows["dzps2019-gf"]["label"] == "explicit"                 # lambda0 is rigorous regardless
    assert rows["ji-telgarsky2019"]["hi"] is not None
    assert "FLOAT estimate" in capsys.readouterr().out


def test_widths_empirical_width(tmp_path, capsys):
    cfg = _config(tmp_path, depth=2)
    out = tmp_path / "w.json"
    assert _exit_code(["widths", str(cfg), "--empirical", "--json", str(out)]) == 0
    emp = json.loads(out.read_text())["empirical"]
    assert emp["architecture"] == "resnet" and emp["depth"] == 2
    assert "empirically sufficient width" in capsys.readouterr().out


@pytest.mark.parametrize("kwargs, word", [
    (dict(depth=0), "depth"),
    (dict(extra_model="c_res = 1.5"), "c_res"),
    (dict(activation="sigmoid"), "activation"),
    (dict(kind="cnn", extra_model="channels = 1\npatch_size = 5", depth=2), "patch_size"),
    (dict(kind="cnn", extra_model="channels = 3\npatch_size = 1", depth=2), "channels"),
    (dict(kind="cnn", extra_model="channels = 1\npatch_size = 2", depth=2), "patch_size"),
    (dict(kind="cnn", extra_model="", depth=2), "channels"),
])
def test_bad_model_input_exits_2(tmp_path, capsys, kwargs, word):
    cfg = _config(tmp_path, **kwargs)
    assert _exit_code(["widths", str(cfg)]) == 2
    assert word in capsys.readouterr().err


def test_bad_depth_list_exits_2(tmp_path, capsys):
    assert _exit_code(["widths", str(_config(tmp_path)), "--depths", "2,x"]) == 2
    assert "--depths" in capsys.readouterr().err


def test_cnn_config_evaluates_cnn_requirement(tmp_path):
    cfg = _config(tmp_path, kind="cnn", extra_model="channels = 1\npatch_size = 3\nc_res = 0.5", depth=2)
    out = tmp_path / "w.json"
    assert _exit_code(["widths", str(cfg), "--json", str(out)]) == 0
    rows = {r["id"]: r for r in json.loads(out.read_text())["requirements"]}
    assert rows["dllwz2019-cnn"]["hi"] is not None


def test_run_reports_critical_value_for_deep_theorem(tmp_path, capsys):
    cfg = _config(tmp_path, extra_model="c_res = 0.5\nwidth = 1000",
                  extra='\n[certify]\ntheorems = ["dllwz2019-resnet"]\n')
    code = _exit_code(["run", str(cfg), "--out", str(tmp_path / "out")])
    text = capsys.readouterr().out
    assert code == 1                                  # ReLU: Condition 3.1 fails
    assert "holds if c_w <=" in text and "activation-condition-3.1: fails" in text
    assert _exit_code(["check", str(tmp_path / "out" / "certificate.json")]) == 0


def test_widths_sweep_prints_exponents(tmp_path, capsys):
    cfg = _config(tmp_path, depth=2)
    assert _exit_code(["widths", str(cfg), "--sweep-ns", "4,8", "--depths", "2,3"]) == 0
    text = capsys.readouterr().out
    assert "fitted exponent, width vs n" in text and "theory 4" in text
    assert _exit_code(["widths", str(cfg), "--sweep-ns", "1,8"]) == 2
