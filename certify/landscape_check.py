"""`certify check` for a `certify landscape` certificate: re-prove the global optimality of the
recorded point and every theorem verdict on this machine.

The point GD found is not searched for again (a search is float work and may land elsewhere on
another machine); it is read from ``point.npy`` beside the certificate, its sha256 must equal the
recorded ``point.sha256``, and its global optimality is proved afresh. The instance is rebuilt from
the recorded inputs (seeded, or the ``--data`` / ``--graph`` file, looked up beside the
certificate by its recorded name) and must have the recorded ``instance.sha256``. Enclosures stored
as ``[lo, hi]`` pairs (the value interval, the loss at the point, hypothesis evidence) are compared
as statements (they must meet the recomputed ones; certify/agreement.py); verdicts, counts and the
census are compared exactly; timings, float evidence and the search's own record are not
recomputed (named in the output).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from certify.agreement import Agreement, Rules, compare
from certify.errors import BadInput

RECORDS = ("tool_version", "environment", "environment.*", "empirical", "empirical.*", "census.seconds",
           "global_optimality.gap", "global_optimality.timings", "global_optimality.timings.*",
           "global_optimality.*seconds*")
"""The producer's machine, float evidence and timings (not recomputed); so is the search's record
under ``point`` except its sha256, which the recorded point.npy must match."""


def landscape_rules(cert: dict) -> Rules:
    point = cert.get("point") if isinstance(cert.get("point"), dict) else {}
    search = tuple(f"point.{k}" for k in point if k != "sha256")
    return Rules(records=RECORDS + search, descriptions=("theorems[].hypotheses[].method",))

PAIR_PATTERNS = ("global_optimality.value", "global_optimality.loss_at_point", "theorems[].hypotheses[].evidence.*",
                 "theorems[].quantities.*")
"""Fields whose two-element lists are enclosures [lo, hi]."""


def _as_enclosures(node: Any, path: str = "") -> Any:
    """The same JSON tree with every [lo, hi] pair under PAIR_PATTERNS written as {lo, hi}."""
    if isinstance(node, dict):
        return {k: _as_enclosures(v, f"{path}.{k}" if path else k) for k, v in node.items()}
    if isinstance(node, list):
        if _pair_path(path) and len(node) == 2 and all(_numeric(v) for v in node):
            return {"lo": repr(float(node[0])), "hi": repr(float(node[1]))}
        return [_as_enclosures(v, f"{path}[{i}]") for i, v in enumerate(node)]
    return node


def _pair_path(path: str) -> bool:
    return _PAIRS.is_record(path)


_PAIRS = Rules(records=PAIR_PATTERNS)  # reuses agreement's path matcher


def _numeric(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def _recorded_file(directory: Path, inputs: dict, key: str) -> str | None:
    name = inputs.get(key)
    if name is None:
        return None
    path = directory / Path(str(name)).name
    if not path.is_file():
        raise BadInput(f"CERT.inputs.{key}", name, f"the {key} file, copied beside the certificate ({path})")
    return str(path)


def _recorded_point(directory: Path, cert: dict) -> np.ndarray:
    from certify.commands.landscape import point_sha256

    path = directory / "point.npy"
    try:
        x = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise BadInput("point.npy", str(path), f"the point written beside the certificate ({exc})") from None
    recorded = (cert.get("point") or {}).get("sha256")
    if recorded != point_sha256(x):
        raise BadInput("CERT.point.sha256", recorded, f"the sha256 of {path} ({point_sha256(x)})")
    return x


def recompute_landscape(cert: dict, directory) -> dict:
    """The certificate recomputed here at the recorded point (unsealed JSON)."""
    from certify.commands.landscape import certify_landscape

    directory = Path(directory)
    inputs = cert.get("inputs")
    if not isinstance(inputs, dict):
        raise BadInput("CERT.inputs", inputs, "the recorded inputs object")
    x = _recorded_point(directory, cert)
    fresh, _ = certify_landscape(
        inputs.get("family"), size=inputs.get("size"), data=_recorded_file(directory, inputs, "data"),
        graph=_recorded_file(directory, inputs, "graph"), seed=inputs.get("seed", 0), runs=inputs.get("runs"),
        steps=inputs.get("steps", 3000), rel_tol=inputs.get("rel_tol", 1e-6), census=inputs.get("census") is True,
        empirical=False, constants=inputs.get("constants") or {}, census_size=inputs.get("census_size"), point=x)
    fresh["inputs"]["runs"], fresh["inputs"]["steps"] = inputs.get("runs"), inputs.get("steps")  # float evidence only
    return json.loads(json.dumps(fresh, allow_nan=False))


def check_landscape_certificate(cert: dict, directory) -> Agreement:
    """Re-prove a landscape certificate (module docstring); problems name the field."""
    from certify.certificate import integrity_problems

    out = Agreement(problems=integrity_problems(cert))
    fresh = recompute_landscape(cert, directory)
    fresh["content_sha256"] = cert.get("content_sha256")
    for k, v in (cert.get("point") or {}).items():
        fresh["point"].setdefault(k, v)   # the search's record (not recomputed; named in the output)
    out.extend(compare(_as_enclosures(cert), _as_enclosures(fresh), landscape_rules(cert)))
    return out
