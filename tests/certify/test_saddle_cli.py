"""`certify saddle`: certificate keys, exit codes 0/1/2, error positions, and a fuzz test that
no expression text reaches code execution."""

from __future__ import annotations

import builtins
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.cli import main
from certify.commands.saddle import objective_from_text
from certify.errors import BadInput


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def test_paper_example_certificate(tmp_path, capsys):
    code, out, _ = _run(["saddle", "--expr", "x^2/2 + y^4/4 - y^2/2", "--box", "x=-2:2,y=-2:2",
                         "--out", str(tmp_path)], capsys)
    assert code == 0
    cert = json.loads((tmp_path / "certificate.json").read_text())
    for key in ("critical_points", "complete", "strict_saddle_property", "constants", "step_size", "theorems"):
        assert key in cert
    assert cert["complete"] is True and cert["strict_saddle_property"] == "holds"
    pts = cert["critical_points"]
    assert len(pts) == 3
    kinds = sorted(p["kind"] for p in pts)
    assert kinds == ["local-min", "local-min", "strict-saddle"]
    for p in pts:
        assert set(p["box"]) == {"x", "y"}
        for v in p["box"].values():
            assert float(v["lo"]) <= float(v["hi"])
        assert set(p["hessian_min_eig"]) == {"lo", "hi"}
    saddle = next(p for p in pts if p["kind"] == "strict-saddle")
    assert float(saddle["hessian_min_eig"]["lo"]) <= -1 <= float(saddle["hessian_min_eig"]["hi"])
    assert float(cert["step_size"]["allowed_below"]) <= 1 / 11
    ids = {t["id"]: t["status"] for t in cert["theorems"]}
    assert ids["lsjr2016-gd-avoids-saddles"] == "certified"
    assert ids["jin2017-pgd"] == "not-certified"
    assert (tmp_path / "report.md").read_text().startswith("# Strict-saddle certificate")
    assert "<!DOCTYPE html>" in (tmp_path / "report.html").read_text()


def test_monkey_saddle_exit_1(tmp_path, capsys):
    code, out, _ = _run(["saddle", "--builtin", "monkey-saddle", "--out", str(tmp_path)], capsys)
    assert code == 1
    cert = json.loads((tmp_path / "certificate.json").read_text())
    assert cert["strict_saddle_property"] != "holds"
    assert all(p["kind"] != "strict-saddle" for p in cert["critical_points"])


def test_no_critical_point_exit_0(tmp_path, capsys):
    code, _, _ = _run(["saddle", "--builtin", "no-critical-point", "--out", str(tmp_path)], capsys)
    cert = json.loads((tmp_path / "certificate.json").read_text())
    assert code == 0 and cert["critical_points"] == [] and cert["complete"] is True


@pytest.mark.parametrize("expr,box,pos", [
    ("x^2 + (y", "x=-1:1,y=-1:1", 8),
    ("x^2 + foo(y)", "x=-1:1,y=-1:1", 6),
    ("x^2 + abs(y)", "x=-1:1,y=-1:1", 6),
    ("x^2 + relu(y)", "x=-1:1,y=-1:1", 6),
    ("x^2 + y", "x=1:-1,y=-1:1", 0),
    ("x^2 + y", "x=1:1,y=-1:1", 0),
    ("x^2 + y", "x=-1:1,y=-1:1,", None),
])
def test_bad_input_exit_2_with_position(tmp_path, capsys, expr, box, pos):
    code, _, err = _run(["saddle", "--expr", expr, "--box", box, "--out", str(tmp_path)], capsys)
    assert code == 2
    if pos is not None:
        assert f"position {pos}" in err


def test_box_must_name_the_variables(tmp_path, capsys):
    code, _, err = _run(["saddle", "--expr", "x^2 + y^2", "--box", "x=-1:1", "--out", str(tmp_path)], capsys)
    assert code == 2 and "variables" in err


def test_unknown_builtin(tmp_path, capsys):
    code, _, err = _run(["saddle", "--builtin", "nope", "--out", str(tmp_path)], capsys)
    assert code == 2 and "lsjr-example" in err


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="xy0123456789.+-*/^() ,_eaboslqrtcinh[]{};:'\"=", max_size=40))
def test_fuzz_no_code_execution(monkeypatch_text):
    calls = []
    real_eval, real_exec = builtins.eval, builtins.exec

    def trap(*a, **k):
        calls.append(a)
        raise AssertionError("eval/exec reached")

    builtins.eval, builtins.exec = trap, trap
    try:
        try:
            objective_from_text(monkeypatch_text)
        except BadInput:
            pass
    finally:
        builtins.eval, builtins.exec = real_eval, real_exec
    assert calls == []


def test_symmetry_refused_when_not_invariant(tmp_path, capsys):
    code, _, err = _run(["saddle", "--builtin", "lsjr-example", "--symmetry", "right-rotation",
                         "--out", str(tmp_path)], capsys)
    assert code == 2 and "could not be proved" in err


def test_certificate_is_sealed_with_its_own_schema(tmp_path, capsys):
    from certify.certificate import content_hash
    code, _, _ = _run(["saddle", "--builtin", "quadratic-saddle-d2", "--out", str(tmp_path)], capsys)
    cert = json.loads((tmp_path / "certificate.json").read_text())
    assert code == 0 and cert["schema"] == "dl-certify/saddle-certificate/1"
    assert cert["content_sha256"] == content_hash(cert)
    cert["complete"] = False
    assert cert["content_sha256"] != content_hash(cert)
