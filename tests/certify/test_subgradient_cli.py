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


# ----------------------------------------------------------------- certify audit


def test_audit_command_flags_relu_minus_relu(tmp_path):
    from certify.commands.audit import command as audit_command

    f = tmp_path / "prog.py"
    f.write_text("import torch\nx = torch.zeros((), dtype=torch.float64)\n"
                 "def fn(z):\n    return torch.relu(z) - torch.relu(-z)\n")
    out = tmp_path / "a.json"
    res = CliRunner().invoke(audit_command, [str(f), "--json", str(out)])
    assert res.exit_code == 1, res.output
    data = json.loads(out.read_text())
    assert data["autograd_in_clarke"] is False and data["autograd"] == [0.0] and data["subgradient"] == [1.0]
    assert data["kinks"][0]["primitive"] == "relu" and "prog.py" in data["kinks"][0]["location"]


def test_audit_command_module_in_clarke(tmp_path):
    from certify.commands.audit import command as audit_command

    f = tmp_path / "net.py"
    f.write_text("import torch\ntorch.manual_seed(0)\n"
                 "model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)).double()\n"
                 "inputs = torch.randn(5, 3, dtype=torch.float64)\n"
                 "loss_fn = lambda out: out.square().mean()\n")
    res = CliRunner().invoke(audit_command, [str(f)])
    assert res.exit_code == 0, res.output
    assert "in the Clarke subdifferential" in res.output


@pytest.mark.parametrize("content", ["y = 1\n", "import torch\nx = torch.zeros(2)\ndef fn(z):\n    return torch.sign(z).sum()\n"])
def test_audit_command_bad_input(tmp_path, content):
    from certify.commands.audit import command as audit_command

    f = tmp_path / "bad.py"
    f.write_text(content)
    res = CliRunner().invoke(audit_command, [str(f)])
    assert isinstance(res.exception, BadInput) and res.exception.field == "FILE"
    res = CliRunner().invoke(audit_command, [str(tmp_path / "missing.py")])
    assert isinstance(res.exception, BadInput)
