"""The autograd audit: flags autograd values outside the Clarke subdifferential, accepts
those inside, and names the kink where autograd's local choice differs."""

from __future__ import annotations

from fractions import Fraction

import torch

from numerics.symbolic.expression import parse, parse_assignments
from numerics.nonsmooth.audit import audit, audit_expression

D = torch.float64
ZERO = torch.zeros((), dtype=D)


def test_relu_minus_relu_of_minus_is_flagged():
    report = audit(lambda x: torch.relu(x) - torch.relu(-x), ZERO)
    assert float(report.autograd) == 0.0  # autograd's answer, measured
    assert float(report.subgradient) == 1.0
    assert report.autograd_in_clarke is False and report.flagged and report.sample_complete
    assert report.distance == 1.0
    site = report.sites[0]
    assert site.primitive == "relu" and site.autograd_local == (0.0,) and site.selected_local == (1.0,)
    assert site.location is not None and "test_audit.py" in site.location
    assert "NOT in the Clarke subdifferential" in report.summary()


def test_clamp_spelling_is_flagged_and_maximum_spelling_is_not():
    # measured on torch: clamp_min(x,0) - clamp_min(-x,0) gives 2, maximum gives 1
    r = audit(lambda x: torch.clamp_min(x, 0) - torch.clamp_min(-x, 0), ZERO)
    assert float(r.autograd) == 2.0 and r.autograd_in_clarke is False
    r = audit(lambda x: torch.maximum(x, ZERO) - torch.maximum(-x, ZERO), ZERO)
    assert float(r.autograd) == 1.0 and r.autograd_in_clarke is True


def test_autograd_values_inside_the_clarke_subdifferential_pass():
    for fn in [torch.abs, lambda x: torch.maximum(x, 2 * x), torch.relu, lambda x: x ** 2]:
        r = audit(fn, ZERO)
        assert r.autograd_in_clarke is True, fn


def test_several_variables_are_undecided_when_outside_the_sample():
    # relu(x) - relu(-x) summed over 3 coordinates: Clarke = {(1,1,1)}; autograd gives 0;
    # the sampled hull cannot exclude a larger Clarke set, so the verdict is undecided
    r = audit(lambda x: (torch.relu(x) - torch.relu(-x)).sum(), torch.zeros(3, dtype=D),
              generator=torch.Generator().manual_seed(0))
    assert r.autograd_in_clarke is None and r.flagged
    assert torch.equal(r.subgradient, torch.ones(3, dtype=D))
    assert r.distance == 1.0


def test_module_audit_at_zero_initialization():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    with torch.no_grad():
        net[0].weight.zero_()
        net[0].bias.zero_()
    x = torch.randn(4, 2, dtype=D)
    r = audit(net, x, lambda out: out.square().mean(), generator=torch.Generator().manual_seed(0))
    assert set(r.autograd) == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert r.trace.ties == 12 and r.sites and r.sites[0].primitive == "relu"
    assert r.autograd_in_clarke in (True, None)


def test_no_sites_and_agreement_at_generic_points():
    torch.manual_seed(1)
    x = torch.randn(5, dtype=D)
    r = audit(lambda z: torch.relu(z).sum() + torch.abs(z).max(), x)
    assert r.sites == [] and r.autograd_in_clarke is True and r.distance == 0.0


def test_expression_audit_is_exact():
    a = audit_expression(parse("relu(x) - relu(-x)"), parse_assignments("x=0", exact=True))
    assert a.autograd == [0.0] and a.subgradient == [1.0]
    assert a.autograd_in_clarke is False and a.subgradient_in_clarke is True
    a = audit_expression(parse("max(x, 2*x)"), {"x": Fraction(0)})
    assert a.autograd == [1.5] and a.autograd_in_clarke is True
    # several variables, piecewise linear: exact verdicts
    a = audit_expression(parse("relu(x) - relu(-x) + abs(y)"), {"x": Fraction(0), "y": Fraction(0)})
    assert a.autograd == [0.0, 0.0] and a.autograd_in_clarke is False
    assert a.subgradient[0] == 1.0 and a.subgradient[1] in (1.0, -1.0)
