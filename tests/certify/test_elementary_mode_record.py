"""Certificates record the elementary-function mode; the opt-in libm margin mode makes every
theorem `conditional` (never certified) and `certify check` re-proves such a certificate in the
same mode (docs/elementary_enclosures.md)."""

from __future__ import annotations

import copy
from pathlib import Path

from certify.certificate import seal
from certify.run_check import check_run_certificate
from numerics.arith import elementary as el

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "two_layer_relu.toml"


def _unsealed(cert: dict) -> dict:
    return {k: v for k, v in cert.items() if k != "content_sha256"}


def test_default_certificate_is_proved_and_certified():
    from certify.pipeline import run
    cert = run(EXAMPLE, empirical=False)
    assert cert["numerics"]["elementary"]["mode"] == "proved-polynomial"
    assert cert["numerics"]["elementary"]["premise"] is None
    assert cert["verdict"] == "certified"
    assert all(t["status"] == "certified" for t in cert["theorems"])


def test_margin_certificate_is_conditional_and_checks_in_its_mode():
    from certify.pipeline import run
    with el.elementary_mode_scope("margin"):
        cert = run(EXAMPLE, empirical=False)
    assert cert["numerics"]["elementary"] == {
        "mode": "margin", "method": "numpy/libm widened by a 4-ulp margin",
        "premise": el.MARGIN_PREMISE}
    assert cert["verdict"] == "not-certified"
    assert [t["status"] for t in cert["theorems"]] == ["conditional"] * len(cert["theorems"])
    for t in cert["theorems"]:
        for h in t["hypotheses"]:
            if h["verdict"] == "holds":
                assert h["conditional_on"]["premise"] == el.MARGIN_PREMISE
    assert check_run_certificate(cert).problems == []
    # a margin certificate that claims `certified` is rejected, naming the field
    forged = copy.deepcopy(cert)
    forged["theorems"][0]["status"] = "certified"
    problems = check_run_certificate(seal(_unsealed(forged))).problems
    assert any("theorems[0].status" in p for p in problems), problems
