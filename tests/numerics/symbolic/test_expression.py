"""The restricted expression grammar: precedence, errors with positions, conversions,
point/box specs, and a fuzz test that no text reaches code execution."""

from __future__ import annotations

import builtins
import math
from fractions import Fraction

import pytest
import sympy
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from numerics.symbolic.expression import (
    MAX_DEPTH,
    MAX_LENGTH,
    Binary,
    Call,
    ExpressionError,
    Number,
    Unary,
    Variable,
    evaluate_float,
    is_smooth,
    parse,
    parse_assignments,
    parse_box,
    to_source,
    to_sympy,
    to_torch,
    variables,
)

x, y = Variable("x"), Variable("y")


# ----------------------------------------------------------------- precedence and literals


def test_unary_minus_binds_looser_than_power():
    assert parse("-x^2") == Unary("-", Binary("^", x, Number(Fraction(2))))
    assert parse("-x**2") == parse("-x^2")


def test_power_is_right_associative_and_takes_signed_exponent():
    two, three = Number(Fraction(2)), Number(Fraction(3))
    assert parse("2^3^2") == Binary("^", two, Binary("^", three, two))
    assert parse("x^-2") == Binary("^", x, Unary("-", two))


def test_left_associativity_of_minus_and_divide():
    assert evaluate_float(parse("8 - 4 - 2"), {}) == 2.0
    assert evaluate_float(parse("8 / 4 / 2"), {}) == 1.0
    assert evaluate_float(parse("1 + 2 * 3"), {}) == 7.0


@pytest.mark.parametrize(
    "text, value",
    [("3", Fraction(3)), ("0.25", Fraction(1, 4)), (".5", Fraction(1, 2)), ("1e-3", Fraction(1, 1000)),
     ("2.5E+2", Fraction(250)), ("0.1", Fraction(1, 10))],
)
def test_number_literals_are_exact(text, value):
    assert parse(text) == Number(value)


def test_sympy_literals_are_exact_rationals():
    assert to_sympy(parse("0.1")) == sympy.Rational(1, 10)


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text, position, fragment",
    [
        ("x +", 3, "expected a number"),
        ("2x", 1, "expected an operator"),
        ("(x", 2, "')'"),
        ("foo(x)", 0, "unknown function"),
        ("relu", 0, "is a function"),
        ("relu(x, y)", 0, "takes 1"),
        ("max(x)", 0, "at least 2"),
        ("x $ y", 2, "unexpected character"),
        ("leaky_relu(x, y)", 0, "constant"),
        ("clamp(x, 1, -1)", 0, "lo <= hi"),
        ("x.real", 1, "attribute"),
        ("__import__", 0, "'_'"),
        ("lambda", 0, "keyword"),
        ("1e100000", 2, "too large"),
        ("", 0, "expected a number"),
        ("x ** ", 5, "expected a number"),
    ],
)
def test_errors_report_position_and_expectation(text, position, fragment):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.position == position
    assert fragment in info.value.message
    assert isinstance(info.value, ValueError)


def test_length_and_depth_limits():
    with pytest.raises(ExpressionError, match="longer"):
        parse("x+" * MAX_LENGTH + "x")
    with pytest.raises(ExpressionError, match="nested"):
        parse("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1))
    with pytest.raises(ExpressionError, match="nested"):
        parse("-" * (MAX_DEPTH + 1) + "x")
    parse("(" * (MAX_DEPTH // 2) + "x" + ")" * (MAX_DEPTH // 2))


# ----------------------------------------------------------------- fuzz: no execution


class _Tripwire(Exception):
    pass


_DANGEROUS = [
    "__import__('os').system('true')", "lambda: 0", "x.__class__", "().__class__.__bases__",
    "eval(x)", "exec(x)", "open(x)", "getattr(x, y)", "globals()", "__builtins__", "os.system",
    "import os", "x if y else z", "[x for x in y]", "x; y", "x\ny", "f'{x}'", "x[0]", "x @ y",
    "x = 1", "x == y", "not x", "x and y", "{}", "b'x'", "\\x41", "x#y", "𝑥", "ｘ",
]


@pytest.fixture
def no_code_execution(monkeypatch):
    def trip(*a, **k):
        raise _Tripwire("code execution reached")

    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, trip)
    monkeypatch.setattr(sympy, "sympify", trip)


@pytest.mark.parametrize("text", _DANGEROUS)
def test_dangerous_strings_raise_expression_error(text, no_code_execution):
    with pytest.raises(ExpressionError):
        parse(text)


_fragments = st.sampled_from(
    ["__import__", "lambda", ".", "__class__", "os", "system", "(", ")", "'", '"', ",", ":", ";",
     "x", "y", "relu", "max", "exp", "1", "2.5", "e3", "+", "-", "*", "**", "^", "/", " ", "[",
     "]", "{", "}", "=", "@", "_", "__", "eval", "exec", "\n", "#", "\\"]
)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(_fragments, max_size=25).map("".join)))
def test_fuzz_parse_never_raises_anything_but_expression_error(text):
    def trip(*a, **k):
        raise _Tripwire(text)

    saved = {n: getattr(builtins, n) for n in ("eval", "exec")}
    try:
        for n in saved:
            setattr(builtins, n, trip)
        try:
            tree = parse(text)
        except ExpressionError as e:
            assert 0 <= e.position <= len(text)
            return
    finally:
        for n, f in saved.items():
            setattr(builtins, n, f)
    # accepted text: only grammar names survive, and the tree prints back to itself
    for v in variables(tree):
        assert not v.startswith("_") and v.isascii()
    assert parse(to_source(tree)) == tree


