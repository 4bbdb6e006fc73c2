"""`certify critical`: what a network's parameter point is -- strict saddle, strict local minimum,
next to a zero-loss global minimizer, or undecided -- with rigorous curvature bounds.

    certify critical CONFIG --weights net.npz --out DIR       # the point in a weights file (.npz / .pt)
    certify critical CONFIG --at init|trained|zero --out DIR  # seeded init, GD from it ([train]), theta = 0

CONFIG is the TOML of `certify run` (`[data]`, `[model]` with `kind` two-layer-relu | deep-fc |
resnet, `width`, `depth`, `activation`, `train_output`; `[train] seed, steps, step_size` for
`--at init|trained`). The loss is ``1/2 sum_i (u_i - y_i)^2`` on the exactly normalized inputs
(``--inputs normalized``, the toolkit's convention) or on the stored rows as given
(``--inputs stored``, e.g. for students trained on raw inputs). The proof logic is
:func:`numerics.curvature.critical_point.certify_critical_point`
(``docs/critical_points_networks.md``).

Writes DIR/critical_point.json, a sealed certificate (schema ``dl-certify/critical-point/1``,
``content_sha256``; the ``critical_point`` object: status, grad_norm_upper, curvature
{direction_value_upper, direction_value, lambda_min}, loss, radius, parameters, seconds, ...;
``float_search``: the Lanczos Ritz values, FLOAT; the tool, environment, config, data record,
inputs mode and settings a checker rebuilds the instance from), DIR/direction.npz (the tested
direction v, the smallest Ritz vector, whole and layer by layer: the escape direction of a
strict saddle; its sha256 in ``direction.sha256``), DIR/report.md with DIR/ritz_values.png and
DIR/loss_along_direction.png, DIR/point.npz (the classified point, every layer; its sha256 in
``point.sha256``; ``--weights DIR/point.npz`` classifies it again) and, when the data were
derived (a subsample, a CSV, a scikit-learn set), DIR/data.npz with the final arrays. Every file
is written atomically. ``certify check DIR/critical_point.json`` re-proves it
(certify/critical_check.py), ``certify report`` renders it. Exit 0 when the point is decided
(strict-saddle, negative-curvature, strict-local-minimum, zero-loss), 1 when undecided, 2 on
bad input (nothing written).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import click
import numpy as np

from certify.errors import BadInput

FORMAT = "dl-certify/critical-point/1"
"""The certificate's schema id (its ``schema`` field; registered in certify.certificate.CHECKERS)."""
DECIDED = ("strict-saddle", "negative-curvature", "strict-local-minimum", "zero-loss")
POINT_FILE = "point.npz"
"""The classified point, every layer, loadable with ``--weights``."""
DIRECTION_FILE = "direction.npz"
CENTER_FILE = "center.npz"
"""A strict local minimum's refined center: its float64 part (every layer) and the float vector
``correction`` (theta order) with ``center = layers + correction`` exactly."""
"""The tested direction v: array ``v`` (length P) and the same vector layer by layer."""
INPUTS = ("normalized", "stored")
"""The loss on the exactly normalized rows of X, or on the stored rows as given."""
KIND_OF_MODEL = {"two-layer-relu": "two-layer", "deep-fc": "deep-fc", "resnet": "resnet"}


def critical_architecture(config, d: int):
    """The network of ``[model]`` (BadInput naming the key otherwise)."""
    from numerics.networks import Architecture

    model = config.model
    if model.kind not in KIND_OF_MODEL:
        raise BadInput("model.kind", model.kind, f"one of {', '.join(KIND_OF_MODEL)} for `certify critical`")
    if model.width is None:
        raise BadInput("model.width", None, "an integer >= 1 (the width m)")
    kind = KIND_OF_MODEL[model.kind]
    try:
        return Architecture(kind, int(model.width), d, depth=1 if kind == "two-layer" else int(model.depth),
                            activation=model.activation, train_output=model.train_output,
                            c_res=model.c_res if model.c_res is not None else 0.5)
    except ValueError as exc:
        raise BadInput("model", model.kind, str(exc)) from None


