"""Replay of a `certify run` certificate's two-layer claims (Du, Zhai, Poczos, Singh,
arXiv:1810.02054v2: Theorem 3.1 lambda0 > 0, Theorem 3.2 gradient flow, Theorem 4.1 gradient
descent).

Replayed for each theorem of :data:`TWO_LAYER_THEOREMS`:

* ``quantities.lambda0``: ``lambda_min(H_inf) >= lo`` (exact Cholesky residual,
  :mod:`.definite`) and ``lambda_min(H_inf) <= hi`` (Arb Rayleigh quotient), H_inf from the
  exact rows (:mod:`.gram`); ``quantities.C_y`` = max |y_i| (exact);
* ``hypotheses``: unit-norm-inputs (the replay is about x_i = v_i/||v_i|| by construction),
  no-parallel-inputs (exact integer test, with the recorded pairs), and the relations of
  :data:`RELATIONS`, decided in Arb at the recorded parameters with lambda0 in its (now proved)
  recorded enclosure;
* ``constants``: each recorded ``expr`` (:mod:`.expression`) evaluated at the same values, its
  ball inside the recorded enclosure;
* ``status`` (certified exactly when every hypothesis holds) and the certificate's ``verdict``.

Other theorems are listed as outside the checker's scope.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from flint import arb

from certify.independent.claims import (FALSE, NOT_REPLAYED, REPLAYED, Claim, ReplayResult, decide,
                                        enclosure_claim, endpoint, recorded_interval, verdict_claim)
from certify.independent.definite import prove_lower_bound, rayleigh_upper
from certify.independent.exact import exact_arb, interval_ball
from certify.independent.expression import ExpressionError, evaluate
from certify.independent.gram import h_inf, integer_gram, parallel_pairs
from certify.independent.inputs import ReplayError

TWO_LAYER_THEOREMS = ("dzps2019-lambda0-positive", "dzps2019-two-layer-gf", "dzps2019-two-layer-gd")
RELATIONS = {
    "lambda0-positive": ("lambda0", ">", "0"),
    "width": ("m", ">", "width"),
    "width-lemma-3.1": ("m", ">=", "width_lemma31"),
    "step-size": ("eta", "<=", "step_size"),
}
"""Hypothesis id -> (parameter, relation, constant) of the Du et al. theorems: the hypothesis is
``parameter relation constant`` (proofs/dzps2019.py states them; this table is what the
independent checker trusts about their form)."""


class LambdaZero:
    """H_inf of the data and the proofs of the recorded lambda0 bounds (computed once)."""

    def __init__(self, X: np.ndarray):
        self.g = integer_gram(X)
        self._H = None
        self.proved: dict[tuple[str, str], tuple[str, str]] = {}

    @property
    def H(self):
        if self._H is None:
            self._H = h_inf(self.g)
        return self._H

    def parallel(self) -> list[list[int]]:
        """Exactly parallel pairs (x_i = x_j), from the integer Gram matrix."""
        return [[i, j] for i, j, kind in parallel_pairs(self.g) if kind == "parallel"]

    def lower(self, lo: float) -> tuple[str, str]:
        key = ("lo", repr(lo))
        if key not in self.proved and lo <= 0:
            self.proved[key] = (REPLAYED, "H_inf is positive semidefinite (the Gram matrix of the feature "
                                          "maps x -> x 1{w.x >= 0}), so lambda_min(H_inf) >= 0")
        if key not in self.proved:
            res = prove_lower_bound(self.H, Fraction(lo))
            if res is not None:
                self.proved[key] = (REPLAYED, f"shift {float(res.shift):.17g}, exact residual ||E||_F <= "
                                              f"{float(res.residual_fro):.3g}, ball radii <= {float(res.radius_term):.3g}")
            else:
                q = rayleigh_upper(self.H)
                false = q.upper() < exact_arb(lo)
                self.proved[key] = (FALSE if false else NOT_REPLAYED,
                                    f"a Rayleigh quotient {q.upper().str(5)} is below it" if false
                                    else "no shift between it and numpy's estimate gave a proof")
        return self.proved[key]

    def upper(self, hi: float) -> tuple[str, str]:
        key = ("hi", repr(hi))
        par = self.parallel()
        if key not in self.proved and par and hi >= 0:
            i, j = par[0]
            self.proved[key] = (REPLAYED, f"inputs {i} and {j} are parallel: the Rayleigh quotient of "
                                          f"e_{i} - e_{j} is H_ii + H_jj - 2 H_ij = 0 exactly")
        if key not in self.proved:
            q = rayleigh_upper(self.H)
            if q.upper() <= exact_arb(hi):
                self.proved[key] = (REPLAYED, f"Rayleigh quotient <= {q.upper().str(17, radius=False)}")
            else:
                self.proved[key] = (NOT_REPLAYED, f"the Rayleigh quotient's ball {q.str(5)} is not below it")
        return self.proved[key]


def _parameter(params: dict, name: str, where: str) -> arb:
    value = params.get(name)
    if isinstance(value, bool):
        raise ReplayError(where, value, "a number")
    if isinstance(value, int):
        return arb(value)
    return exact_arb(endpoint(value, where))


def replay_two_layer_theorem(result: ReplayResult, i: int, t: dict, lam: LambdaZero, y: np.ndarray) -> bool:
    """Replay theorem entry t (index i); returns True when its status was replayed."""
    base = f"theorems[{i}]"
    before, skipped_before = len(result.claims), len(result.skipped)
    values: dict[str, arb] = {}
    q = t.get("quantities") if isinstance(t.get("quantities"), dict) else {}
    if "lambda0" in q:
        lo, hi = recorded_interval(q["lambda0"], f"{base}.quantities.lambda0")
        o1, how1 = lam.lower(lo)
        result.add(Claim(f"{base}.quantities.lambda0.lo", f"lambda_min(H_inf) >= {q['lambda0']['lo']}", o1, how1))
        o2, how2 = lam.upper(hi)
        result.add(Claim(f"{base}.quantities.lambda0.hi", f"lambda_min(H_inf) <= {q['lambda0']['hi']}", o2, how2))
        if o1 == REPLAYED and o2 == REPLAYED:
            values["lambda0"] = interval_ball(lo, hi)
    if "C_y" in q:
        cy = float(np.max(np.abs(y)))
        enclosure_claim(result, f"{base}.quantities.C_y", q["C_y"], arb(cy), "C_y = max_i |y_i|")
        values["C_y"] = arb(cy)
    params = t.get("parameters") if isinstance(t.get("parameters"), dict) else {}
    for name in params:
        values[name] = _parameter(params, name, f"{base}.parameters.{name}")
    _constants(result, base, t, values)
    hyps = t.get("hypotheses") if isinstance(t.get("hypotheses"), list) else []
    verdicts = [_hypothesis(result, f"{base}.hypotheses[{j}]", h, lam, values) for j, h in enumerate(hyps)]
    status = t.get("status")
    expected = "certified" if hyps and all(v == "holds" for v in verdicts) else "not-certified"
    own = result.claims[before:]
    ok = all(c.outcome == REPLAYED for c in own) and status == expected and len(result.skipped) == skipped_before
    outcome = REPLAYED if ok else FALSE if status != expected else NOT_REPLAYED
    result.add(Claim(f"{base}.status", f"{t.get('id')}: {status}", outcome,
                     "every hypothesis replayed" if ok else f"the hypotheses give {expected!r}"))
    return outcome == REPLAYED


def _constants(result: ReplayResult, base: str, t: dict, values: dict) -> None:
    consts = t.get("constants") if isinstance(t.get("constants"), dict) else {}
    for name, c in consts.items():
        where = f"{base}.constants.{name}"
        if not isinstance(c, dict) or c.get("lo") is None:
            result.skip(where, "no enclosure recorded")
            continue
        try:
            ball = evaluate(c.get("expr"), values)
        except ExpressionError as exc:
            result.add(Claim(where, f"{name} = {c.get('expr')!r}", NOT_REPLAYED, str(exc)))
            continue
        enclosure_claim(result, where, c, ball, f"{name} = {c.get('expr')}")
        values[name] = ball


def _hypothesis(result: ReplayResult, where: str, h: dict, lam: LambdaZero, values: dict) -> str | None:
    if not isinstance(h, dict):
        raise ReplayError(where, h, "a hypothesis object")
    hid, rec = h.get("id"), h.get("verdict")
    if hid == "unit-norm-inputs":
        verdict_claim(result, where, rec, "holds", "||x_i|| = 1", "x_i = v_i/||v_i|| in exact arithmetic")
        return rec
    if hid == "no-parallel-inputs":
        pairs = parallel_pairs(lam.g)
        par = [[i, j] for i, j, kind in pairs if kind == "parallel"]
        anti = [[i, j] for i, j, kind in pairs if kind == "antiparallel"]
        claim = verdict_claim(result, where, rec, "fails" if par else "holds", "no two inputs parallel",
                              f"exact integer test g_ij^2 = N_i N_j: parallel {par}, antiparallel {anti}")
        ev = h.get("evidence") or {}
        if claim.outcome == REPLAYED and (ev.get("parallel_pairs"), ev.get("antiparallel_pairs")) != (par, anti):
            result.add(Claim(f"{where}.evidence", "the recorded parallel and antiparallel pairs", FALSE,
                             f"the exact test finds parallel {par}, antiparallel {anti}"))
        return rec
    if hid == "lambda0-positive" and lam.parallel():
        i, j = lam.parallel()[0]
        verdict_claim(result, where, rec, "fails", "lambda0 > 0",
                      f"inputs {i} and {j} are parallel: equal rows of H_inf, lambda0 = 0")
        return rec
    if hid not in RELATIONS:
        result.skip(where, f"hypothesis {hid!r} is outside the independent checker")
        return rec
    name, op, const = RELATIONS[hid]
    lhs = values.get(name)
    rhs = arb(0) if const == "0" else values.get(const)
    replayed = decide(lhs, op, rhs) if lhs is not None and rhs is not None else None
    verdict_claim(result, where, rec, replayed, f"{name} {op} {const}")
    return rec


def replay_run(result: ReplayResult, cert: dict, X: np.ndarray, y: np.ndarray) -> None:
    theorems = cert.get("theorems")
    if not isinstance(theorems, list):
        raise ReplayError("CERT.theorems", theorems, "a list of theorem entries")
    lam = LambdaZero(X)
    all_replayed = True
    for i, t in enumerate(theorems):
        if not isinstance(t, dict) or t.get("id") not in TWO_LAYER_THEOREMS:
            result.skip(f"theorems[{i}]", f"theorem {t.get('id') if isinstance(t, dict) else t!r} is outside "
                                           "the independent checker (two-layer theorems only)")
            all_replayed = False
            continue
        all_replayed &= replay_two_layer_theorem(result, i, t, lam, y)
    statuses = [t.get("status") for t in theorems if isinstance(t, dict)]
    expected = "certified" if statuses and all(s == "certified" for s in statuses) else "not-certified"
    verdict = cert.get("verdict")
    if verdict != expected:
        result.add(Claim("verdict", f"verdict {verdict!r}", FALSE, f"the theorems' statuses give {expected!r}"))
    elif all_replayed:
        result.add(Claim("verdict", f"verdict {verdict!r}", REPLAYED, "every theorem's status replayed"))
    else:
        result.skip("verdict", "some theorem is outside the independent checker")
