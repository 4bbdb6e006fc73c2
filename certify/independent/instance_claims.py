"""Replay of a `certify instance` certificate: every certified point's zero-loss minimizer and its
distances (:mod:`.lazy_minimizer`), the lambda_min(H_S) bounds (:mod:`.definite`), the theorem
entry's quantities and hypotheses, and the DZPS lambda0 the certificate compares with.

The point's network comes from the weights file beside the certificate (W, a, W0; the
initialization point uses W0), its witness from the arrays ``S_<point>`` and ``c_<point>``.
A point that is not certified claims nothing; the width sweep's networks are not stored.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from certify.independent.claims import (FALSE, NOT_REPLAYED, REPLAYED, Claim, ReplayResult,
                                        enclosure_claim, recorded_interval)
from certify.independent.definite import prove_lower_bound, rayleigh_upper
from certify.independent.exact import exact_arb
from certify.independent.inputs import ReplayError, load_weights, weights_hash
from certify.independent.lazy_minimizer import replay_lazy_minimizer
from certify.independent.two_layer_run import LambdaZero

POINT_BALLS = ("tau", "correction_max", "correction_frobenius", "distance_from_init_max", "sqrt_m_distance",
               "residual_norm")
THEOREM_QUANTITIES = {"D_init": "distance_from_init_max", "correction_max": "correction_max"}


def _lambda_min_hs(result: ReplayResult, where: str, rec, H) -> None:
    if rec is None or H is None:
        result.skip(where, "not recorded" if rec is None else "H_S was not formed")
        return
    lo, hi = recorded_interval(rec, where)
    lb = prove_lower_bound(H, Fraction(lo))
    q = rayleigh_upper(H)
    result.add(Claim(f"{where}.lo", f"lambda_min(H_S) >= {rec['lo']}", REPLAYED if lb is not None else
                     FALSE if q.upper() < exact_arb(lo) else NOT_REPLAYED, "exact Cholesky residual"))
    result.add(Claim(f"{where}.hi", f"lambda_min(H_S) <= {rec['hi']}",
                     REPLAYED if q.upper() <= exact_arb(hi) else NOT_REPLAYED, "Arb Rayleigh quotient"))


def _point(result: ReplayResult, where: str, obj: dict, X, y, w: dict):
    """Replay one recorded point; returns its LazyReplay (None when it claims nothing)."""
    point = obj.get("point")
    if obj.get("status") != "certified":
        result.skip(where, f"the {point} point is {obj.get('status')!r}: it claims nothing")
        return None
    S, c = w.get(f"S_{point}"), w.get(f"c_{point}")
    if S is None or c is None:
        result.add(Claim(f"{where}.status", f"{point} point: certified", NOT_REPLAYED,
                         f"the weights file records no witness (S_{point}, c_{point})"))
        return None
    W = w["W0"] if point == "initialization" else w["W"]
    rep = replay_lazy_minimizer(X, y, W, w["a"], w["W0"], S, c)
    result.add(Claim(f"{where}.status", f"{point} point: an exact zero-loss W* = W + dW exists",
                     REPLAYED if rep.certified else NOT_REPLAYED, rep.reason))
    if obj.get("m") != W.shape[0] or obj.get("stable_neurons") != len(S):
        result.add(Claim(f"{where}.m", f"m = {obj.get('m')}, |S| = {obj.get('stable_neurons')}", FALSE,
                         f"the weights file has m = {W.shape[0]}, the witness |S| = {len(S)}"))
    for key in POINT_BALLS:
        if obj.get(key) is not None:
            enclosure_claim(result, f"{where}.{key}", obj[key], rep.balls.get(key), key)
    _lambda_min_hs(result, f"{where}.lambda_min_HS", obj.get("lambda_min_HS"), rep.balls.get("H_c"))
    return rep


def replay_instance(result: ReplayResult, cert: dict, X: np.ndarray, y: np.ndarray, directory) -> None:
    rec = cert.get("weights")
    if not isinstance(rec, dict) or not isinstance(rec.get("file"), str):
        raise ReplayError("CERT.weights", rec, "an instance certificate that names its weights file")
    path = Path(directory) / Path(rec["file"]).name
    w = load_weights(path, X.shape[1])
    digest = weights_hash(w["W"], w["a"], w["W0"])
    result.add(Claim("weights.sha256", "the weights file is the certified network",
                     REPLAYED if digest == rec.get("sha256") else FALSE, f"sha256 {digest[:16]}..."))
    points = cert.get("instance_points")
    if not isinstance(points, list) or not points:
        raise ReplayError("CERT.instance_points", points, "the list of certified points")
    reps = [_point(result, f"instance_points[{i}]", p, X, y, w) for i, p in enumerate(points)
            if isinstance(p, dict)]
    final = reps[-1]
    obj = cert.get("instance")
    if obj != points[-1]:
        result.add(Claim("instance", "the main point equals the last of instance_points", FALSE, ""))
    verdict = cert.get("verdict")
    if verdict == "certified":
        ok = final is not None and final.certified
        result.add(Claim("verdict", "certified: a zero-loss global minimizer lies next to the network",
                         REPLAYED if ok else NOT_REPLAYED, "the last point's replay"))
    else:
        result.skip("verdict", f"{verdict!r} claims nothing")
    _theorem_entry(result, cert, final)
    _theorem_width(result, cert, X)
    if "width_sweep" in cert:
        result.skip("width_sweep", "its networks are not stored")


def _theorem_entry(result: ReplayResult, cert: dict, final) -> None:
    theorems = cert.get("theorems")
    if not isinstance(theorems, list) or len(theorems) != 1 or not isinstance(theorems[0], dict):
        raise ReplayError("CERT.theorems", theorems, "one theorem entry (lazy-global-minimizer-nearby)")
    t = theorems[0]
    if final is None:
        result.skip("theorems[0]", "the final point claims nothing")
        return
    q = t.get("quantities") or {}
    for name, key in THEOREM_QUANTITIES.items():
        if name in q:
            enclosure_claim(result, f"theorems[0].quantities.{name}", q[name], final.balls.get(key), name)
    c = (t.get("constants") or {}).get("sqrt_m_distance")
    if isinstance(c, dict) and c.get("lo") is not None:
        enclosure_claim(result, "theorems[0].constants.sqrt_m_distance", c, final.balls.get("sqrt_m_distance"),
                        "sqrt(m) D_init")
    hyps = t.get("hypotheses") or []
    if not all(isinstance(h, dict) and h.get("verdict") == "holds" for h in hyps) or t.get("status") != "certified":
        result.add(Claim("theorems[0].status", f"status {t.get('status')!r}", FALSE,
                         "a certified final point needs every hypothesis to hold"))
    else:
        result.add(Claim("theorems[0].status", "every hypothesis holds (network, rank, signs, H_S nonsingular, "
                         "pattern preserved)", REPLAYED if final.certified else NOT_REPLAYED, final.reason))


def _theorem_width(result: ReplayResult, cert: dict, X: np.ndarray) -> None:
    tw = (cert.get("instance") or {}).get("theorem_width")
    if not isinstance(tw, dict) or not isinstance(tw.get("lambda0"), dict):
        return
    lam = LambdaZero(X)
    lo, hi = recorded_interval(tw["lambda0"], "instance.theorem_width.lambda0")
    for side, (outcome, how) in (("lo", lam.lower(lo)), ("hi", lam.upper(hi))):
        result.add(Claim(f"instance.theorem_width.lambda0.{side}",
                         f"lambda_min(H_inf) {'>=' if side == 'lo' else '<='} {tw['lambda0'][side]}", outcome, how))
    result.skip("instance.theorem_width.m", "the DZPS width is compared with, not claimed (replayed in run certificates)")
