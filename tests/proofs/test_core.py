import sympy as sp

from numerics.arith.verdict import Verdict
from proofs.core import Check, Constant, Derivation, Step, leading_form
from proofs.registry import all_theorems, get_theorem, theorem_ids


def test_registry_ids_are_unique_and_resolvable():
    ids = theorem_ids()
    assert len(ids) == len(set(ids))
    for tid in ids:
        assert get_theorem(tid).id == tid
    for tid in ("dzps2019-lambda0-positive", "dzps2019-two-layer-gf", "dzps2019-two-layer-gd"):
        assert tid in ids


def test_leading_form_keeps_dominant_powers_and_logs():
    n, lam, d = sp.symbols("n lambda0 delta", positive=True)
    assert sp.simplify(leading_form(7 * n**2 * (n**2 + n**sp.Rational(3, 2))**2 / (lam**4 * d**3), (n, lam, d))
                       - n**6 / (lam**4 * d**3)) == 0
    assert leading_form(256 * n**2 * sp.log(4 * n / d) / lam**2, (n, lam, d)) == n**2 * sp.log(n / d) / lam**2


def test_verdict_logic_is_kleene():
    H, F, U = Verdict.HOLDS, Verdict.FAILS, Verdict.UNDECIDED
    assert (H & U) is U and (F & U) is F and (H & H) is H
    assert (H | U) is H and (F | U) is U and (F | F) is F
    assert ~U is U and ~H is F
    assert Verdict.all_of([H, H, U]) is U and Verdict.all_of([]) is H


def test_statement_dicts_render_for_every_theorem():
    for thm in all_theorems():
        s = thm.statement_dict()
        assert s["id"] == thm.id and s["citation"]
        for c in s["constants"]:
            assert c["steps"], f"{thm.id}/{c['name']} has no derivation steps"
