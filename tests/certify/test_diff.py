"""`certify diff` (issue 8, item 3): verdicts, bounds with their direction, environment, exit codes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certify.commands.diff import (
    LARGER_IS_TIGHTER,
    SMALLER_IS_TIGHTER,
    compare_bound,
    compare_enclosure,
    constant_sense,
    diff_certificates,
    format_changes,
)

BASE = {
    "data": {"source": "sphere", "n": 6, "d": 3, "seed": 4},
    "certify": {"theorems": ["dzps2019-two-layer-gd"], "delta": 0.1},
}


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    """Two real certificates of the same data: delta = 0.1 and delta = 0.05."""
    from certify.certificate import write_json_atomic
    from certify.pipeline import run

    d = tmp_path_factory.mktemp("diff")
    a = run(BASE, empirical=False)
    b = run({**BASE, "certify": {**BASE["certify"], "delta": 0.05}}, empirical=False)
    write_json_atomic(d / "a.json", a)
    write_json_atomic(d / "b.json", b)
    return a, b, d


def copy(x):
    return json.loads(json.dumps(x))


def test_direction_of_each_bound_comes_from_the_hypotheses():
    assert constant_sense("dzps2019-two-layer-gd", "width") == SMALLER_IS_TIGHTER  # m > width
    assert constant_sense("dzps2019-two-layer-gd", "step_size") == LARGER_IS_TIGHTER  # eta <= step
    assert constant_sense("no-such-theorem", "width") is None


def test_identical_certificates_have_no_differences(run_cli, certs):
    a, _, d = certs
    assert diff_certificates(a, copy(a)) == []
    code, out, _ = run_cli("diff", d / "a.json", d / "a.json")
    assert code == 0 and out.startswith("no differences")


def test_smaller_delta_makes_the_width_looser_and_the_step_unchanged(run_cli, certs):
    """Thm 4.1's width grows like delta^-3: halving delta must read as a looser width bound."""
    a, b, d = certs
    changes = {c.where: c for c in diff_certificates(a, b)}
    width = changes["theorem dzps2019-two-layer-gd / constant width"]
    assert width.regression and "looser" in width.note
    assert float(b["theorems"][0]["constants"]["width"]["lo"]) > float(a["theorems"][0]["constants"]["width"]["hi"])
    assert "theorem dzps2019-two-layer-gd / constant step_size" not in changes  # eta_max = lambda0/(4n^2)
    assert changes["config.certify.delta"].old == 0.1 and changes["config.certify.delta"].new == 0.05
    assert "theorem dzps2019-two-layer-gd / quantity lambda0" not in changes  # same data
    assert not any(c.verdict_changed for c in changes.values())
    code, out, _ = run_cli("diff", d / "a.json", d / "b.json")
    assert code == 0
    assert "bounds and enclosures:" in out and "looser: upper end grew" in out
    from proofs.registry import get_theorem

    with_delta = [c for c in get_theorem("dzps2019-two-layer-gd").constants
                  if "delta" in {s.name for s in c.expr.free_symbols}]
    assert len(with_delta) >= 1
    assert f"summary: 0 verdict change(s), {len(with_delta)} looser bound(s)" in out
    code, out, _ = run_cli("diff", d / "b.json", d / "a.json")
    assert code == 0 and "tighter: upper end shrank" in out


