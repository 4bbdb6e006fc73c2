"""`certify check` for a `certify critical` certificate (DIR/critical_point.json): re-prove the
recorded classification of the recorded point on this machine, without the float search.

The float search (Lanczos) is not run again: it chose the point's tested direction v and, for
a strict local minimum, the ball radius; both are inputs of the proof, read from the files and
fields beside the certificate. The check rebuilds the data from the recorded config (its sha256
must equal the recorded ``data.sha256``) and the architecture, loads ``point.npz`` and
``direction.npz`` (their sha256 must equal the recorded ``point.sha256`` and
``direction.sha256``), and runs :func:`numerics.curvature.critical_point.reprove_critical_point`,
the producer's own rigorous part: the gradient enclosure, the loss and the curvature quotient
along v (Taylor jets), the Hessian on the recorded ball for a strict local minimum, the
instance certificate for a zero loss. Then it compares (certify/agreement.py):

* the status exactly (a recorded status the recomputation does not reach is a problem, and so is
  a recorded ``undecided`` that it decides);
* every rigorous number as the one-sided statement it is: an upper bound (``grad_norm_upper``,
  ``direction_value_upper``, the upper ends of the ``[lo, hi]`` pairs, the radius and the
  distance to the critical point) is re-proved when it is at least the bound proved here, a lower
  bound (the lower ends of the pairs, ``lambda_min``'s gamma) when it is at most the one proved
  here; a tighter recorded bound is a problem, a looser one a true, weaker claim;
* everything else the recomputation produces (config, data record, architecture, inputs mode,
  ``gradient_tol``, file names, P, n, premises) exactly.

Records, named in the output as not recomputed: the producer's tool and environment, the
numerics record, the float search (Ritz values, residuals), the Lanczos settings, how the point
was obtained (``point`` except its file and sha256), the attempts, the structure notes (they
depend on the float search's zero-loss hint) and the timing. The reason text is a description.
Method: docs/critical_points_networks.md, "Checking a critical-point certificate".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from certify.agreement import Agreement, Rules, compare, decimal_endpoint
from certify.errors import BadInput

CP = "critical_point"
PAIRS = (f"{CP}.loss", f"{CP}.curvature.direction_value", f"{CP}.curvature.lambda_min",
         f"{CP}.refinement.center_loss")
"""The ``[lo, hi]`` pairs: each end is a one-sided statement (compared as ``lower`` / ``upper``)."""
UPPER_BOUNDS = (f"{CP}.grad_norm_upper", f"{CP}.curvature.direction_value_upper", f"{CP}.radius",
                f"{CP}.critical_point_distance", f"{CP}.refinement.center_grad_norm_upper",
                f"{CP}.refinement.moved_upper", f"{CP}.refinement.correction_norm_upper") + tuple(
                    f"{p}.upper" for p in PAIRS)
LOWER_BOUNDS = tuple(f"{p}.lower" for p in PAIRS)
RECORDS = ("tool", "tool.*", "environment", "environment.*", "numerics", "numerics.*", "config_base_dir",
           "float_search", "float_search.*", "settings.lanczos_steps", "settings.seed", "settings.device",
           f"{CP}.attempts", f"{CP}.attempts[]", f"{CP}.attempts[].*", f"{CP}.structure", f"{CP}.structure[]",
           f"{CP}.seconds", f"{CP}.refinement.gradient_bounds", f"{CP}.refinement.gradient_bounds[]")
DESCRIPTIONS = (f"{CP}.reason",)


def critical_rules(cert: dict) -> Rules:
    """The comparison rules (module docstring); the point's own search record is a record."""
    point = cert.get("point") if isinstance(cert.get("point"), dict) else {}
    search = tuple(f"point.{k}" for k in point if k not in ("sha256", "saved_as"))
    return Rules(records=RECORDS + search + tuple(f"{s}.*" for s in search), descriptions=DESCRIPTIONS,
                 upper_bounds=UPPER_BOUNDS, lower_bounds=LOWER_BOUNDS)


