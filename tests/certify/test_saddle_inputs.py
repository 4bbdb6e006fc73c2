"""`certify saddle` on inputs that used to crash or run silently (issue 15): exact tiny
constants, terms not defined on the box, a long search with progress and a time budget, and the
census as printed."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from certify.cli import main
from certify.commands.saddle import objective_from_text
from certify.saddle_report import _iv


def _run(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def _cert(path):
    return json.loads((path / "certificate.json").read_text())


def test_decimal_constants_are_parsed_exactly():
    for text, value in (("1e-17", Fraction(1, 10**17)), ("1e-400", Fraction(1, 10**400)),
                        ("1 + 1e-17", 1 + Fraction(1, 10**17))):
        _, e = objective_from_text(f"(x - ({text}))^2")
        c = -e.diff().subs(e.free_symbols.pop(), 0) / 2   # f'(0)/(-2) = the shift, exactly
        assert Fraction(int(c.p), int(c.q)) == value


def test_shift_below_the_smallest_float_is_not_a_crash(tmp_path, capsys):
    """(x - 1e-400)^2 - y^2: the critical point (1e-400, 0) is inside [-1, 1]^2, a strict saddle."""
    code, out, err = _run(["saddle", "--expr", "(x - 1e-400)^2 - y^2", "--box", "x=-1:1,y=-1:1",
                           "--quiet", "--out", str(tmp_path)], capsys)
    assert code == 0, err
    cert = _cert(tmp_path)
    assert cert["complete"] is True and len(cert["critical_points"]) == 1
    p = cert["critical_points"][0]
    assert p["kind"] == "strict-saddle" and p["in_box"] == "holds"
    assert Fraction(p["box"]["x"]["lo"]) <= Fraction(1, 10**400) <= Fraction(p["box"]["x"]["hi"])


@pytest.mark.parametrize("expr, box, term", [
    ("x^(1/2) + y^2", "x=-1:1,y=-1:1", "sqrt(x)"),
    ("x^(3/2) - y^2", "x=-2:-1,y=-1:1", "x**(3/2)"),
    ("1/x + y^2", "x=-1:1,y=-1:1", "1/x"),
    ("log(x) + y^2", "x=0:1,y=-1:1", "log(x)"),
])
def test_term_not_twice_differentiable_on_the_box_is_bad_input(tmp_path, capsys, expr, box, term):
    code, _, err = _run(["saddle", "--expr", expr, "--box", box, "--quiet", "--out", str(tmp_path)], capsys)
    assert code == 2
    assert "--expr" in err and term in err and "C^2 on the whole box" in err
    assert not (tmp_path / "certificate.json").exists()


def test_square_root_on_a_box_where_it_is_smooth(tmp_path, capsys):
    """sqrt(x) + y^2 on x in [1/2, 1]: the gradient (1/(2 sqrt x), 2y) never vanishes."""
    code, _, err = _run(["saddle", "--expr", "x^(1/2) + y^2", "--box", "x=0.5:1,y=-1:1", "--quiet",
                         "--out", str(tmp_path)], capsys)
    assert code == 0, err
    assert _cert(tmp_path)["critical_points"] == [] and _cert(tmp_path)["complete"] is True


def test_time_budget_gives_an_undecided_answer_with_what_was_done(tmp_path, capsys):
    code, out, err = _run(["saddle", "--expr", "x^200 - y^2", "--box", "x=-1:1,y=-1:1", "--max-seconds", "0.3",
                           "--out", str(tmp_path)], capsys)
    cert = _cert(tmp_path)
    assert code == 1 and cert["strict_saddle_property"] == "undecided"
    assert cert["budget"]["exhausted"] is True and cert["inputs"]["max_seconds"] == 0.3
    assert cert["complete"] is False and cert["unresolved"]["count"] > 0 and cert["unresolved"]["hull"]
    assert "saddle" in err and "search" in err           # progress on stderr
    assert "census complete: False" in out


def test_quiet_silences_progress(tmp_path, capsys):
    code, _, err = _run(["saddle", "--expr", "x^2 - y^2", "--box", "x=-1:1,y=-1:1", "--quiet",
                         "--out", str(tmp_path)], capsys)
    assert code == 0 and err == ""
    code, _, err = _run(["saddle", "--expr", "x^2 - y^2", "--box", "x=-1:1,y=-1:1", "--out", str(tmp_path)], capsys)
    assert code == 0 and "search" in err


@pytest.mark.parametrize("value", ["0", "-1", "nan"])
def test_max_seconds_bad_input(tmp_path, capsys, value):
    code, _, err = _run(["saddle", "--expr", "x^2 - y^2", "--box", "x=-1:1,y=-1:1", "--max-seconds", value,
                         "--quiet", "--out", str(tmp_path)], capsys)
    assert code == 2 and "--max-seconds" in err


@pytest.mark.slow
def test_high_power_finishes_with_a_strict_saddle(tmp_path, capsys):
    """x^200 - y^2 on [-1, 1]^2 ran over a minute without output; its only critical point, the
    origin, has Hessian diag(0, -2): the strict-saddle property holds."""
    code, _, err = _run(["saddle", "--expr", "x^200 - y^2", "--box", "x=-1:1,y=-1:1", "--out", str(tmp_path)], capsys)
    cert = _cert(tmp_path)
    assert code == 0 and cert["strict_saddle_property"] == "holds" and "budget" not in cert
    assert "theorems" in err


def test_point_outside_the_box_by_1e_17_is_not_listed(tmp_path, capsys):
    """(x - 1 - 1e-17)^2 - y^2 on [-1, 1]^2 has no critical point in the box."""
    code, out, _ = _run(["saddle", "--expr", "(x - 1 - 1e-17)^2 - y^2", "--box", "x=-1:1,y=-1:1", "--quiet",
                         "--out", str(tmp_path)], capsys)
    cert = _cert(tmp_path)
    assert code == 0 and cert["critical_points"] == [] and cert["census"]["complete"] is True
    assert "critical points in the box: 0 proved" in out


def test_printed_enclosure_is_rounded_outward():
    """An enclosure that straddles 1 by a few ulps must not print as [1, 1]."""
    lo, hi = "0.9999999999999993", "1.0000000000000013"
    text = _iv({"lo": lo, "hi": hi})
    a, b = (Fraction(v) for v in text.strip("[]").split(", "))
    assert a <= Fraction(lo) and b >= Fraction(hi) and a < 1 < b
