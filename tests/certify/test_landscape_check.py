"""`certify check` and `certify report` on `certify landscape` certificates.

The check re-proves the global optimality of the recorded point: a valid certificate passes, and
every false edit (a verdict, a value interval that misses the truth, another point, a perturbed
point, another instance) is rejected naming the field, even when the file is resealed."""

from __future__ import annotations

import json

import numpy as np
import pytest

from certify.certificate import seal


@pytest.fixture(scope="module")
def rank_k(tmp_path_factory):
    from click.testing import CliRunner

    from certify.cli import cli

    out = tmp_path_factory.mktemp("rank_k")
    res = CliRunner().invoke(cli, ["landscape", "rank-k", "--size", "d=12,k=2", "--no-census", "--no-empirical",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out


def _copy(src, dst, edit=None, point=None):
    cert = json.loads((src / "certificate.json").read_text())
    if edit is not None:
        edit(cert)
    (dst / "certificate.json").write_text(json.dumps(seal(cert)))
    np.save(dst / "point.npy", np.load(src / "point.npy") if point is None else point)
    return dst / "certificate.json"


def test_a_valid_landscape_certificate_checks_and_renders(run_cli, rank_k):
    code, out, err = run_cli("check", rank_k / "certificate.json")
    assert code == 0, out + err
    assert "landscape" in out
    code, md, _ = run_cli("report", rank_k / "certificate.json", "--format", "md")
    assert code == 0 and "Global optimality" in md


@pytest.mark.parametrize("field, edit", [
    ("global_optimality.value", lambda c: c["global_optimality"].update(
        value=[float(c["global_optimality"]["value"][0]) * 0.5, float(c["global_optimality"]["value"][0]) * 0.9])),
    ("theorems[0].hypotheses[0].verdict", lambda c: c["theorems"][0]["hypotheses"][0].update(verdict="fails")),
    ("theorems", lambda c: c["theorems"].append(dict(c["theorems"][0]))),
    ("instance.size", lambda c: c["instance"]["size"].update(d=13)),
    ("rel_tol", lambda c: c["inputs"].update(rel_tol=0.5)),
])
def test_a_false_edit_is_rejected_naming_the_field(run_cli, rank_k, tmp_path, field, edit):
    code, out, err = run_cli("check", _copy(rank_k, tmp_path, edit))
    assert code == 1, out + err
    assert field in err


def test_a_perturbed_point_with_its_hash_updated_is_not_certified(run_cli, rank_k, tmp_path):
    from certify.commands.landscape import point_sha256

    x = np.load(rank_k / "point.npy") * 1.01

    def edit(c):
        c["point"]["sha256"] = point_sha256(x)
    code, out, err = run_cli("check", _copy(rank_k, tmp_path, edit, point=x))
    assert code == 1, out + err
    assert "global_optimality.status" in err


def test_a_swapped_point_file_is_bad_input(run_cli, rank_k, tmp_path):
    path = _copy(rank_k, tmp_path, point=np.load(rank_k / "point.npy") + 2.0 ** -40)
    code, _, err = run_cli("check", path)
    assert code == 2 and "CERT.point.sha256" in err


def test_a_missing_graph_file_names_the_input(run_cli, tmp_path):
    graph = tmp_path / "g.txt"
    graph.write_text("0 1\n1 2\n2 3\n3 0\n")
    out = tmp_path / "out"
    code, text, err = run_cli("landscape", "maxcut", "--graph", graph, "--no-census", "--no-empirical",
                              "--out", out)
    assert code == 0, text + err
    code, text, err = run_cli("check", out / "certificate.json")
    assert code == 2 and "CERT.inputs.graph" in err
    (out / "g.txt").write_text(graph.read_text())
    code, text, err = run_cli("check", out / "certificate.json")
    assert code == 0, text + err
    (out / "g.txt").write_text("0 1\n1 2\n2 3\n")          # another graph under the recorded name
    code, text, err = run_cli("check", out / "certificate.json")
    assert code == 1 and "instance.sha256" in err
