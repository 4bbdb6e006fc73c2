"""What `certify instance` records for a two-layer net: the ``instance`` objects of its points,
the DZPS theorem width it compares with, the theorem entry (evaluated on the typed network and
proof), the weights file (final point, other points' first layers, witnesses) and the sealed
certificate with its reports.
"""

from __future__ import annotations

from pathlib import Path

from certify.commands.instance_points import InstancePoint
from proofs.lazy_global_minimizer import TwoLayerPoint

WEIGHTS_FILE = "weights.npz"
POINT_WEIGHTS_KEY = "W_{point}"
"""Array of the weights file holding the first layer of a point that is neither the
initialization (``W0``) nor the final point (``W``)."""
WITNESS_KEYS = ("S_{point}", "c_{point}")
"""Arrays of the weights file holding each certified point's witness: the stable set S and its
weights c (what `certify check` and the independent checker replay, without the float-guided
search, so that another machine's floats cannot choose another W*). A point that was not
certified claims nothing and records no witness; the check re-runs its search."""


def weights_sha256(net: TwoLayerPoint) -> str:
    """Hash of the certified network's arrays (W, a, W0), as certify.data hashes the data."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    for key in ("W", "a", "W0"):
        arr = np.ascontiguousarray(np.asarray(getattr(net, key), dtype=np.float64))
        h.update(key.encode() + str(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def witness_arrays(points: list[InstancePoint]) -> dict:
    """The weights-file arrays recording the witness (S, c) of every certified point."""
    out = {}
    for p in points:
        if not p.certified:
            continue
        s_key, c_key = (k.format(point=p.name) for k in WITNESS_KEYS)
        out[s_key], out[c_key] = p.result.stable, p.result.weights
    return out


def weights_arrays(points: list[InstancePoint]) -> dict:
    """Everything the weights file holds: the final point's W, a, W0 (reusable with --weights),
    the first layer of every other point that is not the initialization, and the witnesses."""
    final = points[-1].network
    out = {"W": final.W, "a": final.a, "W0": final.W0}
    for p in points[:-1]:
        if p.name != "initialization":
            out[POINT_WEIGHTS_KEY.format(point=p.name)] = p.network.W
    out.update(witness_arrays(points))
    return out


def save_weights(path: Path, points: list[InstancePoint]) -> None:
    """Write :func:`weights_arrays` atomically (temp file, then rename)."""
    import numpy as np

    tmp = path.with_name(f".{path.name}.tmp.npz")
    try:
        np.savez(tmp, **weights_arrays(points))
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def theorem_width(dataset, config) -> dict:
    """Du-Zhai-Poczos-Singh GD width (Thm 4.1, explicit constants of proofs.dzps2019) for the data:
    the smallest integer above the enclosures of its width constants (as proofs.evaluation does)."""
    import math

    from proofs.core import InstanceData
    from proofs.dzps2019 import C_y, GRADIENT_DESCENT_THEOREM, delta, lambda0, n
    from proofs.two_layer_quantities import label_bound, lambda0_interval

    inst = InstanceData(dataset.X, dataset.y, params={"n": dataset.n, "d": dataset.d})
    lam = lambda0_interval(inst)
    values = {n: dataset.n, delta: config.certify.delta, lambda0: lam, C_y: label_bound(inst)}
    width = GRADIENT_DESCENT_THEOREM.constant("width").enclose(values)
    lemma = GRADIENT_DESCENT_THEOREM.constant("width_lemma31").enclose(values)
    hi = max(float(width.hi), float(lemma.hi))
    required = int(math.floor(hi)) + 1 if math.isfinite(hi) and float(lam.lo) > 0 else None
    return {"theorem": GRADIENT_DESCENT_THEOREM.id, "delta": config.certify.delta, "m": required,
            "constant": {"lo": repr(float(width.lo)), "hi": repr(float(width.hi))},
            "lambda0": {"lo": repr(float(lam.lo)), "hi": repr(float(lam.hi))},
            "_lambda0_float": float(lam.lo)}


def _iv(x) -> dict | None:
    if x is None:
        return None
    return {"lo": repr(float(x.lo)), "hi": repr(float(x.hi))}


def instance_object(res, point: str, width_info: dict | None, train: dict | None = None) -> dict:
    """The certificate's ``instance`` object for one LazyMinimizerResult."""
    import numpy as np

    obj = {
        "status": res.status,
        "point": point,
        "m": res.m, "n": res.n, "d": res.d,
        "stable_neurons": int(len(res.stable)),
        "fully_weighted_neurons": int(np.sum(res.weights == 1.0)) if len(res.weights) else 0,
        "tau": _iv(res.tau),
        "tau_threshold": repr(float(res.tau_threshold)),
        "lambda_min_HS": _iv(res.lambda_min_HS),
        "lambda_min_method": res.lambda_min_method,
        "correction_max": _iv(res.correction_max),
        "correction_frobenius": _iv(res.correction_fro),
        "distance_from_init_max": _iv(res.distance_from_init_max),
        "sqrt_m_distance": _iv(res.sqrt_m_distance),
        "residual_norm": _iv(res.residual_norm),
        "ratio_max": None if res.ratio_max is None else repr(float(res.ratio_max)),
        "reason": res.reason,
        "attempts": [a.as_dict() for a in res.attempts],
        "seconds": round(res.seconds, 3),
        "theorem_width": None if width_info is None else {k: v for k, v in width_info.items()
                                                          if not k.startswith("_")},
    }
    if train is not None:
        obj["training"] = train
    return obj


def theorem_entry(dataset, config, point: InstancePoint) -> dict:
    """The theorem's entry, evaluated on the point and its proof (passed as typed values)."""
    from proofs.evaluation import evaluate_theorem
    from proofs.lazy_global_minimizer import THEOREM, LazyInstanceData

    params = {"n": dataset.n, "d": dataset.d, "m": point.network.W.shape[0], "seed": config.train.seed}
    inst = LazyInstanceData(dataset.X, dataset.y, params=params, network=point.network, result=point.result)
    return evaluate_theorem(THEOREM, inst, params)


def point_object(p: InstancePoint, width_info: dict | None) -> dict:
    obj = instance_object(p.result, p.name, width_info, p.training)
    if p.search is not None:
        obj["search"] = p.search
    return obj


def write_instance_certificate(dataset, config, points: list[InstancePoint], width_info: dict, out,
                               extra: dict | None = None) -> tuple[Path, list[dict]]:
    """Seal and write the certificate of ``points`` (the last one is the verdict's) with the
    reports and the weights file into ``out``; returns (directory, the points' objects)."""
    from certify.certificate import seal
    from certify.pipeline import certificate_header, final_arrays, write_outputs

    objs = [point_object(p, width_info) for p in points]
    final = points[-1]
    cert = {
        **certificate_header(config, dataset),
        "kind": "instance",
        "verdict": final.result.status,
        "theorems": [theorem_entry(dataset, config, final)],
        "instance": objs[-1],
        "instance_points": objs,
        **(extra or {}),
        "weights": {"file": WEIGHTS_FILE, "sha256": weights_sha256(final.network), "point": final.name,
                    "points": [p.name for p in points]},
    }
    cert = seal(cert)
    outp = write_outputs(cert, out, final_arrays(config, dataset))
    save_weights(outp / WEIGHTS_FILE, points)
    return outp, objs
