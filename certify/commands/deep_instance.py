"""`certify instance` for deep fully connected nets and ResNets (`[model] kind = "deep-fc" | "resnet"`).

    certify instance CONFIG --out DIR                       # init (seed), search, proof; then GD, search, proof
    certify instance CONFIG --out DIR --weights net.npz     # certify given weights (.npz or torch .pt)
    certify instance CONFIG --out DIR --widths 16,64,256 [--seeds 0,1]
    certify instance CONFIG --out DIR --smallest-width [--seeds 0,1,2] [--resume] [--scheduler ADDR]

(--smallest-width, its journal, --resume and --scheduler: certify/commands/instance_width.py,
shared with the two-layer net.)

The network is the one of `numerics.networks` (DLLWZ parametrization, depth `[model] depth`,
activation, `c_res`). Without weights: the seeded initialization (`[train] seed`), the
Gauss-Newton search from it (float), the proof; when `[train] steps > 0` also full-batch GD from
the initialization, the search from the trained point, the proof. With `--weights` (layer keys
`W1`..`WH`, `a`, optionally the initialization as `W1_init`..`a_init`): the proof at the given
point, and when it fails the search from it and the proof at the refined point (`--no-refine`
to skip). The certificate's `instance` object has the same fields as the two-layer one where they
apply (status, point, n, m, lambda_min, residual, distances, theorem_width, reason, seconds)
plus per-layer distances and margins. `theorem_width` evaluates `dllwz2019-fc` / `-resnet`
at the certified width: its unnamed constants are reported as critical values.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import click
import numpy as np

from certify.errors import BadInput

DEEP_KINDS = ("deep-fc", "resnet")
THEOREM_ID = "deep-global-minimizer-nearby"
WEIGHTS_FILE = "weights.npz"
INIT_SUFFIX = "_init"
RIGOROUS_KEYS = ("status", "kind", "depth", "m", "n", "parameters", "lambda_min_K", "residual_norm",
                 "radius", "deviation", "contraction", "jacobian_norm", "parameter_distance", "sqrt_m_distance",
                 "layers")


# ------------------------------------------------------------------------ inputs
def architecture(config, dataset, width: int):
    from numerics.networks import Architecture

    model = config.model
    try:
        return Architecture(model.kind, int(width), dataset.d, depth=int(model.depth), activation=model.activation,
                            c_res=model.c_res if model.c_res is not None else 0.5)
    except ValueError as exc:
        raise BadInput("model", model.kind, str(exc)) from None


def load_deep_weights(path: str, arch, point: str | None = None):
    """``(params, params0)`` from a weights file: the layers ``W1``..``WH``, ``a`` (or, with
    ``point``, the layers ``POINT/W1``.. that `certify instance` stores for every point), and the
    initialization ``NAME_init`` when present. Every defect is exit 2 naming the array."""
    from numerics.networks.parameters import Parameters
    from numerics.networks.weights_io import read_arrays

    try:
        arrays = read_arrays(path)
        prefix = "" if point is None else f"{point}/"
        layers = {k[len(prefix):]: v for k, v in arrays.items()
                  if k.startswith(prefix) and "/" not in k[len(prefix):] and not k.endswith(INIT_SUFFIX)}
        init = {k[:-len(INIT_SUFFIX)]: v for k, v in arrays.items() if k.endswith(INIT_SUFFIX) and "/" not in k}
        params = Parameters(arch, layers)
        params0 = Parameters(arch, {**dict(params.layers), **init}) if init else None
    except ValueError as exc:
        raise BadInput("--weights", path, f"{exc} (layers {', '.join(arch.layer_names)}, optionally "
                       f"the initialization as NAME{INIT_SUFFIX})") from None
    return params, params0


def weights_sha256(points: list, params0) -> str:
    """Hash of every stored point's layers and of the initialization."""
    h = hashlib.sha256()
    for prefix, p in [(f"{name}/", params) for name, params in points] + [(INIT_SUFFIX, params0)]:
        for name in p.architecture.layer_names:
            a = np.ascontiguousarray(np.asarray(p[name], dtype=np.float64))
            h.update((prefix + name).encode() + str(a.shape).encode() + a.tobytes())
    return h.hexdigest()