def test_a_changed_verdict_exits_1(run_cli, certs, tmp_path):
    from certify.certificate import seal, write_json_atomic

    a, _, d = certs
    b = copy(a)
    t = b["theorems"][0]
    h = next(h for h in t["hypotheses"] if h["id"] == "step-size")
    h["verdict"], h["message"] = "fails", "eta exceeds lambda0/(4 n^2)"
    t["status"], b["verdict"] = "not-certified", "not-certified"
    b["environment"]["numpy"] = "0.0-test"
    write_json_atomic(tmp_path / "b.json", seal(b))
    code, out, _ = run_cli("diff", d / "a.json", tmp_path / "b.json")
    assert code == 1
    assert "certificate: certified -> not-certified  [VERDICT CHANGED]" in out
    assert "hypothesis step-size: holds -> fails  [VERDICT CHANGED]" in out
    assert "environment.numpy" in out and "0.0-test" in out
    code, out, _ = run_cli("diff", d / "a.json", tmp_path / "b.json", "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["verdict_changed"] is True
    assert {c["kind"] for c in data["changes"]} >= {"verdict", "status", "hypothesis", "environment"}


def test_symbolic_form_and_theorem_set_changes(certs):
    a, _, _ = certs
    b = copy(a)
    b["theorems"][0]["constants"]["width"]["expr"] = "2*" + b["theorems"][0]["constants"]["width"]["expr"]
    changes = diff_certificates(a, b)
    assert any(c.kind == "formula" and c.regression and "constant width expr" in c.where for c in changes)
    c2 = copy(a)
    c2["theorems"] = []
    gone = diff_certificates(a, c2)
    assert any(c.kind == "theorem" and c.verdict_changed and c.note == "removed" for c in gone)


@pytest.mark.parametrize("name", ["garbage", "foreign", "not-a-certificate"])
def test_malformed_or_foreign_input_exits_2(run_cli, certs, tmp_path, name):
    _, _, d = certs
    body = {"garbage": "{{", "foreign": json.dumps({"schema": "x/y/1"}),
            "not-a-certificate": json.dumps({"schema": "dl-certify/certificate/1", "theorems": "none"})}[name]
    (tmp_path / "x.json").write_text(body)
    code, _, err = run_cli("diff", d / "a.json", tmp_path / "x.json")
    assert code == 2 and "error:" in err
    code, _, _ = run_cli("diff", tmp_path / "missing.json", d / "a.json")
    assert code == 2


# ------------------------------------------------------------------ comparison rules

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def iv(a, b):
    lo, hi = min(a, b), max(a, b)
    return {"lo": repr(lo), "hi": repr(hi)}


@settings(max_examples=300, deadline=None)
@given(finite, finite, finite, finite)
def test_enclosure_comparison_follows_containment(a, b, c, d):
    old, new = iv(a, b), iv(c, d)
    note, regression, tighter = compare_enclosure(old, new, same_value=True)
    olo, ohi, nlo, nhi = (float(x) for x in (old["lo"], old["hi"], new["lo"], new["hi"]))
    if (olo, ohi) == (nlo, nhi):
        assert note == "unchanged" and not regression and not tighter
    elif nhi < olo or nlo > ohi:
        assert regression and "DISJOINT" in note
    elif olo <= nlo and nhi <= ohi:
        assert tighter and not regression
    else:
        assert regression and not tighter


@settings(max_examples=300, deadline=None)
@given(finite, finite, finite, finite, st.sampled_from([SMALLER_IS_TIGHTER, LARGER_IS_TIGHTER, None]))
def test_bound_comparison_uses_the_endpoint_a_decision_relies_on(a, b, c, d, sense):
    old, new = iv(a, b), iv(c, d)
    note, regression, tighter = compare_bound(old, new, sense)
    assert not (regression and tighter)
    if old == new:
        assert note == "unchanged"
    elif sense is None:
        assert regression  # unknown direction: any change must be looked at
    elif sense == SMALLER_IS_TIGHTER:
        assert regression == (float(new["hi"]) > float(old["hi"]))
        assert tighter == (float(new["hi"]) < float(old["hi"]))
    else:
        assert regression == (float(new["lo"]) < float(old["lo"]))
        assert tighter == (float(new["lo"]) > float(old["lo"]))


def test_losing_an_enclosure_is_a_regression():
    assert compare_bound({"lo": "1.0", "hi": "2.0"}, {"lo": None, "hi": None}, SMALLER_IS_TIGHTER)[1]
    assert compare_bound({"lo": None, "hi": None}, {"lo": "1.0", "hi": "2.0"}, SMALLER_IS_TIGHTER)[2]


def test_format_groups_changes_by_section(certs):
    a, b, _ = certs
    text = format_changes(diff_certificates(a, b), "a", "b")
    assert text.index("bounds and enclosures:") < text.index("data and configuration:")


def test_tolerance_ignores_last_bit_moves_but_not_disjointness():
    import math

    x = 1.2345e20
    old = {"lo": repr(x), "hi": repr(x)}
    new = {"lo": repr(math.nextafter(x, math.inf)), "hi": repr(math.nextafter(x, math.inf))}
    assert compare_bound(old, new, SMALLER_IS_TIGHTER)[1]
    assert not compare_bound(old, new, SMALLER_IS_TIGHTER, rtol=1e-9)[1]
    assert not compare_bound(old, new, None, rtol=1e-9)[1]
    assert compare_bound(old, {"lo": repr(2 * x), "hi": repr(2 * x)}, SMALLER_IS_TIGHTER, rtol=1e-9)[1]
    # enclosures of one value: a one-ulp overhang is tolerated, disjointness never is
    q_old = {"lo": "1.0", "hi": "2.0"}
    assert not compare_enclosure(q_old, {"lo": "1.0", "hi": repr(math.nextafter(2.0, 3))}, True, rtol=1e-9)[1]
    assert compare_enclosure(q_old, {"lo": "1.0", "hi": repr(math.nextafter(2.0, 3))}, True)[1]
    assert "DISJOINT" in compare_enclosure(q_old, {"lo": repr(math.nextafter(2.0, 3)), "hi": "3.0"}, True, rtol=1.0)[0]
    # float estimates are not enclosures: no containment judgement
    est = compare_enclosure({**q_old, "rigorous": False}, {"lo": "5.0", "hi": "6.0"}, True)
    assert not est[1] and "float estimate" in est[0]


def test_config_hash_ignores_the_empirical_section_only(certs):
    from certify.commands.diff import config_hash

    a, _, _ = certs
    b = copy(a)
    b["config"]["empirical"] = {"enabled": True, "widths": [1, 2]}
    assert config_hash(a) == config_hash(b)
    b["config"]["certify"]["delta"] = 0.2
    assert config_hash(a) != config_hash(b)
    c = copy(a)
    c["data"]["sha256"] = "0" * 64
    assert config_hash(a) != config_hash(c)
