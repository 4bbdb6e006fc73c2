"""kakade-lee2018-subdifferentiation: registration, verdicts of the qualification hypotheses
on traced programs, and the cited cost factor."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from numerics.arith.verdict import Verdict
from proofs import kakade_lee2018 as kl
from proofs.core import Check
from proofs.evaluation import evaluate_theorem
from proofs.registry import get_theorem

D = torch.float64


def verdicts(instance):
    report = evaluate_theorem(kl.THEOREM, instance, {})
    return report, {h["id"]: h["verdict"] for h in report["hypotheses"]}


def test_registered_and_cost_factor_is_cited():
    assert get_theorem("kakade-lee2018-subdifferentiation") is kl.THEOREM
    steps = kl.COST_FACTOR.derivation.steps
    assert all(s.check is Check.CITED for s in steps) and "1809.08530" in steps[0].reference
    assert int(kl.COST_FACTOR.expr) == 6


def test_relu_network_with_cross_entropy_is_certified():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2)).double()
    x, y = torch.randn(6, 3, dtype=D), torch.tensor([0, 1, 0, 1, 1, 0])
    report, v = verdicts(kl.instance_for(net, x, lambda o: F.cross_entropy(o, y)))
    assert v == {"library": "holds", "primitives-qualified": "holds", "smooth-ops-differentiable": "holds"}
    assert report["status"] == "certified"


def test_unsupported_op_fails_the_library_hypothesis():
    report, v = verdicts(kl.instance_for(lambda z: torch.sign(z).sum(), torch.zeros(3, dtype=D)))
    assert v["library"] == "fails" and report["status"] != "certified"
    msg = next(h["message"] for h in report["hypotheses"] if h["id"] == "library")
    assert "sign" in msg


def test_singular_smooth_op_on_its_singular_set_fails_and_off_it_is_undecided():
    _, v = verdicts(kl.instance_for(lambda z: torch.sqrt(torch.relu(z)).sum(), torch.zeros(3, dtype=D)))
    assert v["smooth-ops-differentiable"] == "fails"
    _, v = verdicts(kl.instance_for(lambda z: torch.log(1 + torch.relu(z)).sum(), torch.zeros(3, dtype=D)))
    assert v["smooth-ops-differentiable"] == "undecided"


def test_division_by_a_constant_and_natural_powers_are_entire():
    q = kl.instance_for(lambda z: (torch.relu(z) ** 2 / 3).sum(), torch.zeros(3, dtype=D)).cache["nonsmooth"]
    assert q.smooth is Verdict.HOLDS and "div_by_constant" in q.ops and "pow_natural" in q.ops