# ----------------------------------------------------------------- round trip


_names = st.sampled_from(["x", "y", "w1", "b_2"])
_numbers = st.fractions(min_value=0, max_value=1000, max_denominator=1).map(Number) | st.sampled_from(
    [Number(Fraction(1, 2)), Number(Fraction(1, 1000)), Number(Fraction(125, 8))]
)


def _trees():
    leaves = _numbers | _names.map(Variable)

    def extend(children):
        return st.one_of(
            st.tuples(st.sampled_from("+-"), children).map(lambda t: Unary(*t)),
            st.tuples(st.sampled_from(["+", "-", "*", "/", "^"]), children, children).map(
                lambda t: Binary(*t)
            ),
            st.tuples(st.sampled_from(["exp", "sin", "abs", "relu", "tanh"]), children).map(
                lambda t: Call(t[0], (t[1],))
            ),
            st.tuples(st.sampled_from(["max", "min"]), st.lists(children, min_size=2, max_size=3)).map(
                lambda t: Call(t[0], tuple(t[1]))
            ),
        )

    return st.recursive(leaves, extend, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(_trees())
def test_round_trip_through_source(tree):
    assert parse(to_source(tree)) == tree


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        ["relu(x) - relu(-x)", "abs(x - y) + max(x, 2*y, -1)", "leaky_relu(x, 0.2) * min(x, y)",
         "clamp(x, -0.5, 0.5) + hardtanh(y)", "hardtanh(x, -2, 3) - y^2", "exp(-x^2) * sin(y)",
         "tanh(x) + sigmoid(y) + softplus(x*y)", "sqrt(x^2 + 1) / (1 + y^2)", "log(1 + x^2)"]
    ),
    st.floats(-3, 3),
    st.floats(-3, 3),
)
def test_sympy_torch_and_float_agree(text, xv, yv):
    tree = parse(text)
    sx, sy = sympy.Symbol("x", real=True), sympy.Symbol("y", real=True)
    ref = float(to_sympy(tree).subs({sx: sympy.Float(xv, 30), sy: sympy.Float(yv, 30)}).evalf(30))
    got_t = float(to_torch(tree)({"x": torch.tensor(xv, dtype=torch.float64),
                                  "y": torch.tensor(yv, dtype=torch.float64)}))
    got_f = evaluate_float(tree, {"x": xv, "y": yv})
    assert math.isclose(got_t, ref, rel_tol=1e-12, abs_tol=1e-12)
    assert math.isclose(got_f, ref, rel_tol=1e-12, abs_tol=1e-12)


def test_relu_and_friends_map_to_max_min_in_sympy():
    sx = sympy.Symbol("x", real=True)
    assert to_sympy(parse("relu(x)")) == sympy.Max(sx, 0)
    assert to_sympy(parse("abs(x)")) == sympy.Abs(sx)
    h = to_sympy(parse("relu(x) - relu(-x)"))
    assert sympy.simplify((h - sx).rewrite(sympy.Piecewise)) == 0


def test_to_torch_constant_expression_returns_tensor_and_missing_variable_raises():
    assert float(to_torch(parse("2^10"))({})) == 1024.0
    with pytest.raises(ValueError, match="missing"):
        to_torch(parse("x + y"))({"x": torch.tensor(1.0)})


def test_variables_sorted_and_smoothness():
    assert variables(parse("z + a*b + a")) == ("a", "b", "z")
    assert variables(parse("pi * 2")) == ()
    assert is_smooth(parse("exp(x) + y^2/4"))
    for t in ["abs(x)", "relu(x)", "max(x, y)", "1 + min(x, 0)", "clamp(x, 0, 1)", "leaky_relu(x)"]:
        assert not is_smooth(parse(t))


# ----------------------------------------------------------------- points and boxes


def test_parse_assignments_and_box():
    assert parse_assignments("x=0, y=-1.5e2") == {"x": 0.0, "y": -150.0}
    assert parse_assignments("x=0.1", exact=True) == {"x": Fraction(1, 10)}
    assert parse_box("x=-2:2,y= -1 : 3") == {"x": (-2.0, 2.0), "y": (-1.0, 3.0)}


@pytest.mark.parametrize(
    "text, fragment, position",
    [("x=2:1", "'x' is inverted", 0), ("x=0:1,y=1:1", "'y' is empty", 6), ("x=1", "lo:hi", 2),
     ("x=a:1", "number", 2), ("x=0:1,x=0:2", "twice", 6), ("", "empty", 0), ("relu=0:1", "function", 0)],
)
def test_bad_boxes(text, fragment, position):
    with pytest.raises(ExpressionError) as info:
        parse_box(text)
    assert fragment in info.value.message
    assert info.value.position == position


@pytest.mark.parametrize("text", ["x", "x=", "=1", "x=1,,", "x=1 2", "x=--1", "__a=1", "x=1e99999"])
def test_bad_assignments(text):
    with pytest.raises(ExpressionError):
        parse_assignments(text)


@pytest.mark.parametrize("text", ["1e311", "2e308", "x + 1e400"])
def test_a_number_above_the_largest_float_is_an_expression_error(text):
    """1e311 lies below 2^1100 but above the largest float: float() of it overflowed, an
    OverflowError instead of the parse error (found by the fuzz test)."""
    with pytest.raises(ExpressionError, match="too large for floating point"):
        parse(text)