def arrays_sha256(arrays: dict) -> str:
    """sha256 of named arrays (names in sorted order, shapes, little-endian float64 bytes)."""
    import hashlib

    h = hashlib.sha256()
    for name in sorted(arrays):
        a = np.ascontiguousarray(np.asarray(arrays[name], dtype="<f8"))
        h.update(name.encode() + str(a.shape).encode() + a.tobytes())
    return h.hexdigest()


def parameters_sha256(params) -> str:
    """sha256 of the point's layers (names, shapes, float64 bytes), as saved in point.npz."""
    return arrays_sha256(params.layers)


def direction_arrays(arch, v) -> dict:
    """What direction.npz holds: ``v`` (length P) and the same vector layer by layer."""
    from numerics.networks.parameters import split_theta

    return {"v": v, **split_theta(arch, v)}


def load_point(path: str, arch):
    """Validated parameters from a weights file; every defect is exit 2 naming the array."""
    from numerics.networks.weights_io import load_parameters

    try:
        return load_parameters(path, arch)
    except ValueError as exc:
        raise BadInput("--weights", path, f"{exc}; allowed: arrays {', '.join(arch.layer_names)} of the "
                       "shapes of docs/networks.md, finite") from None


def point_at(where: str, arch, config, X, y, normalize: bool):
    """``(params, info)`` for ``--at init | trained | zero``."""
    from numerics.networks.initialization import initial_parameters

    p0 = initial_parameters(arch, config.train.seed)
    if where == "init":
        return p0, {"point": "init", "seed": config.train.seed}
    if where == "zero":
        zeros = {n: np.zeros(arch.layer_shape(n)) for n in arch.trained_names}
        return p0.replace(**zeros), {"point": "zero"}
    from numerics.instance.deep_gauss_newton import gradient_descent
    from numerics.kernels.two_layer import normalize_rows

    inputs = normalize_rows(X).mid() if normalize else np.asarray(X, dtype=np.float64)
    step = None if config.train.step_size == "auto" else float(config.train.step_size)
    params, info = gradient_descent(p0, X, y, config.train.steps, step, inputs=inputs)
    return params, {"point": "trained", "seed": config.train.seed, "training": info}


def _pair(x) -> list | None:
    return None if x is None else [repr(float(x.lo)), repr(float(x.hi))]


def critical_point_object(res) -> dict:
    """The ``critical_point`` JSON object of the issue (numbers as repr strings where rigorous)."""
    q = res.direction_value
    return {"status": res.status, "reason": res.reason,
            "grad_norm_upper": None if res.grad_norm_upper is None else repr(res.grad_norm_upper),
            "curvature": {"direction_value_upper": None if q is None else repr(float(q.hi)),
                          "direction_value": _pair(q),
                          "lambda_min": None if res.lambda_min is None else [repr(x) for x in res.lambda_min]},
            "loss": _pair(res.loss), "loss_positive": res.loss_positive,
            "radius": None if res.radius is None else repr(float(res.radius)),
            "critical_point_distance": None if res.critical_point_distance is None else repr(res.critical_point_distance),
            "parameters": res.parameters, "n": res.n, "structure": res.structure, "premises": list(res.premises),
            "status_if_premises": res.status_if_premises, "refinement": refinement_object(res.center),
            "attempts": json.loads(json.dumps(res.attempts, default=float)), "seconds": round(res.seconds, 3)}


def refinement_object(center) -> dict | None:
    """The refined center's rigorous bounds (None when the point was not refined)."""
    if center is None:
        return None
    return {"center_grad_norm_upper": repr(center.grad_norm_upper), "moved_upper": repr(center.moved),
            "correction_norm_upper": repr(center.correction_norm), "center_loss": _pair(center.enclosure.loss),
            "gradient_bounds": [repr(g) for g in center.history]}


