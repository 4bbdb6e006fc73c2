"""`certify instance`: prove that an exact zero-loss global minimizer lies next to *this* network.

    certify instance CONFIG --out DIR                      # seeded init, then GD, certify both
    certify instance CONFIG --out DIR --weights net.npz    # certify given weights (W, a[, W0])
    certify instance CONFIG --out DIR --widths 100,1000,10000 [--seeds 0,1]

Without weights the network is the seeded initialization of the configuration ([model] width,
[train] seed, numerics.empirical.two_layer.init_two_layer); the certificate is tried there, then
the net is trained by full-batch GD (numerics.empirical, [train] steps and step_size; "auto" means
1/lambda_max(H(0)), a float choice) and certified again at the trained weights. With ``--weights``
the arrays ``W`` (m, d), ``a`` (m,) in {-1, +1} and optionally ``W0`` are certified as given.

Writes DIR/certificate.json (with an ``instance`` object), report.md, report.html and
weights.npz; with ``--widths`` also widths.md and widths.png. Exit 0 when the final point is
certified, 1 when not, 2 on bad input.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from certify.errors import BadInput

THEOREM_ID = "lazy-global-minimizer-nearby"


# ------------------------------------------------------------------------ inputs
WEIGHTS_FILE = "weights.npz"
WITNESS_KEYS = ("S_{point}", "c_{point}")
"""Arrays of the weights file holding each certified point's witness: the stable set S and its
weights c (what `certify check` and the independent checker replay, without the float-guided
search, so that another machine's floats cannot choose another W*). A point that was not
certified claims nothing and records no witness; the check re-runs its search."""


def instance_rules():
    """What `certify check` does not recompute in an instance certificate (certify/agreement.py):
    the producer's machine, the search's bookkeeping (thresholds tried, attempts, timings), the
    float training record and the width sweep (its networks are not stored). A float-rounded
    one-sided bound (ratio_max), the lambda_min method and the DZPS width (an integer just above
    an enclosure) may differ between machines: notes."""
    from certify.agreement import Rules

    search = ("attempts", "attempts[]", "attempts[].*", "seconds", "training", "training.*",
              "tau_threshold")
    records = ["tool", "tool.*", "environment", "environment.*", "numerics", "numerics.*", "config_base_dir",
               "width_sweep", "width_sweep.*"]
    for obj in ("instance", "instance_points[]"):
        records += [f"{obj}.{k}" for k in search]
    return Rules(records=tuple(records),
                 descriptions=("instance.ratio_max", "instance_points[].ratio_max",
                               "instance.lambda_min_method", "instance_points[].lambda_min_method",
                               "instance.theorem_width.m", "instance_points[].theorem_width.m",
                               "theorems[].hypotheses[].evidence.ratio_max"))


def weights_sha256(weights: dict) -> str:
    """Hash of the certified network's arrays (W, a, W0), as certify.data hashes the data."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    for key in ("W", "a", "W0"):
        arr = np.ascontiguousarray(np.asarray(weights[key], dtype=np.float64))
        h.update(key.encode() + str(arr.shape).encode())
        h.update(arr.tobytes())
    return h.hexdigest()


def witness_arrays(points) -> dict:
    """The weights-file arrays recording the witness (S, c) of every certified point
    [(weights, result)]."""
    out = {}
    for w, res in points:
        if not res.certified:
            continue
        s_key, c_key = (k.format(point=w["point"]) for k in WITNESS_KEYS)
        out[s_key], out[c_key] = res.stable, res.weights
    return out


def _load_witness(path: Path, point: str):
    """(S, c) recorded for `point` in the weights file, or None when the file has none."""
    import numpy as np

    s_key, c_key = (k.format(point=point) for k in WITNESS_KEYS)
    with np.load(path, allow_pickle=False) as npz:
        if s_key not in npz.files or c_key not in npz.files:
            return None
        return np.asarray(npz[s_key]), np.asarray(npz[c_key])


def _replay_point(dataset, weights: dict, path: Path, point: str, field: str):
    """The LazyMinimizerResult of one recorded point: its witness replayed when recorded,
    otherwise the search re-run (a point that was not certified)."""
    from numerics.instance.lazy_minimizer import certify_with_witness

    w = {**weights, "point": point}
    if point == "initialization":
        w["W"] = weights["W0"]
    witness = _load_witness(path, point)
    if witness is None:
        return w, _certify(dataset, w)
    try:
        return w, certify_with_witness(dataset.X, dataset.y, w["W"], w["a"], w["W0"], *witness)
    except ValueError as exc:
        raise BadInput(field, f"the witness of the {point} point", str(exc)) from None


def recompute_instance_certificate(cert: dict, directory) -> dict:
    """The instance certificate this machine computes from `cert`'s config, data and weights file
    (every recorded point replayed with its recorded witness; JSON-ready, unsealed)."""
    from certify.config import config_from_dict
    from certify.pipeline import numeric_context
    from certify.run_check import data_base_dir

    rec = cert.get("weights")
    if not isinstance(rec, dict) or not isinstance(rec.get("file"), str):
        raise BadInput("CERT.weights", rec, "an instance certificate that names its weights file")
    if not isinstance(cert.get("config"), dict):
        raise BadInput("CERT.config", cert.get("config"), "the config object `certify instance` records")
    config = config_from_dict(cert["config"], base_dir=data_base_dir(cert, directory))
    with numeric_context(config):       # the recorded `[numerics]`, as the producer ran
        return _recompute_instance(cert, config, directory, rec)


def _recompute_instance(cert: dict, config, directory, rec: dict) -> dict:
    import json

    from certify.data import load_dataset
    from certify.pipeline import certificate_header

    dataset = load_dataset(config)
    path = Path(directory) / Path(rec["file"]).name
    if not path.is_file():
        raise BadInput("CERT.weights.file", str(path), "the weights file written beside the certificate")
    weights = load_weights(str(path), dataset.d)
    # the points `certify instance` writes: the given weights, or the initialization and (with
    # training steps) the trained network
    if rec.get("point") == "given":
        names = ["given"]
    else:
        names = ["initialization", "trained"] if config.train.steps > 0 else ["initialization"]
    width_info = theorem_width(dataset, config)
    width_info.pop("_lambda0_float", None)
    objs, last = [], None
    for i, name in enumerate(names):
        w, res = _replay_point(dataset, weights, path, name, f"CERT.instance_points[{i}]")
        objs.append(instance_object(res, name, width_info))
        last = (w, res)
    w, res = last
    entry = _theorem_entry(dataset, config, w, res, w["W"].shape[0])
    fresh = {**certificate_header(config, dataset), "kind": "instance", "verdict": res.status,
             "theorems": [entry], "instance": objs[-1], "instance_points": objs,
             "weights": {"file": rec["file"], "sha256": weights_sha256(weights), "point": names[-1]},
             "content_sha256": cert.get("content_sha256")}
    return json.loads(json.dumps(fresh, allow_nan=False))


def check_instance_certificate(cert: dict, directory):
    """Recompute an instance certificate and compare it with the recorded one
    (certify/agreement.py; the rules in :func:`instance_rules`)."""
    from certify.agreement import Agreement, compare
    from certify.certificate import integrity_problems

    kind = ((cert.get("config") or {}).get("model") or {}).get("kind")
    if kind in ("deep-fc", "resnet"):
        from certify.commands.deep_instance import check_deep_instance

        return check_deep_instance(cert, directory)
    out = Agreement(problems=integrity_problems(cert))
    out.extend(compare(cert, recompute_instance_certificate(cert, directory), instance_rules()))
    return out


def parse_int_list(text: str | None, option: str) -> list[int] | None:
    if text is None:
        return None
    out = []
    for part in text.split(","):
        part = part.strip()
        try:
            v = int(float(part)) if part and float(part).is_integer() else None
        except ValueError:
            v = None
        if v is None or v < (1 if option == "--widths" else 0):
            raise BadInput(option, text, "a comma-separated list of integers"
                           + (" >= 1 such as 100,1000,10000" if option == "--widths" else " >= 0"))
        out.append(v)
    if not out:
        raise BadInput(option, text, "at least one integer")
    return sorted(set(out)) if option == "--widths" else out


def load_weights(path: str, d: int) -> dict:
    """Read W (m, d), a (m,) and optional W0 from an .npz; every defect is a BadInput (exit 2)."""
    import zipfile

    import numpy as np

    p = Path(path)
    if not p.exists():
        raise BadInput("--weights", path, "an existing .npz file with arrays W (m, d) and a (m,)")
    try:
        with np.load(p, allow_pickle=False) as npz:
            names = set(npz.files)
            if not {"W", "a"} <= names:
                raise BadInput("--weights", path, f"an .npz with arrays W and a (optional W0); found {sorted(names)}")
            arrays = {k: np.asarray(npz[k]) for k in ("W", "a", "W0") if k in names}
    except BadInput:
        raise
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise BadInput("--weights", path, f"a readable .npz file ({exc})") from None
    for k, arr in arrays.items():
        if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
            raise BadInput(f"--weights.{k}", f"dtype {arr.dtype}", "a real numeric array")
    W = arrays["W"].astype(np.float64)
    if W.ndim != 2 or W.shape[1] != d or W.shape[0] < 1:
        raise BadInput("--weights.W", f"array of shape {W.shape}", f"shape (m, {d}): one row per neuron, d = {d} as the data")
    m = W.shape[0]
    a = arrays["a"].astype(np.float64)
    if a.shape != (m,):
        raise BadInput("--weights.a", f"array of shape {a.shape}", f"shape ({m},), one output sign per neuron")
    W0 = arrays.get("W0")
    if W0 is not None:
        W0 = W0.astype(np.float64)
        if W0.shape != W.shape:
            raise BadInput("--weights.W0", f"array of shape {W0.shape}", f"the shape of W, {W.shape}")
    for k, arr in (("W", W), ("a", a), ("W0", W0)):
        if arr is not None and not np.isfinite(arr).all():
            idx = tuple(int(t) for t in np.argwhere(~np.isfinite(arr))[0])
            raise BadInput(f"--weights.{k}{list(idx)}", float(arr[idx]), "finite values (no NaN or inf)")
    bad = ~((a == 1.0) | (a == -1.0))
    if bad.any():
        r = int(np.argmax(bad))
        raise BadInput(f"--weights.a[{r}]", float(a[r]), "exactly -1 or +1 (the output layer is fixed)")
    return {"W": W, "a": a, "W0": W0 if W0 is not None else W, "point": "given"}


# ------------------------------------------------------------------------ pieces
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


def auto_step(Xf, W, a) -> float:
    """Float step 1/lambda_max(H(W)) (a practical GD step; evidence only, not the theorem's)."""
    import numpy as np

    m = W.shape[0]
    P = (W @ Xf.T >= 0).astype(np.float64)
    H = (P.T @ P) * (Xf @ Xf.T) / m
    return float(1.0 / np.linalg.eigvalsh(H)[-1])


def train_gd(X, y, W0, a, steps: int, step_size, lambda0: float) -> tuple:
    """Full-batch GD with the empirical engine; returns (W, info)."""
    import numpy as np
    import torch

    from numerics.empirical.training import train_two_layer_ensemble
    from numerics.empirical.two_layer import TwoLayerEnsemble

    from numerics.networks.float_forward import unit_rows

    Xf = unit_rows(X)     # scaled first: a row scaled by 2^-1000 has no underflowing norm
    eta = auto_step(Xf, W0, a) if step_size == "auto" else float(step_size)
    W0t = torch.tensor(W0, dtype=torch.float64).unsqueeze(0)
    ens = TwoLayerEnsemble(W=W0t.clone(), a=torch.tensor(a, dtype=torch.float64).unsqueeze(0), W0=W0t,
                           seeds=(0,), width=W0.shape[0])
    t0 = time.perf_counter()
    trace = train_two_layer_ensemble(ens, torch.tensor(Xf), torch.tensor(y, dtype=torch.float64),
                                     step_size=eta, steps=int(steps), lambda0=max(lambda0, 0.0),
                                     observe=(), schedule=[0, int(steps)])
    seconds = time.perf_counter() - t0
    info = {"method": "full-batch GD (numerics.empirical.training)", "steps": int(steps),
            "step_size": repr(eta), "step_size_rule": "1/lambda_max(H(0)) (float)" if step_size == "auto" else "config",
            "final_loss_float": repr(0.5 * float(trace.loss[0, -1])), "seconds": round(seconds, 3)}
    return ens.W[0].numpy().copy(), info


def _certify(dataset, weights: dict):
    from numerics.instance.lazy_minimizer import certify_lazy_minimizer

    try:
        return certify_lazy_minimizer(dataset.X, dataset.y, weights["W"], weights["a"], weights.get("W0"))
    except ValueError as exc:  # shapes/values already checked; keep the exit-2 contract anyway
        raise BadInput("--weights", "the given network", str(exc)) from None


def _theorem_entry(dataset, config, weights: dict, res, m: int) -> dict:
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate_theorem
    from proofs.lazy_global_minimizer import CACHE_KEY, THEOREM, WEIGHTS_KEY

    params = {"n": dataset.n, "d": dataset.d, "m": m, "seed": config.train.seed}
    inst = InstanceData(dataset.X, dataset.y, params=params)
    inst.cache[WEIGHTS_KEY] = weights
    inst.cache[CACHE_KEY] = res
    return evaluate_theorem(THEOREM, inst, params)


def run_point_pair(dataset, config, m: int, seed: int, steps: int, lambda0: float, width_info: dict | None):
    """Initialization and (if steps > 0) trained point for one width and seed."""
    from numerics.empirical.two_layer import init_two_layer

    W0t, at = init_two_layer(seed, m, dataset.d)
    W0, a = W0t.numpy(), at.numpy()
    init_w = {"W": W0, "a": a, "W0": W0, "point": "initialization"}
    res0 = _certify(dataset, init_w)
    points = [(init_w, res0, None)]
    if steps > 0:
        W, info = train_gd(dataset.X, dataset.y, W0, a, steps, config.train.step_size, lambda0)
        tw = {"W": W, "a": a, "W0": W0, "point": "trained"}
        points.append((tw, _certify(dataset, tw), info))
    return points


def _summary_line(obj: dict) -> str:
    def hi(k):
        v = obj.get(k)
        return "-" if v is None else f"{float(v['hi']):.4g}"
    return (f"{obj['point']:>14s} m={obj['m']:<8d} {obj['status']:<14s} |S|={obj['stable_neurons']:<8d} "
            f"sqrt(m)D<={hi('sqrt_m_distance')} corr<={hi('correction_max')} ({obj['seconds']}s)")


# ------------------------------------------------------------------------ sweep
def width_sweep(dataset, config, widths, seeds, steps, lambda0, width_info, zero_tol: float,
                keep: tuple[int, int] | None = None) -> tuple[dict, list | None]:
    """Certify at initialization and after GD for every width and seed; returns the sweep record
    and the points of the (width, seed) pair ``keep`` (to reuse as the certificate's main point)."""
    rows = []
    kept = None
    for m in widths:
        for seed in seeds:
            pair = run_point_pair(dataset, config, m, seed, steps, lambda0, width_info)
            if keep == (m, seed):
                kept = pair
            for w, res, info in pair:
                row = {"m": m, "seed": seed, "point": w["point"], "status": res.status,
                       "stable_neurons": int(len(res.stable)),
                       "sqrt_m_distance": _iv(res.sqrt_m_distance),
                       "correction_max": _iv(res.correction_max), "seconds": round(res.seconds, 3)}
                if info is not None:
                    row["final_loss_float"] = info["final_loss_float"]
                    row["gd_zero_loss"] = float(info["final_loss_float"]) <= zero_tol
                    row["train_seconds"] = info["seconds"]
                rows.append(row)
                click.echo(f"  width {m:>8d} seed {seed}: {w['point']:>14s} {res.status}", err=True)

    def smallest(pred):
        out = {}
        for seed in seeds:
            ok = [r["m"] for r in rows if r["seed"] == seed and pred(r)]
            out[str(seed)] = min(ok) if ok else None
        return out

    summary = {
        "theorem_width": None if width_info is None else width_info.get("m"),
        "certified_width_initialization": smallest(lambda r: r["point"] == "initialization" and r["status"] == "certified"),
        "certified_width_trained": smallest(lambda r: r["point"] == "trained" and r["status"] == "certified"),
        "gd_zero_loss_width": smallest(lambda r: r.get("gd_zero_loss", False)),
        "zero_loss_tolerance": zero_tol,
    }
    return {"widths": list(widths), "seeds": list(seeds), "rows": rows, "summary": summary}, kept


def sweep_markdown(sweep: dict) -> str:
    s = sweep["summary"]
    lines = ["# Width sweep: theorem width vs certified width vs GD", "",
             f"- theorem width (DZPS Thm 4.1, explicit constants): {s['theorem_width']}",
             f"- smallest certified width at initialization (per seed): {s['certified_width_initialization']}",
             f"- smallest certified width after training (per seed): {s['certified_width_trained']}",
             f"- smallest width where GD reached loss <= {s['zero_loss_tolerance']:g} (per seed): {s['gd_zero_loss_width']}",
             "", "| m | seed | point | status | sqrt(m) D (hi) | final loss (float) |", "|---|---|---|---|---|---|"]
    for r in sweep["rows"]:
        smd = r["sqrt_m_distance"]["hi"] if r["sqrt_m_distance"] else "-"
        lines.append(f"| {r['m']} | {r['seed']} | {r['point']} | {r['status']} | {smd} | {r.get('final_loss_float', '-')} |")
    return "\n".join(lines) + "\n"


def sweep_figure(sweep: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for point, marker in (("initialization", "o"), ("trained", "s")):
        for status, fill in (("certified", True), ("not-certified", False)):
            rs = [r for r in sweep["rows"] if r["point"] == point and r["status"] == status and r["sqrt_m_distance"]]
            if rs:
                ax.scatter([r["m"] for r in rs], [float(r["sqrt_m_distance"]["hi"]) for r in rs], marker=marker,
                           facecolors=None if fill else "none", edgecolors="C0" if point == "initialization" else "C1",
                           color="C0" if point == "initialization" else "C1", label=f"{point}, {status}")
    ax.set_xscale("log")
    ax.set_xlabel("width m")
    ax.set_ylabel("sqrt(m) x certified distance from init")
    tw = sweep["summary"]["theorem_width"]
    ax.set_title(f"theorem width (DZPS Thm 4.1) = {tw:.3g}" if tw else "instance certificates")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


# ------------------------------------------------------------------------ the command
@click.command("instance")
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default="out", show_default=True,
              help="Directory for certificate.json, report.md, report.html, weights.npz.")
@click.option("--weights", "weights_path", type=click.Path(dir_okay=False), default=None,
              help=".npz with W (m, d), a (m,) in {-1,+1}, optional W0: certify these weights.")
@click.option("--widths", default=None, help="Comma-separated widths to sweep, e.g. 100,1000,10000.")
@click.option("--seeds", default=None, help="Comma-separated seeds for the sweep (default: [train] seed).")
@click.option("--zero-loss-tol", type=float, default=1e-10, show_default=True,
              help="Float loss 1/2||u - y||^2 below which GD counts as having reached zero loss (sweep).")
@click.option("--smallest-width", is_flag=True, default=False,
              help="Deep nets: doubling then bisection over the width for each seed; the smallest certified width.")
@click.option("--max-width", type=click.IntRange(1, None), default=4096, show_default=True,
              help="Largest width tried by --smallest-width.")
@click.option("--refine/--no-refine", default=True, show_default=True,
              help="Deep nets with --weights: when the given point is not certified, search from it and certify again.")
@click.option("--quiet", is_flag=True, default=False, help="No progress lines on stderr.")
def command(config_path: str, out: str, weights_path: str | None, widths: str | None, seeds: str | None,
            zero_loss_tol: float, smallest_width: bool, max_width: int, refine: bool, quiet: bool) -> None:
    """Prove that an exact zero-loss global minimizer lies within O(1/sqrt m) of this network."""
    from certify.config import load_config
    from certify.fp_environment import checked_environment
    from certify.pipeline import numeric_context

    checked_environment()   # before any rigorous computation (again when the header is written)
    config = load_config(config_path)
    with numeric_context(config):       # `[numerics]` for everything below
        return _instance(config, out, weights_path, widths, seeds, zero_loss_tol, smallest_width, max_width,
                         refine, quiet)


def _instance(config, out: str, weights_path: str | None, widths: str | None, seeds: str | None,
              zero_loss_tol: float, smallest_width: bool, max_width: int, refine: bool, quiet: bool) -> None:
    from certify.certificate import seal
    from certify.data import load_dataset
    from certify.pipeline import certificate_header, final_arrays, write_outputs

    dataset = load_dataset(config)
    width_list = parse_int_list(widths, "--widths")
    if config.model.kind in ("deep-fc", "resnet"):
        from certify.commands.deep_instance import run as run_deep

        return run_deep(config, dataset, out, weights_path, width_list, parse_int_list(seeds, "--seeds"),
                        smallest_width, refine, max_width, quiet)
    if config.model.kind != "two-layer-relu":
        raise BadInput("model.kind", config.model.kind, "two-layer-relu, deep-fc or resnet for `certify instance`")
    if smallest_width:
        raise BadInput("--smallest-width", True, "model.kind = \"deep-fc\" or \"resnet\" (the two-layer width "
                       "search is not available in this version)")
    seed_list = parse_int_list(seeds, "--seeds") or [config.train.seed]
    weights = load_weights(weights_path, dataset.d) if weights_path else None
    if weights is not None and width_list:
        raise BadInput("--widths", widths, "not together with --weights (the weights fix the width)")
    m = config.model.width
    if weights is None and m is None and not width_list:
        raise BadInput("model.width", None, "a width (or --widths, or --weights) for an instance certificate")

    width_info = theorem_width(dataset, config)
    lambda0 = width_info.pop("_lambda0_float")
    steps = config.train.steps
    sweep = None
    if weights is not None:
        res = _certify(dataset, weights)
        points = [(weights, res, None)]
    else:
        m_main = int(m) if m is not None else max(width_list)
        points = None
        if width_list:
            sweep, points = width_sweep(dataset, config, width_list, seed_list, steps, lambda0, width_info,
                                        zero_loss_tol, keep=(m_main, seed_list[0]))
        if points is None:
            points = run_point_pair(dataset, config, m_main, seed_list[0], steps, lambda0, width_info)
    objs = [instance_object(res, w["point"], width_info, info) for w, res, info in points]
    final_w, final_res, _ = points[-1]
    entry = _theorem_entry(dataset, config, final_w, final_res, final_w["W"].shape[0])
    cert = {
        **certificate_header(config, dataset),
        "kind": "instance",
        "verdict": final_res.status,
        "theorems": [entry],
        "instance": objs[-1],
        "instance_points": objs,
    }
    if sweep is not None:
        cert["width_sweep"] = sweep
    cert["weights"] = {"file": WEIGHTS_FILE, "sha256": weights_sha256(final_w),
                       "point": final_w["point"]}
    cert = seal(cert)
    outp = write_outputs(cert, out, final_arrays(config, dataset))
    import numpy as np

    np.savez(outp / WEIGHTS_FILE, W=final_w["W"], a=final_w["a"], W0=final_w["W0"],
             **witness_arrays([(w, res) for w, res, _ in points]))
    for o in objs:
        click.echo(_summary_line(o))
    tw = width_info.get("m")
    click.echo(f"theorem width (DZPS Thm 4.1, delta={config.certify.delta}): {tw}")
    if sweep is not None:
        (outp / "widths.md").write_text(sweep_markdown(sweep), encoding="utf-8")
        sweep_figure(sweep, outp / "widths.png")
        click.echo(sweep_markdown(sweep))
    click.echo(f"verdict: {final_res.status}; wrote {outp}/certificate.json, report.md, report.html, weights.npz")
    sys.exit(0 if final_res.certified else 1)
