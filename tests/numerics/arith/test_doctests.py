"""The doctests of the rounding leaf run with the suite, as mpmath and python-flint run theirs.

The examples in ``numerics/arith`` docstrings show outward rounding and comparisons that refuse to
decide on overlapping intervals; a failing example fails this test with doctest's own report.
(``pytest --doctest-modules numerics/arith`` runs the same examples one by one.)
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import numerics.arith

MODULES = sorted(f"numerics.arith.{m.name}" for m in pkgutil.iter_modules(numerics.arith.__path__))
# modules whose examples are part of the contract: removing them fails the test
REQUIRED = {"numerics.arith.interval", "numerics.arith.rounding", "numerics.arith.verdict"}


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report: list[str] = []
    examples = 0
    for test in doctest.DocTestFinder().find(module, name):
        examples += len(test.examples)
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    if name in REQUIRED:
        assert examples >= 3, f"{name} lost its docstring examples"