def center_arrays(center) -> dict:
    """What center.npz holds (module docstring)."""
    return {**{k: np.asarray(v, dtype=np.float64) for k, v in center.params.layers.items()},
            "correction": np.asarray(center.correction, dtype=np.float64)}


def center_record(res) -> dict | None:
    return None if res.center is None else {"saved_as": CENTER_FILE, "sha256": arrays_sha256(center_arrays(res.center))}


def float_search_object(spec, reason: str = "") -> dict:
    if spec is None:
        return {"label": "FLOAT (Lanczos on Hessian-vector products, torch float64)", "steps": 0,
                "ritz_values": [], "residuals": [], "gradient_norm": None, "loss": None, "failed": reason}
    return {"label": "FLOAT (Lanczos on Hessian-vector products, torch float64)", "steps": spec.steps,
            "ritz_values": [float(v) for v in spec.values], "residuals": list(spec.residuals),
            "gradient_norm": spec.gradient_norm, "loss": spec.loss}


def write_atomic(path: Path, write) -> None:
    """``write(fh)`` into a temporary file beside ``path``, then ``os.replace``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def certify_critical(config, dataset, params, *, normalize: bool, lanczos_steps: int, seed: int, device: str,
                     gradient_tol: float = 1e-3):
    """The Python API of the verb: the result of :func:`certify_critical_point` for the point."""
    from numerics.curvature.critical_point import certify_critical_point

    try:
        return certify_critical_point(params, dataset.X, dataset.y, normalize=normalize,
                                      lanczos_steps=lanczos_steps, seed=seed, device=device,
                                      gradient_tol=gradient_tol)
    except ValueError as exc:
        raise BadInput("data", dataset.source, str(exc)) from None


def write_outputs(out: Path, document: dict, res, params, X, y, data_arrays: tuple | None = None) -> None:
    """Every file of the verb (module docstring); ``data_arrays`` = (X, y) of derived data."""
    from certify.critical_report import render_markdown, write_figures
    from certify.pipeline import DATA_FILE
    from numerics.networks.weights_io import save_parameters

    out.mkdir(parents=True, exist_ok=True)
    save_parameters(out / POINT_FILE, params)
    if res.direction is not None:
        arrays = direction_arrays(params.architecture, res.direction)
        write_atomic(out / DIRECTION_FILE, lambda fh: np.savez(fh, **arrays))
    if res.center is not None:
        arrays = center_arrays(res.center)
        write_atomic(out / CENTER_FILE, lambda fh: np.savez(fh, **arrays))
    if data_arrays is not None:
        write_atomic(out / DATA_FILE, lambda fh: np.savez(fh, X=data_arrays[0], y=data_arrays[1]))
    figures = write_figures(out, res, params, X, y)
    write_atomic(out / "critical_point.json",
                 lambda fh: fh.write(json.dumps(document, indent=2, allow_nan=False).encode()))
    write_atomic(out / "report.md", lambda fh: fh.write(render_markdown(document, figures).encode()))


@click.command("critical")
@click.argument("config_path", metavar="CONFIG", type=click.Path(dir_okay=False))
@click.option("--weights", type=click.Path(dir_okay=False), default=None, help="The point: a weights file (.npz or .pt).")
@click.option("--at", "at", type=click.Choice(["init", "trained", "zero"]), default=None,
              help="The point: the seeded initialization, GD from it ([train] steps), or theta = 0.")
@click.option("--inputs", type=click.Choice(INPUTS), default="normalized", show_default=True,
              help="The loss on the exactly normalized rows of X, or on the stored rows as given.")
@click.option("--lanczos-steps", type=click.IntRange(2, 500), default=40, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the Lanczos start vector.")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu", show_default=True,
              help="Device of the float Lanczos search (the proof runs on the CPU).")
@click.option("--gradient-tol", type=click.FloatRange(min=0.0), default=1e-3, show_default=True,
              help="Negative curvature is a strict saddle when ||grad L|| <= this is proved "
                   "(else the status is negative-curvature).")
@click.option("--out", type=click.Path(file_okay=False), required=True, help="Output directory.")
def command(config_path, weights, at, inputs, lanczos_steps, seed, device, gradient_tol, out) -> None:
    """Classify a network's parameter point: strict saddle, strict local minimum, zero loss, or undecided."""
    import sys

    from certify.config import load_config
    from certify.data import load_dataset

    from certify.certificate import seal
    from certify.fp_environment import checked_environment
    from certify.pipeline import final_arrays, numeric_context

    if (weights is None) == (at is None):
        raise BadInput("--weights/--at", f"--weights={weights!r}, --at={at!r}", "exactly one of them")
    checked_environment()   # before any rigorous computation (again when the record is written)
    config = load_config(config_path)
    dataset = load_dataset(config)
    with numeric_context(config):       # `[numerics]` for everything below
        document, res, params = _classify(config, dataset, weights, at, inputs, lanczos_steps, seed, device,
                                          gradient_tol)
        document["point"] = {**document["point"], "saved_as": POINT_FILE, "sha256": parameters_sha256(params)}
        document = seal({**critical_header(config, dataset, params.architecture), **document})
    write_outputs(Path(out), document, res, params, dataset.X, dataset.y, final_arrays(config, dataset))
    click.echo(f"certify critical: {res.status} ({res.reason})")
    sys.exit(0 if res.status in DECIDED else 1)


