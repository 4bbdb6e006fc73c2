"""`certify widths --certified`: the proved width beside the literature's requirements."""

import json


def _config(tmp_path):
    p = tmp_path / "w.toml"
    p.write_text('[data]\nsource = "sphere"\nn = 8\nd = 4\n[model]\nkind = "resnet"\ndepth = 2\n'
                 '[empirical]\nenabled = false\n')
    return p


def test_certified_column(run_cli, tmp_path):
    code, out, err = run_cli("widths", _config(tmp_path), "--certified", "--certified-seeds", "0",
                             "--json", tmp_path / "w.json")
    assert code == 0, err
    rep = json.loads((tmp_path / "w.json").read_text())
    cw = rep["certified"]
    m = cw["seeds"][0]["smallest_width"]
    assert cw["median_smallest_width"] == m and m is not None
    assert {t["width"]: t["certified"] for t in cw["seeds"][0]["tried"]}[m] is True
    assert cw["p_over_n"] >= 1          # P >= n is necessary
    assert "certified (instance)" in out


def test_bad_certified_seeds_exit_2(run_cli, tmp_path):
    code, _, err = run_cli("widths", _config(tmp_path), "--certified", "--certified-seeds", "a,b")
    assert code == 2 and "--certified-seeds" in err