def save_weights(path: Path, points: list, params0) -> None:
    """The final point's layers (reusable with --weights), the initialization (``NAME_init``) and
    every point's layers (``POINT/NAME``), atomically."""
    arrays = {k: np.array(v) for k, v in points[-1][1].layers.items()}
    arrays.update({k + INIT_SUFFIX: np.array(v) for k, v in params0.layers.items()})
    for point, params in points:
        arrays.update({f"{point}/{k}": np.array(v) for k, v in params.layers.items()})
    tmp = path.with_name(f".{path.name}.tmp.npz")
    try:
        np.savez(tmp, **arrays)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------ records
def _iv(x) -> dict | None:
    if x is None:
        return None
    return {"lo": repr(float(x.lo)), "hi": repr(float(x.hi))}


def _f(x) -> str | None:
    return None if x is None else repr(float(x))


def layer_records(res) -> list[dict]:
    return [{"layer": L.name, "min_margin": _f(L.min_margin), "margin_ratio": _f(L.margin_ratio),
             "correction_frobenius": _f(L.correction_frobenius), "correction_max_neuron": _f(L.correction_max_neuron),
             "distance_from_init_frobenius": _iv(L.distance_from_init),
             "distance_from_init_max_neuron": _iv(L.distance_from_init_max_neuron),
             "sqrt_m_distance_max_neuron": _iv(L.sqrt_m_distance_max_neuron)} for L in res.layers]


def _max_sqrt_m(res) -> dict | None:
    vals = [L.sqrt_m_distance_max_neuron for L in res.layers if L.sqrt_m_distance_max_neuron is not None]
    if not vals:
        return None
    return {"lo": repr(max(float(v.lo) for v in vals)), "hi": repr(max(float(v.hi) for v in vals))}


def instance_object(res, point: str, width_info: dict | None, search=None, train=None) -> dict:
    obj = {"status": res.status, "point": point, "kind": res.kind, "depth": res.depth, "m": res.width, "n": res.n,
           "parameters": res.parameter_count, "p_over_n": res.parameter_count / res.n,
           "lambda_min_K": _iv(res.lambda_min), "lambda_min_method": res.lambda_min_method,
           "residual_norm": _iv(res.residual_norm), "radius": _f(res.radius), "deviation": _f(res.deviation),
           "contraction": _f(res.contraction), "jacobian_norm": _f(res.jacobian_norm),
           "parameter_distance": _f(res.parameter_distance), "sqrt_m_distance": _max_sqrt_m(res),
           "layers": layer_records(res), "reason": res.reason, "attempts": res.attempts,
           "seconds": round(res.seconds, 3),
           "theorem_width": width_info}
    if search is not None:
        obj["search"] = search.as_dict()
    if train is not None:
        obj["training"] = train
    return obj


def theorem_width(dataset, config, m: int) -> dict:
    """The width hypothesis of `dllwz2019-fc` / `-resnet` at width m: undecided with critical values
    of the unnamed constants (or decided when `[certify.constants]` supplies them)."""
    from certify.pipeline import _params
    from proofs.core import InstanceData
    from proofs.dllwz2019 import FC_THEOREM, RESNET_THEOREM
    from proofs.evaluation import evaluate_theorem

    thm = FC_THEOREM if config.model.kind == "deep-fc" else RESNET_THEOREM
    params = {**_params(config, dataset), "m": int(m)}
    entry = evaluate_theorem(thm, InstanceData(dataset.X, dataset.y, params=params), params)
    width = next(h for h in entry["hypotheses"] if h["id"] == "width")
    return {"theorem": thm.id, "m": int(m), "verdict": width["verdict"], "message": width.get("message", ""),
            "critical_values": width.get("evidence", {}).get("critical_values"),
            "lambda_H": {k: entry["quantities"]["lambda_H"].get(k) for k in ("lo", "hi")},
            "formula": next(h["statement"] for h in entry["hypotheses"] if h["id"] == "width")}


def theorem_entry(dataset, config, params, params0, res, point: str) -> dict:
    from certify.pipeline import _params
    from proofs.core import InstanceData
    from proofs.deep_global_minimizer import CACHE_KEY, THEOREM, WEIGHTS_KEY
    from proofs.evaluation import evaluate_theorem

    p = {**_params(config, dataset), "m": params.architecture.width}
    p = {k: p[k] for k in ("n", "m", "H") if k in p}
    inst = InstanceData(dataset.X, dataset.y, params=p)
    inst.cache[WEIGHTS_KEY] = {"params": params, "params0": params0, "point": point}
    inst.cache[CACHE_KEY] = res
    return evaluate_theorem(THEOREM, inst, p)


