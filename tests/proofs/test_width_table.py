"""The width table: provenance fields, consistency with the theorem modules, rigorous evaluation
with honest labels."""

from __future__ import annotations

import math

import pytest
import sympy as sp

from numerics.arith.interval import Interval
from proofs import dllwz2019 as D
from proofs import dzps2019 as Z
from proofs import width_table as W

VALUES = {"n": 20, "L": 6, "d": 5, "p": 4, "delta": 0.05, "eps": 1e-3, "C_y": 1.0,
          "lambda0": Interval(0.08, 0.081), "lambda_fc": Interval(0.1, 0.1001), "lambda_res": Interval(3e-4, 3.01e-4),
          "lambda_cnn": Interval(1e-3, 1.01e-3), "phi": Interval(0.3, 0.31), "phi_labels": Interval(0.4, 0.41)}


def test_every_requirement_has_provenance():
    reqs = W.requirements()
    assert len({r.id for r in reqs}) == len(reqs)
    for r in reqs:
        assert r.tag in ("V", "S", "NV") and r.work and r.arxiv and r.result and r.tag_note
    tags = {r.id: r.tag for r in reqs}
    # tags as documented in proofs/width_table.py
    assert tags["dllwz2019-resnet"] == "V" and tags["azls2018"] == "S" and tags["zou-gu2019"] == "S"
    assert tags["song-yang2019-n4"] == "NV" and tags["ji-telgarsky2019"] == "NV" and tags["zczg2018"] == "V"


def test_only_dzps_widths_are_explicit_and_equal_the_theorem_module():
    explicit = [r for r in W.requirements() if r.explicit]
    assert {r.id for r in explicit} == {"dzps2019-gf", "dzps2019-gd"}
    for r in explicit:
        assert not (r.formula.free_symbols & set(W.UNNAMED))
    gd = next(r for r in explicit if r.id == "dzps2019-gd")
    ref = Z.GRADIENT_DESCENT_THEOREM.constant("width").expr
    sub = {Z.n: 20, Z.lambda0: sp.Rational(1, 10), Z.delta: sp.Rational(1, 20), Z.C_y: 1}
    assert sp.simplify(gd.formula.subs({W.n: 20, W.lambda0: sp.Rational(1, 10), W.delta: sp.Rational(1, 20),
                                        W.C_y: 1}) - ref.subs(sub)) == 0


def test_resnet_entry_agrees_with_the_theorem_module_at_unit_constant():
    r = next(r for r in W.requirements() if r.id == "dllwz2019-resnet")
    point = {"n": 20, "L": 6, "delta": sp.Rational(1, 20), "lam": sp.Rational(3, 10000)}
    a = r.formula.subs({W.C: 1, W.n: point["n"], W.L: point["L"], W.delta: point["delta"],
                        W.lambda_res: point["lam"]})
    b = D.RES_WIDTH.subs({D.c_w: 1, D.n: point["n"], D.H: point["L"], D.delta: point["delta"], D.lam: point["lam"]})
    assert sp.simplify(a - b) == 0


def test_evaluation_encloses_float_value_and_labels():
    rows = {r["id"]: r for r in W.evaluate_requirements(VALUES)}
    assert rows["dzps2019-gf"]["label"] == "explicit"
    assert rows["azls2018"]["label"] == "with unnamed constants = 1"
    assert rows["ji-telgarsky2019"]["missing"] == ["gamma"]
    assert rows["cczg2019"]["hi"] is None
    # azls: n^24 L^12 / phi^8 over phi in [0.3, 0.31]
    lo_ref = 20.0**24 * 6.0**12 / 0.31**8
    hi_ref = 20.0**24 * 6.0**12 / 0.3**8
    assert float(rows["azls2018"]["lo"]) <= lo_ref * (1 + 1e-12) and hi_ref * (1 - 1e-12) <= float(rows["azls2018"]["hi"])
    # monotone in lambda: the resnet requirement's enclosure contains the value at a point inside
    f = sp.lambdify([W.n, W.L, W.delta, W.lambda_res],
                    next(r for r in W.requirements() if r.id == "dllwz2019-resnet").formula.subs(W.C, 1))
    v = f(20, 6, 0.05, 3.005e-4)
    assert float(rows["dllwz2019-resnet"]["lo"]) <= v <= float(rows["dllwz2019-resnet"]["hi"])


def test_float_inputs_are_labelled_and_zero_separation_is_not_enclosed():
    vals = dict(VALUES)
    vals.pop("lambda_res")
    vals["phi"] = Interval(0.0, 0.0)
    rows = {r["id"]: r for r in W.evaluate_requirements(vals, {"lambda_res": 3e-4})}
    assert rows["dllwz2019-resnet"]["label"].startswith("FLOAT")
    assert not math.isfinite(float(rows["azls2018"]["hi"]))
    assert "not enclosed" in rows["azls2018"]["label"]


def test_only_requested_ids():
    rows = W.evaluate_requirements(VALUES, ids=("os2019",))
    assert [r["id"] for r in rows] == ["os2019"] and float(rows[0]["hi"]) == pytest.approx(400.0)
