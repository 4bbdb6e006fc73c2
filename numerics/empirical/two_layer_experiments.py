"""Empirical confirmation of the two-layer over-parametrization theorems, as one function call.

``run_two_layer_experiments`` trains ensembles of two-layer ReLU nets (``numerics.empirical.two_layer``)
at every ``(width, seed)`` of a sweep, grouped by width into batched tensor programs, and summarises
what Du-Zhai-Poczos-Singh (arXiv:1810.02054v2, Thm 4.1, Cor. 4.1) and Arora et al. (arXiv:1901.08584v2,
Thm 4.1) predict against what the runs did. Everything is float and is **evidence**: it is reported
beside the rigorous verdicts and never changes them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence

import numpy as np
import torch

from numerics.empirical import arora_trajectory, observables as obs, statistics as st
from numerics.empirical.device import device_name, resolve_device, resolve_dtype
from numerics.empirical.sweep import RunLog, Task, run_key, run_sweep
from numerics.empirical.training import OBSERVABLES, TOLERANCE_MODEL, train_two_layer_ensemble
from numerics.empirical.two_layer import TwoLayerEnsemble, predictions


def _num(x) -> float | None:
    """A JSON-safe float: None for NaN/inf."""
    x = float(x)
    return x if math.isfinite(x) else None


def _nums(a) -> list:
    return [_num(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def data_fingerprint(X: np.ndarray, y: np.ndarray) -> str:
    """sha256 (first 16 hex digits) of the float64 bytes of ``X`` and ``y``: part of every run key."""
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(X, dtype=np.float64).tobytes())
    h.update(np.ascontiguousarray(y, dtype=np.float64).tobytes())
    return h.hexdigest()[:16]


def train_width_group(spec: dict, X: np.ndarray, y: np.ndarray, H_inf: np.ndarray | None) -> list[dict]:
    """Train the seeds ``spec["seeds"]`` at width ``spec["width"]`` as one ensemble; one record per run.

    A plain function of plain data (picklable) so that any executor, local or dask, can run it.
    """
    device, note = resolve_device(spec["device"])
    dtype = resolve_dtype(spec["dtype"])
    n, d = X.shape
    m = int(spec["width"])
    Xt = torch.as_tensor(X, dtype=dtype).to(device)
    yt = torch.as_tensor(y, dtype=dtype).to(device)
    Ht = None if H_inf is None else torch.as_tensor(H_inf, dtype=torch.float64).to(device)
    ens = TwoLayerEnsemble.initialise(spec["seeds"], m, d, init_scale=spec["init_scale"], device=device, dtype=dtype)
    u0 = None
    if H_inf is not None:
        u0 = predictions(ens.W0, ens.a, Xt).to(torch.float64).cpu().numpy()
    tr = train_two_layer_ensemble(
        ens, Xt, yt, step_size=spec["step_size"], steps=spec["steps"], lambda0=spec["lambda0"],
        method=spec["method"], batch_size=spec["batch_size"], schedule=spec["schedule"],
        observe=tuple(spec["observe"]), H_inf=Ht, eps=spec["eps"],
    )
    sched = tr.schedule
    paper_pred = None
    if H_inf is not None:
        paper_pred = arora_trajectory.predicted_residual_norms(H_inf, y, spec["step_size"], sched)
    dev_name = device_name(device)
    out = []
    for b, seed in enumerate(ens.seeds):
        r0 = math.sqrt(float(tr.loss[b, 0]))
        rp_gd = obs.dzps_radius_gd(r0, n, m, spec["lambda0"])
        rp_flow = obs.dzps_radius_flow(r0, n, m, spec["lambda0"])
        broke = bool(tr.first_violation[b] >= 0)
        applies = bool(spec["theorem_applies"]) and spec["method"] == "gd"
        rec = {
            "key": spec["keys"][b], "width": m, "seed": int(seed), "method": spec["method"],
            "batch_size": spec["batch_size"], "step_size": spec["step_size"], "steps": spec["steps"],
            "lambda0": spec["lambda0"], "init_scale": spec["init_scale"], "eps": spec["eps"],
            "n": int(n), "d": int(d), "data_sha256_16": spec["data"],
            "device": device.type, "device_name": dev_name, "device_note": note, "dtype": spec["dtype"],
            "numerics": "float", "theorem_applies": applies,
            "schedule": sched, "loss": _nums(tr.loss[b]), "bound": _nums(tr.bound[b]),
            "initial_residual_norm": _num(r0), "final_loss": _num(tr.loss[b, -1]),
            "broke_bound": broke,
            "first_violation_step": int(tr.first_violation[b]) if broke else None,
            "worst_bound_ratio": _num(tr.worst_bound_ratio[b]),
            "counterexample": applies and broke,
            "violation_tolerance": TOLERANCE_MODEL,
            "steps_to_eps": int(tr.first_below_eps[b]) if tr.first_below_eps[b] >= 0 else None,
            "reached_eps": bool(tr.first_below_eps[b] >= 0),
            "r_prime_gd": _num(rp_gd), "r_prime_flow": _num(rp_flow),
        }
        if tr.max_movement is not None:
            mx = tr.max_movement[b]
            rec.update({
                "max_movement": _nums(mx), "mean_movement": _nums(tr.mean_movement[b]),
                "final_max_movement": _num(mx[-1]), "final_mean_movement": _num(tr.mean_movement[b, -1]),
                "movement_over_r_prime": _num(mx.max() / rp_gd) if rp_gd > 0 else None,
                "radius_exceeded": bool(mx.max() > rp_gd),
            })
        if tr.flip_fraction is not None:
            rec.update({"flip_fraction": _nums(tr.flip_fraction[b]), "final_flip_fraction": _num(tr.flip_fraction[b, -1])})
        if tr.gram_lambda_min is not None:
            rec.update({"gram_lambda_min": _nums(tr.gram_lambda_min[b]),
                        "gram_lambda_min_min": _num(tr.gram_lambda_min[b].min())})
        if tr.gram_distance0 is not None:
            rec["gram_distance0"] = _num(tr.gram_distance0[b])
        if paper_pred is not None:
            observed = np.sqrt(np.maximum(tr.loss[b], 0.0))
            lin_pred = arora_trajectory.predicted_residual_norms(H_inf, y - u0[b], spec["step_size"], sched)
            rec["arora_gap"] = _num(arora_trajectory.trajectory_gap(observed, paper_pred, max(float(np.linalg.norm(y)), 1e-300)))
            rec["linearized_gap"] = _num(arora_trajectory.trajectory_gap(observed, lin_pred, max(r0, 1e-300)))
        out.append(rec)
    return out


def _median_curve(rows: list[list]) -> list:
    arr = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=np.float64)
    with np.errstate(all="ignore"):
        med = np.nanmedian(arr, axis=0) if arr.size else arr
    return _nums(med)


def _fit(points: list[tuple[float, float]]) -> dict:
    pts = [(w, v) for w, v in points if v is not None and v > 0]
    if len({w for w, _ in pts}) < 2:
        return st.SlopeFit(None, None, None, None, len(pts), 0.95, 2000, 0).to_dict()
    return st.loglog_slope([p[0] for p in pts], [p[1] for p in pts]).to_dict()


def summarise_two_layer_runs(records: Sequence[dict], *, y: np.ndarray, H_inf: np.ndarray | None,
                             step_size: float, theorem_width: float | None = None) -> dict:
    """The summary dict of ``run_two_layer_experiments`` from its run records (see that docstring)."""
    recs = sorted(records, key=lambda r: (r["width"], r["seed"]))
    widths = sorted({r["width"] for r in recs})
    seeds = sorted({r["seed"] for r in recs})
    by_w = {w: [r for r in recs if r["width"] == w] for w in widths}
    schedule = recs[0]["schedule"] if recs else []
    ce = [r for r in recs if r["counterexample"]]
    per_width, curves = [], {}
    for w, rs in by_w.items():
        ok = sum(r["reached_eps"] for r in rs)
        lo, hi = st.clopper_pearson(ok, len(rs))
        row = {"width": w, "runs": len(rs), "theorem_applies": all(r["theorem_applies"] for r in rs),
               "reached_eps": ok, "success_rate": ok / len(rs), "success_ci": [lo, hi],
               "bound_violations": sum(r["counterexample"] for r in rs),
               "broke_bound": sum(r["broke_bound"] for r in rs),
               "final_loss_median": _num(np.median([r["final_loss"] for r in rs]))}
        for name in ("final_max_movement", "final_mean_movement", "r_prime_gd", "final_flip_fraction",
                     "gram_distance0", "arora_gap", "linearized_gap"):
            vals = [r[name] for r in rs if r.get(name) is not None]
            row[name + "_median"] = _num(np.median(vals)) if vals else None
        if any("movement_over_r_prime" in r for r in rs):
            row["movement_over_r_prime_max"] = max((r["movement_over_r_prime"] or 0.0) for r in rs)
            row["radius_exceeded"] = sum(r.get("radius_exceeded", False) for r in rs)
        if any("gram_lambda_min_min" in r for r in rs):
            row["gram_lambda_min_min"] = _num(min(r["gram_lambda_min_min"] for r in rs))
        per_width.append(row)
        c = {"loss_median": _median_curve([r["loss"] for r in rs]),
             "bound_median": _median_curve([r["bound"] for r in rs]),
             "residual_norm_median": _nums(np.sqrt(np.maximum(np.nan_to_num(
                 np.array(_median_curve([r["loss"] for r in rs]), dtype=np.float64), nan=0.0), 0.0)))}
        for name in ("max_movement", "mean_movement", "flip_fraction", "gram_lambda_min"):
            if all(name in r for r in rs):
                c[name + "_median"] = _median_curve([r[name] for r in rs])
        curves[str(w)] = c
    success = {w: [r["reached_eps"] for r in rs] for w, rs in by_w.items()}
    esw = st.empirically_sufficient_width(success)
    arora = None
    if H_inf is not None and recs:
        pred = arora_trajectory.predicted_residual_norms(H_inf, y, step_size, schedule)
        gap_pts = [(r["width"], r["arora_gap"]) for r in recs]
        lin_pts = [(r["width"], r["linearized_gap"]) for r in recs]
        arora = {
            "citation": "Arora, Du, Hu, Li, Wang, arXiv:1901.08584v2, Theorem 4.1 (eq. 8)",
            "predicted_residual_norm": _nums(pred),
            "gap_median": {str(row["width"]): row["arora_gap_median"] for row in per_width},
            "linearized_gap_median": {str(row["width"]): row["linearized_gap_median"] for row in per_width},
            "gap_slope": _fit(gap_pts), "linearized_gap_slope": _fit(lin_pts),
            "gap_definition": "max over the schedule of |observed ||y-u(k)|| - predicted| / ||y|| (paper, u~(0)=0); "
                              "linearized: prediction started from the observed u(0), divided by ||y-u(0)||",
        }
    first = recs[0] if recs else {}
    return {
        "kind": "empirical evidence (float); never changes a verdict",
        "numerics": "float",
        "runs": len(recs),
        "bound_violations": len(ce),
        "counterexamples": [{"width": r["width"], "seed": r["seed"], "first_violation_step": r["first_violation_step"],
                             "worst_bound_ratio": r["worst_bound_ratio"]} for r in ce],
        "counterexample_flag": (f"COUNTEREXAMPLE: {len(ce)} run(s) broke the theorem's loss bound at a "
                                "configuration where it applies (the theorem allows failure only with "
                                "probability <= delta over the initialisation)") if ce else None,
        "theorem_applies_runs": sum(r["theorem_applies"] for r in recs),
        "movement_slope": _fit([(r["width"], r.get("final_max_movement")) for r in recs]),
        "mean_movement_slope": _fit([(r["width"], r.get("final_mean_movement")) for r in recs]),
        "flip_slope": _fit([(r["width"], r.get("final_flip_fraction")) for r in recs]),
        "expected_movement_exponent": -0.5,
        "movement_points": [[r["width"], r.get("final_max_movement")] for r in recs],
        "flip_points": [[r["width"], r.get("final_flip_fraction")] for r in recs],
        "radius_exceeded": sum(r.get("radius_exceeded", False) for r in recs if r["theorem_applies"]),
        "empirical_sufficient_width": {
            "width": esw, "eps": first.get("eps"), "steps": first.get("steps"),
            "loss": "1/2 ||y - u(K)||^2 <= eps for every seed within K steps",
            "theorem_width": theorem_width, "theorem_over_empirical": st.width_ratio(theorem_width, esw),
        },
        "per_width": per_width,
        "curves": {"schedule": schedule, "per_width": curves},
        "arora": arora,
        "device": first.get("device"), "device_name": first.get("device_name"),
        "device_notes": sorted({r["device_note"] for r in recs if r.get("device_note")}),
        "dtype": first.get("dtype"), "method": first.get("method"), "batch_size": first.get("batch_size"),
        "step_size": step_size, "lambda0": first.get("lambda0"), "steps": first.get("steps"),
        "init_scale": first.get("init_scale"), "seeds": seeds, "widths": widths,
    }


def run_two_layer_experiments(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lambda0: float,
    step_size: float,
    widths: Sequence[int],
    seeds: Sequence[int],
    steps: int,
    device: str = "auto",
    dtype: str = "float64",
    theorem_applies: bool | Callable[[int], bool] = False,
    H_inf: np.ndarray | None = None,
    executor=None,
    progress: bool = False,
    method: str = "gd",
    batch_size: int | None = None,
    eps: float = 1e-3,
    init_scale: float = 1.0,
    theorem_width: float | None = None,
    runs_path=None,
    resume: bool = False,
    ensemble_size: int | None = None,
    schedule_points: int = 40,
) -> dict:
    """Train two-layer ReLU ensembles over ``widths x seeds`` and summarise them against the theorems.

    Inputs: ``X (n, d)`` unit-norm rows, ``y (n,)`` labels; ``lambda0`` (a float, e.g. the lower end of
    the certified enclosure of ``lambda_min(H_inf)``), GD step ``step_size``; ``theorem_applies`` (bool,
    or a function of the width) says whether the DZPS theorem's hypotheses were certified at that width
    (bound violations are counted only there, and only for GD); ``H_inf`` a float ``(n, n)`` matrix from
    the caller (used for ``||H(0) - H_inf||_2`` and the Arora et al. prediction; never recomputed here).
    ``executor``: any ``concurrent.futures.Executor`` (default in-process). ``runs_path``: JSON-lines log
    of finished runs; with ``resume=True`` runs already in it are not rerun, otherwise it is started anew.
    ``eps``: success threshold on the loss ``1/2||y - u||^2`` within ``steps`` steps. ``init_scale``:
    ``kappa`` of ``w_r(0) ~ N(0, kappa^2 I)`` (1 in DZPS). Raises ``ValueError`` naming the argument
    for bad input (``device="cuda"`` without a GPU included).

    Returns a JSON-serialisable dict (all numbers float, evidence only) with keys:

    - ``runs``, ``seeds``, ``widths``, ``device``, ``device_name``, ``device_notes`` (e.g. the CPU
      fallback of ``"auto"``), ``dtype``, ``method``, ``batch_size``, ``step_size``, ``lambda0``, ``steps``,
      ``init_scale``, ``numerics`` (``"float"``), ``kind``.
    - ``bound_violations``: runs where the theorem applies that broke
      ``||y-u(k)||^2 <= (1 - eta lambda0/2)^k ||y-u(0)||^2`` at some step (beyond float tolerance);
      ``counterexamples`` lists them, ``counterexample_flag`` is a loud sentence or None;
      ``theorem_applies_runs``; ``radius_exceeded``: such runs whose max neuron movement exceeded R'.
    - ``movement_slope``: ``{"estimate", "lo", "hi", ...}`` fitted exponent of the final max per-neuron
      movement against width (bootstrap CI); ``expected_movement_exponent`` = -0.5;
      ``mean_movement_slope``, ``flip_slope``; ``movement_points``, ``flip_points`` ([width, value] per run).
    - ``empirical_sufficient_width``: ``{"width", "eps", "steps", "theorem_width", "theorem_over_empirical"}``.
    - ``per_width``: one row per width (success rate with Clopper-Pearson CI, medians of final loss,
      movement, R', flips, ``||H(0)-H_inf||``, min float ``lambda_min(H(k))``, Arora gaps, violations).
    - ``curves``: ``{"schedule": [k...], "per_width": {"<width>": {"loss_median", "bound_median",
      "residual_norm_median", "max_movement_median", "mean_movement_median", "flip_fraction_median",
      "gram_lambda_min_median"}}}`` (medians over seeds on the log-spaced schedule).
    - ``arora``: None without ``H_inf``; else ``predicted_residual_norm`` (eq. 8 on the schedule),
      ``gap_median`` and ``linearized_gap_median`` per width, and their slopes against width.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64).ravel()
    if X.ndim != 2 or X.shape[0] < 1 or not np.all(np.isfinite(X)):
        raise ValueError(f"X: got an array of shape {X.shape}; allowed: a finite (n, d) array")
    n, d = X.shape
    if not np.allclose(np.linalg.norm(X, axis=1), 1.0, rtol=0, atol=1e-9):
        raise ValueError("X: rows must have unit Euclidean norm (normalize the inputs first)")
    if y.shape != (n,) or not np.all(np.isfinite(y)):
        raise ValueError(f"y: got shape {y.shape}; allowed: {n} finite labels")
    for name, v in (("lambda0", lambda0), ("step_size", step_size), ("eps", eps), ("init_scale", init_scale)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name}: got {v!r}; allowed: a positive finite number")
    widths = [int(w) for w in widths]
    seeds = [int(s) for s in seeds]
    if not widths or any(w < 1 for w in widths):
        raise ValueError(f"widths: got {widths!r}; allowed: a non-empty list of positive integers")
    if not seeds or any(s < 0 for s in seeds) or len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds: got {seeds!r}; allowed: a non-empty list of distinct integers >= 0")
    if int(steps) < 0:
        raise ValueError(f"steps: got {steps!r}; allowed: an integer >= 0")
    if method not in ("gd", "sgd"):
        raise ValueError(f"method: got {method!r}; allowed: 'gd', 'sgd'")
    if method == "sgd" and (batch_size is None or not 1 <= int(batch_size) <= n):
        raise ValueError(f"batch_size: got {batch_size!r}; allowed: an integer in [1, {n}] for method 'sgd'")
    if method == "gd":
        batch_size = None
    if H_inf is not None:
        H_inf = np.asarray(H_inf, dtype=np.float64)
        if H_inf.shape != (n, n) or not np.all(np.isfinite(H_inf)):
            raise ValueError(f"H_inf: got shape {H_inf.shape}; allowed: a finite ({n}, {n}) matrix")
    resolve_device(device)  # fail early: 'cuda' without a GPU, or an unknown device
    resolve_dtype(dtype)
    applies = theorem_applies if callable(theorem_applies) else (lambda w, v=bool(theorem_applies): v)

    sha = data_fingerprint(X, y)
    schedule = obs.log_spaced_schedule(int(steps), schedule_points)
    observe = OBSERVABLES

    def key(w, s):
        return run_key(width=w, seed=s, method=method, batch_size=batch_size, step_size=float(step_size),
                       steps=int(steps), lambda0=float(lambda0), dtype=dtype, init_scale=float(init_scale),
                       eps=float(eps), data=sha, h_inf=H_inf is not None)

    log = None
    done: dict[str, dict] = {}
    if runs_path is not None:
        log = RunLog(runs_path)
        if resume:
            done = log.load()
        elif log.path.exists():
            log.path.unlink()
    wanted = {(w, s): key(w, s) for w in widths for s in seeds}
    tasks = []
    for w in sorted(set(widths)):
        todo = [s for s in seeds if wanted[(w, s)] not in done]
        size = ensemble_size or max(1, len(todo))
        for i in range(0, len(todo), size):
            chunk = todo[i:i + size]
            spec = {"width": w, "seeds": chunk, "keys": [wanted[(w, s)] for s in chunk], "method": method,
                    "batch_size": batch_size, "step_size": float(step_size), "steps": int(steps),
                    "lambda0": float(lambda0), "device": device, "dtype": dtype, "init_scale": float(init_scale),
                    "eps": float(eps), "theorem_applies": bool(applies(w)), "data": sha,
                    "schedule": schedule, "observe": list(observe)}
            tasks.append(Task(train_width_group, (spec, X, y, H_inf), len(chunk)))
    new = run_sweep(tasks, log=log, executor=executor, progress=progress)
    keys = set(wanted.values())
    records = [r for r in done.values() if r["key"] in keys] + new
    return summarise_two_layer_runs(records, y=y, H_inf=H_inf, step_size=float(step_size), theorem_width=theorem_width)