def _as_bounds(doc: dict) -> dict:
    """A deep copy of the certificate with every pair of PAIRS written as ``{lower, upper}``."""
    out = json.loads(json.dumps(doc))
    for path in PAIRS:
        *parents, key = path.split(".")
        node = out
        for p in parents:
            node = node.get(p) if isinstance(node, dict) else None
        if isinstance(node, dict) and isinstance(node.get(key), list) and len(node[key]) == 2:
            node[key] = {"lower": node[key][0], "upper": node[key][1]}
    return out


def _beside(directory: Path, record: Any, field: str, default: str) -> Path:
    """The file a record names (its base name, beside the certificate); BadInput when absent."""
    name = record.get("saved_as", default) if isinstance(record, dict) else default
    path = directory / Path(str(name)).name
    if not path.is_file():
        raise BadInput(field, str(path), f"the file {Path(str(name)).name} written by `certify critical` beside "
                                         "the certificate")
    return path


def _recorded_point(directory: Path, cert: dict, arch):
    """The classified point from point.npz (BadInput naming the file when absent or malformed)."""
    from numerics.networks.weights_io import load_parameters

    path = _beside(directory, cert.get("point"), "CERT.point.saved_as", "point.npz")
    try:
        return load_parameters(path, arch)
    except (ValueError, OSError) as exc:
        raise BadInput("CERT.point.saved_as", str(path), f"the classified point, arrays "
                       f"{', '.join(arch.layer_names)} of the architecture's shapes ({exc})") from None


def _recorded_arrays(directory: Path, cert: dict, key: str, read, wanted: str):
    """``(read(arrays), record)`` for the .npz file the record ``cert[key]`` names (the record:
    its file name and the sha256 of every array in it), or (None, None) when ``cert[key]`` is
    null; BadInput naming the file when it is absent or ``read`` finds it malformed."""
    from certify.commands.critical import arrays_sha256

    if cert.get(key) is None:
        return None, None
    if not isinstance(cert[key], dict):
        raise BadInput(f"CERT.{key}", cert[key], "null or an object {saved_as, sha256}")
    path = _beside(directory, cert[key], f"CERT.{key}.saved_as", f"{key}.npz")
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: np.asarray(z[k], dtype=np.float64) for k in z.files}
        value = read(arrays)
    except (ValueError, OSError, KeyError) as exc:
        raise BadInput(f"CERT.{key}.saved_as", str(path), f"an .npz file with {wanted} ({exc})") from None
    return value, {"saved_as": cert[key].get("saved_as"), "sha256": arrays_sha256(arrays)}


def _recorded_direction(directory: Path, cert: dict, P: int) -> tuple[np.ndarray | None, dict | None]:
    """(v, the record of direction.npz), or (None, None) when no direction is recorded."""
    from numerics.curvature.critical_point import checked_direction

    return _recorded_arrays(directory, cert, "direction", lambda a: checked_direction(a["v"], P), "the array 'v'")


def _recorded_center(directory: Path, cert: dict, arch) -> tuple[tuple | None, dict | None]:
    """((center layers, correction), the record of center.npz), or (None, None) when no center
    is recorded."""
    from numerics.networks.parameters import Parameters

    def read(arrays):
        return Parameters(arch, {k: arrays[k] for k in arch.layer_names}), arrays["correction"]

    wanted = f"the layers {', '.join(arch.layer_names)} and the vector 'correction'"
    return _recorded_arrays(directory, cert, "center", read, wanted)


def _number(path: str, value: Any, allow_none: bool = False) -> float | None:
    """A recorded number (a repr string); BadInput naming ``CERT.<path>`` otherwise."""
    if value is None and allow_none:
        return None
    x = decimal_endpoint(value)
    if x is None or not np.isfinite(x):
        raise BadInput(f"CERT.{path}", value, "a finite number written as Python's repr of a float")
    return x


def _claim(cp: dict) -> str:
    status = cp.get("status")
    return cp.get("status_if_premises") if status == "conditional" else status