# ------------------------------------------------------------------------ points
def _certify(dataset, params, params0):
    from numerics.instance.deep_minimizer import certify_deep_minimizer

    return certify_deep_minimizer(params, dataset.X, dataset.y, params0)


def points_from_init(dataset, config, m: int, seed: int, echo) -> list[tuple]:
    """(params, params0, result, point, search, train) for the search from the initialization and,
    when `[train] steps > 0`, from the GD-trained point."""
    from numerics.instance.deep_gauss_newton import deep_gauss_newton_search, gradient_descent
    from numerics.networks.initialization import initial_parameters

    p0 = initial_parameters(architecture(config, dataset, m), seed)
    s = deep_gauss_newton_search(p0, dataset.X, dataset.y)
    out = [(s.params, p0, _certify(dataset, s.params, p0), "search-from-initialization", s, None)]
    echo(f"  width {m}, seed {seed}: search from the initialization, residual {s.residual_norm:.2e}: "
         f"{out[-1][2].status}")
    if config.train.steps > 0:
        step = None if config.train.step_size == "auto" else float(config.train.step_size)
        trained, info = gradient_descent(p0, dataset.X, dataset.y, config.train.steps, step)
        s2 = deep_gauss_newton_search(trained, dataset.X, dataset.y)
        out.append((s2.params, p0, _certify(dataset, s2.params, p0), "trained", s2, info))
        echo(f"  width {m}, seed {seed}: GD ({config.train.steps} steps) then search, residual "
             f"{s2.residual_norm:.2e}: {out[-1][2].status}")
    return out


def points_from_weights(dataset, params, params0, refine: bool, echo) -> list[tuple]:
    from numerics.instance.deep_gauss_newton import deep_gauss_newton_search

    p0 = params0 or params
    res = _certify(dataset, params, p0)
    out = [(params, p0, res, "given", None, None)]
    if not res.certified and refine:
        s = deep_gauss_newton_search(params, dataset.X, dataset.y)
        out.append((s.params, p0, _certify(dataset, s.params, p0), "refined-from-given", s, None))
        echo(f"  given weights not certified ({res.reason}); search from them, residual "
             f"{s.residual_norm:.2e}: {out[-1][2].status}")
    return out


# ------------------------------------------------------------------------ sweeps
def width_sweep(dataset, config, widths, seeds, echo) -> tuple[dict, dict]:
    from numerics.instance.deep_width_search import certify_at_width

    rows, kept = [], {}
    for m in widths:
        for seed in seeds:
            pt = certify_at_width(dataset.X, dataset.y, config.model.kind, config.model.depth, m, seed,
                                  activation=config.model.activation, c_res=config.model.c_res or 0.5)
            rows.append(pt.as_dict())
            kept[(m, seed)] = pt
            echo(f"  width {m:>6d} seed {seed}: {'certified' if pt.certified else 'not-certified'}")
    smallest = {}
    for seed in seeds:
        ok = [r["width"] for r in rows if r["seed"] == seed and r["certified"]]
        smallest[str(seed)] = min(ok) if ok else None
    return {"widths": list(widths), "seeds": list(seeds), "rows": rows,
            "smallest_certified_width": smallest}, kept