def _classify(config, dataset, weights, at, inputs, lanczos_steps, seed, device, gradient_tol):
    """The point, its classification and the JSON document (without the environment record)."""
    arch = critical_architecture(config, dataset.d)
    normalize = inputs == "normalized"
    if weights is not None:
        params, info = load_point(weights, arch), {"point": "weights", "file": str(weights)}
    else:
        params, info = point_at(at, arch, config, dataset.X, dataset.y, normalize)
    res = certify_critical(config, dataset, params, normalize=normalize, lanczos_steps=lanczos_steps,
                           seed=seed, device=device, gradient_tol=gradient_tol)
    settings = {"gradient_tol": repr(float(gradient_tol)), "lanczos_steps": lanczos_steps, "seed": seed,
                "device": device}
    document = {**instance_record(arch, inputs, settings), "point": info,
                "direction": direction_record(arch, res.direction), "center": center_record(res),
                "critical_point": critical_point_object(res),
                "float_search": float_search_object(res.spectrum, res.reason)}
    return document, res, params


def instance_record(arch, inputs: str, settings: dict) -> dict:
    """The architecture, the inputs mode and the settings (``gradient_tol`` decides strict saddle
    vs negative curvature; the Lanczos settings only steer the float search)."""
    return {"architecture": {"kind": arch.kind, "width": arch.width, "depth": arch.depth,
                             "activation": arch.activation, "train_output": arch.train_output,
                             "input_dim": arch.input_dim},
            "inputs": inputs, "settings": settings}


def direction_record(arch, v) -> dict | None:
    """Where the tested direction is saved, and the sha256 of every array of that file (None when
    no direction was tested)."""
    return None if v is None else {"saved_as": DIRECTION_FILE, "sha256": arrays_sha256(direction_arrays(arch, v))}


def critical_header(config, dataset, arch) -> dict:
    """What the certificate records first: schema, tool, environment, the normalized config, the
    config's directory, the data record (source, sha256, n, d, provenance) and the numerics."""
    from certify.certificate import environment, tool_version
    from certify.pipeline import context_record

    return {"schema": FORMAT, "tool": {"name": "dl-certify", "version": tool_version()},
            "environment": environment(), "config": config.normalized(),
            "config_base_dir": str(Path(config.base_dir).resolve()), "data": dataset.record(),
            "numerics": {**_numerics(arch), "context": context_record()}}


def _numerics(arch) -> dict:
    """How the elementary functions (tanh, softplus) were enclosed, and any premise used."""
    if arch.activation == "relu":
        return {"elementary_functions": "not used (ReLU)"}
    from numerics.arith.elementary import mode_record

    return {"elementary_functions": mode_record()}