def recompute_critical(cert: dict, directory) -> dict:
    """The certificate recomputed here from the recorded config, data, point and direction
    (JSON-ready; records copied, ``content_sha256`` the recorded one)."""
    from certify.config import config_from_dict
    from certify.data import load_dataset
    from certify.fp_environment import checked_environment
    from certify.pipeline import numeric_context
    from certify.run_check import data_base_dir
    from numerics.arith.elementary import elementary_mode_scope

    checked_environment()   # re-proving in a flush-to-zero process would prove nothing
    if not isinstance(cert.get("config"), dict):
        raise BadInput("CERT.config", cert.get("config"), "the config object `certify critical` records")
    if not isinstance(cert.get(CP), dict):
        raise BadInput(f"CERT.{CP}", cert.get(CP), "the critical_point object `certify critical` records")
    try:
        config = config_from_dict(cert["config"], base_dir=data_base_dir(cert, directory))
    except BadInput as exc:
        raise BadInput(f"CERT.config.{exc.field}", exc.value, exc.allowed) from None
    dataset = load_dataset(config)
    with numeric_context(config), elementary_mode_scope(_recorded_elementary_mode(cert)):
        return _recompute(cert, Path(directory), config, dataset)


def _recorded_elementary_mode(cert: dict) -> str:
    rec = (cert.get("numerics") or {}).get("elementary_functions")
    return "margin" if isinstance(rec, dict) and rec.get("mode") == "margin" else "proved-polynomial"


def _recompute(cert: dict, directory: Path, config, dataset) -> dict:
    from certify.commands.critical import (INPUTS, critical_architecture, critical_header,
                                           critical_point_object, instance_record, parameters_sha256)
    from numerics.curvature.critical_point import reprove_critical_point

    inputs = cert.get("inputs")
    if inputs not in INPUTS:
        raise BadInput("CERT.inputs", inputs, f"one of {', '.join(INPUTS)}")
    settings = cert.get("settings") if isinstance(cert.get("settings"), dict) else {}
    tol = _number("settings.gradient_tol", settings.get("gradient_tol"))
    cp = cert[CP]
    arch = critical_architecture(config, dataset.d)
    params = _recorded_point(directory, cert, arch)
    v, direction = _recorded_direction(directory, cert, arch.parameter_count)
    center, center_rec = _recorded_center(directory, cert, arch)
    radius = _number(f"{CP}.radius", cp.get("radius"), allow_none=True)
    try:
        res = reprove_critical_point(params, dataset.X, dataset.y, normalize=inputs == "normalized", direction=v,
                                     claim=_claim(cp), radius=radius, center=center, gradient_tol=tol)
    except ValueError as exc:
        raise BadInput("CERT.data", dataset.source, str(exc)) from None
    point = {**(cert.get("point") if isinstance(cert.get("point"), dict) else {}), "sha256": parameters_sha256(params)}
    fresh = {**critical_header(config, dataset, arch),
             **instance_record(arch, inputs, {**settings, "gradient_tol": repr(tol)}),
             "point": point, "direction": direction, "center": center_rec,
             CP: critical_point_object(res), "float_search": cert.get("float_search"),
             "content_sha256": cert.get("content_sha256")}
    return json.loads(json.dumps(fresh, allow_nan=False))


def _status_problems(recorded: dict, fresh: dict) -> list[str]:
    """The status compared first, with the recomputation's reason."""
    rec, new = recorded.get("status"), fresh["status"]
    if rec == new:
        return []
    if rec == "undecided":
        return [(f"{CP}.status: recorded 'undecided', but this machine proves {new!r} (the certificate says "
                 "less than is true)")]
    return [f"{CP}.status: recorded {rec!r} is not re-proved here (recomputed {new!r}: {fresh['reason']})"]


def check_critical_certificate(cert: dict, directory) -> Agreement:
    """Re-prove a critical-point certificate (module docstring); problems name the field."""
    from certify.certificate import integrity_problems

    out = Agreement(problems=integrity_problems(cert))
    fresh = recompute_critical(cert, directory)
    out.problems += _status_problems(cert[CP], fresh[CP])
    if "status" in cert[CP]:
        fresh[CP]["status"] = cert[CP]["status"]      # reported above, once
    out.extend(compare(_as_bounds(cert), _as_bounds(fresh), critical_rules(cert)))
    return out
