"""config -> dataset -> theorem evaluations -> certificate (`certify check` recomputes it through
certify/run_check.py).

Everything is computed before anything is written, so bad input never leaves a partial output
directory behind.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from certify.certificate import SCHEMA_ID, environment, seal, tool_version, write_json_atomic
from certify.config import Config, config_from_dict, load_config
from certify.data import Dataset, load_dataset
from certify.errors import BadInput
from certify.fp_environment import checked_environment

NORMALIZATION_NOTE = ("The certificate is about the unit vectors x_i = v_i/||v_i|| (exact real arithmetic) "
                      "of the stored float rows v_i of X; labels y are used as stored.")
DERIVED_NOTE = ("The certificate is about the unit vectors x_i = v_i/||v_i|| (exact real arithmetic) "
                "of the final float64 rows v_i of X and the final labels y (after the recorded "
                "provenance steps; sha256 hashes exactly these arrays).")

def _params(config: Config, dataset: Dataset) -> dict[str, Any]:
    width = config.model.width
    return {
        "n": dataset.n,
        "d": dataset.d,
        "m": int(width) if width is not None else None,
        "delta": config.certify.delta,
        "eta": config.train.step_size,
        "seed": config.train.seed,
        **_deep_params(config, dataset),
        **config.certify.constants,
    }


def _deep_params(config: Config, dataset: Dataset) -> dict[str, Any]:
    """Depth, activation and architecture details of the deep theorems (1811.03804)."""
    model = config.model
    depth = model.depth if model.depth is not None else 1
    out = {"depth": depth, "H": depth, "activation": model.activation,
           "c_res": model.c_res if model.c_res is not None else 0.5}
    if model.kind == "cnn":
        if dataset.d % model.channels:
            raise BadInput("model.channels", model.channels,
                           f"a divisor of the input dimension d = {dataset.d} (rows are channel-major signals)")
        pixels = dataset.d // model.channels
        if model.patch_size > pixels:
            raise BadInput("model.patch_size", model.patch_size,
                           f"at most the signal length ({pixels} pixels = d / channels)")
        out.update(channels=model.channels, patch_size=model.patch_size, p=pixels)
    return out


def numeric_context(config: Config):
    """The numeric context of `config`'s `[numerics]` section, as a `workprec` block
    (numerics/arith/context.py): everything a command computes runs inside it."""
    from numerics.arith.context import workprec

    n = config.numerics
    return workprec(precision_bits=n.precision_bits, backend=n.backend,
                    max_precision_bits=n.max_precision_bits)


def context_record() -> dict:
    """The numeric context in force (what `[numerics]` set), as recorded in certificates."""
    from numerics.arith.context import get_context

    ctx = get_context()
    return {"backend": ctx.backend, "precision_bits": ctx.precision_bits,
            "max_precision_bits": ctx.max_precision_bits, "strict_elementary": ctx.strict_elementary}


def numerics_record() -> dict:
    """How the rigorous numbers were computed: the elementary-function mode in force
    (``proved-polynomial`` by default; ``margin`` names its premise, ``arb`` is Arb per entry)."""
    from numerics.arith.elementary import mode_record

    return {"elementary": mode_record()}


def final_arrays(config: Config, dataset: Dataset) -> tuple | None:
    """(X, y) to write beside the certificate when the data were derived, else None."""
    return (dataset.X, dataset.y) if derived(dataset, config) else None


def evaluate_config(config: Config, dataset: Dataset | None = None, *, empirical: bool = True,
                    progress: bool = False) -> dict:
    """The unsealed certificate for `config` (Python API behind `certify run`)."""
    from proofs.core import InstanceData
    from proofs.evaluation import evaluate_theorem
    from proofs.registry import get_theorem

    checked_environment()   # before any rigorous computation (again when the header is written)
    dataset = dataset if dataset is not None else load_dataset(config)
    params = _params(config, dataset)
    instance = InstanceData(dataset.X, dataset.y, params=params)
    theorems = []
    with numeric_context(config):
        for tid in config.certify.theorems:
            thm = get_theorem(tid)
            entry = evaluate_theorem(thm, instance, params)
            theorems.append(entry)
        if empirical and config.empirical.enabled:
            from certify.empirical_section import add_empirical_evidence

            add_empirical_evidence(config, dataset, instance, theorems, progress=progress)
        verdict = "certified" if all(t["status"] == "certified" for t in theorems) else "not-certified"
        return {**certificate_header(config, dataset), "verdict": verdict, "theorems": theorems}


def certificate_header(config: Config, dataset: Dataset) -> dict:
    """What every certificate about a configuration records: schema, tool, environment, the
    normalized config and the data's hash (the inputs `certify check` recomputes from)."""
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "dl-certify", "version": tool_version()},
        "environment": environment(),
        "config": config.normalized(),
        "config_base_dir": str(Path(config.base_dir).resolve()),
        "data": {**dataset.record(),
                 "normalization": DERIVED_NOTE if dataset.record().get("provenance") else NORMALIZATION_NOTE},
        "numerics": {**numerics_record(), "context": context_record()},
    }


def run(config: Config | dict | str | Path, *, empirical: bool = True, progress: bool = False) -> dict:
    """Certify a configuration; returns the sealed certificate (a dict)."""
    if isinstance(config, (str, Path)):
        config = load_config(config)
    elif isinstance(config, dict):
        config = config_from_dict(config)
    return seal(evaluate_config(config, empirical=empirical, progress=progress))


DATA_FILE = "data.npz"
"""The final arrays X, y, written beside a certificate whose data were derived (the independent
checker replays its claims about exactly these arrays, certify/independent/inputs.py)."""


def derived(dataset: Dataset, config: Config) -> bool:
    """Whether the final arrays differ from what [data] names directly (a plain .npz or the sphere)."""
    from certify.data import changed

    data = config.data
    if data.source == "sphere":
        return False
    if data.path is None or not data.path.lower().endswith(".npz"):
        return True
    return changed(dataset.provenance)


def write_outputs(cert: dict, out: str | Path, data_arrays: tuple | None = None) -> Path:
    """Write certificate.json, report.md and report.html into `out`, all or nothing; with
    ``data_arrays`` = (X, y) also the final arrays as DATA_FILE."""
    from certify.report import render_html, render_markdown

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise BadInput("--out", str(out), "a directory path (it exists and is a file)")
    md = render_markdown(cert)
    html = render_html(cert, figures=report_figures(cert))
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        if data_arrays is not None:
            import numpy as np

            tmp = out / f".{DATA_FILE}.tmp.npz"
            np.savez(tmp, X=data_arrays[0], y=data_arrays[1])
            tmp.replace(out / DATA_FILE)
        write_json_atomic(out / "certificate.json", cert)
        for name, text in (("report.md", md), ("report.html", html)):
            tmp = out / f".{name}.tmp"
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out / name)
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)
        raise
    return out


def report_figures(cert: dict) -> dict:
    """theorem id -> [(title, png bytes)] for every theorem that carries empirical evidence."""
    out = {}
    for t in cert.get("theorems", []):
        summary = t.get("empirical")
        if not isinstance(summary, dict) or "runs" not in summary:
            continue
        from certify.empirical_figures import empirical_figures

        out[t["id"]] = list(empirical_figures(summary).items())
    return out