# ------------------------------------------------------------------------ the command
def run(config, dataset, out: str, weights_path, widths, seeds, refine: bool, quiet: bool) -> None:
    """`certify instance` for a deep net without --smallest-width (that one runs through
    certify/commands/instance_width.py, with its journal)."""

    def echo(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    if config.model.depth is None:
        raise BadInput("model.depth", None, "an integer >= 1 for a deep network")
    seed_list = seeds or [config.train.seed]
    sweep = None
    if weights_path is not None:
        if widths:
            raise BadInput("--weights", weights_path, "not together with --widths or --smallest-width")
        arch0 = architecture(config, dataset, _weights_width(weights_path))
        params, params0 = load_deep_weights(weights_path, arch0)
        points = points_from_weights(dataset, params, params0, refine, echo)
    else:
        m = config.model.width
        if m is None and not widths:
            raise BadInput("model.width", None, "a width (or --widths, --smallest-width or --weights)")
        points = None
        if widths:
            sweep, kept = width_sweep(dataset, config, widths, seed_list, echo)
            m_main = int(m) if m is not None else max(widths)
            pt = kept.get((m_main, seed_list[0]))
            if pt is not None and pt.proof is not None:
                points = [_search_point(config, dataset, pt)]
        if points is None:
            points = points_from_init(dataset, config, int(m if m is not None else max(widths)), seed_list[0], echo)
    res, outp = write_certificate(config, dataset, out, points, sweep=sweep)
    click.echo(f"verdict: {res.status}; wrote {outp}/certificate.json, report.md, report.html, {WEIGHTS_FILE}")
    sys.exit(0 if res.certified else 1)


def write_search_certificate(config, dataset, out, pt, search: dict) -> Path:
    """The certificate of the width search's chosen point ``pt`` (a DeepWidthPoint whose proof
    was attempted) with the key ``width_search``; returns the directory."""
    _, outp = write_certificate(config, dataset, out, [_search_point(config, dataset, pt)], search=search)
    return outp


def _search_point(config, dataset, pt) -> tuple:
    return (pt.search.params, _init_of(config, dataset, pt), pt.proof, "search-from-initialization", pt.search, None)


def write_certificate(config, dataset, out, points: list, sweep: dict | None = None, search: dict | None = None):
    """Seal and write the certificate of ``points`` (the last one decides), the reports and the
    weights; echo a summary. Returns (the last point's result, the directory)."""
    from certify.certificate import seal
    from certify.pipeline import certificate_header, write_outputs

    width_info = theorem_width(dataset, config, points[-1][0].architecture.width)
    objs = [instance_object(res, point, width_info, s, tr) for _, _, res, point, s, tr in points]
    params, params0, res, point, _, _ = points[-1]
    stored = [(pt, p) for p, _, _, pt, _, _ in points]
    cert = {**certificate_header(config, dataset), "kind": "instance", "verdict": res.status,
            "theorems": [theorem_entry(dataset, config, params, params0, res, point)],
            "instance": objs[-1], "instance_points": objs,
            "weights": {"file": WEIGHTS_FILE, "sha256": weights_sha256(stored, params0), "point": point,
                        "width": params.architecture.width, "points": [name for name, _ in stored]}}
    if sweep is not None:
        cert["width_sweep"] = sweep
    if search is not None:
        cert["width_search"] = search
    outp = write_outputs(seal(cert), out)
    save_weights(outp / WEIGHTS_FILE, stored, params0)
    for o in objs:
        click.echo(_summary(o))
    click.echo(f"theorem width ({width_info['theorem']}): {width_info['message'] or width_info['verdict']}")
    return res, outp


def _init_of(config, dataset, pt):
    from numerics.networks.initialization import initial_parameters

    return initial_parameters(architecture(config, dataset, pt.width), pt.seed)


def _weights_width(path: str) -> int:
    from numerics.networks.weights_io import read_arrays

    try:
        arrays = read_arrays(path)
    except ValueError as exc:
        raise BadInput("--weights", path, str(exc)) from None
    a = arrays.get("a")
    if a is None or np.ndim(a) != 1 or len(a) < 1:
        raise BadInput("--weights", path, "a weights file with an output layer 'a' of shape (m,)")
    return int(len(a))


def _summary(o: dict) -> str:
    lam = o["lambda_min_K"]["lo"] if o["lambda_min_K"] else "-"
    smd = o["sqrt_m_distance"]["hi"] if o["sqrt_m_distance"] else "-"
    return (f"{o['point']:>28s} {o['kind']} H={o['depth']} m={o['m']:<6d} {o['status']:<14s} "
            f"lambda_min(K~)>={float(lam) if lam != '-' else lam:.4g} sqrt(m)D<={smd} ({o['seconds']}s)")


# ------------------------------------------------------------------------ check
UPPER_BOUNDS = ("radius", "deviation", "contraction", "jacobian_norm", "parameter_distance", "layers[].margin_ratio",
                "layers[].correction_frobenius", "layers[].correction_max_neuron")
"""One-sided upper bounds: re-proved when the recorded number is at least the one proved here."""
LOWER_BOUNDS = ("layers[].min_margin",)
DESCRIPTIONS = ("reason", "lambda_min_method", "theorem_width.message")


def deep_instance_rules():
    """What `certify check` does not recompute in a deep instance certificate (certify/agreement.py):
    the producer's machine, the search and training records, the width sweep / search (their
    networks are not stored). One-sided bounds (radius, deviation, margins, ...) are re-proved:
    the recorded bound must be implied by the one proved here; the reason text and the method
    names are descriptions (notes); every verdict is re-proved and every enclosure compared as a
    statement."""
    from certify.agreement import Rules

    records = ["tool", "tool.*", "environment", "environment.*", "numerics", "numerics.*", "config_base_dir",
               "width_sweep", "width_sweep.*", "width_search", "width_search.*"]
    descriptions = ["theorems[].hypotheses[].evidence.*", "theorems[].hypotheses[].message"]
    for obj in ("instance", "instance_points[]"):
        records += [f"{obj}.{k}" for k in ("attempts", "attempts[]", "attempts[].*", "seconds", "search",
                                           "search.*", "training", "training.*")]
        descriptions += [f"{obj}.{k}" for k in DESCRIPTIONS]
    points = ("instance", "instance_points[]")
    return Rules(records=tuple(records), descriptions=tuple(descriptions),
                 upper_bounds=tuple(f"{o}.{k}" for o in points for k in UPPER_BOUNDS),
                 lower_bounds=tuple(f"{o}.{k}" for o in points for k in LOWER_BOUNDS))


def recompute_deep_instance(cert: dict, directory) -> dict:
    """The deep instance certificate this machine computes from `cert`'s config, data and weights
    file (every stored point proved again; JSON-ready, unsealed)."""
    from certify.config import config_from_dict
    from certify.data import load_dataset
    from certify.pipeline import certificate_header
    from certify.run_check import data_base_dir

    rec = cert.get("weights")
    if not isinstance(rec, dict) or not isinstance(rec.get("file"), str) or not isinstance(rec.get("width"), int) \
            or not isinstance(rec.get("points"), list) or not rec["points"]:
        raise BadInput("CERT.weights", rec, "a deep instance certificate that names its weights file, width and points")
    if not isinstance(cert.get("config"), dict):
        raise BadInput("CERT.config", cert.get("config"), "the config object `certify instance` records")
    config = config_from_dict(cert["config"], base_dir=data_base_dir(cert, directory))
    dataset = load_dataset(config)
    path = Path(directory) / Path(rec["file"]).name
    if not path.is_file():
        raise BadInput("CERT.weights.file", str(path), "the weights file written beside the certificate")
    arch = architecture(config, dataset, rec["width"])
    stored, objs, entry, res = [], [], None, None
    width_info = theorem_width(dataset, config, rec["width"])
    for name in rec["points"]:
        params, params0 = load_deep_weights(str(path), arch, point=str(name))
        params0 = params0 or params
        res = _certify(dataset, params, params0)
        stored.append((str(name), params))
        objs.append(instance_object(res, str(name), width_info))
        entry = theorem_entry(dataset, config, params, params0, res, str(name))
    fresh = {**certificate_header(config, dataset), "kind": "instance", "verdict": res.status,
             "theorems": [entry], "instance": objs[-1], "instance_points": objs,
             "weights": {"file": rec["file"], "sha256": weights_sha256(stored, params0), "point": stored[-1][0],
                         "width": rec["width"], "points": [n for n, _ in stored]},
             "content_sha256": cert.get("content_sha256")}
    return json.loads(json.dumps(fresh, allow_nan=False))


def check_deep_instance(cert: dict, directory):
    """Recompute a deep instance certificate and compare it with the recorded one."""
    from certify.agreement import Agreement, compare
    from certify.certificate import integrity_problems

    out = Agreement(problems=integrity_problems(cert))
    out.extend(compare(cert, recompute_deep_instance(cert, directory), deep_instance_rules()))
    return out


def check_width_search_certificate(cert: dict, directory):
    """A width search that certified no width claims nothing: only its integrity is checked."""
    from certify.agreement import Agreement
    from certify.certificate import integrity_problems

    return Agreement(problems=integrity_problems(cert), unchecked=["width_search"])
