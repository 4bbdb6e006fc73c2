"""`certify check` for a `certify run` certificate: recompute it here and compare what it states.

The recomputation re-reads the recorded config and data, re-encloses every quantity and
re-decides every hypothesis on this machine. Two things make it portable (certify/agreement.py
has the comparison rules):

* parameters the producer *chose* (the width ``m`` and the step ``eta`` when the config says
  "the theorem's own value") are taken from the certificate, validated, and every hypothesis is
  re-decided at exactly those values. Another machine's enclosures differ in the last bits, so
  its own choice would differ; the claim to check is "the hypotheses hold at the recorded m and
  eta", and that is what is re-proved;
* enclosures are compared as statements (they must meet the recomputed ones), verdicts as
  verdicts (re-proved here), everything else exactly.
"""

from __future__ import annotations

import json
import math
from typing import Any

from certify.agreement import Agreement, Rules, compare
from certify.errors import BadInput

RUN_RULES = Rules(
    records=(
        "tool", "tool.*", "environment", "environment.*", "numerics", "numerics.*", "config_base_dir",
        "theorems[].empirical",
    ),
    descriptions=(
        "theorems[].quantities.*.method", "theorems[].quantities.*.backend",
        "theorems[].quantities.*.precision_bits",
    ),
)
"""The producer's records (its machine, the directory its config was in, its elementary-function
mode, float evidence) are not recomputed; how an enclosure was obtained may differ between
machines (a note)."""

CHOSEN = ("m", "eta")
"""Parameters `proofs.evaluation` chooses when the config leaves them open."""


def _json(x: Any) -> Any:
    return json.loads(json.dumps(x, allow_nan=False))


def _pinned_value(name: str, value: Any, where: str) -> Any:
    """The recorded choice of parameter `name`, validated (BadInput names the field)."""
    if name == "m":
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise BadInput(where, value, "a positive integer width (the recorded choice of m)")
        return value
    x = None
    if isinstance(value, str):
        try:
            x = float(value)
        except ValueError:
            x = None
    if x is None or not math.isfinite(x) or x <= 0 or repr(x) != value:
        raise BadInput(where, value, "a positive finite float written as Python's repr (the recorded step eta)")
    return x


def _left_open(name: str, params: dict) -> bool:
    return params.get(name) is None if name == "m" else params.get(name) == "auto"


def _pins(index: int, recorded: Any, auto: dict, params: dict) -> dict:
    """Recorded values of the parameters the producer chose (the config left them open), where
    they differ from this machine's choice (an empty dict when they agree)."""
    if not isinstance(recorded, dict) or not isinstance(recorded.get("parameters"), dict):
        return {}
    rec = recorded["parameters"]
    pins = {}
    for name in CHOSEN:
        if not _left_open(name, params):
            continue
        if name in auto["parameters"] and name in rec and rec[name] != auto["parameters"][name]:
            pins[name] = _pinned_value(name, rec[name], f"CERT.theorems[{index}].parameters.{name}")
    return pins


def data_base_dir(cert: dict, directory=None) -> str:
    """Where a relative ``data.path`` is looked up: the recorded ``config_base_dir``, or the
    certificate's own directory when the file is not there but beside the certificate (a
    certificate copied to another machine with its data). The data's sha256 is compared anyway."""
    from pathlib import Path

    base = cert.get("config_base_dir", ".")
    if not isinstance(base, str):
        raise BadInput("CERT.config_base_dir", base, "a directory path (string)")
    config = cert.get("config") if isinstance(cert.get("config"), dict) else {}
    path = config["data"].get("path") if isinstance(config.get("data"), dict) else None
    if directory is not None and isinstance(path, str) and not Path(path).is_absolute() \
            and not (Path(base) / path).exists() and (Path(directory) / path).exists():
        return str(directory)
    return base


def recompute_run_certificate(cert: dict, directory=None) -> dict:
    """The certificate this machine computes from `cert`'s config and data, with the producer's
    choices of m and eta pinned to the recorded values (JSON-ready, unsealed). A certificate made
    in the opt-in ``margin`` elementary mode is recomputed in that mode (its statuses are
    ``conditional`` on the mode's premise, and so are the recomputed ones)."""
    from numerics.arith.elementary import elementary_mode_scope

    with elementary_mode_scope(_recorded_elementary_mode(cert)):
        return _recompute(cert, directory)


def _recorded_elementary_mode(cert: dict) -> str:
    rec = cert.get("numerics")
    mode = rec.get("elementary", {}).get("mode") if isinstance(rec, dict) and \
        isinstance(rec.get("elementary"), dict) else None
    return "margin" if mode == "margin" else "proved-polynomial"


def _recompute(cert: dict, directory=None) -> dict:
    from certify.config import config_from_dict
    from certify.data import load_dataset
    from certify.fp_environment import checked_environment
    from certify.pipeline import _params, numeric_context

    checked_environment()   # re-proving in a flush-to-zero process would prove nothing
    if not isinstance(cert.get("config"), dict):
        raise BadInput("CERT.config", cert.get("config"), "the config object `certify run` records")
    base = data_base_dir(cert, directory)
    try:
        config = config_from_dict(cert["config"], base_dir=base)
    except BadInput as exc:
        raise BadInput(f"CERT.config.{exc.field}", exc.value, exc.allowed) from None
    dataset = load_dataset(config)
    with numeric_context(config):       # the recorded `[numerics]` settings, as the producer ran
        return _recompute_entries(cert, config, dataset, _params(config, dataset))


def _recompute_entries(cert: dict, config, dataset, params: dict) -> dict:
    from certify.pipeline import certificate_header
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate_theorem
    from proofs.registry import get_theorem

    instance = InstanceData(dataset.X, dataset.y, params=params)
    recorded = cert.get("theorems") if isinstance(cert.get("theorems"), list) else []
    entries = []
    for i, tid in enumerate(config.certify.theorems):
        thm = get_theorem(tid)
        entry = _json(evaluate_theorem(thm, instance, params))
        rec = recorded[i] if i < len(recorded) else None
        if isinstance(rec, dict) and rec.get("id") == tid:
            pins = _pins(i, rec, entry, params)
            if pins:
                pinned = _json(evaluate_theorem(thm, instance, {**params, **pins}))
                pinned["notes"] = entry["notes"]       # how the recorded values were chosen
                entry = pinned
        entries.append(entry)
    verdict = "certified" if all(t["status"] == "certified" for t in entries) else "not-certified"
    return {**_json(certificate_header(config, dataset)), "verdict": verdict, "theorems": entries,
            "content_sha256": cert.get("content_sha256")}


def check_run_certificate(cert: dict, directory=None) -> Agreement:
    """Recompute a run certificate and compare it with the recorded one (certify/agreement.py)."""
    from certify.certificate import integrity_problems

    out = Agreement(problems=integrity_problems(cert))
    fresh = recompute_run_certificate(cert, directory)
    out.extend(compare(cert, fresh, RUN_RULES))
    return out
