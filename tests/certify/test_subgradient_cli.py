"""`certify subgradient`: output, JSON keys, exit codes and bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from certify.commands.subgradient import command
from certify.errors import BadInput


def run(*args):
    return CliRunner().invoke(command, list(args))


def test_relu_minus_relu_of_minus_json(tmp_path):
    out = tmp_path / "r.json"
    res = run("--expr", "relu(x) - relu(-x)", "--at", "x=0", "--json", str(out))
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["autograd"] == 0.0
    assert data["subgradient"] == 1.0
    assert data["autograd_in_clarke"] is False
    assert data["subgradient_in_clarke"] is True
    assert data["clarke"]["generators"] == [1.0] and data["clarke"]["complete"] is True
    assert data["clarke"]["arithmetic"] == "rational"
    assert "autograd in Clarke:        NO" in res.output


def test_several_variables_give_lists():
    res = run("--expr", "max(x, 2*y) + abs(x - y)", "--at", "x=0,y=0", "--json", "-")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["variables"] == ["x", "y"]
    assert data["autograd"] == [0.5, 1.0]
    assert isinstance(data["subgradient"], list) and len(data["subgradient"]) == 2
    assert data["autograd_in_clarke"] is True
    assert [2.0, -1.0] in data["clarke"]["generators"]


def test_abs_and_max_cases_in_clarke():
    for expr, autograd in [("abs(x)", 0.0), ("max(x, 2*x)", 1.5)]:
        data = json.loads(run("--expr", expr, "--at", "x=0", "--json", "-").output)
        assert data["autograd"] == autograd and data["autograd_in_clarke"] is True


def test_non_piecewise_linear_expression_is_labelled():
    res = run("--expr", "relu(min(y, x^2 - y))", "--at", "x=0,y=0", "--json", "-")
    data = json.loads(res.output)
    assert data["clarke"]["complete"] is False
    assert "may be smaller" in data["clarke"]["method"]


@pytest.mark.parametrize(
    "args, field, fragment",
    [
        (["--expr", "relu(x) - relu(-x", "--at", "x=0"], "--expr", "position 17"),
        (["--expr", "__import__('os')", "--at", "x=0"], "--expr", "position"),
        (["--expr", "foo(x)", "--at", "x=0"], "--expr", "unknown function"),
        (["--expr", "relu(x)", "--at", "y=0"], "--at", "missing ['x']"),
        (["--expr", "relu(x)", "--at", "x=abc"], "--at", "position 2"),
        (["--expr", "2 + 3", "--at", "x=0"], "--expr", "at least one variable"),
        (["--expr", "sqrt(relu(x))", "--at", "x=0"], "--at", "differentiable"),
        (["--expr", "log(x)", "--at", "x=0"], "--at", "differentiable"),
    ],
)
def test_bad_input_raises_bad_input(args, field, fragment):
    res = run(*args)
    assert isinstance(res.exception, BadInput), res.output
    assert res.exception.field == field
    assert fragment in str(res.exception)


def test_main_maps_bad_input_to_exit_2(capsys):
    from certify.cli import main

    with pytest.raises(SystemExit) as info:
        main(["subgradient", "--expr", "relu(x) +", "--at", "x=0"])
    assert info.value.code == 2
    assert "position 9" in capsys.readouterr().err
