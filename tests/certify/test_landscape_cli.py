"""`certify landscape`: --list, the certificate's global_optimality object, exit codes 0/1/2,
bad edge lists and data files named in the message, nothing written on bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from certify.commands.landscape import certify_landscape


def test_list_names_the_nine_families(run_cli):
    code, out, _ = run_cli("landscape", "--list")
    assert code == 0
    for name in ("quadratic-net", "relu-design", "matrix-completion", "rank-k", "matrix-sensing", "phase-retrieval",
                 "tensor", "dictionary", "maxcut"):
        assert name in out


def test_quadratic_net_certificate_and_reports(run_cli, tmp_path):
    code, out, _ = run_cli("landscape", "quadratic-net", "--size", "n=40,d=10", "--runs", "2", "--no-census",
                           "--out", tmp_path)
    assert code == 0, out
    cert = json.loads((tmp_path / "certificate.json").read_text())
    g = cert["global_optimality"]
    assert g["status"] == "certified" and g["value"] == ["0.0", "0.0"] and float(g["radius"]) < 1e-6
    assert g["newton_kantorovich"]["verdict"] == "holds" and cert["content_sha256"]
    assert {t["id"] for t in cert["theorems"]} == {"dl2018-quadratic-activation-perturbed",
                                                   "dl2018-quadratic-activation"}
    e = cert["empirical"]
    assert e["evidence_only"] and e["gd"]["runs"] == 2 and len(e["pgd"]["interval"]) == 2
    assert np.load(tmp_path / "point.npy").shape == (int(cert["instance"]["size"]["k"]) * 10,)
    md = (tmp_path / "report.md").read_text()
    assert "Global optimality" in md and "Clopper-Pearson" in md
    assert "<table>" in (tmp_path / "report.html").read_text()


def test_not_applicable_family_exits_1(run_cli, tmp_path):
    code, out, _ = run_cli("landscape", "dictionary", "--size", "n=4,p=300", "--runs", "1", "--out", tmp_path)
    assert code == 1 and "not-applicable" in out


def test_maxcut_bipartite_edge_list_contains_its_edge_count(run_cli, tmp_path):
    rng = np.random.default_rng(0)
    lines = ["# a bipartite graph: even - odd vertices"]
    edges = {(i, j) for i in range(0, 40, 2) for j in range(1, 40, 2) if rng.random() < 0.3}
    lines += [f"{j} {i}" for i, j in sorted(edges)]
    path = tmp_path / "g.txt"
    path.write_text("\n".join(lines) + "\n")
    code, out, _ = run_cli("landscape", "maxcut", "--graph", path, "--runs", "1", "--out", tmp_path / "o")
    assert code == 0, out
    g = json.loads((tmp_path / "o" / "certificate.json").read_text())["global_optimality"]
    assert float(g["value"][0]) <= len(edges) <= float(g["value"][1])


@pytest.mark.parametrize("text, line", [("0 1\n1 1\n", 2), ("0 1\n1 2 -3\n", 2), ("0 1 nan\n", 1),
                                        ("0 1\n\n2 x\n", 3)])
def test_bad_edge_list_exits_2_naming_the_line_and_writes_nothing(run_cli, tmp_path, text, line):
    path = tmp_path / "bad.txt"
    path.write_text(text)
    code, _, err = run_cli("landscape", "maxcut", "--graph", path, "--out", tmp_path / "o")
    assert code == 2 and f"line {line}" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args, words", [
    (["nosuch"], "FAMILY"),
    (["maxcut", "--size", "n=1"], "--size"),
    (["maxcut", "--size", "colour=3"], "colour"),
    (["rank-k", "--size", "d=3,k=5"], "k <= d"),
    (["tensor", "--graph", "x.txt"], "--graph"),
    (["phase-retrieval", "--constants", "C_pr"], "--constants"),
    (["phase-retrieval", "--data", "missing.npz"], "--data"),
    ([], "FAMILY"),
])
def test_bad_input_exits_2(run_cli, tmp_path, args, words):
    code, _, err = run_cli("landscape", *args, "--out", tmp_path / "o")
    assert code == 2 and words in err
    assert not (tmp_path / "o").exists()


def test_data_file_missing_an_array_exits_2(run_cli, tmp_path):
    np.savez(tmp_path / "d.npz", a=np.ones((3, 2)))
    code, _, err = run_cli("landscape", "phase-retrieval", "--data", tmp_path / "d.npz", "--out", tmp_path / "o")
    assert code == 2 and "'y'" in err


def test_user_data_with_exact_ground_truth_is_certified(tmp_path):
    rng = np.random.default_rng(3)
    a = np.round(rng.standard_normal((60, 6)) * 8) / 8
    x = np.round(rng.standard_normal(6) * 16) / 16
    y = (a @ x) ** 2                      # exact: few bits
    np.savez(tmp_path / "pr.npz", a=a, y=y, x=x)
    cert, _ = certify_landscape("phase-retrieval", data=str(tmp_path / "pr.npz"), runs=2, census=False)
    assert cert["global_optimality"]["status"] == "certified"
    assert cert["instance"]["source"] == "data"


def test_supplied_constant_makes_the_theorem_conditional():
    cert, _ = certify_landscape("phase-retrieval", size="n=8,m=120", constants="C_pr=0.01", empirical=False,
                                census=False)
    (t,) = cert["theorems"]
    samples = next(h for h in t["hypotheses"] if h["id"] == "samples")
    assert samples["verdict"] == "holds" and samples["conditional_on"] == {"C_pr": 0.01}
    assert t["landscape_status"] == "conditional"


@pytest.mark.parametrize("tid", ["bvb2016-burer-monteiro", "sqw2018-phase-retrieval", "bns2016-matrix-sensing",
                                 "glm2016-matrix-completion", "bh1989-rank-k", "ghjy2015-tensor",
                                 "sqw2017-dictionary", "glm2018-landscape-design"])
def test_explain_renders_each_landscape_theorem(run_cli, tid):
    code, out, _ = run_cli("explain", tid)
    assert code == 0 and tid in out
